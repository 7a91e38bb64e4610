using System.Net;
using System.Net.Sockets;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Core.Render.Ebtables;

/// <summary>One ebtables rule; null fields do not take part in the match.</summary>
public sealed record EbtRule(string Chain, string Target)
{
    /// <summary>The QaNet rule id, or a built-in <c>@name</c>; printed as a <c># qanet:</c> comment line.</summary>
    public string Id { get; init; } = "@";

    /// <summary>True for the stateless return-traffic entries of an accepted rule.</summary>
    public bool IsReply { get; init; }

    /// <summary>
    /// TCP return traffic: accepted with <see cref="EbtReplyGuard.Mark"/> set, so that
    /// <c>table bridge qanet</c> drops the connection openings (SYN without ACK) among it.
    /// </summary>
    public bool ReplyMark { get; init; }

    public string? SourceMac { get; init; }

    public string? DestinationMac { get; init; }

    /// <summary><c>IPv4</c>, <c>IPv6</c> or <c>ARP</c>.</summary>
    public string? Protocol { get; init; }

    public QaAddressRange? IpSource { get; init; }

    public bool NotIpSource { get; init; }

    public QaAddressRange? IpDestination { get; init; }

    public bool NotIpDestination { get; init; }

    public QaProtocol? IpProtocol { get; init; }

    public (int From, int To)? SourcePorts { get; init; }

    public (int From, int To)? DestinationPorts { get; init; }

    /// <summary>ICMP echo-request (a policy flow) or echo-reply (its return).</summary>
    public bool IcmpEcho { get; init; }

    public bool IcmpEchoReply { get; init; }

    /// <summary>ICMPv6 types (a range, or one type): neighbour discovery (133-136), router advertisements (134), redirects (137).</summary>
    public (int From, int To)? Icmp6Types { get; init; }

    public string? NotArpMacSource { get; init; }

    public QaAddressRange? NotArpIpSource { get; init; }

    public bool Log { get; init; }
}

/// <summary>The ebtables filter table QaNet renders for one virthost, with an evaluator that walks it for one frame.</summary>
public sealed class EbtTable : IRuleProgram
{
    private readonly Dictionary<string, List<EbtRule>> byChain;
    private readonly Func<PacketFlow, IReadOnlyList<EbtFrame>> framer;

    internal EbtTable(IReadOnlyList<string> userChains, IReadOnlyList<EbtRule> rules, Func<PacketFlow, IReadOnlyList<EbtFrame>> framer, IReadOnlyList<(string Mac, IPAddress Address)> neighbourTargets)
    {
        NeighbourTargets = neighbourTargets;
        UserChains = userChains;
        Rules = rules;
        this.framer = framer;
        byChain = new Dictionary<string, List<EbtRule>>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!byChain.TryGetValue(rule.Chain, out var list))
            {
                byChain[rule.Chain] = list = new List<EbtRule>();
            }

            list.Add(rule);
        }
    }

    public IReadOnlyList<string> UserChains { get; }

    public IReadOnlyList<EbtRule> Rules { get; }

    public int RuleCount => Rules.Count;

    /// <summary>Whether some TCP reply entry sets the reply mark: the host then needs <see cref="EbtReplyGuard"/>'s table.</summary>
    public bool MarksReplies => Rules.Any(r => r.ReplyMark);

    public int ElementCount => 0;

    /// <summary>
    /// The clients of this host with an IPv6 address and the only targets each may advertise in a
    /// neighbour advertisement: its IPv6 address and its MAC's link-local address. ebtables cannot read the target, so <see cref="EbtReplyGuard"/>'s
    /// table checks it.
    /// </summary>
    public IReadOnlyList<(string Mac, IPAddress Address)> NeighbourTargets { get; }

    public RenderDecision Evaluate(PacketFlow flow)
    {
        // Every frame of the packet must pass: a drop of any is final, else the first verdict decides.
        RenderDecision? decided = null;
        foreach (var frame in framer(flow))
        {
            var d = Run(frame.Chain, frame, flow, 0) ?? RenderDecision.Untouched;
            if (d.Verdict == RenderVerdict.Drop)
            {
                return d;
            }

            if (decided is not { Verdict: not RenderVerdict.Untouched })
            {
                decided = d;
            }
        }

        return decided ?? RenderDecision.Untouched;
    }

    private RenderDecision? Run(string chain, EbtFrame frame, PacketFlow flow, int depth)
    {
        if (depth > 8 || !byChain.TryGetValue(chain, out var rules))
        {
            return null;
        }

        foreach (var rule in rules)
        {
            if (!Matches(rule, frame, flow))
            {
                continue;
            }

            if (rule.ReplyMark)
            {
                // A flow is a connection opening: its SYN matched a reply entry, and the reply guard drops it.
                return new RenderDecision(RenderVerdict.Drop, null);
            }

            switch (rule.Target)
            {
                case "ACCEPT":
                    // Accepted only so the routed (L3) table decides: not this table's verdict.
                    return rule.Id == "@l3" ? RenderDecision.Untouched : new RenderDecision(RenderVerdict.Accept, rule.Id);
                case "DROP":
                    return new RenderDecision(RenderVerdict.Drop, rule.Id.StartsWith('@') ? null : rule.Id);
                case "CONTINUE":
                    break;
                case "RETURN":
                    return null;   // back to the calling chain, undecided
                default:
                    if (Run(rule.Target, frame, flow, depth + 1) is { } decided)
                    {
                        return decided;
                    }

                    break;
            }
        }

        return null;
    }

    private static bool Matches(EbtRule r, EbtFrame frame, PacketFlow flow)
    {
        var v6 = flow.Source.AddressFamily == AddressFamily.InterNetworkV6;
        if (r.SourceMac is not null && r.SourceMac != frame.SourceMac)
        {
            return false;
        }

        if (r.DestinationMac is not null && r.DestinationMac != frame.DestinationMac)
        {
            return false;
        }

        if (r.Protocol is { } p && p != (v6 ? "IPv6" : "IPv4"))
        {
            return false; // flows are IP; ARP rules never see them
        }

        if (r.Icmp6Types is not null || r.IcmpEchoReply || r.NotArpMacSource is not null || r.NotArpIpSource is not null)
        {
            return false;
        }

        if (r.IpSource is { } s && s.Contains(flow.Source) == r.NotIpSource)
        {
            return false;
        }

        if (r.IpDestination is { } d && d.Contains(flow.Destination) == r.NotIpDestination)
        {
            return false;
        }

        if (r.IpProtocol is { } proto)
        {
            if (proto != flow.Protocol)
            {
                return false;
            }

            if (r.SourcePorts is { } sp && (flow.SourcePort < sp.From || flow.SourcePort > sp.To))
            {
                return false;
            }

            if (r.DestinationPorts is { } dp && (flow.Port < dp.From || flow.Port > dp.To))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>How a flow's first frame meets the bridge: the built-in chain and the MACs ebtables sees.</summary>
internal sealed record EbtFrame(string Chain, string? SourceMac, string? DestinationMac);

