using QaNet.Core.Model;

namespace QaNet.Core.Editing;

/// <summary>What a user asks for; <see cref="PolicyEditor"/> fills in defaults and validates.</summary>
public sealed record NetworkSpec(string Name, string Subnet, QaNetworkMode Mode, IReadOnlyList<string> VirtHosts)
{
    public string? Subnet6 { get; init; }
    public string? Bridge { get; init; }
    public string? Gateway { get; init; }
    public string? DhcpStart { get; init; }
    public string? DhcpEnd { get; init; }

    /// <summary>Joins the network's bridges on its virthosts (null: none); a Nat network's uplink gateway defaults to the first virthost.</summary>
    public UplinkSpec? Uplink { get; init; }
}

/// <summary>An uplink as the cmdlets give it: addresses as text, checked when the network is added.</summary>
public sealed record UplinkSpec(QaUplinkKind Kind)
{
    public int Vni { get; init; }
    public int? Port { get; init; }
    public IReadOnlyDictionary<string, string> Underlay { get; init; } = new Dictionary<string, string>();
    public string? Nic { get; init; }
    public IReadOnlyDictionary<string, string> Nics { get; init; } = new Dictionary<string, string>();
    public string? Gateway { get; init; }
}

public sealed record ClientSpec(string Name)
{
    public string? MacAddress { get; init; }
    public string? Address { get; init; }
    public string? Address6 { get; init; }
    public IReadOnlyList<string> Roles { get; init; } = Array.Empty<string>();
    public string? VirtHost { get; init; }
}

public sealed record EndpointSpec(string Name)
{
    public IReadOnlyList<string> HostNames { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Addresses { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Ports { get; init; } = Array.Empty<string>();
    public string? Environment { get; init; }
    public string? Description { get; init; }
}

public sealed record RuleSpec(QaRuleKind Kind, IReadOnlyList<QaSelector> From, IReadOnlyList<QaSelector> To)
{
    public string? Id { get; init; }
    public IReadOnlyList<string> Ports { get; init; } = Array.Empty<string>();
    public int? Priority { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? Description { get; init; }
    public bool AllowAnyDestination { get; init; }
}

/// <summary>An expected verdict: <see cref="Port"/> is one port (<c>443/tcp</c>) or <c>icmp</c>.</summary>
public sealed record AssertionSpec(string From, string To, string Port, bool ExpectAllowed)
{
    public string? Description { get; init; }
}

/// <summary>What a removal took along with it (with -Force), or would: the rules, access grants and assertions that named it.</summary>
public sealed record QaRemoval(IReadOnlyList<QaRule> Rules, IReadOnlyList<QaAccessGrant> Grants, IReadOnlyList<QaAssertion> Assertions)
{
    /// <summary>A removal that takes nothing along.</summary>
    public static QaRemoval None { get; } = new(Array.Empty<QaRule>(), Array.Empty<QaAccessGrant>(), Array.Empty<QaAssertion>());

    /// <summary>Nothing else names the removed object.</summary>
    public bool IsEmpty => Rules.Count == 0 && Grants.Count == 0 && Assertions.Count == 0;

    /// <summary>What goes along, counted: "13 rule(s), 2 access grant(s) and 9 assertion(s)"; empty when nothing does.</summary>
    public override string ToString()
    {
        var parts = new[] { (Rules.Count, "rule(s)"), (Grants.Count, "access grant(s)"), (Assertions.Count, "assertion(s)") }
            .Where(p => p.Item1 > 0).Select(p => $"{p.Item1} {p.Item2}").ToList();
        return PolicyEditor.JoinAnd(parts);
    }
}

/// <summary>
/// A change to an existing client: null (or empty) leaves a property as it is. <see cref="Roles"/>
/// replaces the role list; <see cref="AddRoles"/> then <see cref="RemoveRoles"/> apply after it.
/// </summary>
public sealed record ClientChangeSpec(string Name)
{
    public string? VirtHost { get; init; }
    public string? MacAddress { get; init; }
    public string? Address { get; init; }
    public string? Address6 { get; init; }
    public IReadOnlyList<string>? Roles { get; init; }
    public IReadOnlyList<string> AddRoles { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> RemoveRoles { get; init; } = Array.Empty<string>();

    /// <summary>
    /// When <see cref="VirtHost"/> is not one the network spans, add it to the network (which
    /// then spans it) instead of refusing with UnknownVirtHost.
    /// </summary>
    public bool ExtendNetwork { get; init; }
}

/// <summary>
/// A change to an existing endpoint: null leaves a property as it is; a list replaces the one the
/// endpoint has (empty clears it); an empty <see cref="Environment"/> or <see cref="Description"/> clears it.
/// </summary>
public sealed record EndpointChangeSpec(string Name)
{
    public IReadOnlyList<string>? HostNames { get; init; }
    public IReadOnlyList<string>? Addresses { get; init; }
    public IReadOnlyList<string>? Ports { get; init; }
    public string? Environment { get; init; }
    public string? Description { get; init; }
}

/// <summary>
/// A change to an existing rule (its id and sides stay): null leaves a property as it is;
/// <see cref="Ports"/> replaces the rule's ports (empty: the destination endpoints' own ports
/// apply); <see cref="ClearExpiry"/> removes the expiry; an empty <see cref="Description"/> clears it.
/// </summary>
public sealed record RuleChangeSpec(string Id)
{
    public int? Priority { get; init; }
    public IReadOnlyList<string>? Ports { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool ClearExpiry { get; init; }
    public string? Description { get; init; }
    public bool? Enabled { get; init; }
}

/// <summary>One property a change (<see cref="ClientChangeSpec"/>, <see cref="EndpointChangeSpec"/>, <see cref="RuleChangeSpec"/>) changed, as text.</summary>
public sealed record QaPropertyChange(string Property, string? OldValue, string? NewValue);

/// <summary>
/// What <see cref="PolicyEditor.SetClient"/> changed. A move (<see cref="FromVirtHost"/> set)
/// touches two hosts: publishing must reach both, or the old one keeps enforcing for the client.
/// </summary>
public sealed record QaClientChange(QaClient Client, IReadOnlyList<QaPropertyChange> Changes)
{
    /// <summary>The virthost the client left, when it moved; null otherwise.</summary>
    public string? FromVirtHost { get; init; }

    /// <summary>Set when <see cref="ClientChangeSpec.ExtendNetwork"/> added the client's new virthost to its network.</summary>
    public string? AddedNetworkVirtHost { get; init; }

    public bool IsMove => FromVirtHost is not null;
}

/// <summary>
/// What a rename (<see cref="PolicyEditor.RenameClient"/>, …) did, or would: the object, its old
/// and new name, and each reference that now names it by the new one ("rule 'x' (to)").
/// </summary>
public sealed record QaRenaming(object Item, string OldName, string NewName, IReadOnlyList<string> References);

/// <summary>
/// A change to an existing network: null leaves a property as it is. <see cref="VirtHosts"/>
/// replaces the list; <see cref="DhcpStart"/> and <see cref="DhcpEnd"/> come together (both
/// empty: the default range of the subnet). A new <see cref="Subnet"/> must hold every client's
/// address; a DHCP range that was the old subnet's default becomes the new one's.
/// </summary>
public sealed record NetworkChangeSpec(string Name)
{
    public string? Subnet { get; init; }
    public string? Subnet6 { get; init; }
    public string? Bridge { get; init; }
    public string? Gateway { get; init; }
    public IReadOnlyList<string>? VirtHosts { get; init; }
    public string? DhcpStart { get; init; }
    public string? DhcpEnd { get; init; }
}
