using System.Text.RegularExpressions;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Reports;

namespace QaNet.Tests.Core;

public class ReachabilityReportTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private static ReportCell[] Cells() =>
    [
        new("taskotron-client01", "koji", "443/tcp", true, "taskotron-koji", "matches taskotron-koji"),
        new("taskotron-client01", "koji", "22/tcp", false, null, "no rule matches"),
        new("beaker-client01", "koji", "443/tcp", false, null, "no rule matches"),
        new("beaker-client01", "lab-controller", "69/udp", true, "beaker-tftp", "matches beaker-tftp"),
    ];

    [Fact]
    public void One_cell_per_result_with_the_deciding_rule_on_hover()
    {
        var html = ReachabilityReport.Render("fedora-qa", Cells(), At);
        var cells = Regex.Matches(html, "<td class=\"cell (?<cls>[a-z ]+)\"(?: title=\"(?<title>[^\"]*)\" data-rule=\"(?<rule>[^\"]*)\")?>").ToList();
        // 2 rows x (koji: 22, 443 + lab-controller: 69) = 6 positions, 4 filled.
        Assert.Equal(6, cells.Count);
        Assert.Equal(2, cells.Count(m => m.Groups["cls"].Value == "none"));
        var koji443 = cells.Single(m => m.Groups["title"].Value.StartsWith("taskotron-client01 \u2192 koji 443/tcp", StringComparison.Ordinal));
        Assert.Equal("allow", koji443.Groups["cls"].Value);
        Assert.Equal("taskotron-koji", koji443.Groups["rule"].Value);
        Assert.Contains("allowed by taskotron-koji", koji443.Groups["title"].Value, StringComparison.Ordinal);
        Assert.Contains("4 cells: 2 allowed, 2 denied", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Ports_sort_numerically_within_a_destination()
    {
        var html = ReachabilityReport.Render("t", Cells(), At);
        Assert.True(html.IndexOf(">22/tcp<", StringComparison.Ordinal) < html.IndexOf(">443/tcp<", StringComparison.Ordinal));
    }

    [Fact]
    public void Live_cells_that_disagree_are_marked_and_counted()
    {
        var cells = Cells().Select((c, i) => c with { Observed = i == 1 ? true : c.Allowed, ObservedDetail = "connected" }).ToArray();
        var html = ReachabilityReport.Render("live", cells, At);
        Assert.Contains("3 conform, 1 do not", html, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(html, "<td class=\"cell [a-z]+ bad\""));
        Assert.Contains("DOES NOT CONFORM", html, StringComparison.Ordinal);
    }

    [Fact]
    public void By_role_rows_are_roles_and_a_partly_allowed_row_is_marked_and_counted()
    {
        QaRoleReachabilityResult[] rows =
        [
            new("taskotron", "koji", 443, QaProtocol.Tcp, 3, 3, ["taskotron-koji"]),
            new("taskotron", "koji", 22, QaProtocol.Tcp, 3, 0, ["default deny"]),
            new("beaker", "koji", 443, QaProtocol.Tcp, 2, 1, ["beaker-koji", "default deny"]),
        ];
        var cells = ReportCells.From(rows);
        Assert.Equal([null, "beaker-koji, default deny"], cells.Skip(1).Select(c => c.RuleId));
        Assert.Equal([false, false, true], cells.Select(c => c.Partial));

        var html = ReachabilityReport.Render("roles", cells, At);
        Assert.Contains("3 cells: 1 allowed, 1 partly allowed, 1 denied", html, StringComparison.Ordinal);
        var partial = Assert.Single(Regex.Matches(html, "<td class=\"cell partial\" title=\"(?<title>[^\"]*)\"")).Groups["title"].Value;
        Assert.StartsWith("beaker \u2192 koji 443/tcp: partly allowed by beaker-koji, default deny. 1 of 2", partial, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_are_html_encoded()
    {
        var html = ReachabilityReport.Render("<script>x</script>", [new("a<b", "c&d", "1/tcp", true, "r\"1", "why <not>")], At);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("a&lt;b", html, StringComparison.Ordinal);
        Assert.Contains("c&amp;d", html, StringComparison.Ordinal);
        Assert.Contains("data-rule=\"r&quot;1\"", html, StringComparison.Ordinal);
    }
}
