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
        var nss = new GetentNssSource(ProcessRunner.Instance);
        foreach (var name in names)
        {
            try
            {
                var probe = new QaPolicy(policy.Name);
                var group = new QaGroup(probe, name, QaGroupSource.Nss);
                probe.Groups.Add(group);
                if (nss.GetGroup(name) is null)
                {
                    WriteValidationError(Core.Editing.PolicyEditor.NotFound("NSS group", name, "getent group"), name);
                    continue;
                }

                var members = new AccessMembership(probe, nss).Members(group);
                var result = new QaGroup(policy, name, QaGroupSource.Nss) { Description = policy.FindGroup(name)?.Description };
                result.Members.AddRange(members);
                WriteObject(result);
            }
            catch (QaValidationException e)
            {
                WriteValidationError(e, name);
            }
        }
    }
}
