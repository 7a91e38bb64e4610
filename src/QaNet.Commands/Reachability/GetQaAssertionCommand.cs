using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Gets the assertions (expected verdicts) of a policy.</summary>
[Cmdlet(VerbsCommon.Get, "QaAssertion")]
[OutputType(typeof(QaAssertion))]
public sealed class GetQaAssertionCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(AssertionEndCompleter))]
    public string[]? From { get; set; }

    [Parameter(Position = 1)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(AssertionEndCompleter))]
    public string[]? To { get; set; }

    protected override void ProcessRecord() =>
        WriteObject(ResolvePolicy().Assertions.Where(a => MatchesAny(a.From, From) && MatchesAny(a.To, To)), enumerateCollection: true);
}
