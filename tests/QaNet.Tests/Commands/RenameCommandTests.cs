using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Policy;

namespace QaNet.Tests.Commands;

/// <summary>
/// Issue 17, the rest of "every noun editable in place": Rename-QaClient/-Endpoint/-Network/-Group,
/// Set-QaNetwork, Get-QaRule's association filters and Grant-QaEgress -ToClient, hosted in
/// PowerShell against the Fedora example.
/// </summary>
public sealed class RenameCommandTests
{
    private static string Export(PowerShellSession s) => PolicyYaml.Serialize(s.Single<QaPolicy>("Get-QaPolicy"));

    private static string Id(PowerShellSession s, string script) => Assert.Single(s.Errors(script)).FullyQualifiedErrorId;

    [Fact]
    public void Rename_QaClient_renames_every_reference_and_the_policy_reads_back()
    {
        using var s = PowerShellSession.WithExample();
        var c = s.Single<QaClient>("Rename-QaClient TASKOTRON-CLIENT01 taskotron-client11 -PassThru");
        Assert.Equal("taskotron-client11", c.Name);
        var p = s.Single<QaPolicy>("Get-QaPolicy");
        Assert.Null(p.FindClient("taskotron-client01"));
        Assert.Equal(5, p.Assertions.Count(a => a.From == "taskotron-client11" || a.To == "taskotron-client11"));
        Assert.DoesNotContain("taskotron-client01", Export(s), StringComparison.Ordinal);
        Assert.Equal(Export(s), PolicyYaml.Serialize(PolicyYaml.Parse(Export(s), "x.yaml")));
        s.Run("$null = Test-QaPolicy");
    }

    [Fact]
    public void Rename_QaEndpoint_renames_rules_assertions_grants_and_the_jump_host()
    {
        using var s = PowerShellSession.WithExample();
        s.Run("Get-QaEndpoint bastion | Rename-QaEndpoint -NewName jump01");
        var p = s.Single<QaPolicy>("Get-QaPolicy");
        Assert.Equal("jump01", p.JumpHost);
        Assert.Contains(QaSelector.Endpoint("jump01"), p.FindRule("bastion-ssh")!.From);
        Assert.Contains(QaAccessTarget.Host("jump01"), p.FindAccessGrant("sysadmin-qa-bastion")!.Hosts);
        Assert.Contains(p.Assertions, a => a.From == "jump01");
        Assert.DoesNotContain("endpoint:bastion", Export(s), StringComparison.Ordinal);
    }

    [Fact]
    public void Rename_QaNetwork_and_Rename_QaGroup_carry_their_references()
    {
        using var s = PowerShellSession.WithExample();
        var n = s.Single<QaNetwork>("Rename-QaNetwork qa-clients qa-clients2 -PassThru");
        Assert.Equal("qa-clients2", n.Name);
        Assert.Equal("br-qa-clients", n.Bridge);
        Assert.All(s.Run("Get-QaClient").Select(o => (QaClient)o.BaseObject), c => Assert.Equal("qa-clients2", c.Network));
        var p = s.Single<QaPolicy>("Get-QaPolicy");
        Assert.Contains(QaSelector.Network("qa-clients2"), p.FindRule("bastion-ssh")!.To);
        Assert.Contains(QaAccessTarget.Network("qa-clients2"), p.FindAccessGrant("sysadmin-qa")!.Hosts);

        s.Run("Rename-QaGroup sysadmin-qa qa-admins");
        Assert.Equal(["qa-admins", "qa-admins"], p.AccessGrants.Where(g => g.Id.StartsWith("sysadmin-qa", StringComparison.Ordinal)).Select(g => g.Group));
        s.Run("$null = Test-QaPolicy");
    }

    [Theory]
    [InlineData("Rename-QaClient beaker-client01 beaker-client02", "DuplicateClientName,QaNet.Commands.RenameQaClientCommand")]
    [InlineData("Rename-QaClient beaker-client01 koji", "NameConflict,QaNet.Commands.RenameQaClientCommand")]
    [InlineData("Rename-QaClient beaker-client01 Beaker-Client09", "InvalidName,QaNet.Commands.RenameQaClientCommand")]
    [InlineData("Rename-QaClient nobody x", "NotFound,QaNet.Commands.RenameQaClientCommand")]
    [InlineData("Rename-QaEndpoint koji bodhi", "DuplicateEndpoint,QaNet.Commands.RenameQaEndpointCommand")]
    [InlineData("Rename-QaNetwork qa-clients 'qa clients'", "InvalidName,QaNet.Commands.RenameQaNetworkCommand")]
    [InlineData("Rename-QaGroup sysadmin-qa sysadmin-main", "DuplicateGroup,QaNet.Commands.RenameQaGroupCommand")]
    public void A_refused_rename_is_an_error_id_with_nothing_changed(string call, string id)
    {
        using var s = PowerShellSession.WithExample();
        var before = Export(s);
        Assert.Equal(id, Id(s, call));
        Assert.Equal(id, Id(s, call + " -WhatIf"));
        Assert.Equal(before, Export(s));
    }

    [Fact]
    public void Rename_WhatIf_changes_nothing()
    {
        using var s = PowerShellSession.WithExample();
        var before = Export(s);
        Assert.Empty(s.Run("Rename-QaClient beaker-client01 beaker-client09 -WhatIf -PassThru"));
        Assert.Equal(before, Export(s));
    }

    // Set-QaNetwork

    [Fact]
    public void Set_QaNetwork_changes_the_subnet_bridge_and_dhcp_range()
    {
        using var s = PowerShellSession.WithExample();
        var n = s.Single<QaNetwork>("Set-QaNetwork qa-clients -Subnet 192.168.150.0/23 -Bridge br-qa2 -DhcpStart 192.168.151.100 -DhcpEnd 192.168.151.200 -PassThru");
        Assert.Equal(("192.168.150.0/23", "br-qa2"), (n.Subnet.ToString(), n.Bridge));
        Assert.Equal(("192.168.151.100", "192.168.151.200"), (n.DhcpStart!.ToString(), n.DhcpEnd!.ToString()));
        s.Run("$null = Test-QaPolicy");
    }

    [Theory]
    [InlineData("Set-QaNetwork qa-clients -Subnet 10.9.0.0/24", "AddressOutsideSubnet")]
    [InlineData("Set-QaNetwork qa-clients -Subnet 10.9.0.0/33", "InvalidSubnet")]
    [InlineData("Set-QaNetwork qa-clients -Bridge 'br bad'", "InvalidBridgeName")]
    [InlineData("Set-QaNetwork qa-clients -DhcpStart 192.168.150.250 -DhcpEnd 192.168.150.200", "DhcpRangeInvalid")]
    [InlineData("Set-QaNetwork qa-clients -VirtHost virthost-comm01", "UnknownVirtHost")]
    [InlineData("Set-QaNetwork nope -Bridge br0", "NotFound")]
    public void Set_QaNetwork_bad_input_is_the_same_error_under_WhatIf_and_changes_nothing(string call, string id)
    {
        using var s = PowerShellSession.WithExample();
        var before = Export(s);
        var real = s.Errors(call).Select(e => e.FullyQualifiedErrorId).ToList();
        Assert.StartsWith(id + ",QaNet.Commands.SetQaNetworkCommand", real[0], StringComparison.Ordinal);
        Assert.Equal(real, s.Errors(call + " -WhatIf").Select(e => e.FullyQualifiedErrorId).ToList());
        Assert.Equal(before, Export(s));
    }

    // Get-QaRule associations

    [Theory]
    [InlineData("-Client taskotron-client01",
        "taskotron-master taskotron-koji taskotron-bodhi taskotron-dist-git taskotron-resultsdb clients-package-repos bastion-ssh lockbox-ssh taskotron-master-ssh")]
    [InlineData("-Client beaker-client01 -Kind Ingress", "bastion-ssh lockbox-ssh beaker-ssh beaker-harness")]
    [InlineData("-Role beaker", "beaker-server beaker-lab beaker-ssh beaker-harness")]
    [InlineData("-Endpoint beaker-lab", "beaker-lab beaker-ssh beaker-harness")]
    [InlineData("-Endpoint koji, bodhi", "taskotron-koji taskotron-bodhi")]
    [InlineData("-Port 69/udp", "beaker-lab")]
    [InlineData("-Port 7090/tcp", "beaker-harness")]
    [InlineData("-Port 22 -Role taskotron", "taskotron-master taskotron-master-ssh")]
    [InlineData("-Client beaker-client01 -Endpoint koji", "")]
    public void Get_QaRule_returns_the_rules_associated_with_a_client_role_endpoint_or_port(string filter, string ids)
    {
        using var s = PowerShellSession.WithExample();
        var found = s.Run($"Get-QaRule {filter}").Select(o => ((QaRule)o.BaseObject).Id);
        Assert.Equal(ids.Split(' ', StringSplitOptions.RemoveEmptyEntries), found);
    }

    [Theory]
    [InlineData("Get-QaRule -Client nobody", "NotFound,QaNet.Commands.GetQaRuleCommand")]
    [InlineData("Get-QaRule -Role nobody", "NotFound,QaNet.Commands.GetQaRuleCommand")]
    [InlineData("Get-QaRule -Endpoint nothing", "NotFound,QaNet.Commands.GetQaRuleCommand")]
    [InlineData("Get-QaRule -Port 443/tpc", "InvalidPort,QaNet.Commands.GetQaRuleCommand")]
    public void Get_QaRule_filters_name_what_matches_nothing(string call, string id)
    {
        using var s = PowerShellSession.WithExample();
        Assert.Equal(id, Id(s, call));
    }

    [Fact]
    public void Get_QaRule_takes_a_piped_client_object_for_Client()
    {
        using var s = PowerShellSession.WithExample();
        Assert.Equal(s.Run("Get-QaRule -Client beaker-client01").Count, s.Run("Get-QaRule -Client (Get-QaClient beaker-client01)").Count);
    }

    // Grant-QaEgress -ToClient

    [Fact]
    public void Grant_QaEgress_ToClient_opens_one_client_to_another_and_nothing_else()
    {
        using var s = PowerShellSession.WithExample();
        var r = s.Single<QaRule>("Grant-QaEgress -Client taskotron-client01 -ToClient BEAKER-CLIENT01 -Port 8080/tcp");
        Assert.Equal([QaSelector.Client("beaker-client01")], r.To);
        Assert.Equal("egress-taskotron-client01-beaker-client01", r.Id);
        bool Allowed(string from, string to, string port) =>
            s.Single<QaReachabilityResult>($"Test-QaReachability -From {from} -To {to} -Port {port}").Allowed;
        Assert.True(Allowed("taskotron-client01", "beaker-client01", "8080/tcp"));
        Assert.False(Allowed("beaker-client01", "taskotron-client01", "8080/tcp"));
        Assert.False(Allowed("taskotron-client01", "beaker-client01", "22/tcp"));
        Assert.Contains("to: client:beaker-client01", Export(s), StringComparison.Ordinal);
        Assert.Contains("egress-taskotron-client01-beaker-client01", s.Run("Get-QaRule -Client beaker-client01").Select(o => ((QaRule)o.BaseObject).Id));
    }

    [Theory]
    [InlineData("Grant-QaEgress -Role taskotron -ToClient beaker-client01", "PortsRequired")]
    [InlineData("Grant-QaEgress -Role taskotron -ToClient nobody -Port 22/tcp", "UnknownReference")]
    public void Grant_QaEgress_ToClient_bad_input_is_the_same_error_under_WhatIf(string call, string id)
    {
        using var s = PowerShellSession.WithExample();
        var before = Export(s);
        var real = Id(s, call);
        Assert.StartsWith(id + ",", real, StringComparison.Ordinal);
        Assert.Equal(real, Id(s, call + " -WhatIf"));
        Assert.Equal(before, Export(s));
    }
}
