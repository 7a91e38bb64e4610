using System.Management.Automation;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// The one flow of the Set-/Enable-/Disable- cmdlets that change objects in place: each target by
/// name (against -Policy or the current policy) or as an object (against its own policy), one
/// ShouldProcess right before the change, one error per target that fails (nothing of it changed)
/// while the others go on, a verbose line per changed property, -PassThru writes the object.
/// Each change goes through
/// <see cref="QaCmdlet.TryChange{T}(Func{T, string}, Func{T, string}, Func{bool, T}, object?, out T)"/>:
/// one that would be refused gives its error before anything is confirmed — under -WhatIf too.
/// </summary>
public abstract class ChangeCommand<T> : QaCmdlet
    where T : class
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Writes each changed object.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The names of the ByName set; wildcards stand for every name they match (<see cref="QaCmdlet.ExpandWildcard{T}"/>).</summary>
    protected abstract IEnumerable<string> TargetNames { get; }

    /// <summary>The objects of the ByObject set.</summary>
    protected abstract IEnumerable<T> TargetObjects { get; }

    /// <summary>"endpoint", "rule": for messages.</summary>
    protected abstract string Kind { get; }

    /// <summary>The Get- cmdlet that lists the targets: for the not-found hint.</summary>
    protected abstract string Lister { get; }

    protected abstract string NameOf(T item);

    protected abstract QaPolicy PolicyOf(T item);

    protected abstract T? Find(QaPolicy policy, string name);

    /// <summary>Every item of the kind in the policy: what a wildcard in a name is matched against.</summary>
    protected abstract IEnumerable<T> All(QaPolicy policy);

    /// <summary>The ShouldProcess action: what is asked for, against the current values.</summary>
    protected abstract string Describe(T item);

    /// <summary>
    /// Makes the change through PolicyEditor (with <paramref name="whatIf"/> only tries it);
    /// returns what changed; throws QaValidationException when refused.
    /// </summary>
    protected abstract IReadOnlyList<QaPropertyChange> Change(QaPolicy policy, T item, bool whatIf);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.ByObject)
        {
            foreach (var item in TargetObjects)
            {
                if (TryOwnerPolicy(PolicyOf(item), item, out var owner))
                {
                    Set(owner, NameOf(item));
                }
            }

            return;
        }

        var policy = ResolvePolicy();
        foreach (var pattern in TargetNames)
        {
            foreach (var name in ExpandWildcard(All(policy), NameOf, pattern, Kind, Lister))
            {
                Set(policy, name);
            }
        }
    }

    private void Set(QaPolicy policy, string name)
    {
        var item = Find(policy, name);
        if (item is null)
        {
            WriteValidationError(PolicyEditor.NotFound(Kind, name, Lister), name);
            return;
        }

        if (!TryChange($"{Kind} '{NameOf(item)}' of policy '{policy.Name}'", Describe(item),
                whatIf => Change(policy, item, whatIf), item, out var changes))
        {
            return;
        }

        foreach (var c in changes)
        {
            WriteVerbose($"{char.ToUpperInvariant(Kind[0])}{Kind[1..]} '{NameOf(item)}': {c.Property} '{c.OldValue}' -> '{c.NewValue}'.");
        }

        if (changes.Count == 0)
        {
            WriteVerbose($"{char.ToUpperInvariant(Kind[0])}{Kind[1..]} '{NameOf(item)}' already was as asked; nothing changed.");
        }

        if (PassThru)
        {
            WriteObject(item);
        }
    }

    /// <summary>"Set: a; b" from the parts asked for; "Set (nothing requested)" without any.</summary>
    protected static string Listed(IReadOnlyCollection<string> parts) =>
        parts.Count == 0 ? "Set (nothing requested)" : "Set: " + string.Join("; ", parts);
}
