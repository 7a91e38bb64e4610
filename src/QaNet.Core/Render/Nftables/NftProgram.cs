using System.Net;
using System.Net.Sockets;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Core.Render.Nftables;

/// <summary>Address family of a rule's address matches (an inet table holds both).</summary>
public enum NftFamily
{
    Ip,
    Ip6,
}

public enum NftVerdict
{
    Accept,
    Drop,
    Jump,
    Masquerade,
    /// <summary>Rate-limited log; evaluation continues.</summary>
    Log,
}

/// <summary>An address match: a named set, or inline prefixes/ranges; optionally negated.</summary>
public sealed record NftAddressMatch(string? SetName, IReadOnlyList<QaAddressRange> Inline, bool Negate = false)
{
    public static NftAddressMatch Set(string name) => new(name, Array.Empty<QaAddressRange>());

    public static NftAddressMatch Of(IReadOnlyList<QaAddressRange> ranges, bool negate = false) => new(null, ranges, negate);
}

/// <summary>A named set of addresses with interval flags.</summary>
public sealed class NftSet
{
    public NftSet(string name, NftFamily family, IReadOnlyList<QaAddressRange> elements)
    {
        Name = name;
        Family = family;
        Elements = elements;
    }

    public string Name { get; }

    public NftFamily Family { get; }

    public IReadOnlyList<QaAddressRange> Elements { get; }
}

/// <summary>One nft rule. Fields are matched in the order nft prints them.</summary>
public sealed class NftRule
{
    public NftRule(string comment, NftVerdict verdict)
    {
        Comment = comment;
        Verdict = verdict;
    }

    /// <summary>The QaNet rule id (or a built-in <c>@name</c>) carried as <c>comment "qanet:…"</c>.</summary>
    public string Comment { get; }

    public NftVerdict Verdict { get; }

    public string? JumpTarget { get; init; }

    public NftFamily? Family { get; init; }

    public NftAddressMatch? Source { get; init; }

    public NftAddressMatch? Destination { get; init; }

    /// <summary>tcp/udp ports as <c>meta l4proto . th dport</c>; icmp entries become <c>meta l4proto icmp|ipv6-icmp</c> (one kind per rule).</summary>
    public IReadOnlyList<QaPortRange>? Ports { get; init; }

    /// <summary>Matches connections conntrack already knows (return traffic).</summary>
    public bool Established { get; init; }

    /// <summary>IPv6 neighbour discovery, which the host itself needs; never a flow of the policy.</summary>
    public bool NeighbourDiscovery { get; init; }

    /// <summary>With <see cref="NeighbourDiscovery"/>: what the host sends as its clients' router (advertisements, not solicitations).</summary>
    public bool AsRouter { get; init; }

    public bool Counter { get; init; }

    /// <summary>The rule matches only before this moment (<c>meta time &lt; <i>epoch seconds</i></c>): an expiring policy rule.</summary>
    public DateTimeOffset? Until { get; init; }
}

public sealed class NftChain
{
    public NftChain(string name, string? hook = null, string? priority = null)
    {
        Name = name;
        Hook = hook;
        Priority = priority;
    }

    public string Name { get; }

    /// <summary>For a base chain: <c>filter forward</c>, <c>filter input</c>, <c>nat postrouting</c>.</summary>
    public string? Hook { get; }

    public string? Priority { get; }

    public List<NftRule> Rules { get; } = new();
}

/// <summary>QaNet's <c>table inet qanet</c> as objects, with an evaluator that walks it like the kernel does for a new connection.</summary>
public sealed class NftTable : IRuleProgram
{
    public const string Name = "qanet";

    private readonly Dictionary<string, NftSet> setsByName;
    private readonly Dictionary<string, NftChain> chainsByName;

    public NftTable(IReadOnlyList<NftSet> sets, IReadOnlyList<NftChain> chains, IReadOnlyList<IPAddress> localAddresses)
    {
        Sets = sets;
        Chains = chains;
        LocalAddresses = localAddresses;
        setsByName = sets.ToDictionary(s => s.Name, StringComparer.Ordinal);
        chainsByName = chains.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    public IReadOnlyList<NftSet> Sets { get; }

    public IReadOnlyList<NftChain> Chains { get; }

    /// <summary>The enforcing host's own addresses on the client networks: traffic to them takes the input hook.</summary>
    public IReadOnlyList<IPAddress> LocalAddresses { get; }

    /// <summary>The moment <see cref="Evaluate"/> judges <see cref="NftRule.Until"/> against (the rendering's).</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

    public int RuleCount => Chains.Sum(c => c.Rules.Count);

    public int ElementCount => Sets.Sum(s => s.Elements.Count);

    public RenderDecision Evaluate(PacketFlow flow)
    {
        var hook = LocalAddresses.Contains(flow.Destination) ? "filter input" : "filter forward";
        var chain = Chains.FirstOrDefault(c => c.Hook == hook);
        return chain is null ? RenderDecision.Untouched : Run(chain, flow, 0) ?? RenderDecision.Untouched;
    }

    private RenderDecision? Run(NftChain chain, PacketFlow flow, int depth)
    {
        if (depth > 16)
        {
            throw new InvalidOperationException($"Chain '{chain.Name}' jumps too deep.");
        }

        foreach (var rule in chain.Rules)
        {
            if (!Matches(rule, flow))
            {
                continue;
            }

            switch (rule.Verdict)
            {
                case NftVerdict.Accept:
                    return new RenderDecision(RenderVerdict.Accept, RuleId(rule));
                case NftVerdict.Drop:
                    return new RenderDecision(RenderVerdict.Drop, RuleId(rule));
                case NftVerdict.Jump:
                    if (Run(chainsByName[rule.JumpTarget!], flow, depth + 1) is { } decided)
                    {
                        return decided;
                    }

                    break;
            }
        }

        return null;
    }

    private static string? RuleId(NftRule rule) => rule.Comment.StartsWith('@') ? null : rule.Comment;

    private bool Matches(NftRule rule, PacketFlow flow)
    {
        if (rule.Established || rule.NeighbourDiscovery)
        {
            return false; // a new connection is never established, and policy flows are never ND
        }

        if (rule.Until is { } until && Now >= until)
        {
            return false; // meta time < expiry: the kernel no longer matches it
        }

        var v6 = flow.Source.AddressFamily == AddressFamily.InterNetworkV6;
        if (rule.Family is { } f && (f == NftFamily.Ip6) != v6)
        {
            return false;
        }

        return Matches(rule.Source, flow.Source) && Matches(rule.Destination, flow.Destination) &&
               (rule.Ports is null || rule.Ports.Any(p => p.Contains(flow.Protocol, flow.Port)));
    }

    private bool Matches(NftAddressMatch? match, IPAddress address)
    {
        if (match is null)
        {
            return true;
        }

        var ranges = match.SetName is { } name ? setsByName[name].Elements : match.Inline;
        return ranges.Any(r => r.Contains(address)) != match.Negate;
    }
}
