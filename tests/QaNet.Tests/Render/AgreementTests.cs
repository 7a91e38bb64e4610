using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Render;
using QaNet.Core.Render.Ebtables;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Render;

/// <summary>
/// The rendered rule objects decide every generated flow exactly as the engine does, in every
/// mode: client to service, service to client, management ingress, client to client, to the
/// gateway itself, and to hosts no rule names.
/// </summary>
public sealed class AgreementTests
{
    private static readonly QaPortRange[] Probes =
        new[] { "22/tcp", "80/tcp", "443/tcp", "69/udp", "69/tcp", "8000/tcp", "8080/tcp", "8081/tcp", "9989/tcp", "7080/tcp", "7099/tcp", "7100/tcp", "1234/udp", "icmp" }
            .Select(QaPortRange.Parse).ToArray();

    public static TheoryData<QaNetworkMode> Modes() => new(RenderPolicies.Modes);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Rendered_edge_case_rules_decide_like_the_engine(QaNetworkMode mode) => AssertAgreement(RenderPolicies.EdgeCases(mode), 500);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Rendered_fedora_rules_decide_like_the_engine(QaNetworkMode mode) => AssertAgreement(RenderPolicies.Fedora(mode), 2000);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Rendered_spanning_rules_decide_like_the_engine_on_every_virthost(QaNetworkMode mode) => AssertAgreement(RenderPolicies.Spanning(mode), 500);

    [Fact]
    public void A_cross_host_client_flow_is_decided_on_both_virthosts()
    {
        // c1 (vh1) → c3 (vh2) 8080/tcp: c1's outbound chain on vh1 and c3's inbound chain on vh2
        // each accept by the rule; c2 (vh2) → c1 (vh1) is refused by both.
        var resolved = ResolvedPolicy.Create(RenderPolicies.Spanning(QaNetworkMode.Nat));
        var vh1 = QaRenderer.Render(resolved, "lab", "vh1", QaBackend.Ebtables, RenderPolicies.Options).Program!;
        var vh2 = QaRenderer.Render(resolved, "lab", "vh2", QaBackend.Ebtables, RenderPolicies.Options).Program!;
        var c1 = IPAddress.Parse("192.168.150.10");
        var c2 = IPAddress.Parse("192.168.150.11");
        var c3 = IPAddress.Parse("192.168.150.12");
        var allowed = new PacketFlow(c1, c3, QaProtocol.Tcp, 8080);
        Assert.Equal(new RenderDecision(RenderVerdict.Accept, "egress-c1-c3-temporary"), vh1.Evaluate(allowed));
        Assert.Equal(new RenderDecision(RenderVerdict.Accept, "egress-c1-c3-temporary"), vh2.Evaluate(allowed));
        var denied = new PacketFlow(c2, c1, QaProtocol.Tcp, 8080);
        Assert.Equal(RenderVerdict.Drop, vh2.Evaluate(denied).Verdict);
        Assert.Equal(RenderVerdict.Drop, vh1.Evaluate(denied).Verdict);
    }

    [Fact]
    public void A_spanning_nat_network_is_routed_only_by_its_serving_virthost()
    {
        var resolved = ResolvedPolicy.Create(RenderPolicies.Spanning(QaNetworkMode.Nat));
        var all = QaRenderer.RenderAll(resolved, RenderPolicies.Options);
        Assert.Equal(new[] { "vh1" }, all.Where(r => r.Backend == QaBackend.Nftables).Select(r => r.Host));
        var e = Assert.Throws<QaNet.Core.Validation.QaValidationException>(() => QaRenderer.Render(resolved, "lab", "vh2", QaBackend.Nftables, RenderPolicies.Options));
        Assert.Equal(QaRenderer.BackendNotUsedErrorId, Assert.Single(e.Errors).Id);

        // vh2's off-subnet frames leave through the uplink (FORWARD) and are passed on to vh1's nft table.
        var vh2 = QaRenderer.Render(resolved, "lab", "vh2", QaBackend.Ebtables, RenderPolicies.Options).Program!;
        var koji = IPAddress.Parse("203.0.113.10");
        Assert.Equal(RenderVerdict.Untouched, vh2.Evaluate(new PacketFlow(IPAddress.Parse("192.168.150.11"), koji, QaProtocol.Tcp, 443)).Verdict);
        var nft = QaRenderer.Render(resolved, "lab", "vh1", QaBackend.Nftables, RenderPolicies.Options).Program!;
        Assert.Equal(new RenderDecision(RenderVerdict.Accept, "egress-c2-koji-urgent"), nft.Evaluate(new PacketFlow(IPAddress.Parse("192.168.150.11"), koji, QaProtocol.Tcp, 443)));
    }

    private static void AssertAgreement(QaPolicy policy, int atLeast)
    {
        var resolved = ResolvedPolicy.Create(policy);
        var oracle = new EngineOracle(resolved, RenderPolicies.Now);
        var rendered = new RenderedHosts(resolved);
        var flows = Flows(policy, resolved).ToList();
        var mismatches = new List<string>();
        foreach (var flow in flows)
        {
            var expected = oracle.Decide(flow);
            var actual = rendered.Decide(flow);
            if (expected != actual)
            {
                mismatches.Add($"{flow.Source} -> {flow.Destination} {flow.Protocol}/{flow.Port}: engine {expected}, rendered {actual}");
            }
        }

        Assert.True(flows.Count > atLeast, $"only {flows.Count} flows");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {flows.Count} flows disagree:\n" + string.Join('\n', mismatches.Take(40)));
    }

    [Fact]
    public void Stateless_return_traffic_drops_tcp_openings_from_a_granted_port_but_not_udp()
    {
        // ebtables has no conntrack: replies are accepted by source port. TCP replies are marked and
        // the reply guard drops a marked SYN, so a service cannot open a connection from its port;
        // UDP cannot be told apart and stays accepted by source port (docs/rendering.md).
        var resolved = ResolvedPolicy.Create(RenderPolicies.EdgeCases(QaNetworkMode.Bridged));
        var ruleset = QaRenderer.Render(resolved, "lab", "vh1", QaBackend.Ebtables, RenderPolicies.Options);
        var table = (EbtTable)ruleset.Program!;
        var koji = IPAddress.Parse("203.0.113.10");
        var tftp = IPAddress.Parse("203.0.113.20");
        var c1 = IPAddress.Parse("192.168.150.10");
        Assert.Equal(new RenderDecision(RenderVerdict.Drop, null), table.Evaluate(new PacketFlow(koji, c1, QaProtocol.Tcp, 22, SourcePort: 443)));
        Assert.Equal(new RenderDecision(RenderVerdict.Drop, null), table.Evaluate(new PacketFlow(koji, c1, QaProtocol.Tcp, 5555)));
        // c1 -> bastion from its granted ingress port 22: the client side of the same hole.
        Assert.Equal(RenderVerdict.Drop, table.Evaluate(new PacketFlow(c1, IPAddress.Parse("198.51.100.2"), QaProtocol.Tcp, 80, SourcePort: 22)).Verdict);
        Assert.Equal(new RenderDecision(RenderVerdict.Accept, "egress-beaker-tftp"), table.Evaluate(new PacketFlow(tftp, c1, QaProtocol.Udp, 5555, SourcePort: 69)));

        var replies = table.Rules.Where(r => r.IsReply).ToList();
        Assert.All(replies, r => Assert.Equal(r.IpProtocol == QaProtocol.Tcp, r.ReplyMark));
        Assert.Contains(replies, r => r.IpProtocol == QaProtocol.Udp);
        Assert.Contains("--ip-sport 443 -j mark --mark-or 0x100000 --mark-target ACCEPT\n", ruleset.Text, StringComparison.Ordinal);
        Assert.Contains("--ip-sport 69 -j ACCEPT\n", ruleset.Text, StringComparison.Ordinal);
        Assert.True(table.MarksReplies);
    }

    [Fact]
    public void The_reply_guard_drops_marked_syns_after_ebtables_and_clears_the_mark()
    {
        var d = EbtReplyGuard.Definition;
        Assert.StartsWith("table bridge qanet {\n", d, StringComparison.Ordinal);
        foreach (var hook in new[] { "forward", "input" })
        {
            Assert.Contains($"\tchain {hook} {{\n\t\ttype filter hook {hook} priority -190; policy accept;\n", d, StringComparison.Ordinal);
        }

        Assert.Equal(2, d.Split("meta mark & 0x00100000 == 0x00100000 tcp flags & (syn | ack) == syn counter drop comment \"qanet:@reply-syn\"").Length - 1);
        Assert.Equal(2, d.Split("meta mark set meta mark & 0xffefffff comment \"qanet:@reply-mark\"").Length - 1);
        // ebtables-nft's filter chains run at -200 in the bridge family: the guard must come after them.
        Assert.True(EbtReplyGuard.Priority > -200);
    }

    [Fact]
    public void A_nat_network_without_client_to_client_tcp_has_no_marked_replies()
    {
        var resolved = ResolvedPolicy.Create(ExamplePolicies.Fedora());
        var table = (EbtTable)QaRenderer.Render(resolved, "qa-clients", "virthost-comm01", QaBackend.Ebtables, RenderPolicies.Options).Program!;
        Assert.False(table.MarksReplies);
    }

    private static IEnumerable<PacketFlow> Flows(QaPolicy policy, ResolvedPolicy resolved)
    {
        var network = policy.Networks[0];
        var clients = policy.Clients.SelectMany(c => ResolvedPolicy.ClientAddresses(c).Select(a => a.BaseAddress)).ToList();
        var others = policy.Endpoints.SelectMany(e => resolved.EndpointAddresses(e.Name)).Select(Inside)
            .Concat(new[] { IPAddress.Parse("192.0.2.99"), IPAddress.Parse("2001:db8:99::1") }).Distinct().ToList();
        var hostAddresses = new[] { network.HostAddress, network.HostAddress6 }.OfType<IPAddress>();
        var all = clients.Concat(others).ToList();
        foreach (var source in all)
        {
            foreach (var destination in all.Concat(network.Mode == QaNetworkMode.Nat ? hostAddresses : Array.Empty<IPAddress>()))
            {
                if (source.Equals(destination) || source.AddressFamily != destination.AddressFamily ||
                    (!clients.Contains(source) && !clients.Contains(destination)))
                {
                    continue;
                }

                foreach (var p in Probes)
                {
                    yield return new PacketFlow(source, destination, p.Protocol, p.From);
                }
            }
        }
    }

    /// <summary>An endpoint's host address, or one inside its wider prefix (a QA LAN host).</summary>
    private static IPAddress Inside(IPNetwork prefix) =>
        prefix.PrefixLength == IpMath.Bits(prefix.BaseAddress.AddressFamily) ? prefix.BaseAddress : IpMath.Offset(prefix, 25);

    /// <summary>
    /// What the hosts enforcing a flow do: the ebtables of every virthost whose bridge the flow
    /// crosses (the source client's, then the destination client's), then the gateway's nft table
    /// (the source's virthost in Nat mode — the serving virthost when an uplink joins the
    /// bridges —, the gateway endpoint in Gateway mode).
    /// </summary>
    private sealed class RenderedHosts
    {
        private readonly QaNetwork network;
        private readonly Dictionary<IPAddress, string> virtHostOf = new();
        private readonly Dictionary<string, IRuleProgram> bridges = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IRuleProgram> gateways = new(StringComparer.Ordinal);

        public RenderedHosts(ResolvedPolicy resolved)
        {
            network = resolved.Policy.Networks.Single();
            foreach (var c in network.Clients)
            {
                foreach (var a in ResolvedPolicy.ClientAddresses(c))
                {
                    virtHostOf[a.BaseAddress] = c.VirtHost;
                }
            }

            foreach (var vh in network.VirtHosts)
            {
                bridges[vh] = QaRenderer.Render(resolved, network.Name, vh, QaBackend.Ebtables, RenderPolicies.Options).Program!;
                if (network.RoutesOn(vh) || network.Mode == QaNetworkMode.Gateway)
                {
                    gateways[vh] = QaRenderer.Render(resolved, network.Name, vh, QaBackend.Nftables, RenderPolicies.Options).Program!;
                }
            }
        }

        /// <summary>The table that routes a flow of <paramref name="vh"/>'s client: its own virthost's, or the serving virthost's of a spanning Nat network.</summary>
        private IRuleProgram RouterOf(string vh) => gateways[network.Mode == QaNetworkMode.Nat ? network.ServingVirtHost ?? vh : vh];

        public RenderDecision Decide(PacketFlow flow)
        {
            var crossed = new[] { flow.Source, flow.Destination }
                .Select(a => virtHostOf.GetValueOrDefault(a)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var l2 = RenderDecision.Untouched;
            foreach (var vh in crossed)
            {
                var d = bridges[vh].Evaluate(flow);
                if (d.Verdict == RenderVerdict.Drop)
                {
                    return d;
                }

                l2 = l2.Verdict == RenderVerdict.Untouched ? d : l2;
            }

            if (network.Mode == QaNetworkMode.Bridged)
            {
                return l2;
            }

            var l3Table = RouterOf(crossed[0]);
            var l3 = l3Table.Evaluate(flow);
            if (l2.Verdict == RenderVerdict.Accept)
            {
                // Decided between two ports of the bridge; a gateway's own address also meets its input chain.
                return l3.Verdict == RenderVerdict.Drop && IsLocal(l3Table, flow.Destination) ? l3 : l2;
            }

            return l3;
        }

        private static bool IsLocal(IRuleProgram table, IPAddress address) =>
            table is QaNet.Core.Render.Nftables.NftTable nft && nft.LocalAddresses.Contains(address);
    }
}
