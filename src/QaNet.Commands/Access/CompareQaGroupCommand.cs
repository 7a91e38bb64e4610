using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Access;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// The policy's listed groups against the directory's groups of the same name: each member only
/// one side has, as Compare-Object shows it (<c>=&gt;</c> directory only, <c>&lt;=</c> policy only).
/// Reads the directory only; nothing is changed. <c>-IncludeEqual</c> is not needed: no output means they agree.
/// </summary>
[Cmdlet(VerbsData.Compare, "QaGroup")]
[OutputType(typeof(QaGroupDifference))]
public sealed class CompareQaGroupCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>The directory to compare with instead of the policy's (ldap://host or ldaps://host).</summary>
    [Parameter]
    public string? Uri { get; set; }

    [Parameter]
    public string? BaseDn { get; set; }

    [Parameter]
    public QaDirectoryTls Tls { get; set; }

    [Parameter]
    public string? CaFile { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        QaDirectory directory;
        try
        {
            directory = DirectoryParameters.Resolve(policy, Uri, BaseDn, IsBound(nameof(Tls)) ? Tls : null, CaFile, Credential);
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, Uri ?? "directory");
            return;
        }

        var groups = SelectByName(policy.Groups.Where(g => g.Source == QaGroupSource.Policy), g => g.Name, Name, "group", "Get-QaGroup");
        try
        {
            using var source = new LdapDirectorySource(directory, Credential?.GetNetworkCredential().Password);
            foreach (var group in groups)
            {
                WriteObject(QaGroupDifference.Compare(group, source.GetGroup(group.Name)?.Members), enumerateCollection: true);
            }
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, directory.Uri);
        }
    }
}
