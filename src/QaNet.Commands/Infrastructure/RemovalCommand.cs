using System.Management.Automation;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// The one flow of every Remove-/Revoke- cmdlet: each target by name (against -Policy or the
/// current policy) or as an object (against its own policy), one ShouldProcess right before
/// the change, one error per target that fails while the others go on.
/// </summary>
public abstract class RemovalCommand<T> : QaCmdlet
    where T : class
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Writes each removed object.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The names of the ByName set.</summary>
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

    /// <summary>The ShouldProcess action, e.g. "Remove".</summary>
    protected abstract string Action { get; }

    /// <summary>Makes the change through PolicyEditor; throws QaValidationException when refused.</summary>
    protected abstract void RemoveFrom(QaPolicy policy, T item);

    /// <summary>The ShouldProcess target: what the user is about to lose.</summary>
    protected virtual string Describe(T item, QaPolicy policy) => $"{Kind} '{NameOf(item)}' of policy '{policy.Name}'";

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
        foreach (var name in TargetNames)
        {
            Remove(policy, name);
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

        if (!ShouldProcess(Describe(item, policy), Action))
        {
            return;
        }

        try
        {
            RemoveFrom(policy, item);
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, item);
            return;
        }

        if (PassThru)
        {
            WriteObject(item);
        }
    }
}
