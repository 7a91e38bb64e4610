using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Removes assertions got with Get-QaAssertion. Assertions carry no name and no policy of their
/// own, so they are looked up (as these very objects) in -Policy or the current policy.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "QaAssertion", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaAssertion))]
public sealed class RemoveQaAssertionCommand : QaCmdlet
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public QaAssertion[] InputObject { get; set; } = Array.Empty<QaAssertion>();

    /// <summary>Writes each removed assertion.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        foreach (var assertion in InputObject)
        {
            if (!policy.Assertions.Exists(a => ReferenceEquals(a, assertion)))
            {
                WriteValidationError(PolicyEditor.NotFound("assertion", assertion.ToString(), "Get-QaAssertion"), assertion);
                continue;
            }

            if (TryChange($"assertion {assertion} of policy '{policy.Name}'", "Remove",
                    whatIf => PolicyEditor.RemoveAssertion(policy, assertion, whatIf), assertion, out _) && PassThru)
            {
                WriteObject(assertion);
            }
        }
    }
}
