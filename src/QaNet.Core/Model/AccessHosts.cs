namespace QaNet.Core.Model;

/// <summary>
/// A machine users log in to: a client, an endpoint that is a host (bastion, lockbox), a
/// virthost — or an endpoint and a virthost of the same name, which are the same machine
/// (an endpoint gives a virthost its address).
/// </summary>
public sealed record QaAccessHost(string Name, QaClient? Client, QaEndpoint? Endpoint, bool IsVirtHost)
{
    /// <summary>"client", "endpoint", "virthost" or "endpoint, virthost".</summary>
    public string Kind =>
        Client is not null ? "client" : string.Join(", ", new[] { Endpoint is null ? null : "endpoint", IsVirtHost ? "virthost" : null }.Where(k => k is not null));

    /// <summary>The name FreeIPA knows the host by: an endpoint's first host name (an FQDN), else the policy name.</summary>
    public string Fqdn => Endpoint is { HostNames.Count: > 0 } e ? e.HostNames[0] : Name;

    public override string ToString() => Name;
}

/// <summary>The hosts of a policy that access grants can name, and which a target covers.</summary>
public sealed class AccessHosts
{
    // Names fold case when looked up (Names.Comparer), as everywhere in QaNet.
    private readonly Dictionary<string, QaAccessHost> byName = new(QaNet.Core.Validation.Names.Comparer);

    public AccessHosts(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var virtHosts = new HashSet<string>(policy.Networks.SelectMany(n => n.VirtHosts), StringComparer.Ordinal);
        foreach (var c in policy.Clients)
        {
            byName.TryAdd(c.Name, new QaAccessHost(c.Name, c, null, false));
        }

        foreach (var e in policy.Endpoints)
        {
            byName.TryAdd(e.Name, new QaAccessHost(e.Name, null, e, virtHosts.Contains(e.Name)));
        }

        foreach (var v in virtHosts)
        {
            byName.TryAdd(v, new QaAccessHost(v, null, null, true));
        }

        All = byName.Values.OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every host, sorted by name.</summary>
    public IReadOnlyList<QaAccessHost> All { get; }

    public QaAccessHost? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>Whether <paramref name="target"/> names anything in the policy.</summary>
    public bool Exists(QaPolicy policy, QaAccessTarget target)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(target);
        return target.Kind switch
        {
            // Exact: a grant stores names as the policy spells them (AccessEditor.Canonical).
            QaAccessTargetKind.Host => Find(target.Value)?.Name == target.Value,
            QaAccessTargetKind.Role => policy.Clients.Any(c => c.Roles.Contains(target.Value, StringComparer.Ordinal)),
            QaAccessTargetKind.VirtHost => Find(target.Value) is { IsVirtHost: true } h && h.Name == target.Value,
            _ => policy.FindNetwork(target.Value)?.Name == target.Value,
        };
    }

    /// <summary>Whether <paramref name="target"/> covers <paramref name="host"/>.</summary>
    public static bool Covers(QaAccessTarget target, QaAccessHost host)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(host);
        return target.Kind switch
        {
            QaAccessTargetKind.Host => string.Equals(target.Value, host.Name, StringComparison.Ordinal),
            QaAccessTargetKind.Role => host.Client is { } c && c.Roles.Contains(target.Value, StringComparer.Ordinal),
            QaAccessTargetKind.VirtHost => host.IsVirtHost && string.Equals(target.Value, host.Name, StringComparison.Ordinal),
            _ => host.Client is { } c && string.Equals(c.Network, target.Value, StringComparison.Ordinal),
        };
    }

    /// <summary>The hosts a target covers, sorted by name.</summary>
    public IEnumerable<QaAccessHost> Covered(QaAccessTarget target) => All.Where(h => Covers(target, h));
}
