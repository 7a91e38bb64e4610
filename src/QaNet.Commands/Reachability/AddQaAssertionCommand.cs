using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// States an expected verdict in the policy (the file's <c>tests:</c>); Test-QaPolicy reports
/// each one that does not hold.
/// </summary>
[Cmdlet(VerbsCommon.Add, "QaAssertion", SupportsShouldProcess = true)]
[OutputType(typeof(QaAssertion))]
public sealed class AddQaAssertionCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    /// <summary>A client or endpoint name, or an address.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(AssertionEndCompleter))]
    public string From { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(AssertionEndCompleter))]
    public string To { get; set; } = string.Empty;

    /// <summary>One port and protocol (<c>443/tcp</c>, <c>69/udp</c>) or <c>icmp</c>.</summary>
    [Parameter(Mandatory = true, Position = 2)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public string Port { get; set; } = string.Empty;

    [Parameter(Mandatory = true)]
    [ValidateSet("Allow", "Deny")]
    public string Expect { get; set; } = string.Empty;

    [Parameter]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var spec = new AssertionSpec(From, To, Port, string.Equals(Expect, "Allow", StringComparison.OrdinalIgnoreCase))
        {
            Description = Description,
        };
        if (TryChange(a => $"assertion {a}", _ => $"Add to policy '{policy.Name}'",
                whatIf => PolicyEditor.AddAssertion(policy, spec, whatIf), spec, out var assertion))
        {
            WriteObject(assertion);
        }
    }
}
