using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Net;
using Newtonsoft.Json;

namespace QaNet.Core.Analysis;

/// <summary>
/// A region of flows whose verdict differs between two policies: every source in
/// <see cref="Sources"/> × every destination in <see cref="Destinations"/> × every port in
/// <see cref="Ports"/> goes from <see cref="Before"/> to <see cref="After"/>, decided by
/// <see cref="RuleBefore"/> and <see cref="RuleAfter"/> (null: default deny).
/// </summary>
public sealed class QaFlowChange
{
    private const int Shown = 4;

    internal QaFlowChange(IReadOnlyList<QaAddressRange> sources, IReadOnlyList<QaAddressRange> destinations, IReadOnlyList<QaPortRange> ports,
        QaRule? ruleBefore, QaRule? ruleAfter, Func<QaAddressRange, IEnumerable<string>> names)
    {
        Sources = sources;
        Destinations = destinations;
        Ports = ports;
        RuleBeforeObject = ruleBefore;
        RuleAfterObject = ruleAfter;
        From = Summary(sources.SelectMany(names));
        To = Summary(destinations.SelectMany(names));
        Port = Summary(ports.Select(p => p.ToString()));
    }

    [JsonIgnore]
    public IReadOnlyList<QaAddressRange> Sources { get; }

    [JsonIgnore]
    public IReadOnlyList<QaAddressRange> Destinations { get; }

    [JsonIgnore]
    public IReadOnlyList<QaPortRange> Ports { get; }

    /// <summary>The sources, as client and endpoint names where every address of a range has one (its IPv4 and IPv6 addresses once).</summary>
    public string From { get; }

    public string To { get; }

    public string Port { get; }

    public bool Before => RuleBeforeObject is { Kind: not QaRuleKind.Block };

    public bool After => RuleAfterObject is { Kind: not QaRuleKind.Block };

    public string RuleBefore => RuleBeforeObject?.Id ?? "default deny";

    public string RuleAfter => RuleAfterObject?.Id ?? "default deny";

    [JsonIgnore]
    public QaRule? RuleBeforeObject { get; }

    [JsonIgnore]
    public QaRule? RuleAfterObject { get; }

    public bool Contains(QaFlow flow) =>
        Sources.Any(r => r.Contains(flow.Source.Value, flow.Source.IsV6)) &&
        Destinations.Any(r => r.Contains(flow.Destination.Value, flow.Destination.IsV6)) &&
        Ports.Any(p => p.Contains(flow.Protocol, flow.Port));

    public override string ToString() =>
        $"{From} -> {To} {Port}: {(Before ? "allowed" : "denied")} ({RuleBefore}) -> {(After ? "allowed" : "denied")} ({RuleAfter})";

    private static string Summary(IEnumerable<string> items)
    {
        var distinct = items.Distinct(StringComparer.Ordinal).ToList();
        return string.Join(", ", distinct.Take(Shown)) + (distinct.Count > Shown ? $", … ({distinct.Count - Shown} more)" : string.Empty);
    }
}
