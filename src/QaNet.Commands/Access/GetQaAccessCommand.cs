using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Access;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Gets the access grants of a policy.</summary>
[Cmdlet(VerbsCommon.Get, "QaAccess")]
[OutputType(typeof(QaAccessGrant))]
public sealed class GetQaAccessCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(AccessGrantIdCompleter))]
    public string[]? Id { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string[]? Group { get; set; }

    /// <summary>Only grants that cover this host (by name, role, virthost or network).</summary>
    [Parameter]
    [Alias("Host")]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(AccessHostNameCompleter))]
    public string? HostName { get; set; }

    [Parameter]
    public QaAccessRight[]? Right { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        QaAccessHost? host = null;
        if (HostName is not null)
        {
            host = new AccessHosts(policy).Find(HostName);
            if (host is null)
            {
                WriteValidationError(Core.Editing.PolicyEditor.NotFound("host", HostName, "Get-QaClient or Get-QaEndpoint"), HostName);
                return;
            }
        }

        var grants = SelectByName(policy.AccessGrants, g => g.Id, Id, "access grant", "Get-QaAccess")
            .Where(g => MatchesAny(g.Group, Group))
            .Where(g => Right is null || g.Rights.Intersect(Right).Any())
            .Where(g => host is null || g.Hosts.Any(t => AccessHosts.Covers(t, host)));
        WriteObject(grants, enumerateCollection: true);
    }
}
