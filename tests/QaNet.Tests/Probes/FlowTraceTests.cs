using System.Net;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;

namespace QaNet.Tests.Probes;

/// <summary>Reading <c>nft monitor trace</c> and judging the kernel's path against the engine (the lab tests run it for real).</summary>
public sealed class FlowTraceTests
{
    private static readonly QaLiveFlow Flow = new("taskotron-client01", "koji", IPAddress.Parse("192.168.150.10"), IPAddress.Parse("203.0.113.10"), 443, QaProtocol.Tcp,
        QaLiveCellKind.Egress, "qn-x-taskotron-client01");

    // As nft 1.0.6 prints it (policy and packet lines end in a blank): a bridge frame carrying the same
    // trace id before the marked packet (seen in the Nat lab), our own trace table, another table,
    // QaNet's chains, then a retransmission of the same id.
    private const string Monitor = """
        trace id 3a1c2b4d bridge filter INPUT rule ether saddr 52:54:00:51:00:10 counter packets 5 bytes 804 jump QN-O-taskotron-client01 (verdict jump QN-O-taskotron-client01)
        trace id 3a1c2b4d bridge filter QN-O-taskotron-client01 rule ether type ip ip daddr != 192.168.150.0/24 counter packets 2 bytes 120 accept (verdict accept)
        trace id 3a1c2b4d inet qanet-trace prerouting packet: iif "virbr0" ether saddr 52:54:00:51:00:10 ip saddr 192.168.150.10 ip daddr 203.0.113.10 tcp dport 443 tcp flags == syn
        trace id 3a1c2b4d inet qanet-trace prerouting rule ip saddr 192.168.150.10 ip daddr 203.0.113.10 meta l4proto tcp th dport 443 ct state new meta nftrace set 1 (verdict continue)
        trace id 3a1c2b4d inet qanet-trace prerouting verdict continue
        trace id 3a1c2b4d inet qanet-trace prerouting policy accept
        trace id 3a1c2b4d inet qanet forward packet: iif "virbr0" oif "qn-up" ip saddr 192.168.150.10 ip daddr 203.0.113.10 tcp dport 443
        trace id 3a1c2b4d inet qanet forward rule ip saddr 192.168.150.0/25 jump decide comment "qanet:@scope" (verdict jump decide)
        trace id 3a1c2b4d inet qanet decide rule ip saddr @role-taskotron-v4 ip daddr @endpoint-koji-v4 meta l4proto . th dport { tcp . 80, tcp . 443 } accept comment "qanet:taskotron-koji" (verdict accept)
        trace id 3a1c2b4d ip filter FORWARD rule counter packets 0 bytes 0 (verdict continue)
        trace id 3a1c2b4d ip filter FORWARD verdict continue
        trace id 3a1c2b4d ip filter FORWARD policy accept
        trace id 3a1c2b4d inet qanet postrouting rule ip saddr 192.168.150.0/25 ip daddr @masquerade-v4 masquerade comment "qanet:@masquerade" (verdict accept)
        trace id 77ee0011 inet qanet forward rule ip saddr 192.168.150.0/25 jump decide comment "qanet:@scope" (verdict jump decide)
        trace id 3a1c2b4d inet qanet-trace prerouting packet: iif "virbr0" ip saddr 192.168.150.10 ip daddr 203.0.113.10 tcp dport 443 tcp flags == syn
        trace id 3a1c2b4d inet qanet-trace prerouting rule ip saddr 192.168.150.10 ip daddr 203.0.113.10 meta l4proto tcp th dport 443 ct state new meta nftrace set 1 (verdict continue)
        trace id 3a1c2b4d inet qanet forward rule ip saddr 192.168.150.0/25 jump decide comment "qanet:@scope" (verdict jump decide)
        """;

    private static string Marked(string id) =>
        $"trace id {id} inet qanet-trace prerouting rule ip saddr 192.168.150.10 ct state new meta nftrace set 1 (verdict continue)\n";

    private static QaLiveResult Probe(bool allowed, string? rule, bool observed) => new()
    {
        From = Flow.From, To = Flow.To, SourceAddress = Flow.SourceAddress, DestinationAddress = Flow.DestinationAddress, Port = 443,
        Protocol = QaProtocol.Tcp, Kind = QaLiveCellKind.Egress, Allowed = allowed, RuleId = rule, Reason = "-", Observed = observed,
        ObservedDetail = observed ? QaProbeResult.Connected : QaProbeResult.TimedOut,
    };

    [Fact]
    public void The_marked_packets_path_maps_qanet_rules_to_ids_and_leaves_the_trace_table_and_other_packets_out()
    {
        var path = QaFlowTracer.Parse("virthost-comm01", Monitor.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("policy accept\n", "policy accept \n", StringComparison.Ordinal));
        Assert.Equal(new[] { "@scope", "taskotron-koji", null, null, "@masquerade" }, path.Select(h => h.RuleId));
        Assert.Equal(new[] { QaTraceOwner.BuiltIn, QaTraceOwner.Policy, QaTraceOwner.Foreign, QaTraceOwner.Foreign, QaTraceOwner.BuiltIn }, path.Select(h => h.Owner));
        Assert.Equal(new[] { "jump decide", "accept", "continue", "accept", "accept" }, path.Select(h => h.Verdict));
        Assert.Equal(("ip filter", "FORWARD", "policy accept"), (path[3].Table, path[3].Chain, path[3].Rule));
        Assert.All(path, h => Assert.Equal("virthost-comm01", h.Host));
    }

    [Fact]
    public void An_accept_by_the_engines_rule_agrees_and_masquerading_decides_nothing()
    {
        var trace = QaFlowTracer.Build(Flow, Probe(true, "taskotron-koji", true), QaFlowTracer.Parse("vh", Monitor));
        Assert.True(trace.Agrees, trace.Mismatch);
        Assert.True(trace.KernelAllowed);
        Assert.Equal("taskotron-koji", trace.KernelRuleId);
        Assert.Equal("decide", trace.DecidingHop!.Chain);
    }

    [Fact]
    public void A_foreign_drop_is_final_and_the_mismatch_names_both_rules()
    {
        var monitor = Marked("1") + "trace id 1 inet qanet forward rule ip saddr 192.168.150.0/25 jump decide comment \"qanet:@scope\" (verdict jump decide)\n" +
                      "trace id 1 inet qanet decide rule ip saddr 192.168.150.10 tcp dport 443 drop (verdict drop)\n";
        var trace = QaFlowTracer.Build(Flow, Probe(true, "taskotron-koji", false), QaFlowTracer.Parse("vh", monitor));
        Assert.False(trace.Agrees);
        Assert.False(trace.KernelAllowed);
        Assert.Null(trace.KernelRuleId);
        Assert.Equal(QaTraceOwner.Foreign, trace.DecidingHop!.Owner);
        Assert.Equal("engine allows (taskotron-koji), kernel dropped (foreign rule in inet qanet decide on vh: ip saddr 192.168.150.10 tcp dport 443 drop)", trace.Mismatch);
    }

    [Fact]
    public void Default_deny_on_both_sides_agrees_and_another_rule_id_does_not()
    {
        var monitor = Marked("9") + "trace id 9 inet qanet decide rule limit rate 5/second burst 10 packets log prefix \"qanet-drop \" comment \"qanet:@default-deny\" (verdict continue)\n" +
                      "trace id 9 inet qanet decide rule counter packets 0 bytes 0 drop comment \"qanet:@default-deny\" (verdict drop)\n";
        var denied = QaFlowTracer.Build(Flow, Probe(false, null, false), QaFlowTracer.Parse("vh", monitor));
        Assert.True(denied.Agrees, denied.Mismatch);
        Assert.Equal("default deny", denied.KernelDecidedBy);

        var blocked = QaFlowTracer.Build(Flow, Probe(false, "block-koji", false), QaFlowTracer.Parse("vh", monitor));
        Assert.Equal("engine denies (block-koji), kernel dropped (default deny)", blocked.Mismatch);
    }

    [Fact]
    public void No_trace_at_all_is_not_an_accept()
    {
        var trace = QaFlowTracer.Build(Flow, Probe(true, "taskotron-koji", false), Array.Empty<QaTraceHop>());
        Assert.False(trace.KernelAllowed);
        Assert.False(trace.Agrees);
    }

    [Fact]
    public void The_trace_table_marks_only_the_flows_first_packet_in_its_own_table()
    {
        var text = QaFlowTracer.TraceTableText(Flow with { Protocol = QaProtocol.Udp, Port = 69 });
        Assert.StartsWith("table inet qanet-trace\ndelete table inet qanet-trace\n", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split("ip saddr 192.168.150.10 ip daddr 203.0.113.10 meta l4proto udp th dport 69 ct state new meta nftrace set 1").Length - 1);
        Assert.DoesNotContain("table inet qanet {", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Bridged_networks_and_client_to_client_flows_are_refused_with_a_stable_id()
    {
        var policy = ExamplePolicies.AsBridged(ExamplePolicies.Fedora());
        var lab = new QaLabState { Prefix = "qn-x-", Policy = "p", Directory = "/nonexistent" };
        var bridged = Assert.Throws<QaLabException>(() => QaFlowTracer.EnsureTraceable(policy, lab, Flow));
        Assert.Equal(QaLabErrorIds.TraceUnsupported, bridged.ErrorId);

        var nat = ExamplePolicies.Fedora();
        QaFlowTracer.EnsureTraceable(nat, lab, Flow);
        var c2c = Assert.Throws<QaLabException>(() => QaFlowTracer.EnsureTraceable(nat, lab, Flow with { To = "taskotron-client02" }));
        Assert.Equal(QaLabErrorIds.TraceUnsupported, c2c.ErrorId);
    }
}
