using System.Management.Automation;
using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>
/// Wildcards on Set-/Remove-/Revoke-/Enable-/Disable- as on Get- (issue 17): a pattern stands for
/// every name it matches, in any case; one that matches nothing is NotFound, the id a literal name
/// that names nothing gives; -WhatIf asks once per match and changes nothing.
/// </summary>
public sealed class WildcardCommandTests
{
    private static string State(PowerShellSession s)
    {
        var p = s.Single<QaPolicy>("$p");
        return string.Join("|", p.Clients.Select(c => c.Name + ":" + string.Join(",", c.Roles))) + "/" +
               string.Join("|", p.Endpoints.Select(e => e.Name + ":" + e.Description)) + "/" +
               string.Join("|", p.Rules.Select(r => $"{r.Id}:{r.Priority}:{r.Enabled}")) + "/" +
               string.Join("|", p.Networks.Select(n => n.Name)) + "/" + string.Join("|", p.Groups.Select(g => g.Name)) + "/" +
               string.Join("|", p.AccessGrants.Select(g => g.Id)) + "/" + string.Join("|", p.Hosts.Keys);
    }

    [Fact]
    public void Remove_QaClient_with_a_wildcard_removes_every_match_in_any_case()
    {
        using var s = PowerShellSession.WithExample();
        s.Run("Remove-QaClient BEAKER-* -Force -Confirm:$false");
        Assert.Equal(["taskotron-client01", "taskotron-client02", "taskotron-client03"], s.Single<QaPolicy>("$p").Clients.Select(c => c.Name));
    }

    [Theory]
    [InlineData("Remove-QaClient nope-* -Force -Confirm:$false", "RemoveQaClientCommand")]
    [InlineData("Remove-QaClient nope -Force -Confirm:$false", "RemoveQaClientCommand")]
    [InlineData("Remove-QaEndpoint nope-* -Force -Confirm:$false", "RemoveQaEndpointCommand")]
    [InlineData("Remove-QaNetwork nope-* -Force -Confirm:$false", "RemoveQaNetworkCommand")]
    [InlineData("Remove-QaGroup nope-* -Force -Confirm:$false", "RemoveQaGroupCommand")]
    [InlineData("Remove-QaHostName nope-*.example -Force -Confirm:$false", "RemoveQaHostNameCommand")]
    [InlineData("Revoke-QaRule nope-* -Confirm:$false", "RevokeQaRuleCommand")]
    [InlineData("Revoke-QaAccess nope-* -Confirm:$false", "RevokeQaAccessCommand")]
    [InlineData("Set-QaRule nope-* -Priority 5", "SetQaRuleCommand")]
    [InlineData("Enable-QaRule nope-*", "EnableQaRuleCommand")]
    [InlineData("Disable-QaRule nope-*", "DisableQaRuleCommand")]
    [InlineData("Set-QaEndpoint nope-* -Description x", "SetQaEndpointCommand")]
    [InlineData("Set-QaClient nope-* -AddRole x", "SetQaClientCommand")]
    [InlineData("Set-QaClient nope-* -AddRole x -WhatIf", "SetQaClientCommand")]
    [InlineData("Remove-QaClient nope-* -Force -WhatIf", "RemoveQaClientCommand")]
    public void A_wildcard_that_matches_nothing_is_NotFound_like_a_literal_name_and_changes_nothing(string script, string cmdlet)
    {
        using var s = PowerShellSession.WithExample();
        var before = State(s);
        var error = Assert.Single(s.Errors(script));
        Assert.Equal($"NotFound,QaNet.Commands.{cmdlet}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(before, State(s));
    }

    [Fact]
    public void Set_and_Enable_and_Disable_change_every_match()
    {
        using var s = PowerShellSession.WithExample();
        s.Run("Set-QaClient TASKOTRON-* -AddRole x86; Set-QaEndpoint beaker-* -Description b; Set-QaRule beaker-* -Priority 300; Disable-QaRule *-ssh");
        var p = s.Single<QaPolicy>("$p");
        Assert.Equal(["taskotron-client01", "taskotron-client02", "taskotron-client03"], p.Clients.Where(c => c.Roles.Contains("x86")).Select(c => c.Name));
        Assert.Equal(["beaker-server", "beaker-lab"], p.Endpoints.Where(e => e.Description == "b").Select(e => e.Name));
        Assert.Equal(p.Rules.Where(r => r.Id.StartsWith("beaker-", StringComparison.Ordinal)).Select(r => r.Id), p.Rules.Where(r => r.Priority == 300).Select(r => r.Id));
        Assert.Equal(["bastion-ssh", "lockbox-ssh", "taskotron-master-ssh", "beaker-ssh"], p.Rules.Where(r => !r.Enabled).Select(r => r.Id));
        s.Run("Enable-QaRule *");
        Assert.All(p.Rules, r => Assert.True(r.Enabled));
    }

    [Fact]
    public void Revoke_and_Remove_by_wildcard_for_rules_endpoints_networks_groups_grants_and_host_names()
    {
        using var s = PowerShellSession.WithExample();
        s.Run("""
            Revoke-QaRule beaker-* -Confirm:$false
            Remove-QaEndpoint beaker-* -Force -Confirm:$false
            Revoke-QaAccess sysadmin-qa* -Confirm:$false
            Remove-QaGroup sysadmin-* -Force -Confirm:$false
            Remove-QaHostName KOJI*.FEDORAPROJECT.ORG -Force -Confirm:$false -WarningAction SilentlyContinue
            Remove-QaNetwork qa-* -Force -Confirm:$false
            """);
        var p = s.Single<QaPolicy>("$p");
        Assert.DoesNotContain(p.Rules, r => r.Id.StartsWith("beaker-", StringComparison.Ordinal));
        Assert.DoesNotContain(p.Endpoints, e => e.Name.StartsWith("beaker-", StringComparison.Ordinal));
        Assert.DoesNotContain(p.AccessGrants, g => g.Id.StartsWith("sysadmin-qa", StringComparison.Ordinal));
        Assert.DoesNotContain(p.Groups, g => g.Name.StartsWith("sysadmin-", StringComparison.Ordinal));
        Assert.DoesNotContain(p.Hosts.Keys, h => h.StartsWith("koji", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(p.Networks);
        Assert.Contains(p.Endpoints, e => e.Name == "koji");
        Assert.Contains(p.Groups, g => g.Name == "qa-automation-shell");
    }

    [Fact]
    public void WhatIf_with_a_wildcard_changes_nothing()
    {
        // The What if: line per match goes to the host: tests/pester/Pipeline.Tests.ps1 and WhatIf.Tests.ps1 read it.
        using var s = PowerShellSession.WithExample();
        var before = State(s);
        s.Run("Remove-QaClient beaker-* -Force -WhatIf; Revoke-QaRule beaker-* -WhatIf; Set-QaClient taskotron-* -AddRole x -WhatIf");
        Assert.Equal(before, State(s));
    }

    [Theory]
    [InlineData("Remove-QaClient", "Name")]
    [InlineData("Set-QaClient", "Name")]
    [InlineData("Remove-QaEndpoint", "Name")]
    [InlineData("Set-QaEndpoint", "Name")]
    [InlineData("Remove-QaNetwork", "Name")]
    [InlineData("Remove-QaGroup", "Name")]
    [InlineData("Remove-QaHostName", "Name")]
    [InlineData("Revoke-QaRule", "Id")]
    [InlineData("Revoke-QaAccess", "Id")]
    [InlineData("Set-QaRule", "Id")]
    [InlineData("Enable-QaRule", "Id")]
    [InlineData("Disable-QaRule", "Id")]
    public void The_name_parameters_are_marked_SupportsWildcards(string cmdlet, string parameter)
    {
        using var s = new PowerShellSession();
        Assert.True(s.Single<bool>($"[bool]((Get-Command {cmdlet}).Parameters['{parameter}'].Attributes | " +
            "Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })"));
    }
}
