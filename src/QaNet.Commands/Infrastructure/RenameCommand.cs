using System.Management.Automation;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// The one flow of the Rename- cmdlets (as Rename-Item): one target by name (against -Policy or
/// the current policy) or as an object (against its own policy) gets -NewName, and every
/// reference to it follows. The rename goes through
/// <see cref="QaCmdlet.TryChange{T}(Func{T, string}, Func{T, string}, Func{bool, T}, object?, out T)"/>:
/// one that would be refused gives its error before anything is confirmed — under -WhatIf too.
/// A verbose line per reference renamed; -PassThru writes the renamed object.
/// </summary>
public abstract class RenameCommand<T> : QaCmdlet
    where T : class
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    /// <summary>The new name: lowercase, as every new name (InvalidName otherwise).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string NewName { get; set; } = string.Empty;

    /// <summary>Writes the renamed object.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The name of the ByName set.</summary>
    protected abstract string? TargetName { get; }

    /// <summary>The object of the ByObject set.</summary>
    protected abstract T? TargetObject { get; }

    /// <summary>"client", "network": for messages.</summary>
    protected abstract string Kind { get; }

    /// <summary>The Get- cmdlet that lists the targets: for the not-found hint.</summary>
    protected abstract string Lister { get; }

    protected abstract string NameOf(T item);

    protected abstract QaPolicy PolicyOf(T item);

    protected abstract T? Find(QaPolicy policy, string name);

    /// <summary>Renames through PolicyEditor (with <paramref name="whatIf"/> only tries it); throws QaValidationException when refused.</summary>
    protected abstract QaRenaming Rename(QaPolicy policy, T item, bool whatIf);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.ByObject)
        {
            if (TargetObject is { } item && TryOwnerPolicy(PolicyOf(item), item, out var owner))
            {
                Rename(owner, NameOf(item));
            }

            return;
        }

        Rename(ResolvePolicy(), TargetName ?? string.Empty);
    }

    private void Rename(QaPolicy policy, string name)
    {
        var item = Find(policy, name);
        if (item is null)
        {
            WriteValidationError(PolicyEditor.NotFound(Kind, name, Lister), name);
            return;
        }

        if (!TryChange(_ => $"{Kind} '{NameOf(item)}' of policy '{policy.Name}'",
                trial => $"Rename to '{NewName}'" + (trial.References.Count == 0 ? string.Empty : $", with the {trial.References.Count} reference(s) to it"),
                whatIf => Rename(policy, item, whatIf), item, out var renaming))
        {
            return;
        }

        foreach (var reference in renaming.References)
        {
            WriteVerbose($"Renamed {Kind} '{renaming.OldName}' to '{renaming.NewName}' in {reference}.");
        }

        if (PassThru)
        {
            WriteObject(item);
        }
    }
}
