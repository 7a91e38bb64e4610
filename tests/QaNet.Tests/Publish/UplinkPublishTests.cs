using System.Security.Cryptography;
using QaNet.Core.Editing;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Render;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Publish;

/// <summary>
/// Two virthost namespaces (qn-sp-…), each with its own libvirtd, joined by a veth "rack
/// network" (198.18.1.11/.12); a Nat network spans both through VXLAN. The uplink is created,
/// verified, carries frames between the bridges, drifts, and rolls back on an injected failure.
/// </summary>
[Trait("Needs", "Root")]
public sealed class UplinkPublishTests : IAsyncLifetime
{
    private const string Vh1 = "vh1";
    private const string Vh2 = "vh2";
    private const string Device = "qnvx170";
    private const string Bridge = "br-span";

    private readonly string _prefix = "qn-sp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly Dictionary<string, LibvirtdInstance> _libvirtd = new(StringComparer.Ordinal);
    private readonly List<string> _namespaces = new();

    private string Ns(string vh) => _prefix + "-" + vh;

    public async Task InitializeAsync()
    {
        try
        {
            foreach (var vh in new[] { Vh1, Vh2 })
            {
                _namespaces.Add(Ns(vh));
                await Namespaces.CreateAsync(Ns(vh), "qn-sp-");
                _libvirtd[vh] = await LibvirtdInstance.StartAsync(Ns(vh), Path.Combine(Path.GetTempPath(), Ns(vh)));
            }

            // The rack network: a veth pair between the two virthost namespaces, nothing else.
            await Must(null, "ip", "link", "add", "qnsp-u1", "netns", Ns(Vh1), "type", "veth", "peer", "name", "qnsp-u2", "netns", Ns(Vh2));
            await Must(Vh1, "ip", "addr", "add", "198.18.1.11/24", "dev", "qnsp-u1");
            await Must(Vh2, "ip", "addr", "add", "198.18.1.12/24", "dev", "qnsp-u2");
            await Must(Vh1, "ip", "link", "set", "qnsp-u1", "up");
            await Must(Vh2, "ip", "link", "set", "qnsp-u2", "up");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var (vh, l) in _libvirtd)
        {
            try
            {
                foreach (var verb in new[] { "net-destroy", "net-undefine" })
                {
                    await In(vh, "virsh", "-c", l.Uri, verb, "span");
                }
            }
            finally
            {
                await l.StopAsync();
            }
        }

        foreach (var ns in _namespaces)
        {
            await Namespaces.DeleteAsync(ns, "qn-sp-");
            var dir = Path.Combine(Path.GetTempPath(), ns);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static QaPolicy Policy()
    {
        var p = new QaPolicy("span");
        PolicyEditor.AddNetwork(p, new NetworkSpec("span", "192.168.170.0/24", QaNetworkMode.Nat, new[] { Vh1, Vh2 })
        {
            Bridge = Bridge,
            Uplink = new UplinkSpec(QaUplinkKind.Vxlan)
            {
                Vni = 170,
                Underlay = new Dictionary<string, string> { [Vh1] = "198.18.1.11", [Vh2] = "198.18.1.12" },
            },
        });
        return p;
    }

    private static HostArtifacts ArtifactsFor(string vh) =>
        HostArtifactBuilder.Build(ResolvedPolicy.Create(Policy()), new QaRenderOptions(), new[] { vh }).Single();

    private PublishHost Host(string vh, RecordingRunner? recorder = null) =>
        recorder is null ? _libvirtd[vh].PublishHost(vh)
            : new PublishHost(vh, recorder, HostTarget.Namespace(Ns(vh)).StateDirectory) { LibvirtUri = _libvirtd[vh].Uri, ScratchRunner = ProcessRunner.Instance };

    private Task<CommandResult> In(string? vh, params string[] argv)
    {
        var spec = new CommandSpec(argv[0], argv.Skip(1)) { Timeout = TimeSpan.FromSeconds(20) };
        return (vh is null ? ProcessRunner.Instance : HostTarget.Namespace(Ns(vh)).CreateRunner()).RunAsync(spec);
    }

    private async Task<string> Must(string? vh, params string[] argv)
    {
        var r = await In(vh, argv);
        Assert.True(r.Succeeded, $"{string.Join(' ', argv)}: {r.Stderr}");
        return r.Stdout;
    }

    private async Task PublishBothAsync()
    {
        foreach (var vh in new[] { Vh1, Vh2 })
        {
            var r = await new QaPublisher().PublishAsync(Host(vh), ArtifactsFor(vh));
            Assert.True(r.Outcome == QaPublishOutcome.Applied, $"{vh}: {r.Outcome} {r.Error?.Message} {r.Error?.Detail}");
        }
    }

    /// <summary>libvirt's bridges run STP: a new port listens and learns (2 s each at least) before it forwards.</summary>
    private async Task WaitForwardingAsync(string vh)
    {
        for (var i = 0; i < 30; i++)
        {
            if ((await Must(vh, "bridge", "-j", "link", "show", "dev", Device)).Contains("\"state\":\"forwarding\"", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"{Device} on {vh} never reached the forwarding state");
    }

    [Fact]
    public async Task A_vxlan_uplink_is_created_verified_carries_frames_drifts_and_rolls_back()
    {
        await PublishBothAsync();

        // The device as asked for, on both virthosts: VNI, local end, port, no learning, one peer, in the bridge, up.
        foreach (var (vh, local, peer) in new[] { (Vh1, "198.18.1.11", "198.18.1.12"), (Vh2, "198.18.1.12", "198.18.1.11") })
        {
            var link = Assert.Single(Uplinks.ParseLinks(await Must(vh, "ip", "-j", "-d", "link", "show", "dev", Device)));
            Assert.Equal((true, 170, local, 4789, false, Bridge, true), (link.IsVxlan, link.Vni, link.Local, link.Port, link.Learning, link.Master, link.Up));
            Assert.Equal(peer, Uplinks.ParsePeers(await Must(vh, "bridge", "-j", "fdb", "show", "dev", Device)));
        }

        // vh2 only has a bare bridge; its side of the segment reaches vh1's dnsmasq (192.168.170.1:53) through the uplink.
        Assert.DoesNotContain("192.168.170.1", await Must(Vh2, "ip", "-o", "addr", "show"), StringComparison.Ordinal);
        await Must(Vh2, "ip", "addr", "add", "192.168.170.99/24", "dev", Bridge);
        await WaitForwardingAsync(Vh1);
        await WaitForwardingAsync(Vh2);
        var reach = await In(Vh2, "nc", "-z", "-w", "3", "192.168.170.1", "53");
        Assert.True(reach.Succeeded, "vh2's bridge cannot reach vh1's dnsmasq through the VXLAN uplink: " + reach.Stderr);
        await Must(Vh2, "ip", "addr", "del", "192.168.170.99/24", "dev", Bridge);
        Assert.Equal(QaPublishOutcome.Unchanged, (await new QaPublisher().PublishAsync(Host(Vh2), ArtifactsFor(Vh2))).Outcome);

        // Drift: a lost peer and a stray QaNet device are reported; a publish repairs both.
        await Must(Vh2, "bridge", "fdb", "del", "00:00:00:00:00:00", "dev", Device, "dst", "198.18.1.11");
        await Must(Vh2, "ip", "link", "add", "qnvx999", "type", "vxlan", "id", "999", "local", "198.18.1.12", "dstport", "4789");
        var drift = await new QaPublisher().TestAsync(Host(Vh2), ArtifactsFor(Vh2));
        Assert.Contains(drift, d => d.Kind == QaDriftKind.UplinkChanged && d.Target == "uplink " + Device && d.Detail.Contains("peers", StringComparison.Ordinal));
        Assert.Contains(drift, d => d.Kind == QaDriftKind.UplinkUnexpected && d.Target == "uplink qnvx999");
        var repair = await new QaPublisher().PublishAsync(Host(Vh2), ArtifactsFor(Vh2));
        Assert.Equal(QaPublishOutcome.Applied, repair.Outcome);
        Assert.Equal(new[] { QaPublishChangeKind.UplinkReplace, QaPublishChangeKind.UplinkDelete }, repair.Changes.Select(c => c.Kind));
        Assert.Empty(await new QaPublisher().TestAsync(Host(Vh2), ArtifactsFor(Vh2)));

        // An injected failure at each mutating command of the create step: the device never stays behind.
        await Must(Vh1, "ip", "link", "del", "dev", Device);
        var before = await Must(Vh1, "ip", "-d", "link", "show", "type", "vxlan");
        for (var k = 4; k <= 7; k++)
        {
            // Mutations 1-3 take the host lock; 4 adds the device, 5 its peer, 6 and 7 enslave and raise it.
            var recorder = new RecordingRunner(HostTarget.Namespace(Ns(Vh1)).CreateRunner()) { FailAtMutation = k };
            var failed = await new QaPublisher().PublishAsync(Host(Vh1, recorder), ArtifactsFor(Vh1));
            Assert.True(failed.Outcome == QaPublishOutcome.RolledBack, $"k={k}: {failed.Outcome} {failed.Error?.Message}");
            Assert.True(failed.RestoredToSnapshot, $"k={k}");
            Assert.Equal(before, await Must(Vh1, "ip", "-d", "link", "show", "type", "vxlan"));
            var mutations = recorder.Mutations.Select(c => string.Join(' ', new[] { c.Program }.Concat(c.Arguments))).ToList();
            Assert.Contains($"ip link add {Device} mtu 1450 type vxlan id 170 local 198.18.1.11 dstport 4789 nolearning", mutations);
            Assert.Contains($"ip link del dev {Device}", mutations.Skip(k - 1));
        }

        Assert.Equal(QaPublishOutcome.Applied, (await new QaPublisher().PublishAsync(Host(Vh1), ArtifactsFor(Vh1))).Outcome);
        Assert.Empty(await new QaPublisher().TestAsync(Host(Vh1), ArtifactsFor(Vh1)));
    }
}
