using System.Net;
using System.Security.Cryptography;
using System.Text;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>The <c>networks:</c> section: adding and removing networks, their uplinks and their defaults.</summary>
public static partial class PolicyEditor
{
    /// <param name="whatIf">Only try: the same network (defaults filled in) or error, and no change.</param>
    public static QaNetwork AddNetwork(QaPolicy policy, NetworkSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var known = VirtHostsOf(policy).ToList();
        spec = spec with
        {
            VirtHosts = spec.VirtHosts.Select(v => Names.Canonical(v, known)).ToList(),
            Gateway = string.IsNullOrEmpty(spec.Gateway) ? spec.Gateway : policy.FindEndpoint(spec.Gateway)?.Name ?? spec.Gateway,
        };
        var subnet = ParseSubnet(spec.Subnet, $"networks[{spec.Name}].subnet", $"network '{spec.Name}'");
        var network = PolicyParts.NewNetwork(policy, spec.Name, subnet, spec.Mode,
            spec.Subnet6 is null ? null : ParseSubnet(spec.Subnet6, $"networks[{spec.Name}].subnet6", $"network '{spec.Name}'"),
            string.IsNullOrEmpty(spec.Bridge) ? null : spec.Bridge,
            string.IsNullOrEmpty(spec.Gateway) ? null : spec.Gateway,
            spec.VirtHosts);
        network.Uplink = spec.Uplink is { } u ? BuildUplink(spec.Name, u) : null;
        FillUplinkDefaults(network);
        PolicyParts.SetDhcp(network,
            spec.DhcpStart is null ? null : ParseAddress(spec.DhcpStart, $"networks[{spec.Name}].dhcp", $"network '{spec.Name}'"),
            spec.DhcpEnd is null ? null : ParseAddress(spec.DhcpEnd, $"networks[{spec.Name}].dhcp", $"network '{spec.Name}'"));

        return Apply(policy, () => policy.Networks.Add(network), () => policy.Networks.Remove(network), network, whatIf);
    }

    /// <summary>
    /// Changes an existing network (see <see cref="NetworkChangeSpec"/>): subnets, bridge,
    /// gateway, virthosts and DHCP range at once, validated as a whole, all undone on error. A new
    /// subnet that would leave a client's address outside it is refused up front
    /// (AddressOutsideSubnet, naming every such client): move them first (Set-QaClient -Address).
    /// Returns what changed.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error as the change, and no change.</param>
    public static IReadOnlyList<QaPropertyChange> SetNetwork(QaPolicy policy, NetworkChangeSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var network = policy.FindNetwork(spec.Name) ?? throw NotFound("network", spec.Name, "Get-QaNetwork");
        var path = $"networks[{network.Name}]";
        var target = $"network '{network.Name}'";
        var subnet = spec.Subnet is null ? network.Subnet : ParseSubnet(spec.Subnet, path + ".subnet", target);
        var subnet6 = spec.Subnet6 is null ? network.Subnet6
            : spec.Subnet6.Length == 0 ? (System.Net.IPNetwork?)null : ParseSubnet(spec.Subnet6, path + ".subnet6", target);
        CheckClientsFit(network, subnet, subnet6, path, target);

        var bridge = string.IsNullOrEmpty(spec.Bridge) ? network.Bridge : spec.Bridge;
        var gateway = spec.Gateway is null ? network.Gateway
            : spec.Gateway.Length == 0 ? null : policy.FindEndpoint(spec.Gateway)?.Name ?? spec.Gateway;
        var known = VirtHostsOf(policy).ToList();
        var virtHosts = spec.VirtHosts?.Select(v => Names.Canonical(v, known)).Distinct(StringComparer.Ordinal).ToList() ?? network.VirtHosts.ToList();

        var (dhcpStart, dhcpEnd) = (network.DhcpStart, network.DhcpEnd);
        if (spec.DhcpStart is not null || spec.DhcpEnd is not null)
        {
            dhcpStart = string.IsNullOrEmpty(spec.DhcpStart) ? null : ParseAddress(spec.DhcpStart, path + ".dhcp", target);
            dhcpEnd = string.IsNullOrEmpty(spec.DhcpEnd) ? null : ParseAddress(spec.DhcpEnd, path + ".dhcp", target);
            if (dhcpStart is null && dhcpEnd is null)
            {
                (dhcpStart, dhcpEnd) = DefaultDhcpOf(network.Mode, subnet);
            }
        }
        else if (!subnet.Equals(network.Subnet) && (dhcpStart, dhcpEnd).Equals(DefaultDhcpOf(network.Mode, network.Subnet)))
        {
            // The range was the old subnet's default: it moves with the subnet, as a new network's would.
            (dhcpStart, dhcpEnd) = DefaultDhcpOf(network.Mode, subnet);
        }

        var changes = new List<QaPropertyChange>();
        Note(changes, nameof(QaNetwork.Subnet), network.Subnet, subnet);
        Note(changes, nameof(QaNetwork.Subnet6), network.Subnet6, subnet6);
        Note(changes, nameof(QaNetwork.Bridge), network.Bridge, bridge);
        Note(changes, nameof(QaNetwork.Gateway), network.Gateway, gateway);
        NoteList(changes, nameof(QaNetwork.VirtHosts), network.VirtHosts, virtHosts);
        Note(changes, nameof(QaNetwork.DhcpStart), network.DhcpStart, dhcpStart);
        Note(changes, nameof(QaNetwork.DhcpEnd), network.DhcpEnd, dhcpEnd);

        var old = (network.Subnet, network.Subnet6, network.Bridge, network.Gateway, VirtHosts: network.VirtHosts.ToList(), network.DhcpStart, network.DhcpEnd);
        return Apply(policy,
            () =>
            {
                (network.Subnet, network.Subnet6, network.Bridge, network.Gateway) = (subnet, subnet6, bridge, gateway);
                Replace(network.VirtHosts, virtHosts);
                (network.DhcpStart, network.DhcpEnd) = (dhcpStart, dhcpEnd);
            },
            () =>
            {
                (network.Subnet, network.Subnet6, network.Bridge, network.Gateway) = (old.Subnet, old.Subnet6, old.Bridge, old.Gateway);
                Replace(network.VirtHosts, old.VirtHosts);
                (network.DhcpStart, network.DhcpEnd) = (old.DhcpStart, old.DhcpEnd);
            },
            changes, whatIf);
    }

    /// <summary>The DHCP range a network of this mode and subnet gets when none is given (none for Bridged or a small subnet).</summary>
    private static (IPAddress? Start, IPAddress? End) DefaultDhcpOf(QaNetworkMode mode, IPNetwork subnet)
    {
        var probe = new QaNetwork(new QaPolicy("probe"), "probe", subnet, mode);
        PolicyParts.SetDhcp(probe, null, null);
        return (probe.DhcpStart, probe.DhcpEnd);
    }

    /// <summary>One error naming every client whose address a new subnet would not hold.</summary>
    private static void CheckClientsFit(QaNetwork network, IPNetwork subnet, IPNetwork? subnet6, string path, string target)
    {
        var outside = network.Clients
            .Where(c => !IpMath.Contains(subnet, c.Address) || (c.Address6 is { } a6 && (subnet6 is not { } s6 || !IpMath.Contains(s6, a6))))
            .Select(c => $"{c.Name} ({c.Address}{(c.Address6 is null ? string.Empty : ", " + c.Address6)})")
            .ToList();
        if (outside.Count > 0)
        {
            var wanted = subnet6 is { } s ? $"{subnet} / {s}" : subnet.ToString();
            throw new QaValidationException(new QaValidationError(QaErrorIds.AddressOutsideSubnet, target, path + ".subnet",
                $"The new subnet {wanted} of {target} would leave client(s) {string.Join(", ", outside)} outside it.",
                "Give those clients addresses inside the new subnet first (Set-QaClient -Address/-Address6), or choose a subnet that holds them."));
        }
    }

    private static QaUplink BuildUplink(string network, UplinkSpec spec)
    {
        var uplink = new QaUplink(spec.Kind)
        {
            Vni = spec.Vni,
            Port = spec.Port ?? QaUplink.DefaultVxlanPort,
            Nic = string.IsNullOrEmpty(spec.Nic) ? null : spec.Nic,
            Gateway = string.IsNullOrEmpty(spec.Gateway) ? null : spec.Gateway,
        };
        foreach (var (host, address) in spec.Underlay)
        {
            uplink.Underlay[host] = ParseAddress(address, $"networks[{network}].uplink.underlay[{host}]", $"network '{network}'");
        }

        foreach (var (host, nic) in spec.Nics)
        {
            uplink.Nics[host] = nic;
        }

        return uplink;
    }

    /// <summary>A Nat or Gateway network's uplink names its serving virthost explicitly (the first one unless given), so the policy file says it.</summary>
    public static void FillUplinkDefaults(QaNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.Uplink is { Gateway: null } u && network.Mode != QaNetworkMode.Bridged && network.VirtHosts.Count > 0)
        {
            u.Gateway = network.VirtHosts[0];
        }
    }

    /// <summary>
    /// Removes a network and its clients. Refuses (InUse) when rules or access grants name it,
    /// its clients, roles only its clients have, or virthosts only it uses, or assertions name
    /// its clients — unless <paramref name="force"/>, which removes those too. With
    /// <paramref name="whatIf"/> it only tries: the same result or error, and no change.
    /// </summary>
    public static QaRemoval RemoveNetwork(QaPolicy policy, string name, bool force, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var network = policy.FindNetwork(name) ?? throw NotFound("network", name, "Get-QaNetwork");
        name = network.Name;
        var index = policy.Networks.IndexOf(network);
        var orphaned = RolesLeftWithoutMembers(policy, network.Clients);
        var clients = new HashSet<string>(network.Clients.Select(c => c.Name), StringComparer.Ordinal);
        var virtHosts = network.VirtHosts.Except(policy.Networks.Where(n => n != network).SelectMany(n => n.VirtHosts), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        return RemoveWithDependents(policy, $"network '{name}'",
            RulesNaming(policy, s =>
                (s.Kind == QaSelectorKind.Network && s.Value == name) ||
                (s.Kind == QaSelectorKind.Client && clients.Contains(s.Value)) ||
                (s.Kind == QaSelectorKind.Role && orphaned.Contains(s.Value))),
            GrantsNaming(policy, t =>
                (t.Kind == QaAccessTargetKind.Network && t.Value == name) ||
                (t.Kind == QaAccessTargetKind.Host && clients.Contains(t.Value)) ||
                (t.Kind == QaAccessTargetKind.Role && orphaned.Contains(t.Value)) ||
                (t.Kind == QaAccessTargetKind.VirtHost && virtHosts.Contains(t.Value))),
            clients, force, whatIf,
            () => policy.Networks.Remove(network), () => policy.Networks.Insert(index, network));
    }

    /// <summary>
    /// libvirt's bridges are Linux interfaces (at most 15 characters); long network names get
    /// a short, stable hash suffix instead of being cut into collisions.
    /// </summary>
    public static string DefaultBridgeName(string networkName)
    {
        var simple = "br-" + networkName;
        if (simple.Length <= 15)
        {
            return simple;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(networkName)))[..4].ToLowerInvariant();
        return "br-" + networkName[..7].TrimEnd('.', '-') + "-" + hash;
    }

    /// <summary>The upper half of the host addresses; clients get reserved addresses below it.</summary>
    public static (IPAddress Start, IPAddress End) DefaultDhcpRange(IPNetwork subnet)
    {
        var size = IpMath.Size(subnet);
        return (IpMath.Offset(subnet, size / 2), IpMath.Offset(subnet, size - 2));
    }
}
