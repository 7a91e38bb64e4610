using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

public sealed class PipelineBindingTests
{
    [Fact]
    public void The_issue_example_builds_the_policy_without_glue()
    {
        using var s = new PowerShellSession();
        s.Run("""
            $p = New-QaPolicy -Name qa
            New-QaIsolatedNetwork -Policy $p -Name qa-clients -Subnet 192.168.150.0/24 -Mode Nat -VirtHost virthost-comm01 |
              Add-QaClient -Name taskotron-client01 -Role taskotron
            Add-QaEndpoint -Policy $p -Name koji -HostName koji.fedoraproject.org -Port 80/tcp,443/tcp
            Grant-QaEgress -Policy $p -Role taskotron -Endpoint koji -Port 443/tcp
            """);

        var p = s.Single<QaPolicy>("$p");
        var client = Assert.Single(p.Clients);
        Assert.Equal(("taskotron-client01", "qa-clients"), (client.Name, client.Network));
        Assert.Equal(["taskotron"], client.Roles);
        Assert.Equal("koji", Assert.Single(p.Endpoints).Name);
        var rule = Assert.Single(p.Rules);
        Assert.Equal(QaRuleKind.Egress, rule.Kind);
        Assert.Equal([QaSelector.Role("taskotron")], rule.From);
        Assert.Equal([QaSelector.Endpoint("koji")], rule.To);
        Assert.Equal("443/tcp", Assert.Single(rule.Ports).ToString());
    }

    [Fact]
    public void A_piped_network_brings_its_own_policy_even_when_another_is_current()
    {
        using var s = new PowerShellSession();
        s.Run("""
            $a = New-QaPolicy -Name a
            $b = New-QaPolicy -Name b
            New-QaIsolatedNetwork -Policy $a -Name lab -Subnet 10.10.0.0/24 -Mode Nat -VirtHost vh1 | Add-QaClient -Name c1
            """);

        Assert.Equal("c1", Assert.Single(s.Single<QaPolicy>("$a").Clients).Name);
        Assert.Empty(s.Single<QaPolicy>("$b").Clients);
        Assert.Equal("b", s.Single<QaPolicy>("Get-QaPolicy").Name);
    }

    [Fact]
    public void Piped_clients_bind_by_value_to_Remove_QaClient()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("Get-QaRule | Revoke-QaRule -Confirm:$false");
        s.Run("Get-QaClient | Remove-QaClient -Confirm:$false");
        Assert.Empty(s.Single<QaPolicy>("$p").Clients);
    }

    [Fact]
    public void Objects_with_a_Name_bind_by_property_name_to_Remove_QaClient()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("[pscustomobject]@{ Name = 'taskotron-client02' } | Remove-QaClient -Confirm:$false");
        Assert.Equal(["taskotron-client01", "beaker-client01"], s.Single<QaPolicy>("$p").Clients.Select(c => c.Name));
    }

    [Fact]
    public void Objects_with_an_Id_bind_by_property_name_to_Revoke_QaRule()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("[pscustomobject]@{ Id = 'egress-taskotron-koji' } | Revoke-QaRule -Confirm:$false");
        Assert.Equal(["ingress-bastion-beaker"], s.Single<QaPolicy>("$p").Rules.Select(r => r.Id));
    }

    [Fact]
    public void Piped_rules_and_networks_bind_by_value()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("Get-QaRule | Revoke-QaRule -Confirm:$false");
        s.Run("Get-QaNetwork qa-clients | Remove-QaNetwork -Confirm:$false");
        var p = s.Single<QaPolicy>("$p");
        Assert.Empty(p.Networks);
        Assert.Empty(p.Rules);
    }

    [Fact]
    public void Objects_of_a_policy_that_is_not_current_are_removed_from_their_own_policy()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$other = New-QaPolicy -Name other; Get-QaClient -Policy $p -Name taskotron-client02 | Remove-QaClient -Confirm:$false");
        Assert.Null(s.Single<QaPolicy>("$p").FindClient("taskotron-client02"));
    }

    [Fact]
    public void Name_parameters_take_the_objects_themselves()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var rule = s.Single<QaRule>("Grant-QaEgress -Client (Get-QaClient beaker-client01) -Endpoint (Get-QaEndpoint koji)");
        Assert.Equal([QaSelector.Client("beaker-client01")], rule.From);
        Assert.Equal([QaSelector.Endpoint("koji")], rule.To);
        Assert.Equal(2, s.Run("Get-QaClient -Network (Get-QaNetwork)").Count(c => ((QaClient)c.BaseObject).Roles.Contains("taskotron")));
    }

    [Fact]
    public void A_policy_pipes_into_the_Get_cmdlets()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = New-QaPolicy -Name other");
        Assert.Equal(3, s.Run("$p | Get-QaClient").Count);
        Assert.Empty(s.Run("Get-QaClient"));
    }

    [Fact]
    public void A_piped_network_gives_its_clients_only_from_its_own_policy()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = New-QaIsolatedNetwork -Name lab-2 -Subnet 198.51.100.0/24 -Mode Nat -VirtHost vh1 | Add-QaClient -Name other01");
        Assert.Equal(["other01"], s.Run("Get-QaNetwork lab-2 | Get-QaClient").Select(o => ((QaClient)o.BaseObject).Name));
        Assert.Equal(3, s.Run("Get-QaNetwork qa-clients | Get-QaClient").Count);
        s.Run("$null = New-QaPolicy -Name other");
        Assert.Equal(2, s.Run("Get-QaNetwork -Policy $p qa-clients | Get-QaClient -Role taskotron").Count);
        Assert.Empty(s.Run("Get-QaClient"));
    }

    [Fact]
    public void A_string_piped_to_Get_QaEndpoint_is_a_name_not_a_new_policy()
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal("koji", s.Single<QaEndpoint>("'koji' | Get-QaEndpoint").Name);
        Assert.Equal(2, s.Run("$p | Get-QaEndpoint").Count);
        Assert.StartsWith("CannotConvertArgument", s.ErrorId("Get-QaEndpoint -Policy qa"), StringComparison.Ordinal);
    }

    [Fact]
    public void Piped_clients_get_one_egress_rule_each_in_their_own_policy()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$other = New-QaPolicy -Name other");
        var rules = s.Run("Get-QaClient -Policy $p -Role taskotron | Grant-QaEgress -Endpoint koji -Port 443/tcp").Select(o => (QaRule)o.BaseObject).ToList();
        Assert.Equal(["egress-taskotron-client01-koji", "egress-taskotron-client02-koji"], rules.Select(r => r.Id));
        Assert.Equal([[QaSelector.Client("taskotron-client01")], [QaSelector.Client("taskotron-client02")]], rules.Select(r => r.From.ToList()));
        Assert.All(rules, r => Assert.Same(s.Single<QaPolicy>("$p"), r.Policy));
        Assert.Empty(s.Single<QaPolicy>("$other").Rules);
    }

    [Fact]
    public void Piped_clients_give_one_reachability_result_each()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Add-QaHostName koji.fedoraproject.org 203.0.113.10");
        var results = s.Run("Get-QaClient | Test-QaReachability -To koji -Port 443/tcp").Select(o => (QaNet.Core.Engine.QaReachabilityResult)o.BaseObject).ToList();
        Assert.Equal(["taskotron-client01", "taskotron-client02", "beaker-client01"], results.Select(r => r.From));
        Assert.Equal([true, true, false], results.Select(r => r.Allowed));
    }

    [Fact]
    public void Records_bind_to_Add_QaClient_by_property_name_with_roles_in_one_cell()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("""
            $null = @(
              [pscustomobject]@{ Name = 'c1'; Network = 'QA-CLIENTS'; Mac = '52:54:00:00:00:01'; Address = '192.168.150.11'; Roles = 'taskotron;x86' }
              [pscustomobject]@{ Name = 'c2'; Network = 'qa-clients'; MacAddress = ''; Address = ''; Role = 'beaker, x86' }
            ) | Add-QaClient
            """);
        var p = s.Single<QaPolicy>("$p");
        var c1 = p.FindClient("c1")!;
        Assert.Equal(("qa-clients", "52:54:00:00:00:01", "192.168.150.11"), (c1.Network, c1.MacAddress, c1.Address.ToString()));
        Assert.Equal(["taskotron", "x86"], c1.Roles);
        Assert.Equal(["beaker", "x86"], p.FindClient("c2")!.Roles);
    }

    [Fact]
    public void A_piped_network_or_client_gives_only_its_network_and_without_a_name_is_ClientNameRequired()
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal("ClientNameRequired,QaNet.Commands.AddQaClientCommand", s.ErrorId("Get-QaNetwork qa-clients | Add-QaClient"));
        var copy = s.Single<QaClient>("Get-QaClient beaker-client01 | Add-QaClient -Name beaker-client02");
        Assert.Equal("qa-clients", copy.Network);
        Assert.Empty(copy.Roles);
        Assert.Equal(4, s.Single<QaPolicy>("$p").Clients.Count());
    }

    [Fact]
    public void Names_pipe_as_strings_into_Remove_and_Revoke()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("'egress-taskotron-koji' | Revoke-QaRule -Confirm:$false; 'taskotron-client01', 'taskotron-client02' | Remove-QaClient -Confirm:$false");
        var p = s.Single<QaPolicy>("$p");
        Assert.Equal(["beaker-client01"], p.Clients.Select(c => c.Name));
        Assert.Equal(["ingress-bastion-beaker"], p.Rules.Select(r => r.Id));
    }
}
