using System.Net;
using System.Text.RegularExpressions;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Probes;
using QaNet.Core.Reports;
using QaNet.Tests.Support;

namespace QaNet.Tests.Core;

/// <summary>
/// The report's grouped view: roles × endpoints, ports folded into one cell, both ways, the
/// deciding rule in the cell's text. Asserted on the HTML as a reader sees it (tags stripped).
/// </summary>
public partial class ReachabilityOverviewTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The report Export-QaReachabilityReport writes without input: the matrix, and the connections into clients.</summary>
    private static string FedoraReport()
    {
        var policy = ExamplePolicies.Fedora();
        var reach = QaReachability.Create(policy, At);
        var egress = reach.Matrix().Cells().ToList();
        var inbound = reach.Inbound(QaLiveMatrix.IngressPorts(policy)).ToList();
        var overview = ReachabilityOverview.Build(ReachabilityOverview.FlowsOf(policy, egress.Concat(inbound)), policy);
        return ReachabilityReport.Render("fedora-qa", ReportCells.From(egress), overview, At);
    }

    /// <summary>The lines of one overview cell: way, verdict, deciding rule and the visible text.</summary>
    private static List<(string Direction, string Verdict, string Rule, string Text)> Cell(string html, string group, string endpoint)
    {
        var td = Regex.Match(html, $"<td class=\"ov[^\"]*\" data-group=\"{Regex.Escape(group)}\" data-endpoint=\"{Regex.Escape(endpoint)}\">(?<inner>.*?)</td>");
        Assert.True(td.Success, $"no overview cell for {group} × {endpoint}");
        return LinePattern().Matches(td.Groups["inner"].Value)
            .Select(m => (m.Groups["dir"].Value, m.Groups["verdict"].Value, WebUtility.HtmlDecode(m.Groups["rule"].Value), Visible(m.Groups["inner"].Value)))
            .ToList();
    }

    private static string Visible(string html) => Regex.Replace(WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", " ")), @"\s+", " ").Trim();

    [Fact]
    public void Taskotron_and_koji_share_one_cell_listing_443_and_80_with_the_deciding_rule_in_its_text()
    {
        var html = FedoraReport();
        var line = Assert.Single(Cell(html, "taskotron", "koji"));
        Assert.Equal(("out", "allow", "taskotron-koji"), (line.Direction, line.Verdict, line.Rule));
        Assert.Equal("\u2192 80, 443/tcp taskotron-koji", line.Text);
        Assert.Empty(Cell(html, "beaker", "koji"));
    }

    [Fact]
    public void Rows_are_roles_with_their_clients_and_columns_the_endpoints_in_policy_order()
    {
        var html = FedoraReport();
        var overview = html[html.IndexOf("<table class=\"overview\">", StringComparison.Ordinal)..html.IndexOf("<h2>Every cell</h2>", StringComparison.Ordinal)];
        var rows = Regex.Matches(overview, "<th class=\"role\" data-group=\"(?<g>[^\"]+)\">(?<inner>.*?)</th>").ToList();
        Assert.Equal(["beaker", "taskotron"], rows.Select(r => r.Groups["g"].Value));
        Assert.Equal("taskotron 3 clients taskotron-client01 taskotron-client02 taskotron-client03", Visible(rows[1].Groups["inner"].Value));
        var columns = Regex.Matches(overview, "<th class=\"endpoint\">([^<]+)</th>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(ExamplePolicies.Fedora().Endpoints.Select(e => e.Name), columns);
        // One cell per role and endpoint, however many ports.
        Assert.Equal(2 * columns.Count, Regex.Count(overview, "<td class=\"ov"));
    }

    [Fact]
    public void Inbound_lines_show_the_management_hosts_and_a_rule_range_folded()
    {
        var html = FedoraReport();
        Assert.Equal([("in", "allow", "taskotron-master-ssh", "\u2190 22/tcp taskotron-master-ssh")],
            Cell(html, "taskotron", "taskotron-master").Where(l => l.Direction == "in"));
        Assert.Equal(["\u2190 22/tcp bastion-ssh"], Cell(html, "beaker", "bastion").Select(l => l.Text));
        var lab = Cell(html, "beaker", "beaker-lab");
        Assert.Contains(("out", "allow", "beaker-lab", "\u2192 80, 443, 8000/tcp, 69/udp beaker-lab"), lab);
        Assert.Contains(("in", "allow", "beaker-ssh", "\u2190 22/tcp beaker-ssh"), lab);
        // The matrix probes 7080-7099 at its ends; the cell shows the rule's range, not two ports.
        Assert.Contains(("in", "allow", "beaker-harness", "\u2190 7080-7099, 8081/tcp beaker-harness"), lab);
        Assert.Empty(Cell(html, "taskotron", "qa-lan"));
        Assert.DoesNotContain(Cell(html, "taskotron", "koji"), l => l.Direction == "in");
    }

    [Fact]
    public void The_detail_matrix_stays_one_cell_per_result_below_the_overview()
    {
        var policy = ExamplePolicies.Fedora();
        var cells = QaReachability.Create(policy, At).Matrix().Cells().Count();
        var html = FedoraReport();
        Assert.Equal(cells, Regex.Count(html, "<td class=\"cell (allow|deny)"));
        Assert.True(html.IndexOf("<table class=\"overview\">", StringComparison.Ordinal) < html.IndexOf("<table class=\"cells\">", StringComparison.Ordinal));
    }

    [Fact]
    public void A_member_counts_as_allowed_only_when_every_answer_for_it_is_and_partly_allowed_lines_say_how_many()
    {
        var https = new QaPortRange(QaProtocol.Tcp, 443, 443);
        OverviewFlow Flow(string member, bool allowed, string rule) =>
            new("web", "koji", OverviewDirection.Outbound, https, member, 1, allowed ? 1 : 0, [rule]);
        var overview = ReachabilityOverview.Build(
        [
            Flow("a", true, "web-koji"),
            Flow("b", true, "web-koji"),
            Flow("c", true, "web-koji"),
            Flow("c", false, "default deny"),   // c's IPv6 address is denied
        ]);
        var line = Assert.Single(overview.Lines("web", "koji"));
        Assert.Equal((false, true, 2, 3), (line.Allowed, line.Partial, line.AllowedMembers, line.Members));
        Assert.Equal(["default deny", "web-koji"], line.Rules);

        var html = ReachabilityReport.Render("t", [], overview, At);
        var cell = Assert.Single(Cell(html, "web", "koji"));
        Assert.Equal(("out", "partial"), (cell.Direction, cell.Verdict));
        Assert.Equal("\u2192 443/tcp 2 of 3 default deny, web-koji", cell.Text);
    }

    [Fact]
    public void Denials_by_a_rule_are_listed_and_default_denials_are_not()
    {
        var policy = ExamplePolicies.Fedora();
        policy.Rules.Add(new QaRule(policy, "no-koji-ssh", QaRuleKind.Block)
        {
            From = { QaSelector.Parse("role:taskotron") },
            To = { QaSelector.Parse("endpoint:koji") },
            Ports = { new QaPortRange(QaProtocol.Tcp, 22, 22) },
            Priority = 10,
        });
        var overview = ReachabilityOverview.Build(ReachabilityOverview.FlowsOf(policy, QaReachability.Create(policy, At).Matrix().Cells()), policy);
        var html = ReachabilityReport.Render("t", [], overview, At);
        Assert.Equal([("out", "allow", "taskotron-koji", "\u2192 80, 443/tcp taskotron-koji"), ("out", "deny", "no-koji-ssh", "\u2192 \u2717 22/tcp no-koji-ssh")],
            Cell(html, "taskotron", "koji"));
    }

    [Fact]
    public void By_role_rows_and_live_results_fold_into_the_same_cells()
    {
        var policy = ExamplePolicies.Fedora();
        var byRole = QaReachability.Create(policy, At).Matrix().ByRole().ToList();
        var html = ReachabilityReport.Render("roles", ReportCells.From(byRole), ReachabilityOverview.Build(ReachabilityOverview.FlowsOf(byRole), policy), At);
        Assert.Equal([("out", "allow", "taskotron-koji", "\u2192 80, 443/tcp taskotron-koji")], Cell(html, "taskotron", "koji"));

        QaLiveResult Live(string from, string to, bool allowed, bool observed, string? rule, QaLiveCellKind kind) => new()
        {
            From = from, To = to, SourceAddress = IPAddress.Loopback, DestinationAddress = IPAddress.Loopback, Port = 22, Protocol = QaProtocol.Tcp,
            Kind = kind, Allowed = allowed, RuleId = rule, Reason = "r", Observed = observed, ObservedDetail = observed ? "connected" : "timed out",
        };
        var live = ReachabilityOverview.Build(QaLiveMatrix.ToOverviewFlows(policy,
        [
            Live("bastion", "beaker-client01", true, true, "bastion-ssh", QaLiveCellKind.Ingress),
            Live("bastion", "beaker-client02", true, false, "bastion-ssh", QaLiveCellKind.Ingress),
            Live("beaker-client01", "beaker-client02", false, false, null, QaLiveCellKind.ClientToClient),
        ]), policy);
        var liveHtml = ReachabilityReport.Render("live", [], live, At);
        var line = Assert.Single(Cell(liveHtml, "beaker", "bastion"));
        Assert.Equal(("in", "allow"), (line.Direction, line.Verdict));
        Assert.Contains("! 22/tcp", line.Text, StringComparison.Ordinal);
        Assert.Matches("<div class=\"line in allow bad\"", liveHtml);
        Assert.Equal(["beaker"], live.Rows.Select(r => r.Group));
    }

    [Fact]
    public void Names_in_the_overview_are_html_encoded()
    {
        var overview = ReachabilityOverview.Build([new OverviewFlow("r<b>", "e&\"x", OverviewDirection.Outbound, new QaPortRange(QaProtocol.Tcp, 1, 1), "m<i>", 1, 1, ["id<script>"])]);
        var html = ReachabilityReport.Render("t", [], overview, At);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("data-endpoint=\"e&amp;&quot;x\"", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<div class=\"line (?<dir>out|in) (?<verdict>allow|partial|deny)[^\"]*\" data-direction=\"[a-z]+\" data-rule=\"(?<rule>[^\"]*)\" title=\"[^\"]*\">(?<inner>.*?)</div>")]
    private static partial Regex LinePattern();
}
