using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>
/// Renaming clients, endpoints and networks (groups: <see cref="AccessEditor.RenameGroup"/>): the
/// object and every reference to it in one change, validated as a whole and undone on error, so a
/// renamed policy is the policy that would have been written with the new name from the start.
/// What is not a reference stays: rule and grant ids (stable: nft comments and FreeIPA rule names
/// carry them), a network's bridge and a client's MAC (what the hosts already have).
/// </summary>
public static partial class PolicyEditor
{
    /// <summary>
    /// Renames a client and what names it: <c>client:</c> selectors of rules, <c>host:</c> access
    /// targets, assertion ends.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error, and no change.</param>
    public static QaRenaming RenameClient(QaPolicy policy, string name, string newName, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var client = policy.FindClient(name) ?? throw NotFound("client", name, "Get-QaClient");
        var old = client.Name;
        var target = $"client '{old}'";
        CheckNewName(target, newName);
        if (policy.FindClient(newName) is { } other && other != client)
        {
            throw Duplicate(QaErrorIds.DuplicateClientName, target, $"There is already a client named '{other.Name}'.");
        }

        if (policy.FindEndpoint(newName) is { } endpoint)
        {
            throw Duplicate(QaErrorIds.NameConflict, target, $"'{endpoint.Name}' is an endpoint; a client of that name would make rules and probes ambiguous.");
        }

        var edits = new RenameEdits();
        edits.Add(null, () => client.Name = newName, () => client.Name = old);
        RenameSelectors(policy, edits, QaSelectorKind.Client, old, newName);
        RenameAccessTargets(policy, edits, QaAccessTargetKind.Host, old, newName);
        RenameAssertionEnds(policy, edits, old, newName);
        return edits.Apply(policy, client, old, newName, whatIf);
    }

    /// <summary>
    /// Renames an endpoint and what names it: <c>endpoint:</c> selectors, <c>host:</c> access
    /// targets, assertion ends, the gateway of networks it routes, the jump host, and its transport
    /// (an ssh transport keeps the old name as its destination, so it still reaches that machine).
    /// Refused (NameConflict) for an endpoint that is also a virthost: the two names are one machine.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error, and no change.</param>
    public static QaRenaming RenameEndpoint(QaPolicy policy, string name, string newName, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var endpoint = policy.FindEndpoint(name) ?? throw NotFound("endpoint", name, "Get-QaEndpoint");
        var old = endpoint.Name;
        var target = $"endpoint '{old}'";
        CheckNewName(target, newName);
        if (policy.FindEndpoint(newName) is { } other && other != endpoint)
        {
            throw Duplicate(QaErrorIds.DuplicateEndpoint, target, $"There is already an endpoint named '{other.Name}'.");
        }

        if (policy.FindClient(newName) is { } client)
        {
            throw Duplicate(QaErrorIds.NameConflict, target, $"'{client.Name}' is a client; an endpoint of that name would make rules and probes ambiguous.");
        }

        if (VirtHostsOf(policy).Contains(old, StringComparer.Ordinal))
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.NameConflict, target, null,
                $"Endpoint '{old}' is also virthost '{old}' (the same machine); renaming the endpoint alone would part them.",
                "Keep the name, or add the endpoint under the new name (Add-QaEndpoint) and move the network to a virthost of that name."));
        }

        var edits = new RenameEdits();
        edits.Add(null, () => endpoint.Name = newName, () => endpoint.Name = old);
        RenameSelectors(policy, edits, QaSelectorKind.Endpoint, old, newName);
        RenameAccessTargets(policy, edits, QaAccessTargetKind.Host, old, newName);
        RenameAssertionEnds(policy, edits, old, newName);
        foreach (var network in policy.Networks.Where(n => n.Gateway == old))
        {
            edits.Add($"the gateway of network '{network.Name}'", () => network.Gateway = newName, () => network.Gateway = old);
        }

        if (policy.JumpHost == old)
        {
            edits.Add("the jump host", () => policy.JumpHost = newName, () => policy.JumpHost = old);
        }

        if (policy.Transports.TryGetValue(old, out var transport))
        {
            var renamed = transport.Renamed(newName);
            edits.Add("its transport",
                () => { policy.Transports.Remove(old); policy.Transports[newName] = renamed; },
                () => { policy.Transports.Remove(newName); policy.Transports[old] = transport; });
        }

        return edits.Apply(policy, endpoint, old, newName, whatIf);
    }

    /// <summary>
    /// Renames a network and what names it: <c>network:</c> selectors and access targets (its
    /// clients follow by themselves: they belong to the network object). Its bridge stays; change
    /// it with <see cref="SetNetwork"/>.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error, and no change.</param>
    public static QaRenaming RenameNetwork(QaPolicy policy, string name, string newName, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var network = policy.FindNetwork(name) ?? throw NotFound("network", name, "Get-QaNetwork");
        var old = network.Name;
        var target = $"network '{old}'";
        CheckNewName(target, newName);
        if (policy.FindNetwork(newName) is { } other && other != network)
        {
            throw Duplicate(QaErrorIds.DuplicateNetwork, target, $"There is already a network named '{other.Name}'.");
        }

        var edits = new RenameEdits();
        edits.Add(null, () => network.Name = newName, () => network.Name = old);
        RenameSelectors(policy, edits, QaSelectorKind.Network, old, newName);
        RenameAccessTargets(policy, edits, QaAccessTargetKind.Network, old, newName);
        return edits.Apply(policy, network, old, newName, whatIf);
    }

    /// <summary>A new name follows the name rule exactly: <c>Koji</c> is InvalidName, never folded.</summary>
    internal static void CheckNewName(string target, string newName)
    {
        if (!Names.IsValid(newName))
        {
            throw new QaValidationException(QaValidationError.Name(target, newName));
        }
    }

    internal static QaValidationException Duplicate(string id, string target, string message) =>
        new(new QaValidationError(id, target, null, message, "Choose a name nothing else in the policy has (the Get- cmdlets list them)."));

    private static void RenameSelectors(QaPolicy policy, RenameEdits edits, QaSelectorKind kind, string old, string newName)
    {
        foreach (var rule in policy.Rules)
        {
            foreach (var (side, key) in new[] { (rule.From, "from"), (rule.To, "to") })
            {
                for (var i = 0; i < side.Count; i++)
                {
                    if (side[i] is var s && s.Kind == kind && s.Value == old)
                    {
                        var index = i;
                        edits.Add($"rule '{rule.Id}' ({key})", () => side[index] = s with { Value = newName }, () => side[index] = s);
                    }
                }
            }
        }
    }

    internal static void RenameAccessTargets(QaPolicy policy, RenameEdits edits, QaAccessTargetKind kind, string old, string newName)
    {
        foreach (var grant in policy.AccessGrants)
        {
            for (var i = 0; i < grant.Hosts.Count; i++)
            {
                if (grant.Hosts[i] is var t && t.Kind == kind && t.Value == old)
                {
                    var index = i;
                    edits.Add($"access grant '{grant.Id}'", () => grant.Hosts[index] = t with { Value = newName }, () => grant.Hosts[index] = t);
                }
            }
        }
    }

    private static void RenameAssertionEnds(QaPolicy policy, RenameEdits edits, string old, string newName)
    {
        foreach (var a in policy.Assertions)
        {
            var text = a.ToString();
            if (a.From == old)
            {
                edits.Add($"assertion '{text}' (from)", () => a.From = newName, () => a.From = old);
            }

            if (a.To == old)
            {
                edits.Add($"assertion '{text}' (to)", () => a.To = newName, () => a.To = old);
            }
        }
    }

    /// <summary>The steps of one rename, applied and undone together.</summary>
    internal sealed class RenameEdits
    {
        private readonly List<(string? What, Action Do, Action Undo)> _edits = new();

        /// <param name="what">The reference changed, for the verbose lines; null for the object itself.</param>
        public void Add(string? what, Action change, Action undo) => _edits.Add((what, change, undo));

        public QaRenaming Apply(QaPolicy policy, object item, string oldName, string newName, bool whatIf)
        {
            var references = _edits.Select(e => e.What).OfType<string>().ToList();
            return PolicyEditor.Apply(policy,
                () => _edits.ForEach(e => e.Do()),
                () => Enumerable.Reverse(_edits).ToList().ForEach(e => e.Undo()),
                new QaRenaming(item, oldName, newName, references), whatIf);
        }
    }
}
