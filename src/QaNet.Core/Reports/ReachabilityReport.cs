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
/// external resources). First, when there is one, the <see cref="ReachabilityOverview"/>: rows
/// roles, columns endpoints, each cell listing the allowed ports each way with the deciding rule
/// in its text. Then every cell: rows are sources, column groups destinations, columns ports;
/// hover shows the deciding rule and the reason; cells where a live probe disagreed are marked.
/// </summary>
public static class ReachabilityReport
{
    public static string Render(string title, IEnumerable<ReportCell> cells, DateTimeOffset generatedAt) =>
        Render(title, cells, null, generatedAt);

    public static string Render(string title, IEnumerable<ReportCell> cells, ReachabilityOverview? overview, DateTimeOffset generatedAt)
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
        if (overview is { IsEmpty: false })
        {
            RenderOverview(sb, overview);
            sb.Append("<h2>Every cell</h2>\n");
        }

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
        sb.Append("<div class=\"matrix\">\n<table class=\"cells\">\n<thead>\n<tr><th rowspan=\"2\" class=\"corner\">from \\ to</th>");
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

        sb.Append("</tbody>\n</table>\n</div>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// The overview table: a role per row (its clients under the name), an endpoint per column,
    /// sticky headers; a cell has one line per way, verdict and deciding rule, the rule's id in
    /// the text. A line breaks only between two ports, never inside a port or a rule id; the table
    /// fills the page and scrolls in its own box when even that is too wide.
    /// </summary>
    private static void RenderOverview(StringBuilder sb, ReachabilityOverview overview)
    {
        sb.Append("<h2>By role and endpoint</h2>\n<p class=\"legend\">")
          .Append("<span class=\"line allow\"><span class=\"dir\">&#8594;</span> out</span> the role's clients may connect to the endpoint on these ports; ")
          .Append("<span class=\"line allow\"><span class=\"dir\">&#8592;</span> in</span> the endpoint may connect into the role's clients; ")
          .Append("under the ports, the rule that decides. <span class=\"line partial\">n of m</span> only some of the role's clients; ")
          .Append("<span class=\"line deny\">&#10007;</span> denied by a rule; an empty cell: nothing allowed (default deny).</p>\n");
        sb.Append("<div class=\"overview-box\">\n<table class=\"overview\">\n<thead>\n<tr><th class=\"corner\">role \\ endpoint</th>");
        foreach (var endpoint in overview.Endpoints)
        {
            sb.Append("<th class=\"endpoint\">").Append(E(endpoint)).Append("</th>");
        }

        sb.Append("</tr>\n</thead>\n<tbody>\n");
        foreach (var row in overview.Rows)
        {
            sb.Append("<tr><th class=\"role\" data-group=\"").Append(E(row.Group)).Append("\">").Append(E(row.Group))
              .Append("<span class=\"members\">")
              .Append(E(row.Members == 1 ? "1 client" : Inv($"{row.Members} clients")));
            foreach (var name in row.MemberNames)
            {
                sb.Append("<br>").Append(E(name));
            }

            sb.Append("</span></th>");
            foreach (var endpoint in overview.Endpoints)
            {
                var lines = overview.Lines(row.Group, endpoint);
                sb.Append("<td class=\"ov").Append(lines.Count == 0 ? " empty" : string.Empty).Append("\" data-group=\"").Append(E(row.Group))
                  .Append("\" data-endpoint=\"").Append(E(endpoint)).Append("\">");
                foreach (var line in lines)
                {
                    var outbound = line.Direction == OverviewDirection.Outbound;
                    var verdict = line.Allowed ? "allow" : line.Partial ? "partial" : "deny";
                    var rules = string.Join(", ", line.Rules);
                    var hover = new StringBuilder()
                        .Append(outbound ? row.Group + " \u2192 " + endpoint + " " : endpoint + " \u2192 " + row.Group + " ").Append(line.PortText).Append(": ")
                        .Append(line.Allowed ? "allowed" : line.Partial ? Inv($"allowed for {line.AllowedMembers} of {line.Members} clients") : "denied")
                        .Append(" by ").Append(rules).Append('.');
                    if (!line.Conforms)
                    {
                        hover.Append(" A live probe DOES NOT CONFORM.");
                    }

                    sb.Append("<div class=\"line ").Append(outbound ? "out " : "in ").Append(verdict).Append(line.Conforms ? string.Empty : " bad")
                      .Append("\" data-direction=\"").Append(outbound ? "out" : "in").Append("\" data-rule=\"").Append(E(rules))
                      .Append("\" title=\"").Append(E(hover.ToString())).Append("\">")
                      .Append("<span class=\"dir\">").Append(outbound ? "&#8594;" : "&#8592;").Append("</span> ")
                      .Append(line.Allowed || line.Partial ? string.Empty : "&#10007; ")
                      .Append(line.Conforms ? string.Empty : "! ")
                      .Append("<span class=\"ports\">").Append(E(line.PortText)).Append("</span>")
                      .Append(line.Partial ? Inv($" <span class=\"count\">{line.AllowedMembers} of {line.Members}</span>") : string.Empty)
                      .Append("<span class=\"rule\">").Append(E(rules)).Append("</span></div>");
                }

                sb.Append("</td>");
            }

            sb.Append("</tr>\n");
        }

        sb.Append("</tbody>\n</table>\n</div>\n");
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
h2 { font-size: 1.1em; margin-top: 1.4em; }
.matrix, .overview-box { overflow-x: auto; max-width: 100%; }
.overview-box { max-height: 80vh; overflow-y: auto; }
table.overview { font-size: 0.8em; width: 100%; }
table.overview th { position: sticky; top: 0; z-index: 1; background: #eef; white-space: nowrap; padding: 3px 5px; }
table.overview th.role { position: sticky; left: 0; z-index: 1; text-align: left; vertical-align: top; background: #f6f6f6; }
table.overview th.corner { left: 0; z-index: 2; background: #fff; }
th.role .members { display: block; font-weight: normal; font-size: 0.85em; color: #666; }
td.ov { vertical-align: top; text-align: left; padding: 2px; white-space: nowrap; }
td.ov.empty { background: #fafafa; }
.line { display: block; margin: 1px 0; padding: 1px 4px; border-radius: 3px; white-space: nowrap; }
span.line { display: inline-block; }
.line .dir { font-weight: bold; }
.line .ports { font-weight: 600; white-space: normal; }
.line .rule { display: block; font-size: 0.85em; color: #555; font-family: monospace; }
.line .count { font-size: 0.85em; }
.line.in { border-left: 3px solid #188038; }
.line.out { border-left: 3px solid #1a73e8; }
.line.deny { background: #f6e0e0; color: #8a1c1c; }

""";
}
