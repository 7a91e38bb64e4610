using System.ComponentModel;
using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;
using QaNet.Tests.Support;

namespace QaNet.Tests.Lab;

/// <summary>The lifecycle events of a virthost (issue 15), replayed on a running lab and checked as Test-QaNetwork and the live matrix see them.</summary>
internal static class LifecycleEvents
{
    /// <summary>Every virthost's libvirtd restarted: a new daemon, no drift, and the whole live matrix still conforms.</summary>
    public static async Task LibvirtdRestartAsync(LabFixture lab)
    {
        var before = lab.Lab.State.Libvirtd.ToDictionary(l => l.VirtHost, l => l.Pid);
        foreach (var vh in before.Keys)
        {
            await lab.Lab.RestartLibvirtdAsync(vh);
        }

        var after = QaLab.Get(lab.Prefix)!.State.Libvirtd;
        Assert.All(after, l => Assert.NotEqual(before[l.VirtHost], l.Pid));
        Assert.All(after, l => Assert.True(Directory.Exists($"/proc/{l.Pid}"), $"libvirtd of {l.VirtHost} is not running"));

        var publisher = new PolicyPublisher(lab.Policy, transports: lab.Lab.Transports());
        var status = await publisher.StatusHostsAsync(publisher.Render());
        Assert.All(status, s => Assert.True(s.InSync, $"{s.VirtHost}: {s.DriftCount} drift items {s.Error?.Message}"));

        await AssertWholeMatrixConformsAsync(lab);
    }

    /// <summary>
    /// The client network destroyed and started on one virthost: while it is down its client reaches
    /// nothing it is granted and Test-QaNetwork reports the network; once it is back (ports plugged
    /// into the new bridge) nothing drifts and the whole live matrix conforms, without a publish.
    /// </summary>
    public static async Task NetworkRestartAsync(LabFixture lab)
    {
        var client = lab.Policy.FindClient("taskotron-client01")!;
        var ns = lab.Lab.State.FindHost(client.Name)!.Namespace;
        var koji = System.Net.IPAddress.Parse(lab.Lab.State.EndpointAddresses["koji"][0]);
        var prober = new QaNet.Core.Probes.QaProber();
        var publisher = new PolicyPublisher(lab.Policy, transports: lab.Lab.Transports());
        var artifacts = Assert.Single(publisher.Render(new[] { client.VirtHost }));
        Assert.True((await prober.ProbeAsync(ns, client.Address, koji, 443, QaProtocol.Tcp, 3)).Observed);

        await lab.Lab.RestartNetworkAsync(client.VirtHost, client.Network, async () =>
        {
            var cut = await prober.ProbeAsync(ns, client.Address, koji, 443, QaProtocol.Tcp, 2);
            Assert.False(cut.Observed, cut.Detail);
            var drift = await publisher.TestAsync(artifacts);
            Assert.Contains(drift, d => d.Target.Contains(client.Network, StringComparison.Ordinal)
                && d.Kind is QaDriftKind.LibvirtNetworkStateChanged or QaDriftKind.LibvirtNetworkMissing);
        });

        Assert.Empty(await publisher.TestAsync(artifacts));
        await AssertWholeMatrixConformsAsync(lab);
    }

    /// <summary>
    /// A client VM stopped and started: a new port on its virthost's bridge with the same MAC, its
    /// address leased again (Nat) or set (Bridged); no drift, and the whole matrix conforms.
    /// </summary>
    public static async Task ClientRestartAsync(LabFixture lab)
    {
        var client = lab.Policy.FindClient("beaker-client02")!;
        var vh = lab.Lab.State.Libvirtd.Single(l => l.VirtHost == client.VirtHost).Namespace;
        var bridge = lab.Lab.State.Networks.Single(n => n.Name == client.Network).Bridges[client.VirtHost];
        async Task<HashSet<string>> PortsAsync() =>
            (await HostTarget.Local.CreateRunner().RunAsync(CommandSpec.Of("ip", "-n", vh, "-o", "link", "show", "master", bridge))).Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':', 3)[1].Trim().Split('@')[0]).ToHashSet(StringComparer.Ordinal);
        var before = await PortsAsync();

        await lab.Lab.RestartClientAsync(lab.Policy, client.Name);

        var after = await PortsAsync();
        Assert.Single(before.Except(after));   // its old port is gone
        Assert.Single(after.Except(before));   // and a new one took its place
        var host = QaLab.Get(lab.Prefix)!.State.FindHost(client.Name)!;
        Assert.Equal(new[] { client.Address, client.Address6 }.Where(a => a is not null).Select(a => a!.ToString()), host.Addresses);
        Assert.Equal(client.NetworkObject.Mode == QaNetworkMode.Bridged ? "static" : "dhcp", host.AddressSource!.Split(' ')[0]);
        var publisher = new PolicyPublisher(lab.Policy, transports: lab.Lab.Transports());
        Assert.Empty(await publisher.TestAsync(Assert.Single(publisher.Render(new[] { client.VirtHost }))));
        await AssertWholeMatrixConformsAsync(lab);
    }

    /// <summary>
    /// A simulated reboot of the virthost of taskotron-client01 (QaLab.RebootVirtHostAsync): while it
    /// is off its ruleset is empty and its client reaches nothing; once libvirtd has autostarted the
    /// networks through QaNet's network hook, QaNet's tables are back from the boot copy, nothing
    /// drifts and the whole live matrix conforms — without a publish.
    /// </summary>
    public static async Task RebootAsync(LabFixture lab)
    {
        var (client, ns, koji, publisher, artifacts, l) = RebootSubject(lab);
        var copy = Path.Combine(LibvirtdInstance.ConfigDirectoryOf(l.Directory), "qanet");
        Assert.Contains(client.Network, File.ReadAllLines(Path.Combine(copy, "networks")));
        var hook = Path.Combine(LibvirtdInstance.ConfigDirectoryOf(l.Directory), "hooks", "network.d", "50-qanet");
        Assert.True((await HostTarget.Local.CreateRunner().RunAsync(CommandSpec.Of("test", "-x", hook))).Succeeded, hook + " is not an executable file");
        var prober = new QaNet.Core.Probes.QaProber();

        await lab.Lab.RebootVirtHostAsync(client.VirtHost, async () =>
        {
            var tables = await HostTarget.Local.CreateRunner().RunAsync(CommandSpec.Of("ip", "netns", "exec", l.Namespace, "nft", "list", "tables"));
            Assert.Equal(string.Empty, tables.Stdout.Trim());   // powered off: no table of anyone's
            var cut = await prober.ProbeAsync(ns, client.Address, koji, 443, QaProtocol.Tcp, 2);
            Assert.False(cut.Observed, cut.Detail);
        });

        Assert.Empty(await publisher.TestAsync(artifacts));
        await AssertWholeMatrixConformsAsync(lab);
    }

    /// <summary>
    /// Fail closed: a reboot with a boot copy that does not load (here: not nft at all). The hook
    /// refuses, libvirt does not start QaNet's networks on that virthost, so its client reaches
    /// nothing — and Test-QaNetwork says why. A publish brings everything back.
    /// </summary>
    public static async Task RebootWithBrokenCopyFailsClosedAsync(LabFixture lab)
    {
        var (client, ns, koji, publisher, artifacts, l) = RebootSubject(lab);
        var nftCopy = Path.Combine(LibvirtdInstance.ConfigDirectoryOf(l.Directory), "qanet", "qanet.nft");
        var good = await File.ReadAllTextAsync(nftCopy);
        await File.WriteAllTextAsync(nftCopy, "this is not an nftables ruleset\n");
        try
        {
            await lab.Lab.RebootVirtHostAsync(client.VirtHost);

            var l2 = QaLab.Get(lab.Prefix)!.State.Libvirtd.Single(x => x.VirtHost == client.VirtHost);
            var info = await HostTarget.Local.CreateRunner().RunAsync(CommandSpec.Of("virsh", "-c", l2.Uri, "net-info", client.Network));
            Assert.Matches(@"Active:\s+no", info.Stdout);
            var cut = await new QaNet.Core.Probes.QaProber().ProbeAsync(ns, client.Address, koji, 443, QaProtocol.Tcp, 2);
            Assert.False(cut.Observed, cut.Detail);
            var drift = await publisher.TestAsync(artifacts);
            Assert.Contains(drift, d => d.Kind == QaDriftKind.BootCopyChanged && d.Target == "qanet/qanet.nft");
            Assert.Contains(drift, d => d.Kind == QaDriftKind.NftTableMissing);
        }
        finally
        {
            // Put back what the publish would: it rewrites the copy, starts the networks and loads the tables.
            var results = await lab.Lab.PublishAsync(lab.Policy);
            Assert.All(results, r => Assert.True(r.Outcome is QaPublishOutcome.Applied or QaPublishOutcome.Unchanged, $"{r.VirtHost}: {r.Outcome} {r.Error?.Message}"));
            await lab.Lab.ReplugClientsAsync(client.VirtHost);
        }

        Assert.Equal(good, await File.ReadAllTextAsync(nftCopy));
        Assert.Empty(await publisher.TestAsync(artifacts));
        await AssertWholeMatrixConformsAsync(lab);
    }

    private static (QaClient Client, string Ns, System.Net.IPAddress Koji, PolicyPublisher Publisher, HostArtifacts Artifacts, QaLabLibvirtd Libvirtd) RebootSubject(LabFixture lab)
    {
        var client = lab.Policy.FindClient("taskotron-client01")!;
        var ns = lab.Lab.State.FindHost(client.Name)!.Namespace;
        var koji = System.Net.IPAddress.Parse(lab.Lab.State.EndpointAddresses["koji"][0]);
        var publisher = new PolicyPublisher(lab.Policy, transports: lab.Lab.Transports());
        var artifacts = Assert.Single(publisher.Render(new[] { client.VirtHost }));
        var l = lab.Lab.State.Libvirtd.Single(x => x.VirtHost == client.VirtHost);
        return (client, ns, koji, publisher, artifacts, l);
    }

    public static async Task AssertWholeMatrixConformsAsync(LabFixture lab)
    {
        var engine = QaNet.Core.Engine.QaReachability.Create(lab.Policy, DateTimeOffset.UtcNow);
        LabFixture.AssertConforms(await QaNet.Core.Probes.QaLiveMatrix.RunAsync(engine, QaNet.Core.Probes.QaLiveMatrix.Flows(lab.Lab.State, lab.Policy)));
    }
}

/// <summary>
/// fedora-qa on a virthost profile, in a mode: Libvirt11 (libvirt 11.3 from bookworm-backports with its
/// nftables firewall backend, from the cached tree) or Fedora (that with firewalld 1.3 running in
/// each virthost on its own system bus).
/// </summary>
public abstract class ProfileLab(QaVirtHostProfile profile, QaNetworkMode mode) : LabFixture
{
    public override QaLabOptions? Options => new() { VirtHostProfile = profile };

    public override QaPolicy CreatePolicy() => mode == QaNetworkMode.Bridged ? ExamplePolicies.AsBridged(ExamplePolicies.Fedora()) : ExamplePolicies.Fedora();
}

public sealed class Libvirt11NatLab() : ProfileLab(QaVirtHostProfile.Libvirt11, QaNetworkMode.Nat)
{
    public override string Prefix => "qn-lbn-";
}

public sealed class Libvirt11BridgedLab() : ProfileLab(QaVirtHostProfile.Libvirt11, QaNetworkMode.Bridged)
{
    public override string Prefix => "qn-lbb-";
}

public sealed class FedoraNatLab() : ProfileLab(QaVirtHostProfile.Fedora, QaNetworkMode.Nat)
{
    public override string Prefix => "qn-lfn-";
}

public sealed class FedoraBridgedLab() : ProfileLab(QaVirtHostProfile.Fedora, QaNetworkMode.Bridged)
{
    public override string Prefix => "qn-lfb-";
}

[Trait("Needs", "Root")]
public sealed class FedoraNatLabTests : IClassFixture<FedoraNatLab>
{
    private readonly FedoraNatLab _lab;

    public FedoraNatLabTests(FedoraNatLab lab)
    {
        _lab = lab;
    }

    [Fact]
    public async Task Firewalld_runs_in_every_virthost_and_holds_QaNets_bridge_in_libvirt_routed_and_the_matrix_conforms()
    {
        foreach (var l in _lab.Lab.State.Libvirtd)
        {
            Assert.Equal(QaVirtHostProfile.Fedora, l.Profile);
            Assert.Equal("running", (await _lab.Lab.FirewallCmdAsync(l.VirtHost, default, "--state")).Trim());
            Assert.Equal("libvirt-routed", (await _lab.Lab.FirewallCmdAsync(l.VirtHost, default, "--get-zone-of-interface=br-qa-clients")).Trim());
            var checks = await VirtHostChecks.RunAsync(PublishHost.For(l.VirtHost, HostTarget.Namespace(l.Namespace), l.Uri), VirtHostNeeds.Everything, all: true);
            var fw = Assert.Single(checks, c => c.Check == VirtHostChecks.Firewalld);
            Assert.Equal((QaCheckStatus.Pass, "running (table inet firewalld): QaNet's Nat bridges go into its zone libvirt-routed"), (fw.Status, fw.Found));
        }

        // Every client leased its address from libvirt's dnsmasq through firewalld's libvirt-to-host policy.
        Assert.All(_lab.Lab.Hosts.Where(h => h.Kind == QaLabHostKind.Client), h => Assert.Equal("dhcp", h.AddressSource));
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);
        Assert.Contains(results, r => r.From == "lockbox" && r.To == "beaker-client02" && r.Port == 22 && r.Observed);
        Assert.Contains(results, r => r.From == "koji" && r.To == "taskotron-client01" && r.Port == 22 && !r.Observed);
    }

    /// <summary>
    /// firewalld 1.3 flushes every ebtables table on --reload and --complete-reload where ebtables is
    /// installed (as on every virthost QaNet publishes ebtables to; docs/rendering.md, "firewalld and
    /// QaNet's ebtables chains"): QaNet's chains are gone, Test-QaNetwork reports exactly that (its nft
    /// tables and libvirt network are untouched), and a publish puts the fence back: no drift, the whole
    /// matrix conforms. What stays open until QaNet's bridge filtering moves into its own nft table is the
    /// window between the reload and that publish.
    /// </summary>
    [Fact]
    public async Task A_firewall_cmd_reload_flushes_QaNets_ebtables_chains_Test_QaNetwork_reports_it_and_a_publish_restores_the_fence()
    {
        var publisher = new PolicyPublisher(_lab.Policy, transports: _lab.Lab.Transports());
        foreach (var reload in new[] { "--reload", "--complete-reload" })
        {
            foreach (var l in _lab.Lab.State.Libvirtd)
            {
                await _lab.Lab.FirewallCmdAsync(l.VirtHost, default, reload);
            }

            // libvirt hears firewalld's Reloaded signal and puts its bridges back into their zones.
            foreach (var l in _lab.Lab.State.Libvirtd)
            {
                var zone = string.Empty;
                for (var i = 0; i < 50 && zone != "libvirt-routed"; i++)
                {
                    await Task.Delay(100);
                    zone = await ZoneOfBridgeAsync(l.VirtHost);
                }

                Assert.Equal("libvirt-routed", zone);
            }

            foreach (var artifacts in publisher.Render())
            {
                var drift = await publisher.TestAsync(artifacts);
                Assert.Contains(drift, d => d.Kind == QaDriftKind.EbtablesChanged && d.Detail.StartsWith("missing: ", StringComparison.Ordinal));
                Assert.All(drift, d => Assert.True(d.Kind == QaDriftKind.EbtablesChanged, $"{reload}: {artifacts.VirtHost}: {d.Kind} {d.Target} {d.Detail}"));
            }

            var results = await _lab.Lab.PublishAsync(_lab.Policy);
            Assert.All(results, r => Assert.True(r.Outcome == QaPublishOutcome.Applied, $"{reload}: {r.VirtHost}: {r.Outcome} {r.Error?.Message}"));
            var status = await publisher.StatusHostsAsync(publisher.Render());
            Assert.All(status, s => Assert.True(s.InSync, $"{reload}: {s.VirtHost}: {s.DriftCount} drift items {s.Error?.Message}"));
        }

        // One whole matrix after both (each reload's effect is the zone above and no drift after the publish).
        await LifecycleEvents.AssertWholeMatrixConformsAsync(_lab);
    }

    [Fact]
    public Task After_a_libvirtd_restart_nothing_drifts_and_the_live_matrix_still_conforms() => LifecycleEvents.LibvirtdRestartAsync(_lab);

    [Fact]
    public Task A_network_destroyed_cuts_its_clients_off_and_once_started_again_the_matrix_conforms() => LifecycleEvents.NetworkRestartAsync(_lab);

    [Fact]
    public Task A_client_stopped_and_started_with_a_new_port_and_the_same_mac_conforms_again() => LifecycleEvents.ClientRestartAsync(_lab);

    // Not in CI (a reboot and a whole matrix on the slowest profile): docs/lab.md, "Reboots", names the command.
    [Fact]
    [Trait("Runs", "OnDemand")]
    public Task After_a_reboot_with_firewalld_the_boot_copy_is_loaded_before_the_networks_start_and_the_matrix_conforms() => LifecycleEvents.RebootAsync(_lab);

    // firewall-cmd says "no zone" with exit 2 while the bridge is in none.
    private async Task<string> ZoneOfBridgeAsync(string virtHost)
    {
        try
        {
            return (await _lab.Lab.FirewallCmdAsync(virtHost, default, "--get-zone-of-interface=br-qa-clients")).Trim();
        }
        catch (QaHostException)
        {
            return string.Empty;
        }
    }
}

[Trait("Needs", "Root")]
public sealed class FedoraBridgedLabTests : IClassFixture<FedoraBridgedLab>
{
    private readonly FedoraBridgedLab _lab;

    public FedoraBridgedLabTests(FedoraBridgedLab lab)
    {
        _lab = lab;
    }

    [Fact]
    public async Task The_full_live_matrix_conforms_in_bridged_mode_beside_firewalld()
    {
        Assert.All(_lab.Lab.State.Libvirtd, l => Assert.Equal(QaVirtHostProfile.Fedora, l.Profile));
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "koji" && r.Port == 443 && r.Observed);
    }
}

[Trait("Needs", "Root")]
public sealed class Libvirt11NatLabTests : IClassFixture<Libvirt11NatLab>
{
    private readonly Libvirt11NatLab _lab;

    public Libvirt11NatLabTests(Libvirt11NatLab lab)
    {
        _lab = lab;
    }

    [Fact]
    public async Task Every_virthost_runs_libvirt_11_from_the_profile_tree_and_the_preflight_reports_it()
    {
        Assert.Equal(QaVirtHostProfile.Libvirt11, _lab.Lab.VirtHostProfile);
        Assert.Equal(QaVirtHostProfile.Libvirt11, QaLab.Get(_lab.Prefix)!.VirtHostProfile);
        Assert.Equal(2, _lab.Lab.State.Libvirtd.Count);
        foreach (var l in _lab.Lab.State.Libvirtd)
        {
            Assert.Equal(QaVirtHostProfile.Libvirt11, l.Profile);
            Assert.Equal(VirtHostRootfs.PathOf(QaVirtHostProfile.Libvirt11), l.Root);
            // The daemon itself runs chrooted into the tree, not this machine's libvirtd.
            Assert.Equal(l.Root, new DirectoryInfo($"/proc/{l.Pid}/root").ResolveLinkTarget(false)!.FullName);
            Assert.Contains("firewall_backend = \"nftables\"", File.ReadAllText(Path.Combine(l.Directory, "etc", "network.conf")), StringComparison.Ordinal);

            var host = PublishHost.For(l.VirtHost, HostTarget.Namespace(l.Namespace), l.Uri);
            var checks = await VirtHostChecks.RunAsync(host, VirtHostNeeds.Everything, all: true);
            var libvirt = Assert.Single(checks, c => c.Check == VirtHostChecks.Libvirt);
            Assert.Equal(QaCheckStatus.Pass, libvirt.Status);
            Assert.StartsWith("libvirt 11.3.", libvirt.Found, StringComparison.Ordinal);
            Assert.Contains("nftables", libvirt.Found, StringComparison.Ordinal);
            // libvirt >= 10.4 is told apart: the tc csum action its nftables backend needs for isolated networks.
            Assert.Single(checks, c => c.Check == VirtHostChecks.TcCsum);
        }
    }

    [Fact]
    public async Task The_full_live_matrix_conforms_and_libvirt_adds_no_firewall_rule_of_its_own()
    {
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "koji" && r.Port == 443 && r.Observed);
        Assert.Contains(results, r => r.From == "lockbox" && r.To == "beaker-client02" && r.Port == 22 && r.Observed);
        Assert.Contains(results, r => r.From == "koji" && r.To == "taskotron-client01" && r.Port == 22 && !r.Observed);

        // Forward mode 'open': libvirt 11's nftables backend writes no table, so QaNet's is the only filter.
        foreach (var l in _lab.Lab.State.Libvirtd)
        {
            var tables = await HostTarget.Namespace(l.Namespace).CreateRunner().RunAsync(CommandSpec.Of("nft", "list", "tables"));
            Assert.True(tables.Succeeded, tables.Stderr);
            Assert.Contains("table inet qanet", tables.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("libvirt", tables.Stdout, StringComparison.Ordinal);
        }
    }
}

/// <summary>
/// Gateway networks are isolated libvirt networks, which libvirt 11's nftables backend firewalls
/// itself and, for their DHCP, fixes checksums with tc's csum action — which this lab kernel lacks
/// (no act_csum). What the test pins down is what a user of such a host sees: the preflight warns
/// (TcCsum), the publish fails on libvirt's own error and is rolled back, and the lab leaves nothing.
/// </summary>
[Trait("Needs", "Root")]
public sealed class Libvirt11GatewayLabTests
{
    private const string Prefix = "qn-lbg-";

    [Fact]
    public async Task On_a_kernel_without_tc_csum_the_gateway_lab_fails_on_libvirts_own_error_and_leaves_nothing()
    {
        var options = new QaLabOptions { VirtHostProfile = QaVirtHostProfile.Libvirt11 };
        await QaLab.StopAsync(Prefix, options);
        // The kernel has the action loaded, or modules it could load it from: then the lab must start.
        var modules = "/lib/modules/" + File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        if (Directory.Exists("/sys/module/act_csum")
            || new[] { "modules.dep", "modules.builtin" }.Any(f => File.Exists(Path.Combine(modules, f)) && File.ReadAllText(Path.Combine(modules, f)).Contains("act_csum.ko", StringComparison.Ordinal)))
        {
            await QaLab.StartAsync(ExamplePolicies.AsGateway(ExamplePolicies.Fedora()), Prefix, options);
            await QaLab.StopAsync(Prefix, options);
            return;
        }

        var ex = await Assert.ThrowsAsync<QaLabException>(() => QaLab.StartAsync(ExamplePolicies.AsGateway(ExamplePolicies.Fedora()), Prefix, options));
        Assert.Equal(QaErrorIds.LabPublishFailed, ex.ErrorId);
        Assert.Contains("RolledBack", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Failed to load TC action module", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await Namespaces.ListAsync(Prefix));
        Assert.False(Directory.Exists(QaLab.DirectoryFor(Prefix, options)));
    }
}

[Trait("Needs", "Root")]
public sealed class Libvirt11BridgedLabTests : IClassFixture<Libvirt11BridgedLab>
{
    private readonly Libvirt11BridgedLab _lab;

    public Libvirt11BridgedLabTests(Libvirt11BridgedLab lab)
    {
        _lab = lab;
    }

    [Fact]
    public async Task The_full_live_matrix_conforms_in_bridged_mode_on_libvirt_11()
    {
        Assert.All(_lab.Lab.State.Libvirtd, l => Assert.Equal(QaVirtHostProfile.Libvirt11, l.Profile));
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "koji" && r.Port == 443 && r.Observed);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "qa-lan" && !r.Observed);
    }
}

/// <summary>How the profile's tree is found and built, with the programs faked (no root, nothing built).</summary>
public sealed class VirtHostRootfsTests : IDisposable
{
    private const string AptCachePolicy = """
        Package files:
         100 /var/lib/dpkg/status
             release a=now
         500 http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
             release v=12,o=Debian,a=stable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64
         500 http://deb.debian.org/debian bookworm-updates/main amd64 Packages
         500 http://deb.debian.org/debian bookworm/main amd64 Packages
             release v=12.10,o=Debian,a=stable,n=bookworm,l=Debian,c=main,b=amd64
         500 https://deb.nodesource.com/node_20.x nodistro/main amd64 Packages
        Pinned packages:
        """;

    private readonly string _cache = Path.Combine(Path.GetTempPath(), "qanet-rootfs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Fact]
    public void The_mirrors_are_this_machines_own_with_the_backports_suite_of_the_same_uri()
    {
        Assert.Equal(
            new[]
            {
                "deb http://deb.debian.org/debian bookworm main",
                "deb http://deb.debian.org/debian bookworm-updates main",
                "deb http://deb.debian.org/debian bookworm-backports main",
                "deb http://deb.debian.org/debian-security bookworm-security main",
            },
            VirtHostRootfs.Mirrors(AptCachePolicy));
        Assert.Empty(VirtHostRootfs.Mirrors(" 500 https://deb.nodesource.com/node_20.x nodistro/main amd64 Packages\n"));
    }

    [Fact]
    public void The_tree_is_named_after_the_profile_and_what_it_holds()
    {
        var path = VirtHostRootfs.PathOf(QaVirtHostProfile.Libvirt11, _cache);
        Assert.StartsWith(Path.Combine(_cache, "libvirt11-"), path, StringComparison.Ordinal);
        Assert.Equal(path, VirtHostRootfs.PathOf(QaVirtHostProfile.Libvirt11, _cache));
        Assert.True(VirtHostRootfs.NeedsRoot(QaVirtHostProfile.Libvirt11));
        Assert.False(VirtHostRootfs.NeedsRoot(QaVirtHostProfile.Debian12));
    }

    [Fact]
    public async Task A_missing_mmdebstrap_is_LabProfileUnavailable_with_the_fix_and_nothing_is_left()
    {
        var runner = Runner(mmdebstrap: _ => throw new Win32Exception(2, "No such file or directory"));
        var ex = await Assert.ThrowsAsync<QaLabException>(() => VirtHostRootfs.EnsureAsync(QaVirtHostProfile.Libvirt11, runner, NullQaLog.Instance, default, _cache));
        Assert.Equal(QaErrorIds.LabProfileUnavailable, ex.ErrorId);
        Assert.Contains("apt-get install mmdebstrap", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(_cache));
    }

    [Fact]
    public async Task A_failed_build_names_the_mirror_and_removes_the_partial_tree()
    {
        string[]? argv = null;
        var runner = Runner(mmdebstrap: spec =>
        {
            argv = spec.Arguments.ToArray();
            Directory.CreateDirectory(Path.Combine(spec.Arguments[^5], "usr"));   // what mmdebstrap leaves half-way
            return CommandResult.Fail(25, "E: Unable to locate package libvirt-daemon");
        });
        var ex = await Assert.ThrowsAsync<QaLabException>(() => VirtHostRootfs.EnsureAsync(QaVirtHostProfile.Libvirt11, runner, NullQaLog.Instance, default, _cache));
        Assert.Equal(QaErrorIds.LabProfileUnavailable, ex.ErrorId);
        Assert.Contains("exit 25", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bookworm-backports", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(_cache));
        Assert.Contains("--include=libvirt-daemon/bookworm-backports,libvirt-daemon-driver-network/bookworm-backports,libvirt-daemon-driver-qemu/bookworm-backports,libvirt-clients/bookworm-backports,dnsmasq-base,nftables,iproute2", argv!);
        Assert.Equal("deb http://deb.debian.org/debian bookworm-backports main", argv![^2]);
    }

    [Fact]
    public async Task The_Fedora_tree_carries_firewalld_and_ebtables_nft_as_a_virthost_QaNet_publishes_to()
    {
        string[]? argv = null;
        var runner = Runner(mmdebstrap: spec =>
        {
            argv = spec.Arguments.ToArray();
            return CommandResult.Fail(25, "E: stop here");
        });
        await Assert.ThrowsAsync<QaLabException>(() => VirtHostRootfs.EnsureAsync(QaVirtHostProfile.Fedora, runner, NullQaLog.Instance, default, _cache));
        // iptables brings ebtables-nft: the boot hook's ebtables-nft-restore, and what turns firewalld's
        // ebtables backend on, so the lab meets the reload flush a real virthost meets (docs/rendering.md).
        var include = Assert.Single(argv!, a => a.StartsWith("--include=", StringComparison.Ordinal))["--include=".Length..].Split(',');
        Assert.Contains("firewalld", include);
        Assert.Contains("iptables", include);
        Assert.NotEqual(VirtHostRootfs.PathOf(QaVirtHostProfile.Libvirt11, _cache), VirtHostRootfs.PathOf(QaVirtHostProfile.Fedora, _cache));
    }

    [Fact]
    public async Task A_machine_whose_sources_serve_no_bookworm_is_refused_before_anything_runs()
    {
        var ran = new List<string>();
        var runner = new ScriptedRunner((spec, _) =>
        {
            ran.Add(spec.Program);
            return Task.FromResult(spec.Program == "apt-cache" ? CommandResult.Ok(" 500 https://deb.nodesource.com/node_20.x nodistro/main amd64 Packages\n") : CommandResult.Fail(1, "unexpected"));
        });
        var ex = await Assert.ThrowsAsync<QaLabException>(() => VirtHostRootfs.EnsureAsync(QaVirtHostProfile.Libvirt11, runner, NullQaLog.Instance, default, _cache));
        Assert.Equal(QaErrorIds.LabProfileUnavailable, ex.ErrorId);
        Assert.Contains("bookworm", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { "apt-cache" }, ran);
    }

    [Fact]
    public async Task A_cached_tree_is_used_without_running_anything()
    {
        var path = VirtHostRootfs.PathOf(QaVirtHostProfile.Libvirt11, _cache);
        Directory.CreateDirectory(path);
        var runner = new ScriptedRunner((spec, _) => throw new InvalidOperationException("ran " + spec.Program));
        Assert.Equal(path, await VirtHostRootfs.EnsureAsync(QaVirtHostProfile.Libvirt11, runner, NullQaLog.Instance, default, _cache));
    }

    private static ScriptedRunner Runner(Func<CommandSpec, CommandResult> mmdebstrap) => new((spec, _) => Task.FromResult(spec.Program switch
    {
        "apt-cache" => CommandResult.Ok(AptCachePolicy),
        "mmdebstrap" => mmdebstrap(spec),
        _ => CommandResult.Fail(1, "unexpected " + spec.Program),
    }));
}
