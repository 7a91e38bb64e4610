using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Access;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Renders what each host would apply for a policy's networks: libvirt network XML per network
/// and virthost, QaNet's nft table on each Nat virthost or Gateway gateway, ebtables per virthost.
/// Nothing is applied.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QaRuleset", DefaultParameterSetName = ParameterSets.ByName)]
[OutputType(typeof(QaRuleset))]
[OutputType(typeof(string))]
public sealed class GetQaRulesetCommand : QaCmdlet
{
    // nft and ebtables texts cover a whole host: each is written once per call even when several
    // of the host's networks are asked for.
    private readonly HashSet<(QaPolicy Policy, QaBackend Backend, string Host)> written = new();
    private readonly Dictionary<QaPolicy, ResolvedPolicy> resolved = new();

    [Parameter(ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true)]
    [Parameter(ParameterSetName = ParameterSets.ByObject)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(ParameterSetName = ParameterSets.ByName, Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    [Parameter(ParameterSetName = ParameterSets.ByObject, Mandatory = true, ValueFromPipeline = true)]
    public QaNetwork[] InputObject { get; set; } = Array.Empty<QaNetwork>();

    [Parameter]
    public QaBackend[]? Backend { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(RulesetHostCompleter))]
    public string[]? VirtHost { get; set; }

    [Parameter]
    public SwitchParameter AsText { get; set; }

    [Parameter]
    public DateTimeOffset? At { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.ByObject)
        {
            foreach (var network in InputObject)
            {
                if (TryOwnerPolicy(network.Policy, network, out var owner))
                {
                    Render(owner, new[] { network });
                }
            }

            return;
        }

        var policy = ResolvePolicy();
        Render(policy, SelectByName(policy.Networks, n => n.Name, Network, "network", "Get-QaNetwork").ToList());
    }

    private void Render(QaPolicy policy, IReadOnlyList<QaNetwork> networks)
    {
        // With -Backend Access, the hosts the access files are rendered for are known hosts too.
        var known = HostTopology.Of(policy).Hosts.ToHashSet(Names.Comparer);
        if (Backend?.Contains(QaBackend.Access) == true && VirtHost is not null)
        {
            known.UnionWith(AccessRenderer.Rulesets(policy).Select(r => r.Host));
        }

        foreach (var literal in (VirtHost ?? Array.Empty<string>()).Where(v => !WildcardPattern.ContainsWildcardCharacters(v)))
        {
            if (!known.Contains(literal))
            {
                WriteValidationError(new QaValidationException(new QaValidationError(QaErrorIds.UnknownVirtHost, $"virthost '{literal}'", null,
                    $"No network of policy '{policy.Name}' runs on virthost '{literal}', and no Gateway network uses it as its gateway.",
                    "Check the names with Get-QaNetwork (VirtHosts, Gateway).")), literal);
            }
        }

        if (!resolved.TryGetValue(policy, out var resolvedPolicy))
        {
            resolved[policy] = resolvedPolicy = ResolvedPolicy.Create(policy);
            foreach (var (endpoint, hostName) in resolvedPolicy.Unresolved)
            {
                WriteWarning($"Endpoint '{endpoint.Name}': host name '{hostName}' is not in the policy's name map; its rules render without it.");
            }
        }

        // Access renderings are per host, not per network: written once per policy.
        if (Backend?.Contains(QaBackend.Access) == true && written.Add((policy, QaBackend.Access, string.Empty)))
        {
            foreach (var ruleset in AccessRenderer.Rulesets(policy).Where(r => MatchesAny(r.Host, VirtHost)))
            {
                WriteObject(AsText ? ruleset.Text : ruleset);
            }
        }

        var options = new QaRenderOptions { Now = At };
        foreach (var network in networks)
        {
            foreach (var (backend, virtHost, host) in Artifacts(network))
            {
                if (!MatchesAny(host, VirtHost) || (backend != QaBackend.LibvirtXml && !written.Add((policy, backend, host))))
                {
                    continue;
                }

                QaRuleset ruleset;
                try
                {
                    ruleset = QaRenderer.Render(resolvedPolicy, network.Name, virtHost, backend, options);
                }
                catch (QaValidationException e)
                {
                    WriteValidationError(e, network);
                    continue;
                }

                WriteObject(AsText ? ruleset.Text : ruleset);
            }
        }
    }

    /// <summary>
    /// What each host needs for <paramref name="network"/> (<see cref="HostTopology.SlotsOf"/>): by
    /// default every artifact its mode uses. With -Backend, those backends; one the network gives no
    /// host among -VirtHost (nft of a Bridged network, or of a virthost that only carries a spanning
    /// network's bridge) is asked for once, so the renderer says why it is not used.
    /// </summary>
    private IEnumerable<(QaBackend Backend, string? VirtHost, string Host)> Artifacts(QaNetwork network)
    {
        foreach (var backend in (Backend ?? new[] { QaBackend.LibvirtXml, QaBackend.Nftables, QaBackend.Ebtables }).Distinct().Where(b => b != QaBackend.Access))
        {
            var slots = HostTopology.SlotsOf(network, new[] { backend }).ToList();
            if (Backend is not null && !slots.Exists(s => MatchesAny(s.Host, VirtHost)))
            {
                var vh = network.VirtHosts.FirstOrDefault(v => MatchesAny(v, VirtHost)) ?? network.VirtHosts[0];
                yield return (backend, vh, vh);
                continue;
            }

            foreach (var slot in slots)
            {
                yield return (slot.Backend, slot.VirtHost, slot.Host);
            }
        }
    }
}
