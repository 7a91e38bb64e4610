using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>Adds an account-system group to a policy, or members to a group it has.</summary>
[Cmdlet(VerbsCommon.Add, "QaGroup", SupportsShouldProcess = true)]
[OutputType(typeof(QaGroup))]
public sealed class AddQaGroupCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string Name { get; set; } = string.Empty;

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Members")]
    public string[] Member { get; set; } = Array.Empty<string>();

    [Parameter]
    public QaGroupSource Source { get; set; }

    [Parameter]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var action = policy.FindGroup(Name) is null ? $"Add group to policy '{policy.Name}'" : $"Add members to group of policy '{policy.Name}'";
        var members = Member.Length == 0 ? string.Empty : $" ({string.Join(", ", Member)})";
        if (TryChange(g => $"group '{g.Name}'{members}", _ => action,
                whatIf => AccessEditor.AddGroup(policy, Name, Member, IsBound(nameof(Source)) ? Source : null, Description, whatIf), Name, out var group))
        {
            WriteObject(group);
        }
    }
}
