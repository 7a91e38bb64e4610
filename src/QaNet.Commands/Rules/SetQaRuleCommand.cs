using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Changes rules in place: priority, ports, expiry, description. Id, kind and sides stay.</summary>
[Cmdlet(VerbsCommon.Set, "QaRule", DefaultParameterSetName = ParameterSets.ByObject, SupportsShouldProcess = true)]
[OutputType(typeof(QaRule))]
public sealed class SetQaRuleCommand : RuleChangeCommand
{
    [Parameter]
    [ValidateRange(QaRule.MinPriority, QaRule.MaxPriority)]
    public int Priority { get; set; }

    /// <summary>Replaces the rule's ports; an empty array leaves the destination endpoints' own ports to apply.</summary>
    [Parameter]
    [AllowEmptyCollection]
    [ArgumentCompleter(typeof(PortCompleter))]
    public string[]? Port { get; set; }

    /// <summary>$null removes the expiry.</summary>
    [Parameter]
    [AllowNull]
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>An empty string clears it.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? Description { get; set; }

    protected override RuleChangeSpec Spec(string id) => new(id)
    {
        Priority = IsBound(nameof(Priority)) ? Priority : null,
        Ports = Port,
        ExpiresAt = ExpiresAt,
        ClearExpiry = IsBound(nameof(ExpiresAt)) && ExpiresAt is null,
        Description = Description,
    };

    protected override string Describe(QaRule item)
    {
        var parts = new List<string>();
        if (IsBound(nameof(Priority)))
        {
            parts.Add($"set Priority '{item.Priority}' -> '{Priority}'");
        }

        if (Port is not null)
        {
            parts.Add($"set Ports '{string.Join(", ", item.Ports)}' -> '{string.Join(", ", Port)}'");
        }

        if (IsBound(nameof(ExpiresAt)))
        {
            parts.Add(ExpiresAt is { } e ? $"set ExpiresAt '{item.ExpiresAt}' -> '{e}'" : $"remove the expiry '{item.ExpiresAt}'");
        }

        if (Description is not null)
        {
            parts.Add($"set Description '{item.Description}' -> '{Description}'");
        }

        return Listed(parts);
    }
}
