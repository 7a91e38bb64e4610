using System.Net;
using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>The main path of every cmdlet.</summary>
public sealed class CmdletTests
{
    [Fact]
    public void New_QaPolicy_creates_and_makes_current()
    {
        using var s = new PowerShellSession();
        var p = s.Single<QaPolicy>("New-QaPolicy -Name qa -Description 'Fedora QA'");
        Assert.Equal(("qa", "Fedora QA"), (p.Name, p.Description));
        Assert.Same(p, s.Single<QaPolicy>("Get-QaPolicy"));
    }

    [Fact]
    public void Get_QaPolicy_passes_on_a_given_policy()
    {
        using var s = new PowerShellSession();
        s.Run("$a = New-QaPolicy -Name a; $null = New-QaPolicy -Name b");
        Assert.Equal("a", s.Single<QaPolicy>("Get-QaPolicy -Policy $a").Name);
        Assert.Equal("a", s.Single<QaPolicy>("$a | Get-QaPolicy").Name);
    }

    [Fact]
    public void New_QaIsolatedNetwork_adds_a_network_with_defaults()
    {
        using var s = new PowerShellSession();
        s.Run("$null = New-QaPolicy -Name qa; $null = Add-QaEndpoint -Name bastion -Address 192.168.160.2 -Port 22/tcp");
        var n = s.Single<QaNetwork>(
            "New-QaIsolatedNetwork -Name beaker-clients -Subnet 192.168.160.0/24 -Subnet6 fd00:160::/64 -Mode Gateway -Gateway bastion -VirtHost vh1, vh2 -DhcpStart 192.168.160.200 -DhcpEnd 192.168.160.250");
        Assert.Equal(QaNetworkMode.Gateway, n.Mode);
        Assert.Equal("bastion", n.Gateway);
        Assert.Equal(["vh1", "vh2"], n.VirtHosts);
        Assert.StartsWith("br-", n.Bridge, StringComparison.Ordinal);
        Assert.True(n.Bridge.Length <= 15, n.Bridge);
        Assert.Equal(IPAddress.Parse("192.168.160.200"), n.DhcpStart);
        Assert.Equal("fd00:160::/64", n.Subnet6.ToString());
    }

    [Fact]
    public void Get_QaNetwork_filters_by_wildcard_name_mode_and_virthost()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = New-QaIsolatedNetwork -Name qa-bridged -Subnet 10.20.0.0/24 -Mode Bridged -Bridge br0 -VirtHost virthost-comm02");
        Assert.Equal(2, s.Run("Get-QaNetwork").Count);
        Assert.Equal(2, s.Run("Get-QaNetwork -Name qa-*").Count);
        Assert.Equal("qa-bridged", s.Single<QaNetwork>("Get-QaNetwork -Mode Bridged").Name);
        Assert.Equal("qa-clients", s.Single<QaNetwork>("Get-QaNetwork -VirtHost *comm01").Name);
        Assert.Empty(s.Run("Get-QaNetwork -Name nothing-*"));
    }

    [Fact]
    public void Remove_QaNetwork_with_Force_takes_clients_and_their_rules()
    {
        using var s = PowerShellSession.WithQaPolicy();
        // Rules naming the network's clients, or roles only its clients have, go with it.
        s.Run("$null = Grant-QaEgress -Client beaker-client01 -Endpoint koji");
        Assert.NotEmpty(s.Single<QaPolicy>("$p").Rules);
        var removed = s.Single<QaNetwork>("Remove-QaNetwork -Name qa-clients -Force -PassThru -Confirm:$false");
        Assert.Equal("qa-clients", removed.Name);
        var p = s.Single<QaPolicy>("$p");
        Assert.Empty(p.Networks);
        Assert.Empty(p.Rules);
    }

    [Fact]
    public void Add_QaClient_fills_in_address_mac_and_virthost()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var c = s.Single<QaClient>("Add-QaClient -Network qa-clients -Name beaker-client02 -Role beaker, x86");
        Assert.Equal("qa-clients", c.Network);
        Assert.StartsWith("52:54:00:", c.MacAddress, StringComparison.Ordinal);
        Assert.Equal("virthost-comm01", c.VirtHost);
        Assert.Equal(IPAddress.Parse("192.168.150.5"), c.Address);
        Assert.Equal(["beaker", "x86"], c.Roles);

        var fixedOne = s.Single<QaClient>("Add-QaClient -Network qa-clients -Name fixed -Address 192.168.150.20 -MacAddress 52-54-00-AA-00-20");
        Assert.Equal(("192.168.150.20", "52:54:00:aa:00:20"), (fixedOne.Address.ToString(), fixedOne.MacAddress));
    }

    [Fact]
    public void Get_QaClient_filters_by_name_network_role_and_virthost()
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal(3, s.Run("Get-QaClient").Count);
        Assert.Equal(2, s.Run("Get-QaClient -Role taskotron").Count);
        Assert.Equal(2, s.Run("Get-QaClient -Name taskotron-*").Count);
        Assert.Equal(3, s.Run("Get-QaClient -Network qa-*").Count);
        Assert.Empty(s.Run("Get-QaClient -Network other"));
        Assert.Equal("beaker-client01", s.Single<QaClient>("Get-QaClient -Role beak* -VirtHost virthost-comm01").Name);
    }

    [Fact]
    public void Remove_QaClient_removes_by_name()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var c = s.Single<QaClient>("Remove-QaClient taskotron-client01 -PassThru -Confirm:$false");
        Assert.Equal("taskotron-client01", c.Name);
        Assert.Null(s.Single<QaPolicy>("$p").FindClient("taskotron-client01"));
    }

    [Fact]
    public void Add_QaEndpoint_and_Get_QaEndpoint()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var e = s.Single<QaEndpoint>(
            "Add-QaEndpoint -Name beaker-lab -Address 10.5.126.20 -Port 80/tcp, 69/udp, 7080-7099/tcp -Environment prod -Description 'lab controller'");
        Assert.Equal(["80/tcp", "69/udp", "7080-7099/tcp"], e.Ports.Select(p => p.ToString()));
        Assert.Equal("prod", e.Environment);
        Assert.Equal(3, s.Run("Get-QaEndpoint").Count);
        Assert.Equal("beaker-lab", s.Single<QaEndpoint>("Get-QaEndpoint -Environment prod").Name);
        Assert.Equal("koji", s.Single<QaEndpoint>("Get-QaEndpoint k*").Name);
    }

    [Fact]
    public void Grant_QaEgress_without_Port_leaves_the_endpoint_ports_to_apply()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var r = s.Single<QaRule>("Grant-QaEgress -Client taskotron-client01 -Endpoint koji -Priority 500 -ExpiresAt '2030-01-01T00:00:00Z' -Description why");
        Assert.Empty(r.Ports);
        Assert.Equal(500, r.Priority);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), r.ExpiresAt);
        Assert.Equal("egress-taskotron-client01-koji", r.Id);
    }

    [Fact]
    public void Grant_QaEgress_to_cidrs_and_to_anything_when_allowed()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var r = s.Single<QaRule>("Grant-QaEgress -Role beaker -Cidr 10.5.124.0/24 -Port 80/tcp -Id beaker-mirrors");
        Assert.Equal(("beaker-mirrors", "cidr:10.5.124.0/24"), (r.Id, Assert.Single(r.To).ToString()));
        var any = s.Single<QaRule>("Grant-QaEgress -Role beaker -Cidr 0.0.0.0/0 -Port 443/tcp -AllowAnyDestination");
        Assert.True(any.AllowAnyDestination);
    }

    [Fact]
    public void Block_QaEgress_adds_a_block_ahead_of_grants()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var r = s.Single<QaRule>("Block-QaEgress -Role beaker -Endpoint koji");
        Assert.Equal((QaRuleKind.Block, QaRule.DefaultBlockPriority), (r.Kind, r.Priority));
    }

    [Fact]
    public void Grant_QaIngress_from_a_management_host()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var r = s.Single<QaRule>("Grant-QaIngress -From bastion -Client taskotron-client01 -Port 22/tcp");
        Assert.Equal(QaRuleKind.Ingress, r.Kind);
        Assert.Equal([QaSelector.Endpoint("bastion")], r.From);
        Assert.Equal([QaSelector.Client("taskotron-client01")], r.To);
    }

    [Fact]
    public void Get_QaRule_filters_by_id_and_kind()
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal(2, s.Run("Get-QaRule").Count);
        Assert.Equal("ingress-bastion-beaker", s.Single<QaRule>("Get-QaRule -Kind Ingress").Id);
        Assert.Equal("egress-taskotron-koji", s.Single<QaRule>("Get-QaRule egress-*").Id);
    }

    [Fact]
    public void Revoke_QaRule_removes_by_id()
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal("egress-taskotron-koji", s.Single<QaRule>("Revoke-QaRule egress-taskotron-koji -PassThru -Confirm:$false").Id);
        Assert.Single(s.Single<QaPolicy>("$p").Rules);
    }

    [Fact]
    public void A_name_that_fails_does_not_stop_the_others()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var errors = s.Errors("Revoke-QaRule -Id nope, egress-taskotron-koji -Confirm:$false");
        Assert.Equal("NotFound,QaNet.Commands.RevokeQaRuleCommand", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Single(s.Single<QaPolicy>("$p").Rules);
    }

    [Fact]
    public void The_exported_cmdlets_are_exactly_the_contract()
    {
        string[] publishing = ["Publish-QaNetwork", "Confirm-QaPublish", "Undo-QaPublish", "Test-QaNetwork", "Test-QaVirtHost"];
        string[] access = ["Add-QaGroup", "Get-QaGroup", "Remove-QaGroup", "Grant-QaAccess", "Revoke-QaAccess", "Get-QaAccess", "Test-QaAccess", "Compare-QaGroup"];
        string[] inPlace = ["Set-QaEndpoint", "Remove-QaEndpoint", "Set-QaRule", "Enable-QaRule", "Disable-QaRule",
            "Get-QaHostName", "Add-QaHostName", "Remove-QaHostName",
            "Set-QaNetwork", "Rename-QaClient", "Rename-QaEndpoint", "Rename-QaNetwork", "Rename-QaGroup"];
        string[] reachability = ["Test-QaReachability", "Export-QaReachabilityReport", "Export-QaTopology", "Test-QaPolicy", "Compare-QaPolicy",
            "Add-QaAssertion", "Get-QaAssertion", "Remove-QaAssertion"];
        string[] rendering = ["Get-QaRuleset"];
        string[] lab = ["Start-QaLab", "Get-QaLab", "Stop-QaLab"];
        string[] domains = ["Get-QaVirtHostDomain", "Connect-QaClient"];
        using var s = new PowerShellSession();
        var names = s.Run("(Get-Command -Module QaNet.Commands).Name").Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal);
        string[] contract =
            ["Add-QaClient", "Add-QaEndpoint", "Block-QaEgress", "Export-QaPolicy", "Get-QaClient", "Get-QaEndpoint", "Get-QaNetwork",
             "Get-QaPolicy", "Get-QaRule", "Grant-QaEgress", "Grant-QaIngress", "Import-QaPolicy", "New-QaIsolatedNetwork",
             "New-QaPolicy", "Remove-QaClient", "Remove-QaNetwork", "Revoke-QaRule", "Set-QaClient",
             .. reachability, .. access, .. rendering, .. publishing, .. lab, .. inPlace, .. domains];
        Assert.Equal(contract.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_type()
    {
        using var s = new PowerShellSession();
        Assert.Empty(s.Run("Get-Command -Module QaNet.Commands | Where-Object { $_.OutputType.Count -eq 0 } | ForEach-Object Name"));
    }
}
