using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Renames a client; rules, access grants and assertions that name it follow.</summary>
[Cmdlet(VerbsCommon.Rename, "QaClient", DefaultParameterSetName = ParameterSets.ByName, SupportsShouldProcess = true)]
[OutputType(typeof(QaClient))]
public sealed class RenameQaClientCommand : RenameCommand<QaClient>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaClient? InputObject { get; set; }

    protected override string? TargetName => Name;

    protected override QaClient? TargetObject => InputObject;

    protected override string Kind => "client";

    protected override string Lister => "Get-QaClient";

    protected override string NameOf(QaClient item) => item.Name;

    protected override QaPolicy PolicyOf(QaClient item) => item.Policy;

    protected override QaClient? Find(QaPolicy policy, string name) => policy.FindClient(name);

    protected override QaRenaming Rename(QaPolicy policy, QaClient item, bool whatIf) =>
        PolicyEditor.RenameClient(policy, item.Name, NewName, whatIf);
}
