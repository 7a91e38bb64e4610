using System.Net;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Resolution;

namespace QaNet.Core.Access;

/// <summary>A group's verdict for one (host, right): the deciding grant, or none (default deny).</summary>
public readonly record struct QaAccessDecision(QaAccessGrant? Grant, int Rank)
{
    public bool Allowed => Grant is not null;

    public static QaAccessDecision None => new(null, int.MaxValue);
}

/// <summary>
/// Access decisions on the network engine itself: grants compile to rules over a small
/// synthetic address space — each group is a source address, each host a destination
/// address, each right a port — and <see cref="QaRuleEngine"/> decides them with the same
/// first-match, default-deny code (and the same equivalence classes) as network flows.
/// docs/access.md explains why this and not a second matcher.
/// </summary>
public sealed class QaAccessEngine
{
    // fd00::/8 is private; the space never leaves this class, so collisions with real addresses cannot matter.
    private static readonly UInt128 GroupBase = (UInt128)0xfd51_ace5_0000_0001UL << 64;
    private static readonly UInt128 HostBase = (UInt128)0xfd51_ace5_0000_0002UL << 64;

    private readonly Dictionary<string, int> groupIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> hostIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QaAccessGrant> grantsById = new(StringComparer.Ordinal);

    public QaAccessEngine(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        Hosts = new AccessHosts(policy);
        for (var i = 0; i < policy.Groups.Count; i++)
        {
            groupIndex.TryAdd(policy.Groups[i].Name, i);
        }

        for (var i = 0; i < Hosts.All.Count; i++)
        {
            hostIndex[Hosts.All[i].Name] = i;
        }

        var rules = new List<ResolvedRule>(policy.AccessGrants.Count);
        for (var order = 0; order < policy.AccessGrants.Count; order++)
        {
            var grant = policy.AccessGrants[order];
            grantsById.TryAdd(grant.Id, grant);
            var sources = groupIndex.TryGetValue(grant.Group, out var g) ? new[] { Address(GroupBase, g) } : Array.Empty<IPNetwork>();
            var ports = grant.Rights.Select(Port).ToList();
            var targets = grant.Hosts
                .Select(t => new RuleTarget(new QaSelector(QaSelectorKind.Endpoint, t.Value),
                    Hosts.Covered(t).Select(h => Address(HostBase, hostIndex[h.Name])).ToList(), ports))
                .ToList();

            // Every grant allows, so all share one priority and kind: precedence is policy order.
            rules.Add(new ResolvedRule(new QaRule(policy, grant.Id, QaRuleKind.Egress), order, sources, targets));
        }

        Engine = QaRuleEngine.CompileRanked(rules);
    }

    public QaPolicy Policy { get; }

    public AccessHosts Hosts { get; }

    /// <summary>
    /// The hosts QaNet manages access on: those some grant names, and the jump host, sorted by
    /// name. Service endpoints such as koji are hosts too, but not QaNet's to configure.
    /// </summary>
    public IReadOnlyList<QaAccessHost> ManagedHosts =>
        Hosts.All.Where(h => h.Name == Policy.JumpHost || Policy.AccessGrants.Any(g => g.Hosts.Any(t => AccessHosts.Covers(t, h)))).ToList();

    /// <summary>The compiled network engine the decisions run on.</summary>
    public QaRuleEngine Engine { get; }

    /// <summary>May members of <paramref name="group"/> use <paramref name="right"/> on <paramref name="host"/>?</summary>
    public QaAccessDecision Decide(string group, string host, QaAccessRight right)
    {
        if (!groupIndex.TryGetValue(group, out var g) || !hostIndex.TryGetValue(host, out var h))
        {
            return QaAccessDecision.None;
        }

        var flow = new QaFlow(new QaAddress(GroupBase + (UInt128)g, true), new QaAddress(HostBase + (UInt128)h, true), QaProtocol.Tcp, (int)right + 1);
        var decision = Engine.Decide(flow);
        return decision.RuleId is { } id ? new QaAccessDecision(grantsById[id], decision.Rule.Rank) : QaAccessDecision.None;
    }

    /// <summary>
    /// A user in several groups: the first grant in precedence that any of them matches decides
    /// (the union every rendered mechanism computes), default deny when none does.
    /// </summary>
    public QaAccessDecision Decide(IEnumerable<string> groups, string host, QaAccessRight right)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var best = QaAccessDecision.None;
        foreach (var g in groups)
        {
            var d = Decide(g, host, right);
            if (d.Rank < best.Rank)
            {
                best = d;
            }
        }

        return best;
    }

    /// <summary>The groups that have <paramref name="right"/> on <paramref name="host"/>, in policy order: what the renderers write.</summary>
    public IReadOnlyList<(QaGroup Group, QaAccessGrant Grant)> GroupsWith(string host, QaAccessRight right) =>
        Policy.Groups
            .Select(g => (Group: g, Decision: Decide(g.Name, host, right)))
            .Where(x => x.Decision.Allowed)
            .Select(x => (x.Group, x.Decision.Grant!))
            .ToList();

    private static IPNetwork Address(UInt128 space, int index) =>
        new(new QaAddress(space + (UInt128)index, true).ToIPAddress(), 128);

    private static QaPortRange Port(QaAccessRight right) => new(QaProtocol.Tcp, (int)right + 1, (int)right + 1);
}
