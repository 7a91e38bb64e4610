using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Probes;
using QaNet.Core.Publish;

namespace QaNet.Tests.Lab;

/// <summary>
/// examples/policies/spanning-vxlan.yaml: one Nat network on two virthosts joined by VXLAN,
/// clients on both. <see cref="Options"/> is the one place to change how the lab is built and
/// reached (e.g. virthosts over SSH once the lab offers it).
/// </summary>
public sealed class SpanLab : LabFixture
{
    public override string Prefix => "qn-sp-";

    // Issue 8's lab: every virthost runs its own libvirtd and sshd and is reached over real SSH
    // from the operator namespace (Namespace access would be faster and prove less).
    public override QaLabOptions? Options => new() { HostAccess = QaLabHostAccess.Ssh };

    public override QaPolicy CreatePolicy() => ExamplePolicies.SpanningVxlan();
}

/// <summary>A network spanning two virthost namespaces through a VXLAN uplink, replayed on real kernels.</summary>
[Trait("Needs", "Root")]
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
        Assert.Contains(results, r => r.From == "span-b1" && r.To == "koji" && r.Port == 443 && r.Observed);
        Assert.Contains(results, r => r.From == "bastion" && r.To == "span-b2" && r.Port == 22 && r.Observed);
        Assert.Contains(results, r => r.From == "span-b1" && r.To == "span-a1" && r.Port == 22 && !r.Observed);

        // The matrix probes client → client on ingress ports; the policy's one client → client
        // rule (8080/tcp) is probed here, both ways, and against a pair it does not cover.
        var lab = _lab.Lab.State;
        var flows = QaLiveMatrix.FlowsBetween(lab, "span-a1", "span-b1", 8080)
            .Concat(QaLiveMatrix.FlowsBetween(lab, "span-b1", "span-a1", 8080))
            .Concat(QaLiveMatrix.FlowsBetween(lab, "span-b2", "span-a2", 8080))
            .ToList();
        var cross = await QaLiveMatrix.RunAsync(QaReachability.Create(_lab.Policy, DateTimeOffset.UtcNow), flows);
        LabFixture.AssertConforms(cross);
        Assert.True(cross[0].Allowed && cross[0].Observed, cross[0].ToString());
        Assert.False(cross[1].Observed, cross[1].ToString());
        Assert.False(cross[2].Observed, cross[2].ToString());
    }

    [Fact]
    public async Task Clients_on_the_bare_bridge_virthost_lease_from_and_leave_through_the_serving_virthost()
    {
        // Every client got its reserved address by DHCP, vh2's from vh1's dnsmasq across the tunnel.
        Assert.All(_lab.Policy.Clients, c => Assert.Equal("dhcp", _lab.Lab.State.FindHost(c.Name)!.AddressSource));

        // A counter on each virthost where packets leave for the router (before NAT): span-b1's
        // connection to koji leaves through virthost-comm01, although span-b1 runs on
        // virthost-comm02, which only bridges it into the tunnel (whose packets come from 198.18.1.12).
        const string Evidence = """
            table inet qnsp-evidence {
              chain leaving {
                type filter hook postrouting priority -10; policy accept;
                oifname "up0" ip saddr 192.168.170.20 ip daddr 203.0.113.10 tcp dport 443 counter
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
        Assert.Matches(@"counter packets 0 bytes 0", (await In(Ns("virthost-comm02"), null, "nft", "list", "table", "inet", "qnsp-evidence")).Stdout);
        Assert.DoesNotContain("192.168.170.1/", (await In(Ns("virthost-comm02"), null, "ip", "-o", "addr", "show")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_virthosts_are_reached_over_ssh_and_a_parallel_republish_reads_and_changes_nothing()
    {
        Assert.Equal(QaLabHostAccess.Ssh, _lab.Lab.HostAccess);
        var transports = _lab.Lab.Transports();
        Assert.Equal(new[] { "virthost-comm01", "virthost-comm02" }, transports.Select(t => t.Host).Order(StringComparer.Ordinal));
        Assert.All(transports, t =>
        {
            Assert.Equal(QaTransportKind.Ssh, t.Kind);
            Assert.Equal(_lab.Prefix + "op", t.SshClientNamespace);
        });

        var publisher = new PolicyPublisher(_lab.Policy, null, transports);
        var results = await publisher.PublishHostsAsync(publisher.Render(), throttleLimit: 2);
        Assert.Equal(new[] { "virthost-comm01", "virthost-comm02" }, results.Select(r => r.VirtHost));
        Assert.All(results, r => Assert.True(r.Outcome == QaPublishOutcome.Unchanged, $"{r.VirtHost}: {r.Outcome} {r.Error?.Message}"));

        // Both hosts carry the same publish (the lab's) and nothing drifted, uplink included.
        var status = await publisher.StatusHostsAsync(publisher.Render());
        Assert.All(status, s => Assert.True(s.InSync, $"{s.VirtHost}: {s.DriftCount} drift items {s.Error?.Message}"));
    }
}
