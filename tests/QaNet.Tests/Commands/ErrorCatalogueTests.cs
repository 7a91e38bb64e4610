using System.Management.Automation;
using System.Reflection;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Lab;
using QaNet.Core.Validation;

namespace QaNet.Tests.Commands;

/// <summary>
/// One catalogue of error ids (QaErrorIds) with one kind per id, mapped once to an ErrorCategory
/// (issue 14: ids lived in three classes with three id→category maps, so the same condition got
/// different categories depending on the cmdlet).
/// </summary>
public sealed class ErrorCatalogueTests
{
    private static IEnumerable<(string Name, string Value)> Ids(Type type) => type
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (f.Name, (string)f.GetRawConstantValue()!));

    [Fact]
    public void Every_id_is_in_the_one_catalogue_once_under_its_own_name()
    {
        var catalogue = Ids(typeof(QaErrorIds)).ToList();
        Assert.All(catalogue, id => Assert.Equal(id.Name, id.Value));
        Assert.Equal(catalogue.Count, catalogue.Select(i => i.Value).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var values = catalogue.Select(i => i.Value).ToHashSet(StringComparer.Ordinal);
        Assert.All(Ids(typeof(QaLabErrorIds)).Concat(Ids(typeof(CommandErrorIds))), id => Assert.Contains(id.Value, values));
    }

    [Theory]
    [InlineData(QaErrorIds.DuplicateGroup, QaErrorKind.AlreadyExists)]
    [InlineData(QaErrorIds.DuplicateVni, QaErrorKind.AlreadyExists)]
    [InlineData(QaErrorIds.LabAlreadyRunning, QaErrorKind.AlreadyExists)]
    [InlineData(QaErrorIds.LabNotFound, QaErrorKind.NotFound)]
    [InlineData(QaErrorIds.UnknownVirtHost, QaErrorKind.NotFound)]
    [InlineData(QaErrorIds.PublishHostLocked, QaErrorKind.Busy)]
    [InlineData(QaErrorIds.HostUnreachable, QaErrorKind.Unreachable)]
    [InlineData(QaErrorIds.HostCommandFailed, QaErrorKind.OperationFailed)]
    [InlineData(QaErrorIds.PolicyUnknownKey, QaErrorKind.InvalidData)]
    [InlineData(QaErrorIds.PolicyWriteFailed, QaErrorKind.WriteFailed)]
    [InlineData(QaErrorIds.PolicyMismatch, QaErrorKind.InvalidArgument)]
    [InlineData(QaErrorIds.InvalidName, QaErrorKind.InvalidArgument)]
    public void Kinds_follow_what_the_id_means(string id, QaErrorKind kind) => Assert.Equal(kind, QaErrorIds.KindOf(id));

    [Theory]
    // The same condition raised by different cmdlets has the same id and the same category.
    [InlineData("Get-QaLab -Prefix qn-none-", QaErrorIds.LabNotFound, ErrorCategory.ObjectNotFound)]
    [InlineData("Stop-QaLab -Prefix qn-none- -Confirm:$false", QaErrorIds.LabNotFound, ErrorCategory.ObjectNotFound)]
    [InlineData("Test-QaReachability -From bastion -To beaker-client01 -Port 22 -Live -Lab qn-none-", QaErrorIds.LabNotFound, ErrorCategory.ObjectNotFound)]
    [InlineData("Test-QaReachability -From bastion -To beaker-client01 -Port 22 -Trace -Lab qn-none-", QaErrorIds.LabNotFound, ErrorCategory.ObjectNotFound)]
    [InlineData("Publish-QaNetwork -VirtHost nope -WhatIf", QaErrorIds.UnknownVirtHost, ErrorCategory.ObjectNotFound)]
    [InlineData("Get-QaRuleset -VirtHost nope", QaErrorIds.UnknownVirtHost, ErrorCategory.ObjectNotFound)]
    [InlineData("Add-QaEndpoint -Name dns -Port 53/udp,443/tpc", QaErrorIds.InvalidPort, ErrorCategory.InvalidArgument)]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint koji -Port 443/tpc", QaErrorIds.InvalidPort, ErrorCategory.InvalidArgument)]
    [InlineData("Test-QaReachability -From taskotron-client01 -To koji -Port 443/tpc", QaErrorIds.InvalidPort, ErrorCategory.InvalidArgument)]
    [InlineData("$null = Grant-QaEgress -Role beaker -Endpoint koji -Id r1; Grant-QaEgress -Role taskotron -Endpoint koji -Id r1", QaErrorIds.DuplicateRuleId, ErrorCategory.ResourceExists)]
    public void One_condition_one_id_one_category(string script, string id, ErrorCategory category)
    {
        using var s = PowerShellSession.WithQaPolicy();
        var error = s.Errors(script)[0];
        Assert.StartsWith(id + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(QaErrorRecords.Category(id), category);
    }
}
