using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Removes account-system groups from a policy; refused while access grants name one, unless -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "QaGroup", DefaultParameterSetName = ParameterSets.ByObject,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaGroup))]
public sealed class RemoveQaGroupCommand : RemovalCommand<QaGroup>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaGroup[] InputObject { get; set; } = Array.Empty<QaGroup>();

    /// <summary>Also revoke the access grants to the group.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override IEnumerable<string> TargetNames => Name;

    protected override IEnumerable<QaGroup> TargetObjects => InputObject;

    protected override string Kind => "group";

    protected override string Lister => "Get-QaGroup";

    protected override string Action => "Remove";

    protected override string NameOf(QaGroup item) => item.Name;

    protected override QaPolicy PolicyOf(QaGroup item) => item.Policy;

    protected override QaGroup? Find(QaPolicy policy, string name) => policy.FindGroup(name);

    protected override IEnumerable<QaGroup> All(QaPolicy policy) => policy.Groups;

    protected override string Describe(QaGroup item, QaPolicy policy) =>
        $"group '{item.Name}' ({item.Source}, {item.Members.Count} member(s)), of policy '{policy.Name}'";

    protected override QaRemoval RemoveFrom(QaPolicy policy, QaGroup item, bool whatIf) =>
        AccessEditor.RemoveGroup(policy, item.Name, Force, whatIf);
}
