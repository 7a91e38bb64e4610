using System.Text.RegularExpressions;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Reports;
using QaNet.Policy;
using QaNet.Tests.Support;

namespace QaNet.Tests.Core;

/// <summary>Export-QaTopology's graph (pure: DOT text and the cmdlet with a scripted dot); real dot in tests/pester/Topology.Tests.ps1.</summary>
public partial class TopologyGraphTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [GeneratedRegex("""^\s*"(?<from>[^"]+)" -> "(?<to>[^"]+)" \[(?<attrs>.*)\];$""", RegexOptions.Multiline)]
    private static partial Regex EdgeRegex();

    private sealed record Edge(string From, string To, string Attrs)
    {
        public string Label => Regex.Match(Attrs, "label=\"(?<l>(?:[^\"\\\\]|\\\\.)*)\"").Groups["l"].Value;
    }

    private static List<Edge> Edges(string dot) =>
        EdgeRegex().Matches(dot).Select(m => new Edge(m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["attrs"].Value)).ToList();

    private static Edge One(List<Edge> edges, string from, string to) => Assert.Single(edges, e => e.From == from && e.To == to);

    [Fact]
    public void Roles_reach_endpoints_on_the_ports_the_engine_allows_and_nothing_else()
    {
        var edges = Edges(TopologyGraph.Render(ExamplePolicies.Fedora(), At));

        var koji = One(edges, "role/virthost-comm01/qa-clients/taskotron", "ep/koji");
        Assert.Equal("80/tcp, 443/tcp\\nby taskotron-koji", koji.Label);
        Assert.DoesNotContain("dashed", koji.Attrs, StringComparison.Ordinal);
        Assert.Single(edges, e => e.From == "role/virthost-comm02/qa-clients/taskotron" && e.To == "ep/koji");
        // Beaker clients have no grant to koji: default deny draws no edge.
        Assert.DoesNotContain(edges, e => e.From.EndsWith("/beaker", StringComparison.Ordinal) && e.To == "ep/koji");
        // Every outbound edge is one the engine allows for the whole role.
        var matrix = QaNet.Core.Engine.QaReachability.Create(ExamplePolicies.Fedora(), At).Matrix();
        var allowed = matrix.ByRole().Where(r => r.Allowed).Select(r => (r.Role, r.To)).ToHashSet();
        Assert.All(edges.Where(e => e.From.StartsWith("role/", StringComparison.Ordinal)),
            e => Assert.Contains((e.From.Split('/')[3], e.To[3..]), allowed));
        Assert.Equal(allowed.Count, edges.Where(e => e.From.StartsWith("role/virthost-comm02/", StringComparison.Ordinal)).Select(e => (e.From.Split('/')[3], e.To[3..])).Distinct().Count());
    }

    [Fact]
    public void Ingress_rules_are_edges_from_management_hosts_with_ranges_and_rule_ids()
    {
        var dot = TopologyGraph.Render(ExamplePolicies.Fedora(), At);
        var edges = Edges(dot);

        var fromLab = edges.Where(e => e.From == "ep/beaker-lab" && e.To == "role/virthost-comm02/qa-clients/beaker").Select(e => e.Label).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "22/tcp\\nby beaker-ssh", "7080-7099/tcp, 8081/tcp\\nby beaker-harness" }, fromLab);
        Assert.Equal("22/tcp\\nby bastion-ssh", One(edges, "ep/bastion", "net/virthost-comm01/qa-clients").Label);
        Assert.Equal("22/tcp\\nby bastion-ssh", One(edges, "ep/bastion", "net/virthost-comm02/qa-clients").Label);
        Assert.Matches("\"ep/bastion\" \\[fillcolor=\"#e6f4ea\", shape=component, label=\"management host bastion", dot);
        Assert.Matches("\"ep/koji\" \\[fillcolor=\"#f3f3f3\", label=\"koji\\\\nkoji.fedoraproject.org\\\\n\\[prod\\]\"", dot);
    }

    [Fact]
    public void Clients_are_grouped_by_role_inside_their_virthost()
    {
        var dot = TopologyGraph.Render(ExamplePolicies.Fedora(), At);

        Assert.Contains("\"role/virthost-comm01/qa-clients/taskotron\" [fillcolor=\"#fff4dd\", label=\"role taskotron (2)\\ntaskotron-client01\\ntaskotron-client02\"];", dot, StringComparison.Ordinal);
        Assert.Contains("\"role/virthost-comm02/qa-clients/beaker\" [fillcolor=\"#fff4dd\", label=\"role beaker (2)\\nbeaker-client01\\nbeaker-client02\"];", dot, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(dot, "label=\"virthost virthost-comm0[12]\""));
        Assert.DoesNotContain("role/virthost-comm01/qa-clients/beaker", dot, StringComparison.Ordinal);
    }

    [Fact]
    public void A_grant_to_some_members_of_a_role_is_dashed_with_how_many()
    {
        var text = ExamplePolicies.Text(ExamplePolicies.FedoraQaFile).Replace("rules:\n", """
            rules:
              - id: beaker01-koji
                kind: egress
                from: client:beaker-client01
                to: endpoint:koji

            """.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        var edges = Edges(TopologyGraph.Render(PolicyYaml.Parse(text, "partial.yaml"), At));

        var edge = One(edges, "role/virthost-comm02/qa-clients/beaker", "ep/koji");
        Assert.Contains("style=dashed", edge.Attrs, StringComparison.Ordinal);
        Assert.Equal("80/tcp, 443/tcp (1 of 2)\\nby beaker01-koji, default deny", edge.Label);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("two\nlines", "\"two\\nlines\"")]
    [InlineData("}; \"x\" -> \"y\"; {", "\"}; \\\"x\\\" -> \\\"y\\\"; {\"")]
    [InlineData("bell\u0007\r", "\"bell\"")]
    public void Quote_keeps_every_string_one_DOT_string(string text, string quoted) => Assert.Equal(quoted, TopologyGraph.Quote(text));

    [Fact]
    public void A_hostile_description_stays_inside_the_graph_label()
    {
        var policy = ExamplePolicies.Fedora();
        policy.Description = "x\"]; evil -> koji; \\\"";
        var dot = TopologyGraph.Render(policy, At);
        var clean = ExamplePolicies.Fedora();
        clean.Description = "x";
        Assert.Equal(Edges(TopologyGraph.Render(clean, At)).Count, Edges(dot).Count);
        Assert.DoesNotContain(Edges(dot), e => e.From == "evil");
    }

    [Fact]
    public void The_cmdlet_writes_DOT_for_a_dot_path_without_running_anything()
    {
        var runner = new RecordingRunner(new ScriptedRunner(_ => CommandResult.Fail(127, "not here")));
        using var s = PowerShellSession.WithExample();
        s.Runner = runner;
        var path = Path.Combine(Path.GetTempPath(), $"qanet-topo-{Guid.NewGuid():N}.dot");
        try
        {
            var file = s.Single<FileInfo>($"Export-QaTopology -Path '{path}' -PassThru");
            Assert.StartsWith("digraph \"qanet:fedora-qa\" {", File.ReadAllText(file.FullName), StringComparison.Ordinal);
            Assert.Empty(runner.Commands);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Without_dot_an_svg_is_TopologyRenderFailed_and_nothing_is_written()
    {
        var runner = new RecordingRunner(new ScriptedRunner(_ => CommandResult.Fail(127, "dot: not found")));
        using var s = PowerShellSession.WithExample();
        s.Runner = runner;
        var path = Path.Combine(Path.GetTempPath(), $"qanet-topo-{Guid.NewGuid():N}.svg");

        var error = Assert.Single(s.Errors($"Export-QaTopology -Path '{path}'"));

        Assert.StartsWith("TopologyRenderFailed", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("apt-get install graphviz", error.ErrorDetails?.RecommendedAction ?? error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        var dot = Assert.Single(runner.Commands);
        Assert.Equal(new[] { "-Tsvg" }, dot.Arguments);
        Assert.StartsWith("digraph ", dot.StdinText, StringComparison.Ordinal);
    }

    [Fact]
    public void WhatIf_renders_and_writes_nothing()
    {
        using var s = PowerShellSession.WithExample();
        var path = Path.Combine(Path.GetTempPath(), $"qanet-topo-{Guid.NewGuid():N}.dot");
        s.Run($"Export-QaTopology -Path '{path}' -WhatIf");
        Assert.False(File.Exists(path));
    }
}
