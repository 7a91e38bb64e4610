using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Removes host names from a policy's name map; refused while endpoints resolve through one, unless -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "QaHostName", DefaultParameterSetName = ParameterSets.ByObject,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaHostName))]
public sealed class RemoveQaHostNameCommand : RemovalCommand<QaHostName>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(HostNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaHostName[] InputObject { get; set; } = Array.Empty<QaHostName>();

    /// <summary>Remove the entry even though endpoints resolve through it (they keep the host name, unresolved).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override IEnumerable<string> TargetNames => Name;

    protected override IEnumerable<QaHostName> TargetObjects => InputObject;

    protected override string Kind => "host name";

    protected override string Lister => "Get-QaHostName";

    protected override string Action => "Remove";

    protected override string NameOf(QaHostName item) => item.Name;

    protected override QaPolicy PolicyOf(QaHostName item) => item.Policy;

    protected override QaHostName? Find(QaPolicy policy, string name) => PolicyEditor.FindHostName(policy, name);

    protected override IEnumerable<QaHostName> All(QaPolicy policy) => PolicyEditor.HostNames(policy);

    protected override string Describe(QaHostName item, QaPolicy policy) =>
        $"host name '{item.Name}' ({string.Join(", ", item.Address)}) in the name map of policy '{policy.Name}'";

    protected override QaRemoval RemoveFrom(QaPolicy policy, QaHostName item, bool whatIf)
    {
        var unresolved = PolicyEditor.RemoveHostName(policy, item.Name, Force, whatIf);
        if (!whatIf && unresolved.Count > 0)
        {
            WriteWarning($"Endpoint(s) {string.Join(", ", unresolved.Select(e => e.Name))} still name '{item.Name}', which now resolves to no address.");
        }

        return QaRemoval.None;
    }
}
