using QaNet.Core.Model;
using QaNet.Core.Resolution;

namespace QaNet.Core.Render;

/// <summary>The active rules (enabled, not expired) in the engine's order: priority ascending, at equal priority blocks first, then policy order.</summary>
internal static class Precedence
{
    public static List<ResolvedRule> Active(ResolvedPolicy policy, DateTimeOffset now) => Ordered(policy, r => r.IsActive(now));

    /// <summary>The enabled rules, expired ones included, in the engine's order (for renderings that let the host retire a rule on time).</summary>
    public static List<ResolvedRule> Enabled(ResolvedPolicy policy) => Ordered(policy, r => r.Enabled);

    private static List<ResolvedRule> Ordered(ResolvedPolicy policy, Func<QaRule, bool> include) =>
        policy.Rules
            .Where(r => include(r.Rule))
            .OrderBy(r => r.Rule.Priority)
            .ThenBy(r => r.Rule.Kind == QaRuleKind.Block ? 0 : 1)
            .ThenBy(r => r.Order)
            .ToList();

    public static bool Accepts(ResolvedRule rule) => rule.Rule.Kind != QaRuleKind.Block;
}
