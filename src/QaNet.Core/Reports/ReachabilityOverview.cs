using System.Globalization;
using QaNet.Core.Engine;
using QaNet.Core.Model;

namespace QaNet.Core.Reports;

/// <summary>Which way a flow of the overview goes, seen from the clients.</summary>
public enum OverviewDirection
{
    /// <summary>A client opens a connection to the endpoint.</summary>
    Outbound,

    /// <summary>The endpoint opens a connection into a client (a management host).</summary>
    Inbound,
}

/// <summary>One verdict between two names (a client and an endpoint, either way), as the overview takes it.</summary>
public readonly record struct OverviewAnswer(string From, string To, QaPortRange Port, bool Allowed, string Rule, bool Conforms = true);

/// <summary>
/// One answer folded into the overview: a group (a role) and an endpoint, one way, one port.
/// <see cref="Member"/> names the client it is about (null for a by-role row, which counts
/// its members itself).
/// </summary>
public sealed record OverviewFlow(string Group, string Endpoint, OverviewDirection Direction, QaPortRange Port, string? Member,
    int Members, int AllowedMembers, IReadOnlyList<string> Rules, bool Conforms = true);

/// <summary>One line of an overview cell: ports that share a way, a verdict and deciding rules.</summary>
/// <param name="Ports">The ports as shown: a rule's own range where the rule names one, e.g. <c>7080-7099/tcp</c>.</param>
/// <param name="Rules">The deciding rule ids ("default deny" for none).</param>
/// <param name="AllowedMembers">Members that may connect (for a partly allowed line, fewer than <paramref name="Members"/>).</param>
/// <param name="Conforms">False when a live probe disagreed with the engine on one of these ports.</param>
public sealed record OverviewLine(OverviewDirection Direction, bool Allowed, bool Partial, IReadOnlyList<QaPortRange> Ports,
    IReadOnlyList<string> Rules, int AllowedMembers, int Members, bool Conforms)
{
    /// <summary>"80, 443/tcp, 69/udp": the ports of each protocol together, the protocol once.</summary>
    public string PortText => ReachabilityOverview.FoldPorts(Ports);
}

/// <summary>A row of the overview: a role and the clients in it that the input names.</summary>
public sealed record OverviewRow(string Group, IReadOnlyList<string> MemberNames, int Members);

/// <summary>
/// The reachability matrix regrouped for a person: rows are roles (clients folded by role),
/// columns endpoints, and one cell per role and endpoint listing, each way, the ports that are
/// allowed and the rule that decides them. Denials by default deny are left out (an empty cell
/// means nothing is allowed); denials by a rule (a block) are listed, as the rule decides them.
/// </summary>
public sealed class ReachabilityOverview
{
    private const string DefaultDeny = "default deny";

    private readonly Dictionary<(string, string), List<OverviewLine>> cells;

    private ReachabilityOverview(List<OverviewRow> rows, List<string> endpoints, Dictionary<(string, string), List<OverviewLine>> cells)
    {
        Rows = rows;
        Endpoints = endpoints;
        this.cells = cells;
    }

    public IReadOnlyList<OverviewRow> Rows { get; }

    /// <summary>The columns, in the policy's order where it is known.</summary>
    public IReadOnlyList<string> Endpoints { get; }

    public bool IsEmpty => Rows.Count == 0;

    /// <summary>The lines of one cell, outbound first; empty when nothing is allowed or decided by a rule.</summary>
    public IReadOnlyList<OverviewLine> Lines(string group, string endpoint) =>
        cells.TryGetValue((group, endpoint), out var lines) ? lines : Array.Empty<OverviewLine>();

    /// <summary>
    /// Folds <paramref name="flows"/>: per group, endpoint, way and port a member counts as
    /// allowed when every flow of it is (a client answered per address); ports that share way,
    /// verdict and rules make one line. <paramref name="policy"/> (optional) orders the columns
    /// as the policy lists its endpoints and shows a rule's own port range instead of the
    /// ports probed in it.
    /// </summary>
    public static ReachabilityOverview Build(IEnumerable<OverviewFlow> flows, QaPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(flows);
        var list = flows.ToList();
        var rulePorts = policy?.Rules.Where(r => r.Ports.Count > 0).GroupBy(r => r.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Ports.ToList(), StringComparer.Ordinal)
            ?? new Dictionary<string, List<QaPortRange>>(StringComparer.Ordinal);

        var folded = list.GroupBy(f => (f.Group, f.Endpoint, f.Direction, f.Port)).Select(g =>
        {
            var rules = g.SelectMany(f => f.Rules).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var conforms = g.All(f => f.Conforms);
            var perMember = g.Where(f => f.Member is not null).GroupBy(f => f.Member!, StringComparer.Ordinal).ToList();
            var members = perMember.Count + g.Where(f => f.Member is null).Sum(f => f.Members);
            var allowed = perMember.Count(m => m.All(f => f.AllowedMembers == f.Members && f.Members > 0))
                + g.Where(f => f.Member is null).Sum(f => f.AllowedMembers);
            return (g.Key.Group, g.Key.Endpoint, g.Key.Direction, g.Key.Port, Members: members, Allowed: allowed, Rules: rules, Conforms: conforms);
        }).ToList();

        var cells = new Dictionary<(string, string), List<OverviewLine>>();
        foreach (var cell in folded.GroupBy(f => (f.Group, f.Endpoint)))
        {
            var lines = cell
                .Where(f => f.Allowed > 0 || !f.Rules.All(r => r == DefaultDeny) || !f.Conforms)
                .GroupBy(f => (f.Direction, Count: f.Allowed, f.Members, Rules: string.Join(", ", f.Rules), f.Conforms))
                .Select(g => new OverviewLine(g.Key.Direction, g.Key.Count == g.Key.Members && g.Key.Members > 0, g.Key.Count > 0 && g.Key.Count < g.Key.Members,
                    ShownPorts(g.Select(f => f.Port), g.First().Rules, rulePorts), g.First().Rules, g.Key.Count, g.Key.Members, g.Key.Conforms))
                .OrderBy(l => l.Direction).ThenBy(l => l.Allowed ? 0 : l.Partial ? 1 : 2).ThenBy(l => l.Ports[0].Protocol).ThenBy(l => l.Ports[0].From)
                .ToList();
            if (lines.Count > 0)
            {
                cells[cell.Key] = lines;
            }
        }

        var rows = list.GroupBy(f => f.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var names = g.Select(f => f.Member).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                var counted = g.Where(f => f.Member is null).Select(f => f.Members).DefaultIfEmpty(0).Max();
                return new OverviewRow(g.Key, names, Math.Max(names.Count, counted));
            }).ToList();
        var order = policy?.Endpoints.Select((e, i) => (e.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal)
            ?? new Dictionary<string, int>(StringComparer.Ordinal);
        var endpoints = list.Select(f => f.Endpoint).Distinct(StringComparer.Ordinal)
            .OrderBy(e => order.TryGetValue(e, out var i) ? i : int.MaxValue).ThenBy(e => e, StringComparer.Ordinal).ToList();
        return new ReachabilityOverview(rows, endpoints, cells);
    }

    /// <summary>
    /// Per-client results as overview flows: client → endpoint is outbound, endpoint → client
    /// inbound, each under every role of the client ("(none)" for a client without one). Results
    /// between two clients, or naming an address, are not part of the overview.
    /// </summary>
    public static IEnumerable<OverviewFlow> FlowsOf(QaPolicy policy, IEnumerable<QaReachabilityResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return FlowsOf(policy, results.Select(r => new OverviewAnswer(r.From, r.To, new QaPortRange(r.Protocol, r.Port, r.Port), r.Allowed, r.DecidedBy)));
    }

    /// <summary>By-role rows (<see cref="QaReachabilityMatrix.ByRole"/>) as outbound flows.</summary>
    public static IEnumerable<OverviewFlow> FlowsOf(IEnumerable<QaRoleReachabilityResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.Select(r => new OverviewFlow(r.Role, r.To, OverviewDirection.Outbound, new QaPortRange(r.Protocol, r.Port, r.Port), null,
            r.Members, r.AllowedMembers, r.DecidedBy));
    }

    /// <summary>"22, 80, 443/tcp, 69/udp, icmp".</summary>
    public static string FoldPorts(IEnumerable<QaPortRange> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var parts = new List<string>();
        foreach (var proto in ports.Distinct().GroupBy(p => p.Protocol).OrderBy(g => g.Key))
        {
            if (proto.Key == QaProtocol.Icmp)
            {
                parts.Add("icmp");
                continue;
            }

            var numbers = proto.OrderBy(p => p.From).ThenBy(p => p.To)
                .Select(p => p.From == p.To ? p.From.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{p.From}-{p.To}"));
            parts.Add(string.Join(", ", numbers) + (proto.Key == QaProtocol.Tcp ? "/tcp" : "/udp"));
        }

        return string.Join(", ", parts);
    }

    /// <summary>
    /// Answers by name as overview flows (live results come through QaLiveMatrix.ToOverviewFlows):
    /// client → endpoint outbound, endpoint → client inbound, under each role of the client.
    /// </summary>
    public static IEnumerable<OverviewFlow> FlowsOf(QaPolicy policy, IEnumerable<OverviewAnswer> results)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(results);
        var clients = new Dictionary<string, QaClient>(StringComparer.Ordinal);
        foreach (var c in policy.Clients)
        {
            clients.TryAdd(c.Name, c);
        }

        var endpoints = policy.Endpoints.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (from, to, port, allowed, rule, conforms) in results)
        {
            var (client, endpoint, direction) =
                clients.TryGetValue(from, out var c) && endpoints.Contains(to) ? (c, to, OverviewDirection.Outbound)
                : clients.TryGetValue(to, out c) && endpoints.Contains(from) ? (c, from, OverviewDirection.Inbound)
                : (null, null, OverviewDirection.Outbound);
            if (client is null || endpoint is null)
            {
                continue;
            }

            foreach (var role in client.Roles.Count == 0 ? new[] { "(none)" } : (IEnumerable<string>)client.Roles)
            {
                yield return new OverviewFlow(role, endpoint, direction, port, client.Name, 1, allowed ? 1 : 0, new[] { rule }, conforms);
            }
        }
    }

    /// <summary>
    /// The ports of one line as a person reads them: where every deciding rule names its ports,
    /// the rules' ranges that hold a probed port (the matrix probes a range at its ends), else
    /// the probed ports.
    /// </summary>
    private static List<QaPortRange> ShownPorts(IEnumerable<QaPortRange> probed, List<string> rules, Dictionary<string, List<QaPortRange>> rulePorts)
    {
        var ports = probed.Distinct().ToList();
        if (rules.Count > 0 && rules.All(rulePorts.ContainsKey))
        {
            var ranges = rules.SelectMany(r => rulePorts[r]).Distinct().ToList();
            var shown = ranges.Where(r => ports.Any(p => r.Contains(p.Protocol, p.From))).ToList();
            shown.AddRange(ports.Where(p => !ranges.Any(r => r.Contains(p.Protocol, p.From))));
            ports = shown;
        }

        return ports.OrderBy(p => p.Protocol).ThenBy(p => p.From).ThenBy(p => p.To).ToList();
    }
}
