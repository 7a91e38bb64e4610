using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// What Grant-QaEgress, Block-QaEgress and Grant-QaIngress share: the client side
/// (<c>-Client</c> or <c>-Role</c>), ports, priority, expiry, id and description.
/// </summary>
public abstract class RuleCommand : QaCmdlet
{
    /// <summary>Piped, or by property name: piped clients bring their own policy.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public override QaPolicy? Policy { get; set; }

    /// <summary>
    /// Client names; piped clients (Get-QaClient) bind by their Name, one rule per piped client
    /// (the policy file allows several clients in one rule: give them together, -Client a, b).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Client, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    public string[] Client { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Role)]
    [ArgumentCompleter(typeof(RoleNameCompleter))]
    public string[] Role { get; set; } = Array.Empty<string>();

    /// <summary>Empty: the destination endpoints' own ports apply.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PortCompleter))]
    public string[] Port { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateRange(QaRule.MinPriority, QaRule.MaxPriority)]
    public int Priority { get; set; }

    [Parameter]
    public DateTimeOffset ExpiresAt { get; set; }

    [Parameter]
    public string? Id { get; set; }

    [Parameter]
    public string? Description { get; set; }

    /// <summary>The clients the rule is about, as selectors.</summary>
    protected IReadOnlyList<QaSelector> ClientSide =>
        ParameterSetName == ParameterSets.Role
            ? Role.Select(QaSelector.Role).ToList()
            : Client.Select(QaSelector.Client).ToList();

    /// <summary>Adds the rule through PolicyEditor and writes it, or writes why not.</summary>
    protected void AddRule(QaRuleKind kind, IReadOnlyList<QaSelector> from, IReadOnlyList<QaSelector> to, bool allowAnyDestination)
    {
        var policy = ResolvePolicy();
        var spec = new RuleSpec(kind, from, to)
        {
            Id = Id,
            Ports = Port,
            Priority = IsBound(nameof(Priority)) ? Priority : null,
            ExpiresAt = IsBound(nameof(ExpiresAt)) ? ExpiresAt : null,
            Description = Description,
            AllowAnyDestination = allowAnyDestination,
        };
        var ports = Port.Length == 0 ? "the endpoints' ports" : string.Join(",", Port);
        if (TryChange(r => $"rule '{r.Id}' ({string.Join(",", r.From)} -> {string.Join(",", r.To)} on {ports})",
                _ => $"Add {kind.ToString().ToLowerInvariant()} rule to policy '{policy.Name}'",
                whatIf => PolicyEditor.AddRule(policy, spec, whatIf), Id ?? PolicyEditor.DeriveRuleId(policy, kind, from, to), out var rule))
        {
            WriteObject(rule);
        }
    }

    /// <summary>CIDR selectors, or null after writing the error for a malformed one.</summary>
    protected List<QaSelector>? CidrSelectors(IEnumerable<string> cidrs)
    {
        var selectors = new List<QaSelector>();
        foreach (var cidr in cidrs)
        {
            if (!QaSelector.TryParse("cidr:" + cidr, out var selector, out var error))
            {
                WriteValidationError(new QaValidationException(error!), cidr);
                return null;
            }

            selectors.Add(selector!);
        }

        return selectors;
    }
}
