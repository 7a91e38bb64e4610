using QaNet.Core.Model;

namespace QaNet.Core.Editing;

/// <summary>The <c>endpoints:</c> section.</summary>
public static partial class PolicyEditor
{
    /// <param name="whatIf">Only try: the same endpoint or error, and no change.</param>
    public static QaEndpoint AddEndpoint(QaPolicy policy, EndpointSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var addresses = spec.Addresses.Select(a => ParseSubnet(a, $"endpoints[{spec.Name}].addresses", $"endpoint '{spec.Name}'")).ToList();
        var endpoint = PolicyParts.NewEndpoint(policy, spec.Name, spec.Environment, spec.Description, MapSpelling(policy, spec.HostNames), addresses,
            ParsePorts(spec.Ports, $"endpoints[{spec.Name}].ports"));
        return Apply(policy, () => policy.Endpoints.Add(endpoint), () => policy.Endpoints.Remove(endpoint), endpoint, whatIf);
    }

    /// <summary>
    /// Changes an existing endpoint (see <see cref="EndpointChangeSpec"/>): every given property at
    /// once, validated as a whole with the rules that rely on it (a rule left without ports is
    /// PortsRequired), all undone on error. Returns what changed.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error as the change, and no change.</param>
    public static IReadOnlyList<QaPropertyChange> SetEndpoint(QaPolicy policy, EndpointChangeSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var endpoint = policy.FindEndpoint(spec.Name) ?? throw NotFound("endpoint", spec.Name, "Get-QaEndpoint");
        var path = $"endpoints[{endpoint.Name}]";
        var hostNames = spec.HostNames is null ? endpoint.HostNames.ToList() : MapSpelling(policy, spec.HostNames).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var addresses = spec.Addresses?.Select(a => ParseSubnet(a, path + ".addresses", $"endpoint '{endpoint.Name}'")).Distinct().ToList()
            ?? endpoint.Addresses.ToList();
        var ports = spec.Ports is null ? endpoint.Ports.ToList() : ParsePorts(spec.Ports, path + ".ports").Distinct().ToList();
        var environment = spec.Environment is null ? endpoint.Environment : NullIfEmpty(spec.Environment);
        var description = spec.Description is null ? endpoint.Description : NullIfEmpty(spec.Description);

        var changes = new List<QaPropertyChange>();
        NoteList(changes, nameof(QaEndpoint.HostNames), endpoint.HostNames, hostNames);
        NoteList(changes, nameof(QaEndpoint.Addresses), endpoint.Addresses, addresses);
        NoteList(changes, nameof(QaEndpoint.Ports), endpoint.Ports, ports);
        Note(changes, nameof(QaEndpoint.Environment), endpoint.Environment, environment);
        Note(changes, nameof(QaEndpoint.Description), endpoint.Description, description);

        var old = (HostNames: endpoint.HostNames.ToList(), Addresses: endpoint.Addresses.ToList(), Ports: endpoint.Ports.ToList(),
            endpoint.Environment, endpoint.Description);
        return Apply(policy,
            () =>
            {
                Replace(endpoint.HostNames, hostNames);
                Replace(endpoint.Addresses, addresses);
                Replace(endpoint.Ports, ports);
                (endpoint.Environment, endpoint.Description) = (environment, description);
            },
            () =>
            {
                Replace(endpoint.HostNames, old.HostNames);
                Replace(endpoint.Addresses, old.Addresses);
                Replace(endpoint.Ports, old.Ports);
                (endpoint.Environment, endpoint.Description) = (old.Environment, old.Description);
            },
            changes, whatIf);
    }

    /// <summary>
    /// Host names as the name map spells them when it has them (<c>KOJI.fedoraproject.org</c> is
    /// stored as <c>koji.fedoraproject.org</c>), so the file shows one spelling; DNS would match
    /// either. Names the map does not have stay as given.
    /// </summary>
    private static IEnumerable<string> MapSpelling(QaPolicy policy, IEnumerable<string> hostNames) =>
        hostNames.Select(h => Validation.Names.Canonical(h, policy.Hosts.Keys));

    /// <summary>Removes an endpoint; rules, grants and assertions naming it as for <see cref="RemoveNetwork"/>.</summary>
    public static QaRemoval RemoveEndpoint(QaPolicy policy, string name, bool force, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var endpoint = policy.FindEndpoint(name) ?? throw NotFound("endpoint", name, "Get-QaEndpoint");
        name = endpoint.Name;
        var index = policy.Endpoints.IndexOf(endpoint);
        return RemoveWithDependents(policy, $"endpoint '{name}'",
            RulesNaming(policy, s => s.Kind == QaSelectorKind.Endpoint && s.Value == name),
            GrantsNaming(policy, t => t.Kind == QaAccessTargetKind.Host && t.Value == name),
            new HashSet<string>(StringComparer.Ordinal) { name }, force, whatIf,
            () => policy.Endpoints.Remove(endpoint), () => policy.Endpoints.Insert(index, endpoint));
    }
}
