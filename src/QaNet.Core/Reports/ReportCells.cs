using System.Globalization;
using QaNet.Core.Engine;

namespace QaNet.Core.Reports;

/// <summary>Engine results as report cells: one cell per result.</summary>
public static class ReportCells
{
    /// <summary>
    /// Results that share source, destination and port (an endpoint answered per address, a
    /// client's IPv4 and IPv6 address) would fall into one cell; the side whose addresses
    /// differ gets its address added to the name, so each keeps a cell of its own.
    /// </summary>
    public static IReadOnlyList<ReportCell> From(IEnumerable<QaReachabilityResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var list = results.ToList();
        var groups = list.GroupBy(r => (r.From, r.To, r.Port, r.Protocol))
            .ToDictionary(g => g.Key, g => (
                Sources: g.Select(r => r.SourceAddress).Distinct().Count() > 1,
                Destinations: g.Select(r => r.DestinationAddress).Distinct().Count() > 1));
        return list.Select(r =>
        {
            var (sources, destinations) = groups[(r.From, r.To, r.Port, r.Protocol)];
            return new ReportCell(
                sources ? $"{r.From} ({r.SourceAddress})" : r.From,
                destinations ? $"{r.To} ({r.DestinationAddress})" : r.To,
                FlowExplainer.PortText(r.Protocol, r.Port), r.Allowed, r.RuleId, r.Reason);
        }).ToList();
    }

    /// <summary>
    /// The by-role view (<see cref="QaReachabilityMatrix.ByRole"/>) as report cells: one row per
    /// role, a cell per endpoint and port, partly allowed when only some members may connect.
    /// </summary>
    public static IReadOnlyList<ReportCell> From(IEnumerable<QaRoleReachabilityResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.Select(r =>
        {
            var ruleId = r.DecidedBy.All(d => d == DefaultDeny) ? null : string.Join(", ", r.DecidedBy);
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"{r.AllowedMembers} of {r.Members} member(s) of role '{r.Role}' may connect.");
            return new ReportCell(r.Role, r.To, FlowExplainer.PortText(r.Protocol, r.Port), r.Allowed, ruleId, reason) { Partial = r.Partial };
        }).ToList();
    }

    private const string DefaultDeny = "default deny";
}
