using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Gets the session's current policy (or passes on the one given).</summary>
[Cmdlet(VerbsCommon.Get, "QaPolicy")]
[OutputType(typeof(QaPolicy))]
public sealed class GetQaPolicyCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    protected override void ProcessRecord() => WriteObject(ResolvePolicy());
}
