using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Policy;
using QaNet.Tests.Policy;

namespace QaNet.Tests.Lab;

/// <summary>
/// examples/policies/spanning-vxlan.yaml: one Nat network on two virthosts joined by VXLAN,
/// clients on both. <see cref="Options"/> is the one place to change how the lab is built and
/// reached (e.g. virthosts over SSH once the lab offers it).
/// </summary>
public sealed class SpanLab : LabFixture
{
    public override string Prefix => "qn-sp-";

    public override QaLabOptions? Options => null;

    public override QaPolicy CreatePolicy() =>
        PolicyYaml.Parse(File.ReadAllText(UplinkPolicyTests.SpanningPath), "spanning-vxlan.yaml");
}

/// <summary>A network spanning two virthost namespaces through a VXLAN uplink, replayed on real kernels.</summary>
public sealed class SpanLabTests : IClassFixture<SpanLab>
{
    private readonly SpanLab _lab;

    public SpanLabTests(SpanLab lab)
    {
        _lab = lab;
    }

    private string Ns(string host) => _lab.Lab.State.FindHost(host)!.Namespace;

    private static async Task<CommandResult> In(string ns, string? stdin, params string[] argv)
    {
        var spec = new CommandSpec(argv[0], argv.Skip(1)) { Timeout = TimeSpan.FromSeconds(20) };
        return await HostTarget.Namespace(ns).CreateRunner().RunAsync(stdin is null ? spec : spec.WithStdin(stdin));
    }

    [Fact]
    public async Task The_live_matrix_conforms_across_both_virthosts_with_one_cross_host_path_open()
    {
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);
        var allowed = Assert.Single(results, r => r.From == "span-a1" && r.To == "span-b1" && r.Port == 8080);
        Assert.True(allowed.Allowed && allowed.Observed, allowed.ToString());
        var denied = Assert.Single(results, r => r.From == "span-b2" && r.To == "span-a2" && r.Port == 8080);
        Assert.False(denied.Observed, denied.ToString());
        Assert.Contains(results, r => r.From == "span-b1" && r.To == "koji" && r.Port == 443 && r.Observed);
        Assert.Contains(results, r => r.From == "bastion" && r.To == "span-b2" && r.Port == 22 && r.Observed);
    }

    [Fact]
    public async Task Clients_on_the_bare_bridge_virthost_lease_from_and_leave_through_the_serving_virthost()
    {
        // Every client got its reserved address by DHCP, vh2's from vh1's dnsmasq across the tunnel.
        Assert.All(_lab.Policy.Clients, c => Assert.Equal("dhcp", _lab.Lab.State.FindHost(c.Name)!.AddressSource));

        // A counter on each virthost's forward hook: span-b1's connection to koji is routed by
        // virthost-comm01 (where it runs is virthost-comm02, which only bridges it).
        const string Evidence = """
            table inet qnsp-evidence {
              chain forward {
                type filter hook forward priority -10; policy accept;
                ip saddr 192.168.170.20 ip daddr 203.0.113.10 tcp dport 443 counter
              }
            }

            """;
        foreach (var vh in new[] { "virthost-comm01", "virthost-comm02" })
        {
            var loaded = await In(Ns(vh), Evidence, "nft", "-f", "-");
            Assert.True(loaded.Succeeded, loaded.Stderr);
        }

        var probe = await In(Ns("span-b1"), null, "nc", "-z", "-w", "3", "203.0.113.10", "443");
        Assert.True(probe.Succeeded, "span-b1 cannot reach koji:443: " + probe.Stderr);
        Assert.Matches(@"counter packets [1-9]", (await In(Ns("virthost-comm01"), null, "nft", "list", "table", "inet", "qnsp-evidence")).Stdout);
        Assert.Contains("counter packets 0 ", (await In(Ns("virthost-comm02"), null, "nft", "list", "table", "inet", "qnsp-evidence")).Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("192.168.170.1/", (await In(Ns("virthost-comm02"), null, "ip", "-o", "addr", "show")).Stdout, StringComparison.Ordinal);
    }
}
