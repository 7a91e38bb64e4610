using System.Net;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;

namespace QaNet.Tests.Lab;

/// <summary>fedora-qa in Gateway mode: the bastion gets 192.168.150.100 on the client network and routes, NATs and filters for it.</summary>
public sealed class GatewayLab : LabFixture
{
    public override string Prefix => "qn-ltg-";

    public override QaPolicy CreatePolicy() => ExamplePolicies.AsGateway(ExamplePolicies.Fedora());
}

/// <summary>fedora-qa in Bridged mode: the clients sit on a bridge of each virthost; only ebtables decides.</summary>
public sealed class BridgedLab : LabFixture
{
    public override string Prefix => "qn-ltb-";

    public override QaPolicy CreatePolicy() => ExamplePolicies.AsBridged(ExamplePolicies.Fedora());
}

[Trait("Needs", "Root")]
public sealed class GatewayLabTests : IClassFixture<GatewayLab>
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
}

[Trait("Needs", "Root")]
public sealed class BridgedLabTests : IClassFixture<BridgedLab>
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
}
