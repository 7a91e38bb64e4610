using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Session;
using QaNet.Core.Checking;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>Creates an empty policy and makes it the session's current policy.</summary>
[Cmdlet(VerbsCommon.New, "QaPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(QaPolicy))]
public sealed class NewQaPolicyCommand : QaCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public string? Description { get; set; }

    /// <summary>Not a parameter here: a new policy belongs to no other policy.</summary>
    public override QaPolicy? Policy { get; set; }

    protected override void ProcessRecord()
    {
        var policy = new QaPolicy(Name) { Description = Description };
        var errors = PolicyValidator.Validate(policy);
        if (errors.Count > 0)
        {
            WriteValidationError(new QaValidationException(errors), Name);
            return;
        }

        if (ShouldProcess(Name, "Create policy and make it the current policy"))
        {
            QaSession.Current.Policy = policy;
            WriteObject(policy);
        }
    }
}
