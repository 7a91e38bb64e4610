using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>Lets the members of a group log in (Shell) and/or use sudo (Sudo) on hosts.</summary>
[Cmdlet(VerbsSecurity.Grant, "QaAccess", DefaultParameterSetName = AccessParameterSets.Host, SupportsShouldProcess = true)]
[OutputType(typeof(QaAccessGrant))]
public sealed class GrantQaAccessCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(GroupNameCompleter))]
    public string Group { get; set; } = string.Empty;

    /// <summary>-Host: PSCmdlet already has a Host property, so the parameter is HostName with the alias Host.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AccessParameterSets.Host)]
    [Alias("Host")]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(AccessHostNameCompleter))]
    public string[] HostName { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Role)]
    [ArgumentCompleter(typeof(Completion.RoleNameCompleter))]
    public string[] Role { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = AccessParameterSets.VirtHost)]
    [ArgumentCompleter(typeof(VirtHostNameCompleter))]
    public string[] VirtHost { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = AccessParameterSets.Network)]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(Completion.NetworkNameCompleter))]
    public string[] Network { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true)]
    public QaAccessRight[] Right { get; set; } = Array.Empty<QaAccessRight>();

    [Parameter]
    public string? Id { get; set; }

    [Parameter]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var (kind, names) = ParameterSetName switch
        {
            ParameterSets.Role => (QaAccessTargetKind.Role, Role),
            AccessParameterSets.VirtHost => (QaAccessTargetKind.VirtHost, VirtHost),
            AccessParameterSets.Network => (QaAccessTargetKind.Network, Network),
            _ => (QaAccessTargetKind.Host, HostName),
        };
        var targets = names.Select(n => new QaAccessTarget(kind, n)).ToList();
        var spec = new AccessGrantSpec(Group, targets, Right) { Id = Id, Description = Description };
        if (TryChange(g => $"access grant '{g.Id}' (group {g.Group}: {string.Join(",", g.Rights)} on {string.Join(",", g.Hosts)})",
                _ => $"Add access grant to policy '{policy.Name}'",
                whatIf => AccessEditor.AddGrant(policy, spec, whatIf), Id ?? AccessEditor.DeriveGrantId(policy, Group, targets, Right), out var grant))
        {
            WriteObject(grant);
        }
    }
}

/// <summary>Parameter-set names of the access cmdlets (Role is the shared <see cref="ParameterSets.Role"/>).</summary>
public static class AccessParameterSets
{
    public const string Host = "Host";
    public const string VirtHost = "VirtHost";
    public const string Network = "Network";
}
