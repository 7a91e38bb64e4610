using System.Globalization;
using System.Net;
using System.Text;

namespace QaNet.Core.Reports;

/// <summary>One cell of a reachability matrix as the report shows it.</summary>
/// <param name="From">Row: a client, role or endpoint name.</param>
/// <param name="To">Column group: the destination name (an address when it has several).</param>
/// <param name="Port">Column within the group, e.g. <c>443/tcp</c>.</param>
/// <param name="Allowed">The engine's verdict.</param>
/// <param name="RuleId">The deciding rule, or null for default deny.</param>
/// <param name="Reason">Why, in a sentence; shown on hover.</param>
/// <param name="Observed">What a live probe saw, when the matrix was probed.</param>
/// <param name="ObservedDetail">The probe's own words (connected, refused, timed out).</param>
public sealed record ReportCell(string From, string To, string Port, bool Allowed, string? RuleId, string Reason,
    bool? Observed = null, string? ObservedDetail = null)
{
    public bool Conforms => Observed is null || Observed == Allowed;

    /// <summary>A row that folds several sources (a role's members): some may connect and some may not.</summary>
    public bool Partial { get; init; }
}

/// <summary>
/// Writes a reachability matrix as one self-contained HTML page (inline CSS, no scripts, no
/// external resources): rows are sources, column groups destinations, columns ports; hover
/// shows the deciding rule and the reason; cells where a live probe disagreed are marked.
/// </summary>
public static class ReachabilityReport
{
    public static string Render(string title, IEnumerable<ReportCell> cells, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var list = cells.ToList();
        var rows = list.Select(c => c.From).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var groups = list.GroupBy(c => c.To, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (To: g.Key, Ports: g.Select(c => c.Port).Distinct(StringComparer.Ordinal).OrderBy(PortKey).ToList()))
            .ToList();
        var index = new Dictionary<(string, string, string), ReportCell>();
        foreach (var c in list)
        {
            index[(c.From, c.To, c.Port)] = c;
        }

        var live = list.Any(c => c.Observed is not null);
        var allowed = list.Count(c => c.Allowed);
        var partial = list.Count(c => c.Partial);
        var failing = list.Count(c => !c.Conforms);

        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
          .Append(E(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(E(title)).Append("</h1>\n<p class=\"summary\">")
          .Append(Inv($"{list.Count} cells: {allowed} allowed, "))
          .Append(partial > 0 ? Inv($"{partial} partly allowed, ") : string.Empty)
          .Append(Inv($"{list.Count - allowed - partial} denied"));
        if (live)
        {
            sb.Append(Inv($"; live probes: {list.Count - failing} conform, {failing} do not"));
        }

        sb.Append(". Generated ").Append(E(generatedAt.ToString("u", CultureInfo.InvariantCulture))).Append(".</p>\n");
        sb.Append("<p class=\"legend\"><span class=\"cell allow\">&#10003;</span> allowed <span class=\"cell deny\">&#183;</span> denied");
        if (partial > 0)
        {
            sb.Append(" <span class=\"cell partial\">&#9680;</span> allowed for some members only");
        }
        if (live)
        {
            sb.Append(" <span class=\"cell allow bad\">!</span> live probe disagrees");
        }

        sb.Append(" &mdash; hover a cell for the deciding rule.</p>\n");
        sb.Append("<table>\n<thead>\n<tr><th rowspan=\"2\" class=\"corner\">from \\ to</th>");
        foreach (var (to, ports) in groups)
        {
            sb.Append(Inv($"<th colspan=\"{ports.Count}\" class=\"group\">")).Append(E(to)).Append("</th>");
        }

        sb.Append("</tr>\n<tr>");
        foreach (var (_, ports) in groups)
        {
            foreach (var port in ports)
            {
                sb.Append("<th class=\"port\">").Append(E(port)).Append("</th>");
            }
        }

        sb.Append("</tr>\n</thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            sb.Append("<tr><th class=\"row\">").Append(E(row)).Append("</th>");
            foreach (var (to, ports) in groups)
            {
                foreach (var port in ports)
                {
                    if (!index.TryGetValue((row, to, port), out var cell))
                    {
                        sb.Append("<td class=\"cell none\"></td>");
                        continue;
                    }

                    var cls = cell.Allowed ? "allow" : cell.Partial ? "partial" : "deny";
                    var mark = !cell.Conforms ? "!" : cell.Allowed ? "&#10003;" : cell.Partial ? "&#9680;" : "&#183;";
                    var hover = new StringBuilder()
                        .Append(cell.From).Append(" \u2192 ").Append(cell.To).Append(' ').Append(cell.Port).Append(": ")
                        .Append(cell.Allowed ? "allowed" : cell.Partial ? "partly allowed" : "denied")
                        .Append(" by ").Append(cell.RuleId ?? "default deny").Append(". ").Append(cell.Reason);
                    if (cell.Observed is { } observed)
                    {
                        hover.Append(" Live: ").Append(observed ? "open" : "closed");
                        if (!string.IsNullOrEmpty(cell.ObservedDetail))
                        {
                            hover.Append(" (").Append(cell.ObservedDetail).Append(')');
                        }

                        hover.Append(cell.Conforms ? ", conforms." : ", DOES NOT CONFORM.");
                    }

                    sb.Append("<td class=\"cell ").Append(cls).Append(cell.Conforms ? string.Empty : " bad")
                      .Append("\" title=\"").Append(E(hover.ToString())).Append("\" data-rule=\"").Append(E(cell.RuleId ?? string.Empty))
                      .Append("\">").Append(mark).Append("</td>");
                }
            }

            sb.Append("</tr>\n");
        }

        sb.Append("</tbody>\n</table>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static (int, int, string) PortKey(string port)
    {
        var slash = port.IndexOf('/', StringComparison.Ordinal);
        var number = slash > 0 ? port[..slash] : port;
        var dash = number.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            number = number[..dash];
        }

        return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? (0, n, port)
            : (1, 0, port);
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private const string Css = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; }
.summary, .legend { color: #555; }
table { border-collapse: collapse; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: center; }
th.row { text-align: left; white-space: nowrap; background: #f6f6f6; }
th.group { background: #eef; }
th.port { font-weight: normal; font-family: monospace; background: #f6f6fb; }
th.corner { background: #fff; color: #888; font-weight: normal; }
.cell { width: 2.2em; cursor: help; }
.allow { background: #c8ecc8; color: #145214; }
.deny { background: #f3f3f3; color: #999; }
.partial { background: #f6e7b0; color: #7a5a00; }
.none { background: #fff; }
.bad { outline: 3px solid #d00; outline-offset: -3px; color: #d00; font-weight: bold; }
span.cell { display: inline-block; border: 1px solid #ccc; text-align: center; }

""";
}
