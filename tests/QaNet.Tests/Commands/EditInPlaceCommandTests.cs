using System.Management.Automation;
using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Tests.Commands;

/// <summary>
/// Issue 17, every noun editable in place: Set-/Remove-QaEndpoint, Set-/Enable-/Disable-QaRule,
/// Remove-QaGroup and the name map cmdlets (Get-/Add-/Remove-QaHostName), hosted in PowerShell:
/// what they change, that bad input is an error id with nothing changed, -WhatIf, pipelines by
/// property name, completion, and that the policy file carries the change.
/// </summary>
public sealed class EditInPlaceCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("qanet-edit-").FullName;

    private static QaEndpoint Endpoint(PowerShellSession s, string name) => s.Single<QaEndpoint>($"Get-QaEndpoint {name}");

    private static QaRule Rule(PowerShellSession s, string id) => s.Single<QaRule>($"Get-QaRule {id}");

    private static string Id(PowerShellSession s, string script) => Assert.Single(s.Errors(script)).FullyQualifiedErrorId;

    // Set-QaEndpoint

    [Fact]
    public void Set_QaEndpoint_replaces_the_given_properties_and_keeps_the_others()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var koji = s.Single<QaEndpoint>("Set-QaEndpoint koji -Port 443/tcp, 8443/tcp -Address 203.0.113.10 -Environment prod -Description 'build system' -PassThru");
        Assert.Equal(["443/tcp", "8443/tcp"], koji.Ports.Select(p => p.ToString()));
        Assert.Equal(["203.0.113.10/32"], koji.Addresses.Select(a => a.ToString()));
        Assert.Equal(["koji.fedoraproject.org"], koji.HostNames);
        Assert.Equal(("prod", "build system"), (koji.Environment, koji.Description));

        s.Run("Set-QaEndpoint koji -Description '' -HostName @()");
        Assert.Null(Endpoint(s, "koji").Description);
        Assert.Empty(Endpoint(s, "koji").HostNames);
        Assert.Equal("prod", Endpoint(s, "koji").Environment);
    }

    [Theory]
    [InlineData("Set-QaEndpoint koji -Port 443/tpc", "InvalidPort")]
    [InlineData("Set-QaEndpoint koji -Port 99-10/tcp", "PortRangeReversed")]
    [InlineData("Set-QaEndpoint koji -Address 10.0.0.1/8", "InvalidSubnet")]
    [InlineData("Set-QaEndpoint koji -HostName 'bad_host!'", "InvalidHostName")]
    [InlineData("Set-QaEndpoint koji -HostName @()", "EndpointWithoutTarget")]
    [InlineData("Set-QaEndpoint koji -Description \"bell`a\"", "InvalidText")]
    [InlineData("$null = Grant-QaEgress -Role beaker -Endpoint koji; Set-QaEndpoint koji -Port @()", "PortsRequired")]
    [InlineData("Set-QaEndpoint nope -Port 22/tcp", "NotFound")]
    public void Set_QaEndpoint_bad_input_is_an_error_id_and_changes_nothing(string script, string id)
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal(id + ",QaNet.Commands.SetQaEndpointCommand", Id(s, script));
        var koji = Endpoint(s, "koji");
        Assert.Equal(["80/tcp", "443/tcp"], koji.Ports.Select(p => p.ToString()));
        Assert.Equal(["koji.fedoraproject.org"], koji.HostNames);
        Assert.Empty(koji.Addresses);
        Assert.Null(koji.Description);
    }

    [Fact]
    public void Set_QaEndpoint_takes_piped_endpoints_names_by_property_and_WhatIf_changes_nothing()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("Get-QaEndpoint | Set-QaEndpoint -Environment stg");
        Assert.All(s.Run("Get-QaEndpoint").Select(o => (QaEndpoint)o.BaseObject), e => Assert.Equal("stg", e.Environment));
        s.Run("[pscustomobject]@{ Name = 'bastion' } | Set-QaEndpoint -Description 'jump host'");
        Assert.Equal("jump host", Endpoint(s, "bastion").Description);
        Assert.Empty(s.Run("Set-QaEndpoint koji -Port 22/tcp -WhatIf"));
        Assert.Equal(2, Endpoint(s, "koji").Ports.Count);

        // One failing name does not stop the others.
        var errors = s.Errors("Set-QaEndpoint nope, koji -Environment prod");
        Assert.Equal("NotFound,QaNet.Commands.SetQaEndpointCommand", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Equal("prod", Endpoint(s, "koji").Environment);
    }

    // Remove-QaEndpoint

    [Theory]
    [InlineData("Remove-QaEndpoint koji -Confirm:$false")]
    [InlineData("Remove-QaEndpoint koji -WhatIf")]
    [InlineData("Get-QaEndpoint koji | Remove-QaEndpoint -Confirm:$false")]
    public void Remove_QaEndpoint_named_by_a_rule_is_InUse_and_kept(string script)
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal("InUse,QaNet.Commands.RemoveQaEndpointCommand", Id(s, script));
        Assert.Equal(2, s.Run("Get-QaEndpoint").Count);
        Assert.Equal(2, s.Run("Get-QaRule").Count);
    }

    [Fact]
    public void Remove_QaEndpoint_with_Force_takes_its_rules_and_assertions_and_an_unused_one_just_goes()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Add-QaAssertion -From beaker-client01 -To koji -Port 443/tcp -Expect Deny");
        var removed = s.Single<QaEndpoint>("Remove-QaEndpoint koji -Force -Confirm:$false -PassThru");
        Assert.Equal("koji", removed.Name);
        Assert.Equal(["ingress-bastion-beaker"], s.Run("Get-QaRule").Select(o => ((QaRule)o.BaseObject).Id));
        Assert.Empty(s.Run("Get-QaAssertion"));

        s.Run("$null = Add-QaEndpoint -Name e1 -Address 10.9.9.9 -Port 22/tcp; Remove-QaEndpoint e1 -Confirm:$false");
        Assert.Equal(["bastion"], s.Run("Get-QaEndpoint").Select(o => ((QaEndpoint)o.BaseObject).Name));
        Assert.Equal("NotFound,QaNet.Commands.RemoveQaEndpointCommand", Id(s, "Remove-QaEndpoint nope -Confirm:$false"));
    }

    // Set-QaRule

    [Fact]
    public void Set_QaRule_changes_priority_ports_expiry_and_description_and_the_file_keeps_them()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var rule = s.Single<QaRule>("Set-QaRule egress-taskotron-koji -Priority 500 -Port 80/tcp -ExpiresAt '2031-01-02T03:04:05Z' -Description 'web only' -PassThru");
        Assert.Equal((500, "80/tcp", new DateTimeOffset(2031, 1, 2, 3, 4, 5, TimeSpan.Zero), "web only"),
            (rule.Priority, Assert.Single(rule.Ports).ToString(), rule.ExpiresAt!.Value, rule.Description));
        Assert.Equal(QaRuleKind.Egress, rule.Kind);
        Assert.Equal(["role:taskotron"], rule.From.Select(f => f.ToString()));

        var file = Path.Combine(directory, "qa.yaml");
        var back = s.Single<QaPolicy>($"Export-QaPolicy -Path '{file}'; Import-QaPolicy -Path '{file}'").FindRule("egress-taskotron-koji")!;
        Assert.Equal((500, "80/tcp", rule.ExpiresAt, "web only"), (back.Priority, Assert.Single(back.Ports).ToString(), back.ExpiresAt, back.Description));

        s.Run("Set-QaRule egress-taskotron-koji -Port @() -ExpiresAt $null -Description ''");
        rule = Rule(s, "egress-taskotron-koji");
        Assert.Empty(rule.Ports);
        Assert.Null(rule.ExpiresAt);
        Assert.Null(rule.Description);
        Assert.Equal(500, rule.Priority);
    }

    [Fact]
    public void A_lower_priority_lets_a_grant_decide_before_a_block()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Add-QaHostName koji.fedoraproject.org 203.0.113.10");
        s.Run("$null = Block-QaEgress -Role taskotron -Endpoint koji -Port 443/tcp");
        const string probe = "Test-QaReachability -From taskotron-client01 -To koji -Port 443/tcp";
        Assert.False(s.Single<QaReachabilityResult>(probe).Allowed);
        s.Run("Set-QaRule egress-taskotron-koji -Priority 50");
        var result = s.Single<QaReachabilityResult>(probe);
        Assert.True(result.Allowed);
        Assert.Equal("egress-taskotron-koji", result.RuleId);
    }

    [Theory]
    [InlineData("Set-QaRule egress-taskotron-koji -Port 443/tpc", "InvalidPort,QaNet.Commands.SetQaRuleCommand")]
    [InlineData("Set-QaRule ingress-bastion-beaker -Port @()", "PortsRequired,QaNet.Commands.SetQaRuleCommand")]
    [InlineData("Set-QaRule egress-taskotron-koji -Priority 70000", "ParameterArgumentValidationError,QaNet.Commands.SetQaRuleCommand")]
    [InlineData("Set-QaRule egress-taskotron-koji -Description \"bell`a\"", "InvalidText,QaNet.Commands.SetQaRuleCommand")]
    [InlineData("Set-QaRule nope -Priority 5", "NotFound,QaNet.Commands.SetQaRuleCommand")]
    [InlineData("Enable-QaRule nope", "NotFound,QaNet.Commands.EnableQaRuleCommand")]
    [InlineData("Disable-QaRule nope", "NotFound,QaNet.Commands.DisableQaRuleCommand")]
    public void Set_QaRule_bad_input_is_an_error_id_and_changes_nothing(string script, string id)
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal(id, Id(s, script));
        var rule = Rule(s, "egress-taskotron-koji");
        Assert.Equal((QaRule.DefaultGrantPriority, "443/tcp", true), (rule.Priority, Assert.Single(rule.Ports).ToString(), rule.Enabled));
        Assert.Equal("22/tcp", Assert.Single(Rule(s, "ingress-bastion-beaker").Ports).ToString());
    }

    [Fact]
    public void Set_QaRule_takes_piped_rules_ids_by_property_and_WhatIf_changes_nothing()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("Get-QaRule | Set-QaRule -Priority 700");
        Assert.All(s.Run("Get-QaRule").Select(o => (QaRule)o.BaseObject), r => Assert.Equal(700, r.Priority));
        s.Run("[pscustomobject]@{ Id = 'ingress-bastion-beaker' } | Set-QaRule -Priority 10");
        Assert.Equal(10, Rule(s, "ingress-bastion-beaker").Priority);
        Assert.Empty(s.Run("Set-QaRule ingress-bastion-beaker -Priority 20 -WhatIf"));
        Assert.Empty(s.Run("Disable-QaRule ingress-bastion-beaker -WhatIf"));
        Assert.Equal((10, true), (Rule(s, "ingress-bastion-beaker").Priority, Rule(s, "ingress-bastion-beaker").Enabled));
    }

    // Enable-/Disable-QaRule

    [Fact]
    public void A_disabled_rule_decides_nothing_is_not_rendered_is_a_finding_and_comes_back_when_enabled()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Add-QaHostName koji.fedoraproject.org 203.0.113.10");
        const string probe = "Test-QaReachability -From taskotron-client01 -To koji -Port 443/tcp";
        const string nft = "Get-QaRuleset -Network qa-clients -Backend Nftables -VirtHost virthost-comm01 -AsText";
        Assert.True(s.Single<QaReachabilityResult>(probe).Allowed);
        Assert.Contains("egress-taskotron-koji", s.Single<string>(nft), StringComparison.Ordinal);

        var rule = s.Single<QaRule>("Disable-QaRule egress-taskotron-koji -PassThru");
        Assert.False(rule.Enabled);
        var denied = s.Single<QaReachabilityResult>(probe);
        Assert.False(denied.Allowed);
        Assert.Equal("default deny", denied.DecidedBy);
        Assert.DoesNotContain("egress-taskotron-koji", s.Single<string>(nft), StringComparison.Ordinal);
        Assert.Contains(s.Run("Test-QaPolicy"), o => o.BaseObject is QaPolicyFinding { Kind: QaFindingKind.DisabledRule, RuleId: "egress-taskotron-koji" });
        Assert.Equal(2, s.Run("Get-QaRule").Count);

        s.Run("Get-QaRule egress-taskotron-koji | Enable-QaRule");
        Assert.True(Rule(s, "egress-taskotron-koji").Enabled);
        Assert.True(s.Single<QaReachabilityResult>(probe).Allowed);
        Assert.Contains("egress-taskotron-koji", s.Single<string>(nft), StringComparison.Ordinal);
        Assert.DoesNotContain(s.Run("Test-QaPolicy"), o => o.BaseObject is QaPolicyFinding { Kind: QaFindingKind.DisabledRule });
    }

    [Fact]
    public void A_disabled_rule_is_not_in_the_ebtables_of_a_bridged_network()
    {
        using var s = new PowerShellSession();
        s.Run("""
            $null = New-QaPolicy -Name br
            $n = New-QaIsolatedNetwork -Name lan -Subnet 192.168.160.0/24 -Mode Bridged -Bridge br0 -VirtHost vh1
            $null = $n | Add-QaClient -Name c1 -Role r1
            $null = Add-QaEndpoint -Name koji -Address 203.0.113.10 -Port 443/tcp
            $null = Add-QaEndpoint -Name bastion -Address 10.5.124.10 -Port 22/tcp
            $null = Grant-QaEgress -Role r1 -Endpoint koji
            $null = Grant-QaIngress -From bastion -Role r1 -Port 22/tcp
            """);
        const string ebt = "(Get-QaRuleset -Backend Ebtables -VirtHost vh1 -AsText) -join \"`n\"";
        Assert.Contains("203.0.113.10", s.Single<string>(ebt), StringComparison.Ordinal);
        s.Run("Disable-QaRule egress-r1-koji");
        Assert.DoesNotContain("203.0.113.10", s.Single<string>(ebt), StringComparison.Ordinal);
    }

    [Fact]
    public void Enabled_false_round_trips_through_the_policy_file_and_enabled_rules_write_no_key()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var file = Path.Combine(directory, "qa.yaml");
        s.Run($"Disable-QaRule egress-taskotron-koji; Export-QaPolicy -Path '{file}'");
        var text = File.ReadAllText(file);
        Assert.Single(text.Split('\n'), l => l.Trim() == "enabled: false");
        var back = s.Single<QaPolicy>($"Import-QaPolicy -Path '{file}'");
        Assert.False(back.FindRule("egress-taskotron-koji")!.Enabled);
        Assert.True(back.FindRule("ingress-bastion-beaker")!.Enabled);

        s.Run($"Enable-QaRule egress-taskotron-koji; Export-QaPolicy -Path '{file}'");
        Assert.DoesNotContain("enabled:", File.ReadAllText(file), StringComparison.Ordinal);
    }

    // Remove-QaGroup

    [Theory]
    [InlineData("Remove-QaGroup qa-automation-shell -Confirm:$false")]
    [InlineData("Remove-QaGroup qa-automation-shell -WhatIf")]
    public void Remove_QaGroup_with_grants_is_InUse_and_kept(string script)
    {
        using var s = PowerShellSession.WithExample();
        Assert.Equal("InUse,QaNet.Commands.RemoveQaGroupCommand", Id(s, script));
        Assert.Equal(3, s.Run("Get-QaGroup").Count);
        Assert.Equal(4, s.Run("Get-QaAccess").Count);
    }

    [Fact]
    public void Remove_QaGroup_with_Force_revokes_its_grants_and_an_ungranted_group_just_goes()
    {
        using var s = PowerShellSession.WithExample();
        s.Run("Get-QaGroup qa-automation-shell | Remove-QaGroup -Force -Confirm:$false");
        Assert.DoesNotContain(s.Run("Get-QaGroup"), o => ((QaGroup)o.BaseObject).Name == "qa-automation-shell");
        Assert.DoesNotContain(s.Run("Get-QaAccess"), o => ((QaAccessGrant)o.BaseObject).Id == "qa-automation-shell");
        Assert.Equal(3, s.Run("Get-QaAccess").Count);

        s.Run("$null = Add-QaGroup -Name qa-interns -Member intern1; [pscustomobject]@{ Name = 'qa-interns' } | Remove-QaGroup -Confirm:$false");
        Assert.Equal(2, s.Run("Get-QaGroup").Count);
        Assert.Equal("NotFound,QaNet.Commands.RemoveQaGroupCommand", Id(s, "Remove-QaGroup nope -Confirm:$false"));
    }

    // The name map

    [Fact]
    public void Add_QaHostName_adds_a_name_then_more_addresses_and_Get_QaHostName_finds_it_ignoring_case()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var entry = s.Single<QaHostName>("Add-QaHostName koji.fedoraproject.org 203.0.113.10");
        Assert.Equal(("koji.fedoraproject.org", "203.0.113.10"), (entry.Name, string.Join(",", entry.Address)));
        s.Run("$null = Add-QaHostName KOJI.fedoraproject.org -Address 2001:db8::10, 203.0.113.10");
        var found = s.Single<QaHostName>("Get-QaHostName Koji.Fedoraproject.Org");
        Assert.Equal(("koji.fedoraproject.org", "203.0.113.10,2001:db8::10"), (found.Name, string.Join(",", found.Address)));
        Assert.Equal(["203.0.113.10"], s.Run("(Test-QaReachability -From taskotron-client01 -To koji -Port 443/tcp).DestinationAddress.ToString()")
            .Select(o => o.BaseObject.ToString()));

        s.Run("$null = [pscustomobject]@{ Name = 'dl.fedoraproject.org'; Address = '203.0.113.14' } | Add-QaHostName");
        Assert.Equal(["dl.fedoraproject.org", "koji.fedoraproject.org"], s.Run("Get-QaHostName").Select(o => ((QaHostName)o.BaseObject).Name));
        Assert.Equal(["koji.fedoraproject.org"], s.Run("Get-QaHostName koji*").Select(o => ((QaHostName)o.BaseObject).Name));
        Assert.Equal("NotFound,QaNet.Commands.GetQaHostNameCommand", Id(s, "Get-QaHostName nope.example.org"));
    }

    [Theory]
    [InlineData("Add-QaHostName koji.fedoraproject.org 203.0.113.300", "InvalidAddress")]
    [InlineData("Add-QaHostName koji.fedoraproject.org 203.0.113.0/24", "InvalidAddress")]
    [InlineData("Add-QaHostName 'bad_host!' 203.0.113.10", "InvalidHostName")]
    public void Add_QaHostName_bad_input_is_an_error_id_and_changes_nothing(string script, string id)
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal(id + ",QaNet.Commands.AddQaHostNameCommand", Id(s, script));
        Assert.Empty(s.Run("Get-QaHostName"));
        Assert.Empty(s.Run("Add-QaHostName koji.fedoraproject.org 203.0.113.10 -WhatIf"));
        Assert.Empty(s.Run("Get-QaHostName"));
    }

    [Theory]
    [InlineData("Remove-QaHostName koji.fedoraproject.org -Confirm:$false")]
    [InlineData("Remove-QaHostName koji.fedoraproject.org -WhatIf")]
    [InlineData("Get-QaHostName koji.fedoraproject.org | Remove-QaHostName -Confirm:$false")]
    public void Remove_QaHostName_an_endpoint_resolves_through_is_InUse_and_kept(string script)
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Add-QaHostName koji.fedoraproject.org. 203.0.113.10");   // the fully qualified form resolves koji's name too
        Assert.Equal("InUse,QaNet.Commands.RemoveQaHostNameCommand", Id(s, script));
        Assert.Single(s.Run("Get-QaHostName"));
    }

    [Fact]
    public void Remove_QaHostName_with_Force_leaves_the_endpoint_unresolved_and_an_unused_one_just_goes()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Add-QaHostName koji.fedoraproject.org 203.0.113.10; $null = Add-QaHostName old.example.org 192.0.2.99");
        s.Run("Remove-QaHostName old.example.org -Confirm:$false");
        Assert.Equal(["koji.fedoraproject.org"], s.Run("Get-QaHostName").Select(o => ((QaHostName)o.BaseObject).Name));

        s.Run("Remove-QaHostName koji.fedoraproject.org -Force -Confirm:$false -WarningAction SilentlyContinue");
        Assert.Empty(s.Run("Get-QaHostName"));
        Assert.Equal(["koji.fedoraproject.org"], Endpoint(s, "koji").HostNames);
        Assert.Contains(s.Run("Test-QaPolicy"), o => o.BaseObject is QaPolicyFinding { Kind: QaFindingKind.UnresolvedHostName });
        Assert.Equal("NotFound,QaNet.Commands.RemoveQaHostNameCommand", Id(s, "Remove-QaHostName nope.example.org -Confirm:$false"));
    }

    [Fact]
    public void The_name_map_round_trips_through_the_policy_file()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var file = Path.Combine(directory, "qa.yaml");
        s.Run($"$null = Add-QaHostName koji.fedoraproject.org 203.0.113.10, 2001:db8::10; Export-QaPolicy -Path '{file}'");
        var back = s.Single<QaPolicy>($"Import-QaPolicy -Path '{file}'");
        Assert.Equal(["203.0.113.10", "2001:db8::10"], back.Hosts["koji.fedoraproject.org"].Select(a => a.ToString()));
    }

    // Shared

    [Theory]
    [InlineData("Set-QaEndpoint -Name ko", "koji")]
    [InlineData("Remove-QaEndpoint -Name bas", "bastion")]
    [InlineData("Set-QaRule -Id ingress", "ingress-bastion-beaker")]
    [InlineData("Enable-QaRule -Id egress", "egress-taskotron-koji")]
    [InlineData("Disable-QaRule -Id egress", "egress-taskotron-koji")]
    [InlineData("Remove-QaGroup -Name qa-", "qa-ops")]
    [InlineData("Remove-QaHostName -Name koji", "koji.fedoraproject.org")]
    [InlineData("Get-QaHostName -Name KOJI", "koji.fedoraproject.org")]
    public void Names_complete_from_the_current_policy(string line, string expected)
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Add-QaGroup -Name qa-ops -Member u1; $null = Add-QaHostName koji.fedoraproject.org 203.0.113.10");
        var completions = s.Run($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches.CompletionText")
            .Select(o => (string)o.BaseObject);
        Assert.Equal([expected], completions);
    }

    [Theory]
    [InlineData("Set-QaEndpoint", "Medium")]
    [InlineData("Set-QaRule", "Medium")]
    [InlineData("Enable-QaRule", "Medium")]
    [InlineData("Disable-QaRule", "Medium")]
    [InlineData("Add-QaHostName", "Medium")]
    [InlineData("Remove-QaEndpoint", "High")]
    [InlineData("Remove-QaGroup", "High")]
    [InlineData("Remove-QaHostName", "High")]
    public void Changing_cmdlets_support_WhatIf_and_Confirm_and_removals_ask_by_default(string cmdlet, string impact)
    {
        using var s = new PowerShellSession();
        var attribute = $"(Get-Command {cmdlet}).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]";
        Assert.Equal("True", s.Run($"{attribute}.SupportsShouldProcess").Single().ToString());
        Assert.Equal(impact, s.Run($"{attribute}.ConfirmImpact").Single().ToString());
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
