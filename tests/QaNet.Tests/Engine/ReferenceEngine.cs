using System.Net;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Engine;

/// <summary>
/// The linear-scan oracle: rules in precedence order (priority ascending; at equal priority
/// a block before grants; then policy order), the first rule that matches decides, and no
/// match means default deny. A rule matches when it is enabled and has not expired at <c>now</c>, the source
/// lies in one of its source prefixes, and one of its targets holds the destination and the
/// (protocol, port). Deliberately naive: the tests hold <see cref="QaRuleEngine"/> to it. It lives
/// with the tests (the bench links this file) so the oracle never ships in the module.
/// </summary>
public sealed class ReferenceEngine
{
    private readonly List<ResolvedRule> rules;

    public ReferenceEngine(ResolvedPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        rules = policy.Rules
            .Where(r => r.Rule.Enabled && !r.Rule.IsExpired(now))
            .OrderBy(r => r.Rule.Priority)
            .ThenBy(r => r.Rule.Kind == QaRuleKind.Block ? 0 : 1)
            .ThenBy(r => r.Order)
            .ToList();
    }

    /// <summary>Rules that can match at <c>now</c>, in precedence order.</summary>
    public IReadOnlyList<ResolvedRule> Rules => rules;

    /// <summary>The deciding rule, or null for default deny.</summary>
    public ResolvedRule? Decide(IPAddress source, IPAddress destination, QaProtocol protocol, int port)
    {
        foreach (var r in rules)
        {
            if (Matches(r, source, destination, protocol, port))
            {
                return r;
            }
        }

        return null;
    }

    public bool IsAllowed(IPAddress source, IPAddress destination, QaProtocol protocol, int port) =>
        Decide(source, destination, protocol, port) is { } r && r.Rule.Kind != QaRuleKind.Block;

    public static bool Matches(ResolvedRule rule, IPAddress source, IPAddress destination, QaProtocol protocol, int port)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Sources.Any(s => IpMath.Contains(s, source)) &&
               rule.Targets.Any(t => t.Destinations.Any(d => IpMath.Contains(d, destination)) &&
                                     t.Ports.Any(p => p.Contains(protocol, port)));
    }
}
