using System.Globalization;
using System.Text;
using QaNet.Core.Engine;
using QaNet.Core.Model;

namespace QaNet.Core.Reports;

/// <summary>
/// A policy as a Graphviz DOT graph: one cluster per virthost holding its networks and, per
/// network, the clients folded by role; the endpoints (services, and management hosts — the
/// sources of ingress rules — drawn apart); allowed flows as edges labelled by their ports.
/// Outbound edges are the engine's answer (<see cref="QaReachabilityMatrix.ByRole"/>): solid
/// when every member of the role may connect, dashed with "n of m" when only some may.
/// Inbound edges are the ingress rules, labelled with their ids and ports. Every string that
/// reaches the text is quoted (<see cref="Quote"/>), so no name or description changes the
/// graph's structure.
/// </summary>
public static class TopologyGraph
{
    public static string Render(QaPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var reach = QaReachability.Create(policy, now);
        var dot = new StringBuilder();
        dot.Append("digraph ").Append(Quote("qanet:" + policy.Name)).Append(" {\n");
        dot.Append("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.3, ranksep=1.2, label=")
            .Append(Quote($"QaNet policy '{policy.Name}'" + (policy.Description is { } d ? " — " + d : string.Empty))).Append(", labelloc=t];\n");
        dot.Append("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n");
        dot.Append("  edge [fontname=\"Helvetica\", fontsize=9];\n");

        var roleNodes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var virtHosts = policy.Networks.SelectMany(n => n.VirtHosts.Concat(n.Clients.Select(c => c.VirtHost)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var cluster = 0;
        foreach (var vh in virtHosts)
        {
            dot.Append("  subgraph ").Append(Quote("cluster_" + cluster++)).Append(" {\n");
            dot.Append("    label=").Append(Quote("virthost " + vh)).Append("; style=\"rounded\"; color=\"#555555\";\n");
            foreach (var n in policy.Networks.Where(n => n.VirtHosts.Contains(vh) || n.Clients.Any(c => c.VirtHost == vh)))
            {
                var net = Id("net", vh, n.Name);
                dot.Append("    ").Append(net).Append(" [shape=cylinder, fillcolor=\"#e8eef7\", label=")
                    .Append(Quote($"{n.Name}\n{n.Mode.ToString().ToLowerInvariant()} {n.Subnet}" + (n.Subnet6 is { } s6 ? $"\n{s6}" : string.Empty))).Append("];\n");
                var clients = n.Clients.Where(c => c.VirtHost == vh).ToList();
                foreach (var role in clients.SelectMany(RolesOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    var members = clients.Where(c => RolesOf(c).Contains(role)).Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
                    var node = Id("role", vh, n.Name, role);
                    dot.Append("    ").Append(node).Append(" [fillcolor=\"#fff4dd\", label=")
                        .Append(Quote($"role {role} ({members.Count})\n" + string.Join("\n", members))).Append("];\n");
                    dot.Append("    ").Append(net).Append(" -> ").Append(node).Append(" [arrowhead=none, color=\"#999999\"];\n");
                    if (!roleNodes.TryGetValue(role, out var list))
                    {
                        roleNodes[role] = list = new List<string>();
                    }

                    list.Add(node);
                }
            }

            dot.Append("  }\n");
        }

        var managers = policy.Rules.Where(r => r.Kind == QaRuleKind.Ingress)
            .SelectMany(r => r.From).Where(s => s.Kind == QaSelectorKind.Endpoint).Select(s => s.Value)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var e in policy.Endpoints)
        {
            var manager = managers.Contains(e.Name);
            dot.Append("  ").Append(Id("ep", e.Name)).Append(" [fillcolor=").Append(manager ? "\"#e6f4ea\"" : "\"#f3f3f3\"")
                .Append(manager ? ", shape=component" : string.Empty).Append(", label=")
                .Append(Quote((manager ? "management host " : string.Empty) + e.Name
                    + (e.HostNames.Count > 0 ? "\n" + string.Join("\n", e.HostNames) : string.Empty)
                    + (e.Environment is { } env ? $"\n[{env}]" : string.Empty))).Append("];\n");
        }

        // Outbound: what the engine allows each role, ports folded per role and endpoint.
        var matrix = reach.Matrix();
        foreach (var group in matrix.ByRole().Where(r => r.AllowedMembers > 0).GroupBy(r => (r.Role, r.To, r.Allowed, r.AllowedMembers, r.Members)))
        {
            var ports = string.Join(", ", group.Select(r => RangeOf(matrix, r)).Distinct().Order(PortOrder.Instance));
            var rules = string.Join(", ", group.SelectMany(r => r.DecidedBy).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
            var label = ports + (group.Key.Allowed ? string.Empty : $" ({group.Key.AllowedMembers} of {group.Key.Members})") + "\nby " + rules;
            foreach (var node in roleNodes.GetValueOrDefault(group.Key.Role) ?? new List<string>())
            {
                dot.Append("  ").Append(node).Append(" -> ").Append(Id("ep", group.Key.To)).Append(" [color=\"#1a73e8\"")
                    .Append(group.Key.Allowed ? string.Empty : ", style=dashed").Append(", label=").Append(Quote(label)).Append("];\n");
            }
        }

        // Inbound: the ingress rules, from management hosts into roles, clients or networks.
        foreach (var r in policy.Rules.Where(r => r.Kind == QaRuleKind.Ingress && !r.IsExpired(now)).OrderBy(r => r.Priority).ThenBy(r => r.Id, StringComparer.Ordinal))
        {
            var label = (r.Ports.Count > 0 ? string.Join(", ", r.Ports.Order(PortOrder.Instance)) : "any port") + "\nby " + r.Id;
            foreach (var from in r.From.Where(s => s.Kind == QaSelectorKind.Endpoint))
            {
                foreach (var target in Targets(policy, r.To, roleNodes))
                {
                    dot.Append("  ").Append(Id("ep", from.Value)).Append(" -> ").Append(target)
                        .Append(" [color=\"#188038\", penwidth=1.5, label=").Append(Quote(label)).Append("];\n");
                }
            }
        }

        dot.Append("}\n");
        return dot.ToString();
    }

    /// <summary>A DOT double-quoted string: quotes and backslashes escaped, line breaks as DOT's centred <c>\n</c>, other control characters dropped.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var ch in text)
        {
            switch (ch)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case var c when char.IsControl(c):
                    break;
                default:
                    sb.Append(ch);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>The matrix probes a port range once, at its first port: show the range.</summary>
    private static QaPortRange RangeOf(QaReachabilityMatrix matrix, QaRoleReachabilityResult r) =>
        matrix.Ports.FirstOrDefault(p => p.Protocol == r.Protocol && p.From == r.Port) is { } range && range != default ? range : new QaPortRange(r.Protocol, r.Port, r.Port);

    private static IEnumerable<string> RolesOf(QaClient c) => c.Roles.Count == 0 ? new[] { "(none)" } : c.Roles;

    private static string Id(params string[] parts) => Quote(string.Join("/", parts));

    private static IEnumerable<string> Targets(QaPolicy policy, IEnumerable<QaSelector> to, Dictionary<string, List<string>> roleNodes)
    {
        foreach (var s in to)
        {
            switch (s.Kind)
            {
                case QaSelectorKind.Role:
                    foreach (var node in roleNodes.GetValueOrDefault(s.Value) ?? new List<string>())
                    {
                        yield return node;
                    }

                    break;
                case QaSelectorKind.Client when policy.Networks.SelectMany(n => n.Clients).FirstOrDefault(c => c.Name == s.Value) is { } c:
                    foreach (var role in RolesOf(c))
                    {
                        yield return Id("role", c.VirtHost, c.NetworkObject.Name, role);
                    }

                    break;
                case QaSelectorKind.Network when policy.Networks.FirstOrDefault(n => n.Name == s.Value) is { } n:
                    foreach (var vh in n.VirtHosts.Concat(n.Clients.Select(c => c.VirtHost)).Distinct(StringComparer.Ordinal))
                    {
                        yield return Id("net", vh, n.Name);
                    }

                    break;
            }
        }
    }

    private sealed class PortOrder : IComparer<QaPortRange>
    {
        public static readonly PortOrder Instance = new();

        public int Compare(QaPortRange x, QaPortRange y) =>
            x.Protocol != y.Protocol ? x.Protocol.CompareTo(y.Protocol) : x.From != y.From ? x.From.CompareTo(y.From) : x.To.CompareTo(y.To);
    }
}

/// <summary>Graphviz's <c>dot</c> turning a DOT graph into SVG: the graph on stdin, an argument vector, a bounded time.</summary>
public static class TopologySvg
{
    public static async Task<string> RenderAsync(string dot, Hosts.ICommandRunner runner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dot);
        ArgumentNullException.ThrowIfNull(runner);
        var spec = Hosts.CommandSpec.Of("dot", "-Tsvg").WithStdin(dot) with { Timeout = TimeSpan.FromSeconds(60) };
        Hosts.CommandResult r;
        try
        {
            r = await runner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw Failed($"Graphviz's dot could not be started ({e.Message}).");
        }

        return r.Succeeded && r.Stdout.Contains("<svg", StringComparison.Ordinal)
            ? r.Stdout
            : throw Failed(r.ExitCode == 127 ? "Graphviz's dot is not installed." : $"dot refused the graph (exit {r.ExitCode}): {r.Stderr.Trim()}");
    }

    private static Validation.QaValidationException Failed(string why) =>
        new(new Validation.QaValidationError(Validation.QaErrorIds.TopologyRenderFailed, "topology", null, why,
            "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; Fedora/RHEL: dnf install graphviz), or write the DOT text with -Format Dot (a .dot path)."));
}
