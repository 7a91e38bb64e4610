using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Removes clients from a policy.</summary>
[Cmdlet(VerbsCommon.Remove, "QaClient", DefaultParameterSetName = ParameterSets.ByObject,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaClient))]
public sealed class RemoveQaClientCommand : RemovalCommand<QaClient>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaClient[] InputObject { get; set; } = Array.Empty<QaClient>();

    /// <summary>Also remove the rules, access grants and assertions that name the client.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override IEnumerable<string> TargetNames => Name;

    protected override IEnumerable<QaClient> TargetObjects => InputObject;

    protected override string Kind => "client";

    protected override string Lister => "Get-QaClient";

    protected override string Action => "Remove";

    protected override string NameOf(QaClient item) => item.Name;

    protected override QaPolicy PolicyOf(QaClient item) => item.Policy;

    protected override QaClient? Find(QaPolicy policy, string name) => policy.FindClient(name);

    protected override IEnumerable<QaClient> All(QaPolicy policy) => policy.Clients;

    protected override string Describe(QaClient item, QaPolicy policy) =>
        $"client '{item.Name}' ({item.Address}) on network '{item.Network}', of policy '{policy.Name}'";

    protected override QaRemoval RemoveFrom(QaPolicy policy, QaClient item, bool whatIf) =>
        PolicyEditor.RemoveClient(policy, item.Name, Force, whatIf);
}
