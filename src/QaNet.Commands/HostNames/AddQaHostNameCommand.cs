using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Adds a host name with its addresses to a policy's name map, or addresses to a name it has.</summary>
[Cmdlet(VerbsCommon.Add, "QaHostName", SupportsShouldProcess = true)]
[OutputType(typeof(QaHostName))]
public sealed class AddQaHostNameCommand : QaCmdlet
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(HostNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Addresses")]
    public string[] Address { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var existing = PolicyEditor.FindHostName(policy, Name);
        var action = existing is null
            ? $"Add to the name map of policy '{policy.Name}'"
            : $"Add addresses to the name map entry (now {string.Join(", ", existing.Address)}) of policy '{policy.Name}'";
        if (TryChange(trial => $"host name '{trial.Name}' ({string.Join(", ", Address)})", _ => action,
                whatIf => PolicyEditor.AddHostName(policy, Name, Address, whatIf), Name, out var entry))
        {
            WriteObject(entry);
        }
    }
}
