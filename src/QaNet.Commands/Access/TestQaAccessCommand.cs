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
public sealed class TestQaAccessCommand : QaCmdlet, IDisposable
{
    private AccessChecker? checker;
    private LdapDirectorySource? directory;

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

    /// <summary>For groups with source: ldap, bind to the policy's directory as this DN with its password; anonymous without it.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        if (checker is null)
        {
            try
            {
                // The directory is asked only when a group of the policy says source: ldap.
                if (policy.Directory is { } d && policy.Groups.Any(g => g.Source == QaGroupSource.Ldap))
                {
                    directory = new LdapDirectorySource(Credential is null ? d : d with { BindDn = Credential.UserName }, Credential?.GetNetworkCredential().Password);
                }
            }
            catch (QaValidationException e)
            {
                ThrowTerminatingError(QaErrorRecords.FromValidation(e, policy.Directory));
                return;
            }

            checker = AccessChecker.Create(policy, IsBound(nameof(At)) ? At : DateTimeOffset.UtcNow, new GetentNssSource(ProcessRunner.Instance), directory);
        }

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

    /// <summary>PowerShell disposes a cmdlet when the pipeline ends, also when it was stopped.</summary>
    public void Dispose()
    {
        directory?.Dispose();
        directory = null;
    }
}
