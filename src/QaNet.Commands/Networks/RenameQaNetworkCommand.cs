using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Renames a network; rules and access grants that name it follow (its clients belong to it and follow by themselves).</summary>
[Cmdlet(VerbsCommon.Rename, "QaNetwork", DefaultParameterSetName = ParameterSets.ByName, SupportsShouldProcess = true)]
[OutputType(typeof(QaNetwork))]
public sealed class RenameQaNetworkCommand : RenameCommand<QaNetwork>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaNetwork? InputObject { get; set; }

    protected override string? TargetName => Name;

    protected override QaNetwork? TargetObject => InputObject;

    protected override string Kind => "network";

    protected override string Lister => "Get-QaNetwork";

    protected override string NameOf(QaNetwork item) => item.Name;

    protected override QaPolicy PolicyOf(QaNetwork item) => item.Policy;

    protected override QaNetwork? Find(QaPolicy policy, string name) => policy.FindNetwork(name);

    protected override QaRenaming Rename(QaPolicy policy, QaNetwork item, bool whatIf) =>
        PolicyEditor.RenameNetwork(policy, item.Name, NewName, whatIf);
}
