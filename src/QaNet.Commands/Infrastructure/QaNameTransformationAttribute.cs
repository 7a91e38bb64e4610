using System.Collections;
using System.Management.Automation;
using QaNet.Core.Model;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// Lets a name parameter take the object itself: <c>-Endpoint (Get-QaEndpoint koji)</c> or
/// <c>-Gateway $bastion</c> bind the object's name (a rule's id). Anything else passes unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class QaNameTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>
    /// For a name filter that takes strings from the pipeline beside a <c>-Policy</c> that takes
    /// the policy (<c>'koji' | Get-QaEndpoint</c>, <c>$p | Get-QaEndpoint</c>): PowerShell offers a
    /// piped object to every parameter that takes pipeline input by value, so a piped policy would
    /// also bind here as its name. With this set a policy binds as no filter (null) instead.
    /// </summary>
    public bool IgnorePolicy { get; set; }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = Unwrap(inputData);
        if (IgnorePolicy && value is QaPolicy)
        {
            return null;
        }

        return value is IList list
            ? list.Cast<object?>().Select(NameOf).ToArray()
            : NameOf(value);
    }

    private static object? NameOf(object? item) => Unwrap(item) switch
    {
        QaNetwork n => n.Name,
        QaClient c => c.Name,
        QaEndpoint e => e.Name,
        QaRule r => r.Id,
        QaHostName h => h.Name,
        var other => other,
    };

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
