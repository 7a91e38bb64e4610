using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Renames an endpoint; rules, access grants, assertions, network gateways, the jump host and its transport follow.</summary>
[Cmdlet(VerbsCommon.Rename, "QaEndpoint", DefaultParameterSetName = ParameterSets.ByName, SupportsShouldProcess = true)]
[OutputType(typeof(QaEndpoint))]
public sealed class RenameQaEndpointCommand : RenameCommand<QaEndpoint>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaEndpoint? InputObject { get; set; }

    protected override string? TargetName => Name;

    protected override QaEndpoint? TargetObject => InputObject;

    protected override string Kind => "endpoint";

    protected override string Lister => "Get-QaEndpoint";

    protected override string NameOf(QaEndpoint item) => item.Name;

    protected override QaPolicy PolicyOf(QaEndpoint item) => item.Policy;

    protected override QaEndpoint? Find(QaPolicy policy, string name) => policy.FindEndpoint(name);

    protected override QaRenaming Rename(QaPolicy policy, QaEndpoint item, bool whatIf) =>
        PolicyEditor.RenameEndpoint(policy, item.Name, NewName, whatIf);
}
