using System.Collections;
using System.Management.Automation;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// Lets a list parameter take a list written in one text, as a CSV cell holds it: "a;b", "a,b",
/// and "a, b" (what Export-Csv writes for QaNet's list properties) all bind as a and b. Empty
/// items are dropped, so an empty cell binds as an empty list. Names never contain ',' or ';'.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class QaListTransformationAttribute : ArgumentTransformationAttribute
{
    private static readonly char[] Separators = [',', ';'];

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => Unwrap(inputData) switch
    {
        string text => Split(text),
        IList list => list.Cast<object?>().SelectMany(i => Unwrap(i) is string s ? Split(s) : [i]).ToArray(),
        var other => other,
    };

    private static object?[] Split(string text) =>
        text.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
