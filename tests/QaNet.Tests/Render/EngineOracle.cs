using QaNet.Core.Engine;
using QaNet.Core.Render;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Render;

/// <summary>
/// The engine's verdict for the agreement tests: the product's fast <see cref="QaRuleEngine"/>
/// (itself held to the linear <see cref="ReferenceEngine"/> by the engine tests), compiled once
/// per policy and moment, so the renderings answer to the same engine the cmdlets use.
/// </summary>
internal sealed class EngineOracle(ResolvedPolicy policy, DateTimeOffset now)
{
    private readonly QaRuleEngine engine = QaRuleEngine.Compile(policy, now);

    public RenderDecision Decide(PacketFlow flow)
    {
        var decision = engine.Decide(flow.Source, flow.Destination, flow.Protocol, flow.Port);
        return new RenderDecision(decision.Allowed ? RenderVerdict.Accept : RenderVerdict.Drop, decision.RuleId);
    }
}
