using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Removes endpoints from a policy; refused while rules, grants or assertions name one, unless -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "QaEndpoint", DefaultParameterSetName = ParameterSets.ByObject,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaEndpoint))]
public sealed class RemoveQaEndpointCommand : RemovalCommand<QaEndpoint>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaEndpoint[] InputObject { get; set; } = Array.Empty<QaEndpoint>();

    /// <summary>Also remove the rules, access grants and assertions that name the endpoint.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override IEnumerable<string> TargetNames => Name;

    protected override IEnumerable<QaEndpoint> TargetObjects => InputObject;

    protected override string Kind => "endpoint";

    protected override string Lister => "Get-QaEndpoint";

    protected override string Action => "Remove";

    protected override string NameOf(QaEndpoint item) => item.Name;

    protected override QaPolicy PolicyOf(QaEndpoint item) => item.Policy;

    protected override QaEndpoint? Find(QaPolicy policy, string name) => policy.FindEndpoint(name);

    protected override IEnumerable<QaEndpoint> All(QaPolicy policy) => policy.Endpoints;

    protected override QaRemoval RemoveFrom(QaPolicy policy, QaEndpoint item, bool whatIf) =>
        PolicyEditor.RemoveEndpoint(policy, item.Name, Force, whatIf);
}
