using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Gets the groups of a policy; with <c>-Source Nss</c>, the groups as this system's NSS
/// (getent, fed by sssd/FreeIPA or FAS) sees them, members included; with <c>-Source Ldap</c>,
/// as the directory (the policy's <c>directory:</c>, or <c>-Uri</c>/<c>-BaseDn</c>) has them,
/// nested groups followed. Reading only.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QaGroup")]
[OutputType(typeof(QaGroup))]
public sealed class GetQaGroupCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public QaGroupSource Source { get; set; }

    /// <summary>With -Source Ldap: the directory to read instead of the policy's (ldap://host or ldaps://host).</summary>
    [Parameter]
    public string? Uri { get; set; }

    /// <summary>With -Uri: the directory's base DN (FreeIPA: the groups are under cn=groups,cn=accounts,&lt;base&gt;).</summary>
    [Parameter]
    public string? BaseDn { get; set; }

    /// <summary>With -Uri: StartTls, Ldaps or None (default: Ldaps for ldaps://, else None).</summary>
    [Parameter]
    public QaDirectoryTls Tls { get; set; }

    /// <summary>The PEM CA certificate the directory's certificate must verify against (FreeIPA: /etc/ipa/ca.crt).</summary>
    [Parameter]
    public string? CaFile { get; set; }

    /// <summary>Simple bind as this DN (the user name) with its password; anonymous without it.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    protected override void ProcessRecord()
    {
        if (!IsBound(nameof(Source)))
        {
            WriteObject(SelectByName(ResolvePolicy().Groups, g => g.Name, Name, "group", "Get-QaGroup"), enumerateCollection: true);
            return;
        }

        if (Source == QaGroupSource.Policy)
        {
            WriteObject(SelectByName(ResolvePolicy().Groups.Where(g => g.Source == QaGroupSource.Policy), g => g.Name, Name, "group", "Get-QaGroup"),
                enumerateCollection: true);
            return;
        }

        if (Source == QaGroupSource.Ldap)
        {
            WriteDirectoryGroups();
            return;
        }

        // NSS groups by exact name (NSS cannot be listed by pattern without enumerating every
        // group); without names, the policy's groups as NSS sees them.
        var policy = Policy ?? Session.Policy ?? new QaPolicy("nss");
        var names = Name is { Length: > 0 } ? Name : policy.Groups.Select(g => g.Name).ToArray();
        var nss = new GetentNssSource(Session.Runner ?? ProcessRunner.Instance);
        foreach (var name in names)
        {
            try
            {
                WriteObject(AccessMembership.LookUpNssGroup(policy, name, nss));
            }
            catch (QaValidationException e)
            {
                WriteValidationError(e, name);
            }
        }
    }

    private void WriteDirectoryGroups()
    {
        var policy = Policy ?? Session.Policy ?? new QaPolicy("ldap");
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

        var names = Name is { Length: > 0 } ? Name : policy.Groups.Where(g => g.Source == QaGroupSource.Ldap).Select(g => g.Name).ToArray();
        try
        {
            using var source = new LdapDirectorySource(directory, Credential?.GetNetworkCredential().Password);
            foreach (var name in names)
            {
                try
                {
                    WriteObject(AccessMembership.LookUpDirectoryGroup(policy, name, source));
                }
                catch (QaValidationException e) when (e.ErrorId == QaErrorIds.NotFound)
                {
                    WriteValidationError(e, name);
                }
            }
        }
        catch (QaValidationException e)
        {
            // The directory itself failed (unreachable, TLS, bind, base): nothing more can be read.
            WriteValidationError(e, directory.Uri);
        }
    }
}
