using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Removes networks, with their clients, from a policy.</summary>
[Cmdlet(VerbsCommon.Remove, "QaNetwork", DefaultParameterSetName = ParameterSets.ByObject,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaNetwork))]
public sealed class RemoveQaNetworkCommand : RemovalCommand<QaNetwork>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaNetwork[] InputObject { get; set; } = Array.Empty<QaNetwork>();

    /// <summary>Also remove the rules, access grants and assertions that name the network or its clients.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override IEnumerable<string> TargetNames => Name;

    protected override IEnumerable<QaNetwork> TargetObjects => InputObject;

    protected override string Kind => "network";

    protected override string Lister => "Get-QaNetwork";

    protected override string Action => "Remove";

    protected override string NameOf(QaNetwork item) => item.Name;

    protected override QaPolicy PolicyOf(QaNetwork item) => item.Policy;

    protected override QaNetwork? Find(QaPolicy policy, string name) => policy.FindNetwork(name);

    protected override IEnumerable<QaNetwork> All(QaPolicy policy) => policy.Networks;

    protected override string Describe(QaNetwork item, QaPolicy policy) =>
        $"network '{item.Name}' with {item.Clients.Count} client(s), of policy '{policy.Name}'";

    protected override string NamedBy(QaNetwork item) => $"network '{item.Name}' or one of its clients";

    protected override QaRemoval RemoveFrom(QaPolicy policy, QaNetwork item, bool whatIf) =>
        PolicyEditor.RemoveNetwork(policy, item.Name, Force, whatIf);
}
