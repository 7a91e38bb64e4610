using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Gets the entries of a policy's name map (<c>hosts:</c>), sorted by host name.</summary>
[Cmdlet(VerbsCommon.Get, "QaHostName")]
[OutputType(typeof(QaHostName))]
public sealed class GetQaHostNameCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(HostNameCompleter))]
    public string[]? Name { get; set; }

    // A trailing dot (the fully qualified form) does not matter, as in the resolver.
    protected override void ProcessRecord() =>
        WriteObject(SelectByName(PolicyEditor.HostNames(ResolvePolicy()), h => h.Name.TrimEnd('.'), Name?.Select(n => n.TrimEnd('.')).ToArray(),
            "host name", "Get-QaHostName"), enumerateCollection: true);
}
