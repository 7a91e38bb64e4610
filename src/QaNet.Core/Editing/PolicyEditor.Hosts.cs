using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>The <c>hosts:</c> section: the static name map endpoint host names resolve through.</summary>
public static partial class PolicyEditor
{
    /// <summary>Every entry of the name map, sorted by host name (as export writes them).</summary>
    public static IReadOnlyList<QaHostName> HostNames(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Hosts.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => new QaHostName(policy, h.Key, h.Value)).ToList();
    }

    /// <summary>
    /// The entry for <paramref name="name"/>, ignoring case and a trailing dot as the resolver
    /// does (<c>koji.example.org.</c> is <c>koji.example.org</c>); null when there is none.
    /// </summary>
    public static QaHostName? FindHostName(QaPolicy policy, string name)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(name);
        var key = policy.Hosts.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
            ?? policy.Hosts.Keys.FirstOrDefault(k => string.Equals(k.TrimEnd('.'), name.TrimEnd('.'), StringComparison.OrdinalIgnoreCase));
        return key is null ? null : new QaHostName(policy, key, policy.Hosts[key]);
    }

    /// <summary>
    /// Adds <paramref name="name"/> to the name map with <paramref name="addresses"/>; for a name
    /// already there the addresses are added to its own (each listed once, in order).
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error as the change, and no change.</param>
    public static QaHostName AddHostName(QaPolicy policy, string name, IEnumerable<string> addresses, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(addresses);
        var existing = FindHostName(policy, name);
        var key = existing?.Name ?? name;
        var added = addresses.Select(a => ParseAddress(a, $"hosts[{key}]", $"host '{key}'")).ToList();
        var list = (existing?.Address ?? Array.Empty<System.Net.IPAddress>()).Concat(added).Distinct().ToList();
        Apply(policy, () => policy.Hosts[key] = list,
            () => { if (existing is not null) { policy.Hosts[key] = existing.Address; } else { policy.Hosts.Remove(key); } },
            0, whatIf);
        return new QaHostName(policy, key, list);
    }

    /// <summary>
    /// Removes <paramref name="name"/> from the name map. Endpoints that resolve through it would
    /// lose those addresses (and the rules naming them their effect), so that is refused (InUse)
    /// unless <paramref name="force"/>; then the endpoints keep the host name, unresolved. Returns
    /// those endpoints.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error as the removal, and no change.</param>
    public static IReadOnlyList<QaEndpoint> RemoveHostName(QaPolicy policy, string name, bool force, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var entry = FindHostName(policy, name) ?? throw NotFound("host name", name, "Get-QaHostName");
        var bare = entry.Name.TrimEnd('.');
        var users = policy.Endpoints
            .Where(e => e.HostNames.Any(h => string.Equals(h.TrimEnd('.'), bare, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        if (users.Count > 0 && !force)
        {
            var list = string.Join(", ", users.Select(e => e.Name));
            throw new QaValidationException(new QaValidationError(QaErrorIds.InUse, $"host name '{entry.Name}'", $"hosts[{entry.Name}]",
                $"Host name '{entry.Name}' is how endpoint(s) {list} get their addresses.",
                $"Take it out of those endpoints first (Set-QaEndpoint {users[0].Name} -HostName …), or use -Force to remove it anyway " +
                "(the endpoints then resolve to no address through it, and Test-QaPolicy reports UnresolvedHostName)."));
        }

        return Apply(policy, () => policy.Hosts.Remove(entry.Name), () => policy.Hosts[entry.Name] = entry.Address, users, whatIf);
    }
}
