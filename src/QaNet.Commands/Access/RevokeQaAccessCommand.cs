using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Removes access grants from a policy.</summary>
[Cmdlet(VerbsSecurity.Revoke, "QaAccess", DefaultParameterSetName = ParameterSets.ByObject,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaAccessGrant))]
public sealed class RevokeQaAccessCommand : RemovalCommand<QaAccessGrant>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("GrantId")]
    [ArgumentCompleter(typeof(AccessGrantIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaAccessGrant[] InputObject { get; set; } = Array.Empty<QaAccessGrant>();

    protected override IEnumerable<string> TargetNames => Id;

    protected override IEnumerable<QaAccessGrant> TargetObjects => InputObject;

    protected override string Kind => "access grant";

    protected override string Lister => "Get-QaAccess";

    protected override string Action => "Revoke";

    protected override string NameOf(QaAccessGrant item) => item.Id;

    protected override QaPolicy PolicyOf(QaAccessGrant item) => item.Policy;

    protected override QaAccessGrant? Find(QaPolicy policy, string name) => policy.FindAccessGrant(name);

    protected override IEnumerable<QaAccessGrant> All(QaPolicy policy) => policy.AccessGrants;

    protected override string Describe(QaAccessGrant item, QaPolicy policy) =>
        $"access grant '{item.Id}' (group {item.Group}: {string.Join(",", item.Rights)} on {string.Join(",", item.Hosts)}), of policy '{policy.Name}'";

    protected override QaRemoval RemoveFrom(QaPolicy policy, QaAccessGrant item, bool whatIf)
    {
        AccessEditor.RemoveGrant(policy, item.Id, whatIf);
        return QaRemoval.None;
    }
}
