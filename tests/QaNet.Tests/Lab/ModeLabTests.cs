using System.Net;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;
using QaNet.Core.Publish;

namespace QaNet.Tests.Lab;

/// <summary>fedora-qa in Gateway mode: the bastion gets 192.168.150.100 on the client network and routes, NATs and filters for it.</summary>
public sealed class GatewayLab : LabFixture
{
    public override string Prefix => "qn-ltg-";

    public override QaPolicy CreatePolicy() => ExamplePolicies.AsDualStack(ExamplePolicies.AsGateway(ExamplePolicies.Fedora()));
}

/// <summary>fedora-qa in Bridged mode: the clients sit on a bridge of each virthost; only ebtables decides.</summary>
public sealed class BridgedLab : LabFixture
{
    public override string Prefix => "qn-ltb-";

    public override QaPolicy CreatePolicy() => ExamplePolicies.AsDualStack(ExamplePolicies.AsBridged(ExamplePolicies.Fedora()));
}

[Trait("Needs", "Root")]
public sealed partial class GatewayLabTests : IClassFixture<GatewayLab>
{
    private readonly GatewayLab _lab;

    public GatewayLabTests(GatewayLab lab)
    {
        _lab = lab;
    }

    [Fact]
    public async Task The_full_live_matrix_conforms_in_gateway_mode()
    {
        Assert.Contains(_lab.Lab.Hosts, h => h.Kind == QaLabHostKind.Gateway && h.Name == "bastion");
        Assert.All(_lab.Lab.Hosts.Where(h => h.Kind == QaLabHostKind.Client), h => Assert.Equal("dhcp", h.AddressSource));
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);
        Assert.Contains(results, r => r.From == "taskotron-client02" && r.To == "koji" && r.Port == 443 && r.Observed);
        Assert.Contains(results, r => r.From == "lockbox" && r.To == "beaker-client02" && r.Port == 22 && r.Observed);
        Assert.Contains(results, r => r.From == "koji" && r.To == "beaker-client02" && r.Port == 22 && !r.Observed);
    }

    [Fact]
    public Task After_a_reboot_of_a_virthost_its_isolated_network_comes_back_through_the_hook_and_the_matrix_conforms_without_a_publish() => LifecycleEvents.RebootAsync(_lab);
}

[Trait("Needs", "Root")]
public sealed partial class BridgedLabTests : IClassFixture<BridgedLab>
{
    private readonly BridgedLab _lab;

    public BridgedLabTests(BridgedLab lab)
    {
        _lab = lab;
    }

    [Fact]
    public async Task The_full_live_matrix_conforms_in_bridged_mode()
    {
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "koji" && r.Port == 443 && r.Observed);
        Assert.Contains(results, r => r.From == "bastion" && r.To == "taskotron-client01" && r.Port == 22 && r.Observed);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "qa-lan" && !r.Observed);
    }

    [Fact]
    public Task A_client_stopped_and_started_with_a_new_port_and_the_same_mac_conforms_again() => LifecycleEvents.ClientRestartAsync(_lab);

    [Fact]
    public Task After_a_reboot_the_boot_copy_is_loaded_before_the_networks_start_and_the_matrix_conforms_without_a_publish() => LifecycleEvents.RebootAsync(_lab);

    [Fact]
    public Task A_reboot_with_a_boot_copy_that_does_not_load_keeps_the_networks_down_and_the_clients_cut_off() => LifecycleEvents.RebootWithBrokenCopyFailsClosedAsync(_lab);

    [Fact]
    public async Task A_client_sending_from_a_foreign_source_address_or_mac_is_dropped()
    {
        var ns = _lab.Lab.State.FindHost("taskotron-client01")!.Namespace;
        var prober = new QaProber();
        var own = IPAddress.Parse("192.168.150.10");
        var koji = IPAddress.Parse("203.0.113.10");
        var runner = HostTarget.Namespace(ns).CreateRunner();
        async Task Must(params string[] argv) => Assert.True((await runner.RunAsync(new CommandSpec(argv[0], argv.Skip(1)))).Succeeded, string.Join(' ', argv));

        Assert.True((await prober.ProbeAsync(ns, own, koji, 443, QaProtocol.Tcp, 3)).Observed);

        // Another client's address (beaker-client01 may not reach koji either, but taskotron-client02 may).
        await Must("ip", "addr", "add", "192.168.150.11/32", "dev", "eth0");
        try
        {
            var spoofed = await prober.ProbeAsync(ns, IPAddress.Parse("192.168.150.11"), koji, 443, QaProtocol.Tcp, 2);
            Assert.False(spoofed.Observed, spoofed.Detail);
        }
        finally
        {
            await Must("ip", "addr", "del", "192.168.150.11/32", "dev", "eth0");
        }

        // Its own address from a MAC that is not its own.
        var mac = _lab.Policy.FindClient("taskotron-client01")!.MacAddress;
        await Must("ip", "link", "set", "eth0", "address", "52:54:00:de:ad:01");
        try
        {
            await Must("ip", "neigh", "flush", "dev", "eth0");
            var spoofed = await prober.ProbeAsync(ns, own, koji, 443, QaProtocol.Tcp, 2);
            Assert.False(spoofed.Observed, spoofed.Detail);
        }
        finally
        {
            await Must("ip", "link", "set", "eth0", "address", mac);
        }

        Assert.True((await prober.ProbeAsync(ns, own, koji, 443, QaProtocol.Tcp, 3)).Observed);
    }

    [Fact]
    public async Task A_granted_service_cannot_open_a_tcp_connection_to_a_client_from_its_granted_port()
    {
        // ebtables accepts replies by source port (no bridge conntrack on this kernel): koji may be
        // reached on 443 by taskotron clients, so koji:443 -> client passed as "return traffic" and
        // koji could open a connection to the client's listener on 22. The reply guard drops it.
        var state = _lab.Lab.State;
        var client = state.FindHost("taskotron-client01")!.Namespace;
        var own = IPAddress.Parse("192.168.150.10");
        var koji = IPAddress.Parse("203.0.113.10");
        var kojiNs = state.HostOf(koji.ToString())!.Namespace;
        var prober = new QaProber();
        Assert.True((await prober.ProbeAsync(client, own, koji, 443, QaProtocol.Tcp, 3)).Observed);
        var ephemeral = await prober.ProbeAsync(kojiNs, koji, own, 22, QaProtocol.Tcp, 2);
        Assert.Equal(QaProbeResult.TimedOut, ephemeral.Detail);

        // koji's own listener holds 443, so the connection is source-NATed onto 443 by a table of
        // the test's own in koji's namespace (removed afterwards): the client sees koji:443 -> :22.
        var kojiRunner = HostTarget.Namespace(kojiNs).CreateRunner();
        var snat = $"table ip qanet_probe {{\n\tchain post {{\n\t\ttype nat hook postrouting priority 100; policy accept;\n\t\tip saddr {koji} ip daddr {own} tcp dport 22 snat to {koji}:443\n\t}}\n}}\n";
        Assert.True((await kojiRunner.RunAsync(CommandSpec.Of("nft", "-f", "-").WithStdin(snat))).Succeeded);
        try
        {
            var reverse = await prober.ProbeAsync(kojiNs, koji, own, 22, QaProtocol.Tcp, 2);
            Assert.False(reverse.Observed, "koji opened a connection to taskotron-client01 from 443: " + reverse.Detail);
            Assert.Equal(QaProbeResult.TimedOut, reverse.Detail);
        }
        finally
        {
            await kojiRunner.RunAsync(CommandSpec.Of("nft", "delete", "table", "ip", "qanet_probe"));
        }

        // The other direction of the same hole: beaker-lab may reach beaker clients on 7080-7099, so
        // beaker-client01 sending from 7081 (no listener there) to beaker-lab's ssh passed as return traffic.
        var beaker = state.FindHost("beaker-client01")!.Namespace;
        var beakerLab = state.EndpointAddresses["beaker-lab"][0];
        var fromHarnessPort = await ProcessRunner.Instance.RunAsync(
            CommandSpec.Of("ip", "netns", "exec", beaker, "nc", "-v", "-n", "-z", "-w", "2", "-s", "192.168.150.20", "-p", "7081", beakerLab, "22") with { Timeout = TimeSpan.FromSeconds(15) });
        Assert.False(fromHarnessPort.Succeeded, "beaker-client01 opened a connection to beaker-lab:22 from 7081");
        Assert.Contains("timed out", fromHarnessPort.Stderr, StringComparison.Ordinal);

        // Replies still flow: the client's own connections (SYN-ACK and data from the granted port) work.
        Assert.True((await prober.ProbeAsync(client, own, koji, 443, QaProtocol.Tcp, 3)).Observed);
        Assert.True((await prober.ProbeAsync(beaker, IPAddress.Parse("192.168.150.20"), IPAddress.Parse(beakerLab), 80, QaProtocol.Tcp, 3)).Observed);
    }

    [Fact]
    public async Task The_reply_guard_is_published_beside_ebtables_and_its_loss_is_drift()
    {
        var vh = _lab.Lab.State.Libvirtd.Single(l => l.VirtHost == "virthost-comm01").Namespace;
        var runner = HostTarget.Namespace(vh).CreateRunner();
        var guard = await runner.RunAsync(CommandSpec.Of("nft", "list", "table", "bridge", "qanet"));
        Assert.True(guard.Succeeded, guard.Stderr);
        Assert.Contains("comment \"qanet:@reply-syn\"", guard.Stdout, StringComparison.Ordinal);
        Assert.Contains("--mark-or 0x100000 --mark-target ACCEPT", (await runner.RunAsync(CommandSpec.Of("ebtables-save"))).Stdout, StringComparison.Ordinal);

        var publisher = new PolicyPublisher(_lab.Policy, transports: _lab.Lab.Transports());
        var host = Assert.Single(publisher.Render(new[] { "virthost-comm01" }));
        Assert.Empty(await publisher.TestAsync(host));
        Assert.True((await runner.RunAsync(CommandSpec.Of("nft", "delete", "table", "bridge", "qanet"))).Succeeded);
        try
        {
            var drift = await publisher.TestAsync(host);
            Assert.Equal(new[] { (QaDriftKind.NftTableMissing, "table bridge qanet") }, drift.Select(d => (d.Kind, d.Target)));
        }
        finally
        {
            await _lab.Lab.PublishAsync(_lab.Policy);
        }

        Assert.Empty(await publisher.TestAsync(host));
    }
}
