using System.Net;
using QaNet.Core.Model;
using Newtonsoft.Json;

namespace QaNet.Core.Engine;

/// <summary>
/// The answer to "may <see cref="From"/> open a connection to <see cref="To"/> on
/// <see cref="Port"/>/<see cref="Protocol"/>?": the verdict, the deciding rule (or default
/// deny) and a short reason chain. <c>Test-QaReachability</c> writes these.
/// </summary>
public sealed class QaReachabilityResult
{
    private readonly FlowExplainer? explainer;
    private readonly QaFlow flow;
    private readonly QaDecision decision;
    private string? reason;

    internal QaReachabilityResult(string from, string to, QaFlow flow, QaDecision decision, FlowExplainer explainer)
    {
        From = from;
        To = to;
        this.flow = flow;
        this.decision = decision;
        this.explainer = explainer;
    }

    /// <summary>A verdict reached without the rules (the two sides share no address family).</summary>
    internal QaReachabilityResult(string from, string to, QaFlow flow, string reason)
    {
        From = from;
        To = to;
        this.flow = flow;
        decision = new QaDecision(ResolvedRuleRef.None);
        this.reason = reason;
    }

    /// <summary>Who opens the connection: a client, endpoint or role name, or an address.</summary>
    public string From { get; }

    public string To { get; }

    /// <summary>Destination port (not used for icmp).</summary>
    public int Port => flow.Port;

    [JsonIgnore]
    public QaProtocol Protocol => flow.Protocol;

    public bool Allowed => decision.Allowed;

    /// <summary>Id of the deciding rule; null for default deny.</summary>
    public string? RuleId => decision.RuleId;

    [JsonIgnore]
    public QaRule? Rule => decision.Rule.Resolved?.Rule;

    /// <summary>The rule id, or "default deny".</summary>
    public string DecidedBy => RuleId ?? "default deny";

    public string? RuleDescription => Rule?.Description;

    [JsonIgnore]
    public IPAddress SourceAddress => flow.Source.ToIPAddress();

    [JsonIgnore]
    public IPAddress DestinationAddress => flow.Destination.ToIPAddress();

    /// <summary>Why: who the source is, which rule matched and on what (built on first read).</summary>
    public string Reason => reason ??= explainer!.Explain(flow, decision);

    internal QaFlow Flow => flow;

    internal QaDecision Decision => decision;

    public override string ToString() =>
        $"{From} -> {To} {FlowExplainer.PortText(flow.Protocol, flow.Port)}: {(Allowed ? "allowed" : "denied")} by {DecidedBy}";
}
