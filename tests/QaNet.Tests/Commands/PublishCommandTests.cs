using System.Management.Automation;
using QaNet.Commands.Publishing;
using QaNet.Core.Hosts;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Commands;

/// <summary>
/// The publishing cmdlets against a scripted host (a recording runner that answers reads with an
/// empty host): what they run, what they write, their error ids. The real hosts are in Publish/.
/// </summary>
[Collection(PublishCommandGroup.Name)]
public sealed class PublishCommandTests
{
    private readonly RecordingRunner _host = new(script: FakeHosts.EmptyHost);

    [Fact]
    public void WhatIf_shows_the_plan_and_the_artifacts_and_runs_no_mutating_command()
    {
        using var s = PowerShellSession.WithQaPolicy(_host);
        var result = s.Single<QaPublishResult>("Publish-QaNetwork -WhatIf");
        Assert.Equal(QaPublishOutcome.WhatIf, result.Outcome);
        Assert.Equal("virthost-comm01", result.VirtHost);
        Assert.Contains(result.Plan!.Changes, c => c.Kind == QaPublishChangeKind.LibvirtNetworkDefine && c.Target == "network qa-clients");
        Assert.Contains(result.Plan.Changes, c => c.Kind == QaPublishChangeKind.NftTableCreate);
        Assert.Equal(["inet qanet", "bridge qanet"], result.Plan.Artifacts.NftTables.Select(t => t.Key));
        Assert.Contains("table inet qanet", result.Plan.Artifacts.NftTables[0].Definition, StringComparison.Ordinal);
        // The example's Nat network has no TCP between clients: no reply guard, so none may exist.
        Assert.Null(result.Plan.Artifacts.NftTables[1].Definition);
        Assert.Contains("<name>qa-clients</name>", Assert.Single(result.Plan.Artifacts.Networks).Xml, StringComparison.Ordinal);
        Assert.NotEmpty(_host.Commands);
        Assert.Empty(_host.Mutations);
    }

    [Fact]
    public void A_publish_applies_through_the_transport_the_parameter_names()
    {
        using var s = PowerShellSession.WithQaPolicy(_host);
        // The scripted host never shows what was applied, so the verify fails and the publish rolls back:
        // what matters here is where the commands went.
        s.Errors("Publish-QaNetwork -Transport @{ 'virthost-comm01' = 'namespace:qn-nowhere' } -Confirm:$false");
        // Everything runs in the namespace but the throwaway namespaces of the check, made on the machine.
        Assert.All(_host.Commands.Where(c => !FakeHosts.IsScratch(c)), c => Assert.Equal(["netns", "exec", "qn-nowhere"], c.Arguments.Take(3)));
        Assert.Contains(_host.Commands, c => c.Arguments is ["netns", "add", var n] && n.StartsWith("qanet-check-", StringComparison.Ordinal));
        Assert.Contains(_host.Mutations, c => c.Arguments.Contains("net-define"));
    }

    [Theory]
    [InlineData("Publish-QaNetwork -VirtHost nosuchhost -WhatIf", QaErrorIds.UnknownVirtHost)]
    [InlineData("Test-QaNetwork -VirtHost nosuchhost", QaErrorIds.UnknownVirtHost)]
    [InlineData("Publish-QaNetwork -Network nosuchnet -WhatIf", QaErrorIds.NotFound)]
    [InlineData("Publish-QaNetwork -Transport @{ 'virthost-comm01' = 'teleport' } -WhatIf", QaErrorIds.InvalidTransport)]
    [InlineData("Publish-QaNetwork -Transport 42 -WhatIf", QaErrorIds.InvalidTransport)]
    [InlineData("Confirm-QaPublish", QaErrorIds.PublishNotPending)]
    [InlineData("Undo-QaPublish -Confirm:$false", QaErrorIds.PublishNotPending)]
    public void Bad_input_has_a_stable_error_id(string script, string id)
    {
        using var s = PowerShellSession.WithQaPolicy(_host);
        Assert.StartsWith(id + ",", s.Errors(script)[0].FullyQualifiedErrorId, StringComparison.Ordinal);
        // At most the host lock of Confirm/Undo was taken and released.
        Assert.All(_host.Mutations, m => Assert.True(m.Program is "mkdir" or "dd" or "rm", m.ToString()));
    }

    [Fact]
    public void Cutting_the_management_path_is_refused_unless_forced()
    {
        using var s = PowerShellSession.WithQaPolicy(_host);
        s.Run("Get-QaRule | Where-Object Kind -eq Ingress | Revoke-QaRule -Confirm:$false");
        var errors = s.Errors("Publish-QaNetwork -Confirm:$false");
        Assert.StartsWith(QaErrorIds.ManagementPathCut + ",", errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.DoesNotContain(_host.Mutations, c => c.Program is "virsh" or "nft" or "ebtables-restore");
        Assert.Equal(QaPublishOutcome.WhatIf, s.Single<QaPublishResult>("Publish-QaNetwork -Force -WhatIf").Outcome);
    }

    [Fact]
    public void Test_reports_drift_as_objects_or_quietly()
    {
        using var s = PowerShellSession.WithQaPolicy(_host);
        var drift = s.Run("Test-QaNetwork").Select(o => Assert.IsType<QaDriftItem>(o.BaseObject)).ToList();
        Assert.Contains(drift, d => d.Kind == QaDriftKind.LibvirtNetworkMissing);
        Assert.Contains(drift, d => d.Kind == QaDriftKind.NftTableMissing);
        Assert.False(s.Single<bool>("Test-QaNetwork -Quiet"));
        Assert.Empty(_host.Mutations);
    }

    [Fact]
    public void Undo_asks_first_because_its_impact_is_high()
    {
        using var s = new PowerShellSession();
        Assert.Equal("High", s.Run("(Get-Command Undo-QaPublish).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact")
            .Select(o => o.ToString()).Single());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PublishCommandGroup
{
    public const string Name = "publish-commands";
}
