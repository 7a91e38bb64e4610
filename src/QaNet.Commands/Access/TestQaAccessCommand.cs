using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// May a user log in (or use sudo) on a host, and through the jump host, along the whole
/// path? Objects by default, <c>-Quiet</c> for a bare boolean, as Test-Connection.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "QaAccess")]
[OutputType(typeof(QaAccessResult))]
[OutputType(typeof(bool))]
public sealed class TestQaAccessCommand : QaCmdlet
{
    private AccessChecker? checker;

    [Parameter]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("UserName")]
    [ArgumentCompleter(typeof(Completion.GroupMemberCompleter))]
    public string[] User { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Host")]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(AccessHostNameCompleter))]
    public string HostName { get; set; } = string.Empty;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public QaAccessRight Right { get; set; }

    /// <summary>The jump host; without it, the policy's jumpHost applies to clients.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(AccessHostNameCompleter))]
    public string? Via { get; set; }

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>The moment network rule expiry is judged against; now by default.</summary>
    [Parameter]
    public DateTimeOffset At { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        checker ??= AccessChecker.Create(policy, IsBound(nameof(At)) ? At : DateTimeOffset.UtcNow, new GetentNssSource(ProcessRunner.Instance));
        foreach (var user in User)
        {
            QaAccessResult result;
            try
            {
                result = checker.Test(user, HostName, Right, Via);
            }
            catch (QaValidationException e)
            {
                WriteValidationError(e, HostName);
                continue;
            }

            WriteVerbose(string.Join(Environment.NewLine, result.Hops.Select(h => h.ToString())));
            WriteObject(Quiet ? result.Allowed : result);
        }
    }
}
