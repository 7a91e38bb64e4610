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

    // Recorded in the Nat lab (nft 1.0.6, kernel 6.18, bridge-nf-call-iptables = 1 in the virthost;
    // nft ends packet and policy lines with a blank): br_netfilter runs the trace table's prerouting
    // chain while the frame is still on the bridge (input interface the port c0), the bridge's input
    // chains follow under that id, then the bridge hands the packet up and the kernel's trace id
    // changes with its input interface (now the bridge): inet qanet's forward and postrouting chains
    // under the second id. Then, written in the shape the lab's retransmissions have (a new buffer: new
    // ids, the next ip id), a second SYN, which the path must leave out.
    private const string Monitor = """
        trace id ba4eb0b3 inet qanet-trace prerouting packet: iif "br-qa-clients" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 36 ip protocol tcp ip length 60 tcp sport 38920 tcp dport 443 tcp flags == syn tcp window 64240
        trace id ba4eb0b3 inet qanet-trace prerouting rule ip saddr 192.168.150.10 ip daddr 203.0.113.10 tcp dport 443 ct state new meta nftrace set 1 (verdict continue)
        trace id ba4eb0b3 inet qanet-trace prerouting policy accept
        trace id ba4eb0b3 bridge filter INPUT packet: iif "c0" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 36 ip protocol tcp ip length 60 tcp sport 38920 tcp dport 443 tcp flags == syn tcp window 64240
        trace id ba4eb0b3 bridge filter INPUT rule ether saddr 52:54:00:d7:ec:56 counter packets 5 bytes 876 jump QN-O-taskotron-client01 (verdict jump QN-O-taskotron-client01)
        trace id ba4eb0b3 bridge filter QN-O-taskotron-client01 rule ether type ip ip daddr != 192.168.150.0/24 counter packets 0 bytes 0 accept (verdict accept)
        trace id ba4eb0b3 bridge qanet input packet: iif "c0" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 36 ip protocol tcp ip length 60 tcp sport 38920 tcp dport 443 tcp flags == syn tcp window 64240
        trace id ba4eb0b3 bridge qanet input policy accept
        trace id 5c4484b2 inet qanet forward packet: iif "br-qa-clients" oif "up0" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 36 ip protocol tcp ip length 60 tcp sport 38920 tcp dport 443 tcp flags == syn tcp window 64240
        trace id 5c4484b2 inet qanet forward rule ip saddr 192.168.150.0/24 jump decide comment "qanet:@scope" (verdict jump decide)
        trace id 5c4484b2 inet qanet decide rule ip saddr @role-taskotron-v4 ip daddr @endpoint-koji-v4 meta l4proto . th dport { tcp . 80, tcp . 443 } accept comment "qanet:taskotron-koji" (verdict accept)
        trace id 5c4484b2 inet qanet postrouting packet: iif "br-qa-clients" oif "up0" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 36 ip protocol tcp ip length 60 tcp sport 38920 tcp dport 443 tcp flags == syn tcp window 64240
        trace id 5c4484b2 inet qanet postrouting rule ip saddr 192.168.150.0/24 ip daddr @masquerade-v4 masquerade comment "qanet:@masquerade" (verdict accept)
        trace id 0d9e41f7 inet qanet-trace prerouting packet: iif "br-qa-clients" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 37 ip protocol tcp ip length 60 tcp sport 38920 tcp dport 443 tcp flags == syn tcp window 64240
        trace id 0d9e41f7 inet qanet-trace prerouting rule ip saddr 192.168.150.10 ip daddr 203.0.113.10 tcp dport 443 ct state new meta nftrace set 1 (verdict continue)
        trace id 0d9e41f7 bridge filter INPUT rule ether saddr 52:54:00:d7:ec:56 counter packets 6 bytes 936 jump QN-O-taskotron-client01 (verdict jump QN-O-taskotron-client01)
        trace id 6f00a2c1 inet qanet forward packet: iif "br-qa-clients" oif "up0" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 37 ip protocol tcp ip length 60 tcp sport 38920 tcp dport 443 tcp flags == syn tcp window 64240
        trace id 6f00a2c1 inet qanet forward rule ip saddr 192.168.150.0/24 jump decide comment "qanet:@scope" (verdict jump decide)
        """;

    private static string Marked(string id) =>
        $"trace id {id} inet qanet-trace prerouting rule ip saddr 192.168.150.10 ct state new meta nftrace set 1 (verdict continue)\n";

    private static QaLiveResult Probe(bool allowed, string? rule, bool observed) => new()
    {
        From = Flow.From, To = Flow.To, SourceAddress = Flow.SourceAddress, DestinationAddress = Flow.DestinationAddress, Port = 443,
        Protocol = QaProtocol.Tcp, Kind = QaLiveCellKind.Egress, Allowed = allowed, RuleId = rule, Reason = "-", Observed = observed,
        ObservedDetail = observed ? QaProbeResult.Connected : QaProbeResult.TimedOut,
    };

    // The same flow recorded with bridge-nf-call-iptables = 0 in the virthost: the packet is marked
    // after the bridge handed it up, one trace id throughout, and the bridge's chains ran before the mark.
    private const string MonitorWithoutBrNetfilter = """
        trace id 2a6d966f inet qanet-trace prerouting packet: iif "br-qa-clients" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 49105 ip protocol tcp ip length 60 tcp sport 39134 tcp dport 443 tcp flags == syn tcp window 64240
        trace id 2a6d966f inet qanet-trace prerouting rule ip saddr 192.168.150.10 ip daddr 203.0.113.10 tcp dport 443 ct state new meta nftrace set 1 (verdict continue)
        trace id 2a6d966f inet qanet-trace prerouting policy accept
        trace id 2a6d966f inet qanet forward packet: iif "br-qa-clients" oif "up0" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 49105 ip protocol tcp ip length 60 tcp sport 39134 tcp dport 443 tcp flags == syn tcp window 64240
        trace id 2a6d966f inet qanet forward rule ip saddr 192.168.150.0/24 jump decide comment "qanet:@scope" (verdict jump decide)
        trace id 2a6d966f inet qanet decide rule ip saddr @role-taskotron-v4 ip daddr @endpoint-koji-v4 meta l4proto . th dport { tcp . 80, tcp . 443 } accept comment "qanet:taskotron-koji" (verdict accept)
        trace id 2a6d966f inet qanet postrouting packet: iif "br-qa-clients" oif "up0" ether saddr 52:54:00:d7:ec:56 ether daddr 52:54:00:c0:9b:dd ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 49105 ip protocol tcp ip length 60 tcp sport 39134 tcp dport 443 tcp flags == syn tcp window 64240
        trace id 2a6d966f inet qanet postrouting rule ip saddr 192.168.150.0/24 ip daddr @masquerade-v4 masquerade comment "qanet:@masquerade" (verdict accept)
        """;

    [Fact]
    public void The_marked_packets_path_follows_it_up_from_the_bridge_and_leaves_the_trace_table_and_the_retransmission_out()
    {
        var path = QaFlowTracer.Parse("virthost-comm01", Monitor.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("policy accept\n", "policy accept \n", StringComparison.Ordinal));
        Assert.Equal(new[] { "bridge filter", "bridge filter", "bridge qanet", "inet qanet", "inet qanet", "inet qanet" }, path.Select(h => h.Table));
        Assert.Equal(new[] { "INPUT", "QN-O-taskotron-client01", "input", "forward", "decide", "postrouting" }, path.Select(h => h.Chain));
        Assert.Equal(new[] { null, null, null, "@scope", "taskotron-koji", "@masquerade" }, path.Select(h => h.RuleId));
        Assert.Equal(new[] { QaTraceOwner.Foreign, QaTraceOwner.Foreign, QaTraceOwner.Foreign, QaTraceOwner.BuiltIn, QaTraceOwner.Policy, QaTraceOwner.BuiltIn }, path.Select(h => h.Owner));
        Assert.Equal(new[] { "jump QN-O-taskotron-client01", "accept", "accept", "jump decide", "accept", "accept" }, path.Select(h => h.Verdict));
        Assert.Equal("policy accept", path[2].Rule);
        Assert.All(path, h => Assert.Equal("virthost-comm01", h.Host));
    }

    [Fact]
    public void Without_br_netfilter_the_packet_keeps_one_trace_id_and_the_same_rules_decide()
    {
        var path = QaFlowTracer.Parse("vh", MonitorWithoutBrNetfilter);
        Assert.Equal(new[] { "@scope", "taskotron-koji", "@masquerade" }, path.Select(h => h.RuleId));
        var trace = QaFlowTracer.Build(Flow, Probe(true, "taskotron-koji", true), path);
        Assert.True(trace.Agrees, trace.Mismatch);
    }

    [Fact]
    public void A_new_trace_id_is_the_marked_packet_only_when_its_addresses_ports_and_ip_id_are_the_marked_ones()
    {
        const string marked = "trace id 1 inet qanet-trace prerouting packet: iif \"br0\" ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip ttl 64 ip id 36 tcp sport 38920 tcp dport 443\n" +
                              "trace id 1 inet qanet-trace prerouting rule ip saddr 192.168.150.10 ct state new meta nftrace set 1 (verdict continue)\n";
        static string Forward(string id, string packet) =>
            $"trace id {id} inet qanet forward packet: iif \"br0\" oif \"up0\" {packet}\n" +
            $"trace id {id} inet qanet forward rule ip saddr 192.168.150.0/24 jump decide comment \"qanet:@scope\" (verdict jump decide)\n";

        // TTL and interfaces change on the way; the packet's identity does not.
        Assert.Single(QaFlowTracer.Parse("vh", marked + Forward("2", "ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip ttl 63 ip id 36 tcp sport 38920 tcp dport 443")));
        Assert.Empty(QaFlowTracer.Parse("vh", marked + Forward("2", "ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip ttl 63 ip id 37 tcp sport 38920 tcp dport 443")));
        Assert.Empty(QaFlowTracer.Parse("vh", marked + Forward("2", "ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip ttl 63 ip id 36 tcp sport 38921 tcp dport 443")));
        // An id already met before the mark is another packet, whatever it carries.
        Assert.Empty(QaFlowTracer.Parse("vh", "trace id 2 bridge filter INPUT policy accept \n" + marked + Forward("2", "ip saddr 192.168.150.10 ip daddr 203.0.113.10 ip ttl 63 ip id 36 tcp sport 38920 tcp dport 443")));
    }

    [Fact]
    public void A_drop_in_table_bridge_qanet_is_qanets_own_built_in()
    {
        var monitor = Marked("5") + "trace id 5 bridge qanet input rule ether saddr @nd-clients icmpv6 type nd-neighbor-advert ether saddr . @th,64,128 != @nd-targets counter packets 0 bytes 0 drop comment \"qanet:@nd-target\" (verdict drop)\n" +
                      "trace id 5 bridge filter INPUT rule ether saddr 52:54:00:d7:ec:56 drop comment \"qanet:x\" (verdict drop)\n";
        var path = QaFlowTracer.Parse("vh", monitor);
        Assert.Equal((QaTraceOwner.BuiltIn, "@nd-target"), (path[0].Owner, path[0].RuleId));
        Assert.Equal((QaTraceOwner.Foreign, (string?)null), (path[1].Owner, path[1].RuleId)); // a comment alone does not make a rule QaNet's
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
