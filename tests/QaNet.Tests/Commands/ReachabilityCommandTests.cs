using System.Text.RegularExpressions;
using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>
/// Test-QaReachability, Test-QaPolicy, Compare-QaPolicy, Export-QaReachabilityReport and the
/// assertion cmdlets: binding, parameter sets and error ids. What the answers mean for the
/// Fedora QA layout is in tests/pester/Reachability.Tests.ps1.
/// </summary>
public sealed partial class ReachabilityCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("qanet-reach-").FullName;

    [Theory]
    [InlineData("Test-QaReachability -From nope -To koji -Port 443", "NotFound,QaNet.Commands.TestQaReachabilityCommand")]
    [InlineData("Test-QaReachability -From koji -To bastion -Port 70000", "InvalidPort,QaNet.Commands.TestQaReachabilityCommand")]
    [InlineData("Test-QaReachability -From taskotron-client01 -To koji -Port 443/tpc", "InvalidPort,QaNet.Commands.TestQaReachabilityCommand")]
    [InlineData("Test-QaReachability -All -Port 8443/sctp", "InvalidPort,QaNet.Commands.TestQaReachabilityCommand")]
    [InlineData("Test-QaReachability -All -From koji", "AmbiguousParameterSet,QaNet.Commands.TestQaReachabilityCommand")]
    [InlineData("Test-QaReachability -From koji -To bastion -Port 22 -ByRole", "AmbiguousParameterSet,QaNet.Commands.TestQaReachabilityCommand")]
    [InlineData("Add-QaAssertion taskotron-client01 nope 443/tcp -Expect Allow", "UnknownReference,QaNet.Commands.AddQaAssertionCommand")]
    [InlineData("Add-QaAssertion taskotron-client01 koji 7080-7099/tcp -Expect Allow", "InvalidPort,QaNet.Commands.AddQaAssertionCommand")]
    [InlineData("Add-QaAssertion taskotron-client01 koji 443/sctp -Expect Allow", "InvalidPort,QaNet.Commands.AddQaAssertionCommand")]
    [InlineData("Add-QaAssertion taskotron-client01 koji 443/tcp -Expect Maybe", "ParameterArgumentValidationError,QaNet.Commands.AddQaAssertionCommand")]
    [InlineData("Remove-QaAssertion ([QaNet.Core.Model.QaAssertion]::new('koji', 'bastion', [QaNet.Core.Model.QaPortRange]::Parse('22'), $true)) -Confirm:$false", "NotFound,QaNet.Commands.RemoveQaAssertionCommand")]
    [InlineData("Compare-QaPolicy -Reference ./does-not-exist.yaml", "PolicyFileNotFound,QaNet.Commands.CompareQaPolicyCommand")]
    [InlineData("Compare-QaPolicy -Reference 42", "InvalidPolicyArgument,QaNet.Commands.CompareQaPolicyCommand")]
    [InlineData("Compare-QaPolicy -Reference $p -Difference Env:HOME", "NotFileSystemPath,QaNet.Commands.CompareQaPolicyCommand")]
    [InlineData("Export-QaReachabilityReport -Path Env:QANET_TEST", "NotFileSystemPath,QaNet.Commands.ExportQaReachabilityReportCommand")]
    [InlineData("'not a result' | Export-QaReachabilityReport -Path ./report.html -WhatIf", "InvalidReportInput,QaNet.Commands.ExportQaReachabilityReportCommand")]
    public void Bad_input_gives_a_stable_error_id(string script, string expected)
    {
        using var s = PowerShellSession.WithExample();
        Assert.Equal(expected, s.ErrorId(script));
    }

    [Theory]
    [InlineData("Test-QaReachability koji bastion 22", "TestQaReachabilityCommand")]
    [InlineData("Test-QaReachability -All", "TestQaReachabilityCommand")]
    [InlineData("Test-QaPolicy", "TestQaPolicyCommand")]
    [InlineData("Compare-QaPolicy -Reference 'REFERENCE'", "CompareQaPolicyCommand")]
    [InlineData("Add-QaAssertion koji bastion 22/tcp -Expect Deny", "AddQaAssertionCommand")]
    [InlineData("Get-QaAssertion", "GetQaAssertionCommand")]
    [InlineData("Export-QaReachabilityReport -Path ./report.html", "ExportQaReachabilityReportCommand")]
    public void Without_a_policy_the_call_fails_with_NoCurrentPolicy(string script, string command)
    {
        using var s = new PowerShellSession();
        Assert.Equal($"NoCurrentPolicy,QaNet.Commands.{command}",
            s.ErrorId(script.Replace("REFERENCE", ExamplePolicies.FedoraQaPath, StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_name_is_reported_on_the_side_that_is_unknown()
    {
        using var s = PowerShellSession.WithExample();
        var error = Assert.Single(s.Errors("Test-QaReachability -From taskotron-client01 -To nope -Port 443"));
        Assert.Equal("NotFound,QaNet.Commands.TestQaReachabilityCommand", error.FullyQualifiedErrorId);
        Assert.Equal("nope", error.TargetObject);
    }

    [Fact]
    public void Quiet_gives_one_boolean_and_objects_are_the_default()
    {
        using var s = PowerShellSession.WithExample();
        Assert.True(s.Single<bool>("Test-QaReachability taskotron-client01 koji 443 -Quiet"));
        Assert.False(s.Single<bool>("Test-QaReachability taskotron-client01 koji 443, 22 -Quiet"));
        var results = s.Run("Test-QaReachability taskotron-client01 koji 443, 22").Select(o => (QaReachabilityResult)o.BaseObject).ToList();
        Assert.Equal([(443, true), (22, false)], results.Select(r => (r.Port, r.Allowed)));
    }

    [Fact]
    public void Objects_bind_by_name_and_results_pipe_back_in()
    {
        using var s = PowerShellSession.WithExample();
        Assert.Equal("taskotron-koji", s.Single<QaReachabilityResult>("Test-QaReachability -From (Get-QaClient taskotron-client01) -To (Get-QaEndpoint koji) -Port 443").RuleId);
        var again = s.Run("Test-QaReachability -All | Select-Object -First 20 | Test-QaReachability").Select(o => (QaReachabilityResult)o.BaseObject).ToList();
        var first = s.Run("Test-QaReachability -All | Select-Object -First 20").Select(o => (QaReachabilityResult)o.BaseObject).ToList();
        Assert.Equal(first.Select(r => (r.From, r.To, r.Port, r.Allowed, r.RuleId)), again.Select(r => (r.From, r.To, r.Port, r.Allowed, r.RuleId)));
    }

    [Theory]
    // -Port takes the port syntax of Add-QaEndpoint, Grant-QaEgress and the policy file (issue 17);
    // a bare port takes -Protocol, as before.
    [InlineData("-Port 443/tcp", new[] { "443/Tcp" })]
    [InlineData("-Port 443", new[] { "443/Tcp" })]
    [InlineData("-Port 443/tcp, 80/tcp, 22", new[] { "443/Tcp", "80/Tcp", "22/Tcp" })]
    [InlineData("-Port 53 -Protocol Udp", new[] { "53/Udp" })]
    [InlineData("-Port 53/udp", new[] { "53/Udp" })]
    [InlineData("-Port 442-444/tcp", new[] { "442/Tcp", "443/Tcp", "444/Tcp" })]
    [InlineData("-Port icmp", new[] { "0/Icmp" })]
    [InlineData("-Port 0 -Protocol Icmp", new[] { "0/Icmp" })]
    public void Port_takes_the_port_syntax_of_the_other_cmdlets(string port, string[] expected)
    {
        using var s = PowerShellSession.WithExample();
        var results = s.Run($"Test-QaReachability -From taskotron-client01 -To koji {port}").Select(o => (QaReachabilityResult)o.BaseObject).ToList();
        Assert.Equal(expected, results.Select(r => $"{r.Port}/{r.Protocol}"));
        // taskotron-koji allows koji's own ports, 80/tcp and 443/tcp; nothing else.
        Assert.Equal(expected.Select(e => e is "80/Tcp" or "443/Tcp"), results.Select(r => r.Allowed));
    }

    [Fact]
    public void Assertions_pipe_in_by_property_name_with_their_port_and_protocol()
    {
        using var s = PowerShellSession.WithExample();
        var assertions = s.Run("Get-QaAssertion").Select(o => (QaAssertion)o.BaseObject).ToList();
        var results = s.Run("Get-QaAssertion | Test-QaReachability").Select(o => (QaReachabilityResult)o.BaseObject).ToList();
        Assert.Contains(assertions, a => a.Port.Protocol == QaProtocol.Udp);
        Assert.Equal(
            assertions.Select(a => (a.From, a.To, a.Port.From, a.Port.Protocol, a.ExpectAllowed)),
            results.Select(r => (r.From, r.To, r.Port, r.Protocol, r.Allowed)));
    }

    [Fact]
    public void At_judges_rule_expiry_at_another_moment()
    {
        using var s = PowerShellSession.WithExample();
        s.Run("$null = Grant-QaEgress -Role beaker -Endpoint koji -Port 443/tcp -Id temp-koji -ExpiresAt (Get-Date).AddDays(1)");
        Assert.True(s.Single<bool>("Test-QaReachability beaker-client01 koji 443 -Quiet"));
        Assert.False(s.Single<bool>("Test-QaReachability beaker-client01 koji 443 -Quiet -At (Get-Date).AddDays(2)"));
        Assert.Contains(s.Run("Test-QaPolicy -At (Get-Date).AddDays(2)"), o => ((QaPolicyFinding)o.BaseObject).Kind == QaFindingKind.ExpiredRule);
    }

    [Fact]
    public void All_streams_cells_and_takes_extra_ports()
    {
        using var s = PowerShellSession.WithExample();
        Assert.Single(s.Run("Test-QaReachability -All | Select-Object -First 1"));
        var ports = s.Run("Test-QaReachability -All -Port 8443, 5353 -Protocol Udp | ForEach-Object { '{0}/{1}' -f $_.Port, $_.Protocol } | Sort-Object -Unique")
            .Select(o => (string)o.BaseObject).ToList();
        Assert.Contains("8443/Udp", ports);
        Assert.Contains("5353/Udp", ports);
        Assert.Contains("443/Tcp", ports);
        var roles = s.Run("Test-QaReachability -All -ByRole").Select(o => (QaRoleReachabilityResult)o.BaseObject).ToList();
        Assert.Equal(["beaker", "taskotron"], roles.Select(r => r.Role).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_refused_assertion_changes_nothing_and_a_good_one_round_trips_through_the_file()
    {
        using var s = PowerShellSession.WithExample();
        var before = s.Single<int>("@(Get-QaAssertion).Count");
        s.Errors("Add-QaAssertion taskotron-client01 nope 443/tcp -Expect Allow");
        Assert.Equal(before, s.Single<int>("@(Get-QaAssertion).Count"));

        var added = s.Single<QaAssertion>("Add-QaAssertion taskotron-client01 resultsdb 443 -Expect Allow -Description 'results go up'");
        Assert.Equal(new QaPortRange(QaProtocol.Tcp, 443, 443), added.Port);
        var file = Path.Combine(directory, "qa.yaml");
        s.Run($"Export-QaPolicy -Path '{file}'; $q = Import-QaPolicy '{file}'");
        var back = s.Single<QaAssertion>("Get-QaAssertion -Policy $q -From taskotron-client01 -To resultsdb");
        Assert.Equal((true, "results go up"), (back.ExpectAllowed, back.Description));
    }

    [Fact]
    public void Get_filters_and_Remove_takes_piped_assertions()
    {
        using var s = PowerShellSession.WithExample();
        Assert.Equal(3, s.Run("Get-QaAssertion -From beaker-*").Count);
        Assert.Single(s.Run("Get-QaAssertion -From taskotron-* -To *client*"));
        var removed = s.Run("Get-QaAssertion -To koji | Remove-QaAssertion -Confirm:$false -PassThru");
        Assert.Equal(2, removed.Count);
        Assert.Empty(s.Run("Get-QaAssertion -To koji"));
        Assert.Equal(6, s.Single<int>("@(Get-QaAssertion).Count"));
    }

    [Theory]
    [InlineData("Add-QaAssertion koji bastion 22/tcp -Expect Deny -WhatIf")]
    [InlineData("Get-QaAssertion | Remove-QaAssertion -WhatIf")]
    public void WhatIf_changes_no_assertion(string script)
    {
        using var s = PowerShellSession.WithExample();
        Assert.Empty(s.Run(script));
        Assert.Equal(8, s.Single<int>("@(Get-QaAssertion).Count"));
    }

    [Fact]
    public void Compare_takes_policies_paths_and_files()
    {
        using var s = PowerShellSession.WithExample();
        var path = ExamplePolicies.FedoraQaPath;
        Assert.Empty(s.Run($"Compare-QaPolicy -Reference '{path}' -Difference (Get-Item '{path}')"));
        Assert.Empty(s.Run($"Compare-QaPolicy -Reference $p -Difference '{path}'"));
        s.Run("Revoke-QaRule -Id beaker-lab -Confirm:$false");
        var changes = s.Run($"Compare-QaPolicy '{path}'").Select(o => (QaFlowChange)o.BaseObject).ToList();
        Assert.NotEmpty(changes);
        Assert.All(changes, c => Assert.Equal(("beaker-lab", "default deny"), (c.RuleBefore, c.RuleAfter)));
        Assert.Equal(changes.Count, s.Run($"$p | Compare-QaPolicy -Reference '{path}'").Count);
    }

    [Fact]
    public void Report_is_the_policy_matrix_without_input_and_the_input_otherwise()
    {
        using var s = PowerShellSession.WithExample();
        var file = Path.Combine(directory, "r.html");
        var cells = s.Single<int>("@(Test-QaReachability -All).Count");
        var info = s.Single<FileInfo>($"Export-QaReachabilityReport -Path '{file}' -PassThru");
        Assert.Equal(file, info.FullName);
        Assert.Equal(cells, CellPattern().Count(File.ReadAllText(file)));

        s.Run($"Test-QaReachability taskotron-client01 koji 443, 22 | Export-QaReachabilityReport -Path '{file}' -Title 'two'");
        Assert.Equal(2, CellPattern().Count(File.ReadAllText(file)));
        Assert.Contains("<title>two</title>", File.ReadAllText(file), StringComparison.Ordinal);

        s.Run($"Test-QaReachability -All | Where-Object {{ $false }} | Export-QaReachabilityReport -Path '{file}'");
        Assert.Equal(0, CellPattern().Count(File.ReadAllText(file)));
    }

    [Fact]
    public void Report_of_the_by_role_view_has_a_row_per_role_and_a_cell_per_result()
    {
        using var s = PowerShellSession.WithExample();
        var file = Path.Combine(directory, "roles.html");
        var results = s.Run("Test-QaReachability -All -ByRole").Select(o => (QaRoleReachabilityResult)o.BaseObject).ToList();
        var info = s.Single<FileInfo>($"Test-QaReachability -All -ByRole | Export-QaReachabilityReport -Path '{file}' -PassThru");
        var html = File.ReadAllText(info.FullName);
        Assert.Equal(results.Count, CellPattern().Count(html));
        Assert.All(results.Select(r => r.Role).Distinct(), role => Assert.Contains($"<th class=\"row\">{role}</th>", html, StringComparison.Ordinal));
        Assert.Contains("<title>QaNet reachability by role</title>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_opens_with_roles_by_endpoints_outbound_and_inbound_with_the_deciding_rule_in_the_text()
    {
        using var s = PowerShellSession.WithExample();
        var file = Path.Combine(directory, "r.html");
        s.Run($"Export-QaReachabilityReport -Path '{file}'");
        var html = File.ReadAllText(file);
        var cell = OverviewCell(html, "taskotron", "koji");
        Assert.Contains("<div class=\"line out allow\" data-direction=\"out\" data-rule=\"taskotron-koji\"", cell, StringComparison.Ordinal);
        Assert.Contains("<span class=\"ports\">80, 443/tcp</span><span class=\"rule\">taskotron-koji</span>", cell, StringComparison.Ordinal);
        // Inbound, computed from the policy: the bastion may ssh into every client, koji into none.
        Assert.Contains("data-rule=\"bastion-ssh\"", OverviewCell(html, "beaker", "bastion"), StringComparison.Ordinal);
        Assert.DoesNotContain("line in", cell, StringComparison.Ordinal);

        // Piped by-role rows fold into the same cell; the per-cell matrix stays below.
        s.Run($"Test-QaReachability -All -ByRole | Export-QaReachabilityReport -Path '{file}'");
        html = File.ReadAllText(file);
        Assert.Contains("<span class=\"ports\">80, 443/tcp</span><span class=\"rule\">taskotron-koji</span>", OverviewCell(html, "taskotron", "koji"), StringComparison.Ordinal);
        Assert.Contains("<h2>Every cell</h2>", html, StringComparison.Ordinal);
    }

    private static string OverviewCell(string html, string group, string endpoint)
    {
        var m = Regex.Match(html, $"<td class=\"ov[^\"]*\" data-group=\"{group}\" data-endpoint=\"{endpoint}\">(.*?)</td>");
        Assert.True(m.Success, $"no overview cell {group} × {endpoint}");
        return m.Groups[1].Value;
    }

    [Fact]
    public void Report_NoClobber_and_WhatIf_leave_the_file_alone()
    {
        using var s = PowerShellSession.WithExample();
        var file = Path.Combine(directory, "r.html");
        Assert.Empty(s.Run($"Export-QaReachabilityReport -Path '{file}' -WhatIf"));
        Assert.False(File.Exists(file));
        File.WriteAllText(file, "existing");
        var error = Assert.Single(s.Errors($"Set-Location '{directory}'; Export-QaReachabilityReport -Path ./r.html -NoClobber"));
        Assert.Equal("ReportFileExists,QaNet.Commands.ExportQaReachabilityReportCommand", error.FullyQualifiedErrorId);
        Assert.Equal(file, error.TargetObject);
        Assert.Equal("existing", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("Test-QaReachability -From beaker-c", new[] { "beaker-client01", "beaker-client02" })]
    [InlineData("Test-QaReachability -From koji -To beak", new[] { "beaker", "beaker-client01", "beaker-client02", "beaker-lab", "beaker-server" })]
    [InlineData("Add-QaAssertion -From beak", new[] { "beaker-client01", "beaker-client02", "beaker-lab", "beaker-server" })]
    [InlineData("Get-QaAssertion -To ko", new[] { "koji", "kojipkgs" })]
    public void Flow_ends_complete_from_the_policy(string line, string[] expected)
    {
        using var s = PowerShellSession.WithExample();
        var completions = s.Run($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches.CompletionText")
            .Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal);
        Assert.Equal(expected, completions);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [GeneratedRegex("<td class=\"cell (allow|deny|partial)")]
    private static partial Regex CellPattern();
}
