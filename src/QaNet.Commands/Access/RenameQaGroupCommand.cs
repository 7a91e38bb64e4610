using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Renames an account-system group; the access grants to it follow.</summary>
[Cmdlet(VerbsCommon.Rename, "QaGroup", DefaultParameterSetName = ParameterSets.ByName, SupportsShouldProcess = true)]
[OutputType(typeof(QaGroup))]
public sealed class RenameQaGroupCommand : RenameCommand<QaGroup>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaGroup? InputObject { get; set; }

    protected override string? TargetName => Name;

    protected override QaGroup? TargetObject => InputObject;

    protected override string Kind => "group";

    protected override string Lister => "Get-QaGroup";

    protected override string NameOf(QaGroup item) => item.Name;

    protected override QaPolicy PolicyOf(QaGroup item) => item.Policy;

    protected override QaGroup? Find(QaPolicy policy, string name) => policy.FindGroup(name);

    protected override QaRenaming Rename(QaPolicy policy, QaGroup item, bool whatIf) =>
        AccessEditor.RenameGroup(policy, item.Name, NewName, whatIf);
}
