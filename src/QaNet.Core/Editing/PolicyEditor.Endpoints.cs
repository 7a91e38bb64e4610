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
        var endpoint = PolicyParts.NewEndpoint(policy, spec.Name, spec.Environment, spec.Description, spec.HostNames, addresses,
            ParsePorts(spec.Ports, $"endpoints[{spec.Name}].ports"));
        return Apply(policy, () => policy.Endpoints.Add(endpoint), () => policy.Endpoints.Remove(endpoint), endpoint, whatIf);
    }

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
