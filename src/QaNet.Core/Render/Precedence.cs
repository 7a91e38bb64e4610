using QaNet.Core.Model;
using QaNet.Core.Resolution;

namespace QaNet.Core.Render;

/// <summary>The active rules (enabled, not expired) in the engine's order: priority ascending, at equal priority blocks first, then policy order.</summary>
internal static class Precedence
{
    public static List<ResolvedRule> Active(ResolvedPolicy policy, DateTimeOffset now) =>
        policy.Rules
            .Where(r => r.Rule.IsActive(now))
            .OrderBy(r => r.Rule.Priority)
            .ThenBy(r => r.Rule.Kind == QaRuleKind.Block ? 0 : 1)
            .ThenBy(r => r.Order)
            .ToList();

    public static bool Accepts(ResolvedRule rule) => rule.Rule.Kind != QaRuleKind.Block;
}
