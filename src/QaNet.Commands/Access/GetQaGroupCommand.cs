using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Gets the groups of a policy; with <c>-Source Nss</c>, the groups as this system's NSS
/// (getent, fed by sssd/FreeIPA or FAS) sees them, members included.
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
}
