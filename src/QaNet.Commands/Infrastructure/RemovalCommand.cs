using System.Management.Automation;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// The one flow of every Remove-/Revoke- cmdlet: each target by name (against -Policy or the
/// current policy) or as an object (against its own policy), one ShouldProcess right before
/// the change, one error per target that fails while the others go on. Each removal goes through
/// <see cref="QaCmdlet.TryChange{T}(Func{T, string}, Func{T, string}, Func{bool, T}, object?, out T)"/>:
/// one that would be refused gives its error before anything is confirmed — under -WhatIf too.
/// </summary>
public abstract class RemovalCommand<T> : QaCmdlet
    where T : class
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Writes each removed object.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The names of the ByName set; wildcards stand for every name they match (<see cref="QaCmdlet.ExpandWildcard{T}"/>).</summary>
    protected abstract IEnumerable<string> TargetNames { get; }

    /// <summary>The objects of the ByObject set.</summary>
    protected abstract IEnumerable<T> TargetObjects { get; }

    /// <summary>"network", "client", "rule": for messages.</summary>
    protected abstract string Kind { get; }

    /// <summary>The Get- cmdlet that lists the targets: for the not-found hint.</summary>
    protected abstract string Lister { get; }

    protected abstract string NameOf(T item);

    protected abstract QaPolicy PolicyOf(T item);

    protected abstract T? Find(QaPolicy policy, string name);

    /// <summary>Every item of the kind in the policy: what a wildcard in a name is matched against.</summary>
    protected abstract IEnumerable<T> All(QaPolicy policy);

    /// <summary>The ShouldProcess action, e.g. "Remove".</summary>
    protected abstract string Action { get; }

    /// <summary>
    /// Makes the change through PolicyEditor, or with <paramref name="whatIf"/> only tries it;
    /// returns what goes along with the item; throws QaValidationException when refused.
    /// </summary>
    protected abstract QaRemoval RemoveFrom(QaPolicy policy, T item, bool whatIf);

    /// <summary>The ShouldProcess target: what the user is about to lose.</summary>
    protected virtual string Describe(T item, QaPolicy policy) => $"{Kind} '{NameOf(item)}' of policy '{policy.Name}'";

    /// <summary>What the rules, grants and assertions that go along named, for the verbose lines: "client 'x'".</summary>
    protected virtual string NamedBy(T item) => $"{Kind} '{NameOf(item)}'";

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.ByObject)
        {
            foreach (var item in TargetObjects)
            {
                if (TryOwnerPolicy(PolicyOf(item), item, out var owner))
                {
                    Remove(owner, NameOf(item));
                }
            }

            return;
        }

        var policy = ResolvePolicy();
        foreach (var pattern in TargetNames)
        {
            foreach (var name in ExpandWildcard(All(policy), NameOf, pattern, Kind, Lister))
            {
                Remove(policy, name);
            }
        }
    }

    private void Remove(QaPolicy policy, string name)
    {
        var item = Find(policy, name);
        if (item is null)
        {
            WriteValidationError(PolicyEditor.NotFound(Kind, name, Lister), name);
            return;
        }

        if (!TryChange(_ => Describe(item, policy), trial => trial.IsEmpty ? Action : $"{Action}, with the {trial} that name it",
                whatIf => RemoveFrom(policy, item, whatIf), item, out var removal))
        {
            return;
        }

        foreach (var rule in removal.Rules)
        {
            WriteVerbose($"Revoked rule '{rule.Id}', which named {NamedBy(item)}.");
        }

        foreach (var grant in removal.Grants)
        {
            WriteVerbose($"Revoked access grant '{grant.Id}', which named {NamedBy(item)}.");
        }

        foreach (var assertion in removal.Assertions)
        {
            WriteVerbose($"Removed assertion '{assertion}', which named {NamedBy(item)}.");
        }

        if (PassThru)
        {
            WriteObject(item);
        }
    }
}
