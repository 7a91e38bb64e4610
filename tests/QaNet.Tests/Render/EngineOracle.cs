using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Render;

/// <summary>
/// The engine's verdict for the agreement tests, in one place: a plain linear scan over the
/// resolved policy in the engine's order. When the engine lands, the body of
/// <see cref="Decide"/> becomes one call to it.
/// </summary>
internal static class EngineOracle
{
    public static RenderDecision Decide(ResolvedPolicy policy, DateTimeOffset now, PacketFlow flow)
    {
        var rule = policy.Rules
            .Where(r => !r.Rule.IsExpired(now))
            .OrderBy(r => r.Rule.Priority)
            .ThenBy(r => r.Rule.Kind == QaRuleKind.Block ? 0 : 1)
            .ThenBy(r => r.Order)
            .FirstOrDefault(r => Matches(r, flow.Source, flow.Destination, flow.Protocol, flow.Port));
        return rule is null
            ? new RenderDecision(RenderVerdict.Drop, null)
            : new RenderDecision(rule.Rule.Kind == QaRuleKind.Block ? RenderVerdict.Drop : RenderVerdict.Accept, rule.Rule.Id);
    }

    private static bool Matches(ResolvedRule rule, IPAddress source, IPAddress destination, QaProtocol protocol, int port) =>
        rule.Sources.Any(s => s.Contains(source)) &&
        rule.Targets.Any(t => t.Destinations.Any(d => d.Contains(destination)) && t.Ports.Any(p => p.Contains(protocol, port)));
}
