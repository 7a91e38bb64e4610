using System.Management.Automation;
using QaNet.Core.Validation;

namespace QaNet.Tests.Commands;

/// <summary>Bad input gives a stable FullyQualifiedErrorId: at least one per cmdlet, and the validation ids cmdlets reach.</summary>
public sealed class ErrorIdTests
{
    [Theory]
    [InlineData("New-QaPolicy -Name 'Bad Name'", "InvalidName,QaNet.Commands.NewQaPolicyCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet nope -Mode Nat -VirtHost vh", "InvalidSubnet,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 192.168.150.128/25 -Mode Nat -VirtHost vh", "SubnetOverlap,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name qa-clients -Subnet 10.9.0.0/24 -Mode Nat -VirtHost vh", "DuplicateNetwork,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Gateway -VirtHost vh", "GatewayRequired,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Gateway -Gateway koji -VirtHost vh", "GatewayAddressOutsideSubnet,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Gateway -Gateway nope -VirtHost vh", "UnknownReference,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Nat -VirtHost vh -DhcpStart 10.9.0.10", "DhcpRangeInvalid,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Nat -VirtHost vh -DhcpStart 10.9.0.1 -DhcpEnd 10.9.0.99", "DhcpRangeCollision,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/31 -Mode Nat -VirtHost vh", "SubnetTooSmall,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Nat -VirtHost vh -Bridge 'bad/bridge'", "InvalidBridgeName,QaNet.Commands.NewQaIsolatedNetworkCommand")]
    [InlineData("Get-QaNetwork -Name nope", "NotFound,QaNet.Commands.GetQaNetworkCommand")]
    [InlineData("Remove-QaNetwork -Name nope -Confirm:$false", "NotFound,QaNet.Commands.RemoveQaNetworkCommand")]
    [InlineData("$null = Grant-QaEgress -Client beaker-client01 -Endpoint koji; Remove-QaNetwork -Name qa-clients -Confirm:$false", "InUse,QaNet.Commands.RemoveQaNetworkCommand")]
    [InlineData("Remove-QaNetwork -Name qa-clients -Confirm:$false", "InUse,QaNet.Commands.RemoveQaNetworkCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name taskotron-client01", "DuplicateClientName,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -Address 10.1.1.1", "AddressOutsideSubnet,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -Address 192.168.150.1", "AddressReserved,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -Address 192.168.150.2", "DuplicateAddress,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -Address 192.168.150.200", "DhcpRangeCollision,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -Address not-an-ip", "InvalidAddress,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -MacAddress 53:54:00:00:00:01", "InvalidMacAddress,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -MacAddress (Get-QaClient taskotron-client01).MacAddress", "DuplicateMacAddress,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -VirtHost elsewhere", "UnknownVirtHost,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name koji", "NameConflict,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name C9", "InvalidName,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network nope -Name c9", "NotFound,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Add-QaClient -Network 42 -Name c9", "InvalidNetworkArgument,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Get-QaClient -Name nope", "NotFound,QaNet.Commands.GetQaClientCommand")]
    [InlineData("Remove-QaClient -Name nope -Confirm:$false", "NotFound,QaNet.Commands.RemoveQaClientCommand")]
    [InlineData("$null = Grant-QaEgress -Client beaker-client01 -Endpoint koji; Remove-QaClient -Name beaker-client01 -Confirm:$false", "InUse,QaNet.Commands.RemoveQaClientCommand")]
    [InlineData("Add-QaEndpoint -Name e1", "EndpointWithoutTarget,QaNet.Commands.AddQaEndpointCommand")]
    [InlineData("Add-QaEndpoint -Name e1 -Address 10.0.0.1 -Port 70000/tcp", "InvalidPort,QaNet.Commands.AddQaEndpointCommand")]
    [InlineData("Add-QaEndpoint -Name e1 -Address 10.0.0.1 -Port 99-10/tcp", "PortRangeReversed,QaNet.Commands.AddQaEndpointCommand")]
    [InlineData("Add-QaEndpoint -Name koji -Address 10.0.0.1", "DuplicateEndpoint,QaNet.Commands.AddQaEndpointCommand")]
    [InlineData("Add-QaEndpoint -Name taskotron-client01 -Address 10.0.0.1", "NameConflict,QaNet.Commands.AddQaEndpointCommand")]
    [InlineData("Add-QaEndpoint -Name e1 -HostName 'bad_host!'", "InvalidHostName,QaNet.Commands.AddQaEndpointCommand")]
    [InlineData("Add-QaEndpoint -Name e1 -Address 10.0.0.1/8", "InvalidSubnet,QaNet.Commands.AddQaEndpointCommand")]
    [InlineData("Get-QaEndpoint -Name nope", "NotFound,QaNet.Commands.GetQaEndpointCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint nope -Port 443/tcp", "UnknownReference,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role nobody -Endpoint koji", "UnknownReference,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Cidr 0.0.0.0/0 -Port 443/tcp", "EgressToAnyAddress,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Cidr 10.0.0.300/8", "InvalidSubnet,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Cidr 10.5.0.0/16", "PortsRequired,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint koji -Port 443/sctp", "InvalidPort,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint koji -Id egress-taskotron-koji", "DuplicateRuleId,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Port 443/tcp", "InvalidRuleSide,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint koji -Id 'Bad Id'", "InvalidName,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint koji -Priority 70000", "ParameterArgumentValidationError,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Grant-QaIngress -From bastion -Role taskotron", "PortsRequired,QaNet.Commands.GrantQaIngressCommand")]
    [InlineData("Grant-QaIngress -From koji, nope -Role taskotron -Port 22/tcp", "UnknownReference,QaNet.Commands.GrantQaIngressCommand")]
    [InlineData("Block-QaEgress -Role nobody -Endpoint koji", "UnknownReference,QaNet.Commands.BlockQaEgressCommand")]
    [InlineData("Get-QaRule -Id nope", "NotFound,QaNet.Commands.GetQaRuleCommand")]
    [InlineData("Revoke-QaRule -Id nope -Confirm:$false", "NotFound,QaNet.Commands.RevokeQaRuleCommand")]
    [InlineData("Import-QaPolicy -Path ./does-not-exist.yaml", "PolicyFileNotFound,QaNet.Commands.ImportQaPolicyCommand")]
    [InlineData("Import-QaPolicy -Path Env:HOME", "NotFileSystemPath,QaNet.Commands.ImportQaPolicyCommand")]
    [InlineData("Export-QaPolicy -Path Env:QANET_TEST", "NotFileSystemPath,QaNet.Commands.ExportQaPolicyCommand")]
    [InlineData("$o = New-QaPolicy -Name other; Get-QaNetwork -Policy $p qa-clients | Add-QaClient -Policy $o -Name c9", "PolicyMismatch,QaNet.Commands.AddQaClientCommand")]
    [InlineData("$o = New-QaPolicy -Name other; Get-QaClient -Policy $p beaker-client01 | Remove-QaClient -Policy $o -Confirm:$false", "PolicyMismatch,QaNet.Commands.RemoveQaClientCommand")]
    public void Bad_input_gives_a_stable_error_id(string script, string expected)
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal(expected, s.ErrorId(script));
    }

    [Theory]
    // Issue 17, bug 9: a client (network, role) given to -From was "endpoint 'x' does not exist" (UnknownReference).
    [InlineData("Grant-QaIngress -From beaker-client01 -Role taskotron -Port 22/tcp")]
    [InlineData("Grant-QaIngress -From qa-clients -Role taskotron -Port 22/tcp")]
    [InlineData("Grant-QaIngress -From beaker -Role taskotron -Port 22/tcp")]
    [InlineData("Grant-QaIngress -From beaker-client01 -Role taskotron -Port 22/tcp -WhatIf:$false")]
    public void Ingress_from_a_client_is_a_wrong_side_with_a_fix_not_an_unknown_endpoint(string script)
    {
        using var s = PowerShellSession.WithQaPolicy();
        var error = Assert.Single(s.Errors(script));
        Assert.Equal("InvalidRuleSide,QaNet.Commands.GrantQaIngressCommand", error.FullyQualifiedErrorId);
        var only = Assert.Single(Assert.IsType<QaValidationException>(error.Exception).Errors);
        Assert.Equal(QaErrorIds.InvalidRuleSide, only.Id);
        Assert.EndsWith(".from", only.Path, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
        Assert.Equal(2, s.Run("Get-QaRule").Count);
    }

    [Theory]
    [InlineData("Get-QaPolicy", "NoCurrentPolicy,QaNet.Commands.GetQaPolicyCommand")]
    [InlineData("Get-QaNetwork", "NoCurrentPolicy,QaNet.Commands.GetQaNetworkCommand")]
    [InlineData("Add-QaClient -Network qa-clients -Name c1", "NoCurrentPolicy,QaNet.Commands.AddQaClientCommand")]
    [InlineData("Grant-QaEgress -Role r -Endpoint e", "NoCurrentPolicy,QaNet.Commands.GrantQaEgressCommand")]
    [InlineData("Export-QaPolicy -Path ./x.yaml", "NoCurrentPolicy,QaNet.Commands.ExportQaPolicyCommand")]
    public void Without_any_policy_the_call_fails_with_NoCurrentPolicy(string script, string expected)
    {
        using var s = new PowerShellSession();
        Assert.Equal(expected, s.ErrorId(script));
    }

    [Fact]
    public void Each_problem_is_its_own_error_record_with_its_exception_the_target_and_the_fix_once()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var errors = s.Errors("Add-QaClient -Network qa-clients -Name c9 -MacAddress 53:00:00:00:00:01 -Address 10.1.1.1");
        Assert.Equal(["InvalidMacAddress,QaNet.Commands.AddQaClientCommand", "AddressOutsideSubnet,QaNet.Commands.AddQaClientCommand"],
            errors.Select(e => e.FullyQualifiedErrorId));
        Assert.All(errors, error =>
        {
            var problem = Assert.Single(Assert.IsType<QaValidationException>(error.Exception).Errors);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal("c9", error.TargetObject);
            Assert.Contains($"[{problem.Id}]", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(problem.Fix, error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Equal(problem.Fix, error.ErrorDetails.RecommendedAction);
        });
    }

    [Theory]
    [InlineData("Get-QaNetwork -Name nope", ErrorCategory.ObjectNotFound)]
    [InlineData("Add-QaClient -Network qa-clients -Name taskotron-client01", ErrorCategory.ResourceExists)]
    [InlineData("$null = Grant-QaEgress -Client beaker-client01 -Endpoint koji; Remove-QaNetwork -Name qa-clients -Confirm:$false", ErrorCategory.ResourceBusy)]
    [InlineData("Add-QaEndpoint -Name e1", ErrorCategory.InvalidArgument)]
    public void Errors_carry_a_fitting_category(string script, ErrorCategory expected)
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal(expected, Assert.Single(s.Errors(script)).CategoryInfo.Category);
    }

    [Fact]
    public void A_failed_change_changes_nothing()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Errors("Add-QaClient -Network qa-clients -Name taskotron-client01");
        s.Errors("Grant-QaEgress -Role taskotron -Cidr 0.0.0.0/0 -Port 443/tcp");
        Assert.Equal(3, s.Run("Get-QaClient").Count);
        Assert.Equal(2, s.Run("Get-QaRule").Count);
    }
}
