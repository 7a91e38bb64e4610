using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Core.Validation;

/// <summary>
/// Checks a whole policy and returns every problem. Paths use the policy file's layout
/// (<c>networks[qa-clients].clients[c1].address</c>) so the YAML loader can point at the line.
/// </summary>
public static partial class PolicyValidator
{
    [GeneratedRegex("^[0-9a-f]{2}(:[0-9a-f]{2}){5}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex MacRegex();

    public static bool IsValidMac(string? mac) =>
        mac is not null && MacRegex().IsMatch(mac) && (Convert.ToInt32(mac[..2], 16) & 1) == 0;

    /// <summary>Throws <see cref="QaValidationException"/> with every problem, or returns.</summary>
    public static void ThrowIfInvalid(QaPolicy policy)
    {
        var errors = Validate(policy);
        if (errors.Count > 0)
        {
            throw new QaValidationException(errors);
        }
    }

    public static List<QaValidationError> Validate(QaPolicy policy)
    {
        var v = new Collector();
        if (!Names.IsValid(policy.Name))
        {
            v.Name($"policy '{policy.Name}'", "name", policy.Name);
        }

        ValidateNetworks(policy, v);
        ValidateClients(policy, v);
        ValidateEndpoints(policy, v);
        ValidateHosts(policy, v);
        ValidateRules(policy, v);
        ValidateAssertions(policy, v);
        v.Errors.AddRange(AccessValidator.Validate(policy));
        foreach (var (host, transport) in policy.Transports)
        {
            v.Errors.AddRange(transport.Validate());
            if (!string.Equals(host, transport.Host, StringComparison.Ordinal))
            {
                v.Errors.Add(new QaValidationError(QaErrorIds.InvalidTransport, $"transport of '{host}'", $"transports[{host}]",
                    $"The transport filed under '{host}' is for host '{transport.Host}'.", "File each transport under its own host name."));
            }
        }

        return v.Errors;
    }

    private static void ValidateNetworks(QaPolicy policy, Collector v)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < policy.Networks.Count; i++)
        {
            var n = policy.Networks[i];
            var path = $"networks[{n.Name}]";
            var target = $"network '{n.Name}'";
            if (!Names.IsValid(n.Name))
            {
                v.Name(target, path + ".name", n.Name);
            }

            if (!seen.Add(n.Name))
            {
                v.Add(QaErrorIds.DuplicateNetwork, target, path + ".name",
                    $"There are two networks named '{n.Name}'.", "Give every network its own name.");
            }

            if (n.Subnet.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                v.Add(QaErrorIds.InvalidSubnet, target, path + ".subnet",
                    $"The subnet '{n.Subnet}' of {target} is not IPv4.",
                    "Put the IPv4 prefix in 'subnet' and an IPv6 prefix in 'subnet6'.");
            }
            else if (n.Subnet.PrefixLength > 30 || n.Subnet.PrefixLength < 8)
            {
                v.Add(QaErrorIds.SubnetTooSmall, target, path + ".subnet",
                    $"The subnet '{n.Subnet}' of {target} is /{n.Subnet.PrefixLength}.",
                    "Use a prefix from /8 to /30 so there is room for the gateway and clients.");
            }

            if (n.Subnet6 is { } s6)
            {
                if (s6.BaseAddress.AddressFamily != AddressFamily.InterNetworkV6)
                {
                    v.Add(QaErrorIds.InvalidSubnet, target, path + ".subnet6",
                        $"The subnet6 '{s6}' of {target} is not IPv6.", "Write an IPv6 prefix such as 'fd00:150::/64'.");
                }
                else if (s6.PrefixLength > 120 || s6.PrefixLength < 48)
                {
                    v.Add(QaErrorIds.SubnetTooSmall, target, path + ".subnet6",
                        $"The subnet6 '{s6}' of {target} is /{s6.PrefixLength}.",
                        "Use an IPv6 prefix from /48 to /120 (libvirt's DHCPv6 is happiest with /64).");
                }
            }

            for (var j = 0; j < i; j++)
            {
                var other = policy.Networks[j];
                if (IpMath.Overlaps(n.Subnet, other.Subnet) ||
                    (n.Subnet6 is { } a && other.Subnet6 is { } b && IpMath.Overlaps(a, b)))
                {
                    v.Add(QaErrorIds.SubnetOverlap, target, path + ".subnet",
                        $"The subnets of network '{n.Name}' and network '{other.Name}' overlap.",
                        "Give each network its own, non-overlapping prefix.");
                }
            }

            if (!Names.IsValidInterfaceName(n.Bridge))
            {
                v.Add(QaErrorIds.InvalidBridgeName, target, path + ".bridge",
                    $"The bridge name '{n.Bridge}' of {target} is not a Linux interface name.",
                    "Use 1 to 15 letters, digits, '.', '-' or '_', starting with a letter or digit.");
            }

            if (n.VirtHosts.Count == 0)
            {
                v.Add(QaErrorIds.VirtHostRequired, target, path + ".virthosts",
                    $"{Cap(target)} names no virthost.", "List the virthost(s) the network lives on (-VirtHost).");
            }

            foreach (var vh in n.VirtHosts)
            {
                if (!Names.IsValid(vh))
                {
                    v.Name($"virthost '{vh}'", path + ".virthosts", vh);
                }
            }

            ValidateGateway(policy, n, path, target, v);
            ValidateDhcp(n, path, target, v);
            ValidateUplink(n, path, target, v);
        }

        ValidateUplinksAcross(policy, v);
    }

    private static void ValidateUplink(QaNetwork n, string path, string target, Collector v)
    {
        if (n.Uplink is not { } u)
        {
            return;
        }

        path += ".uplink";
        if (u.Gateway is { } gw && !n.VirtHosts.Contains(gw, StringComparer.Ordinal))
        {
            v.Add(QaErrorIds.UnknownUplinkGateway, target, path + ".gateway",
                $"The uplink gateway '{gw}' of {target} is not one of its virthosts ({string.Join(", ", n.VirtHosts)}).",
                "Name the virthost that routes the network (one listed in 'virthosts'), or leave it out for the first one.");
        }

        if (u.Kind == QaUplinkKind.Nic)
        {
            if (u.Vni != 0 || u.Underlay.Count > 0)
            {
                v.Add(QaErrorIds.InvalidUplink, target, path + ".kind",
                    $"The nic uplink of {target} has VXLAN settings (vni, underlay).", "Remove vni and underlay, or use 'kind: vxlan'.");
            }

            foreach (var vh in n.VirtHosts)
            {
                var nic = u.DeviceOn(vh);
                var at = u.Nics.ContainsKey(vh) ? $"{path}.nics[{vh}]" : path + ".nic";
                if (nic is null)
                {
                    v.Add(QaErrorIds.InvalidUplinkInterface, target, path + ".nic",
                        $"The nic uplink of {target} names no NIC for virthost '{vh}'.",
                        "Give 'nic: <interface>' (all virthosts) or a per-host entry under 'nics'.");
                }
                else if (!Names.IsValidInterfaceName(nic) || nic.StartsWith(QaUplink.VxlanDevicePrefix, StringComparison.Ordinal))
                {
                    v.Add(QaErrorIds.InvalidUplinkInterface, target, at,
                        $"The uplink NIC '{nic}' of {target} on '{vh}' is not a usable interface name.",
                        $"Use 1 to 15 letters, digits, '.', '-' or '_', starting with a letter or digit, not starting with '{QaUplink.VxlanDevicePrefix}'.");
                }
                else if (nic == n.Bridge)
                {
                    v.Add(QaErrorIds.InvalidUplinkInterface, target, at,
                        $"The uplink NIC '{nic}' of {target} is its own bridge.", "Name the physical NIC to enslave to the bridge.");
                }
            }

            foreach (var vh in u.Nics.Keys.Where(k => !n.VirtHosts.Contains(k, StringComparer.Ordinal)))
            {
                v.Add(QaErrorIds.UplinkUnderlayMismatch, target, $"{path}.nics[{vh}]",
                    $"The uplink of {target} names a NIC for '{vh}', which the network does not span.",
                    "Remove the entry or add the virthost to the network.");
            }

            return;
        }

        if (u.Nic is not null || u.Nics.Count > 0)
        {
            v.Add(QaErrorIds.InvalidUplink, target, path + ".kind",
                $"The vxlan uplink of {target} names a NIC.", "Remove nic/nics, or use 'kind: nic'.");
        }

        if (u.Vni is < 1 or > QaUplink.MaxVni)
        {
            v.Add(QaErrorIds.InvalidVni, target, path + ".vni",
                $"The VNI {u.Vni} of {target} is out of range.", $"Use a VXLAN network identifier from 1 to {QaUplink.MaxVni}.");
        }

        if (u.Port is < 1 or > 65535)
        {
            v.Add(QaErrorIds.InvalidUplinkPort, target, path + ".port",
                $"The VXLAN port {u.Port} of {target} is not a UDP port.", $"Use 1 to 65535 (the standard is {QaUplink.DefaultVxlanPort}).");
        }

        var missing = n.VirtHosts.Where(vh => !u.Underlay.ContainsKey(vh)).ToList();
        if (missing.Count > 0)
        {
            v.Add(QaErrorIds.UplinkUnderlayMismatch, target, path + ".underlay",
                $"The underlay of {target} has no address for {string.Join(", ", missing.Select(m => $"'{m}'"))}.",
                "Give every virthost of the network its address on the rack network: underlay: {<virthost>: <address>}.");
        }

        foreach (var extra in u.Underlay.Keys.Where(k => !n.VirtHosts.Contains(k, StringComparer.Ordinal)))
        {
            v.Add(QaErrorIds.UplinkUnderlayMismatch, target, $"{path}.underlay[{extra}]",
                $"The underlay of {target} names '{extra}', which the network does not span.",
                "Remove the entry or add the virthost to 'virthosts'.");
        }

        var seen = new Dictionary<IPAddress, string>();
        foreach (var (vh, address) in u.Underlay)
        {
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || IPAddress.IsLoopback(address) ||
                address.IsIPv6Multicast || (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224))
            {
                v.Add(QaErrorIds.InvalidUplink, target, $"{path}.underlay[{vh}]",
                    $"The underlay address {address} of '{vh}' is not a unicast host address.", "Use the virthost's own address on the rack network.");
            }
            else if (n.Subnet.Contains(address) || (n.Subnet6 is { } s6 && s6.Contains(address)))
            {
                v.Add(QaErrorIds.InvalidUplink, target, $"{path}.underlay[{vh}]",
                    $"The underlay address {address} of '{vh}' lies inside the network it carries ({n.Subnet}).",
                    "Use the virthost's address on the rack network, outside the client subnet.");
            }

            if (!seen.TryAdd(address, vh))
            {
                v.Add(QaErrorIds.DuplicateUnderlayAddress, target, $"{path}.underlay[{vh}]",
                    $"Virthosts '{seen[address]}' and '{vh}' have the same underlay address {address}.",
                    "Give every virthost its own address on the rack network.");
            }
        }
    }

    /// <summary>A VNI names one segment of the rack and a NIC joins one bridge: neither may be shared between networks.</summary>
    private static void ValidateUplinksAcross(QaPolicy policy, Collector v)
    {
        var vnis = new Dictionary<int, string>();
        var nics = new Dictionary<(string Host, string Nic), string>();
        foreach (var n in policy.Networks)
        {
            if (n.Uplink is not { } u)
            {
                continue;
            }

            var path = $"networks[{n.Name}].uplink";
            if (u.Kind == QaUplinkKind.Vxlan && u.Vni > 0 && !vnis.TryAdd(u.Vni, n.Name) && vnis[u.Vni] != n.Name)
            {
                v.Add(QaErrorIds.DuplicateVni, $"network '{n.Name}'", path + ".vni",
                    $"Networks '{vnis[u.Vni]}' and '{n.Name}' use the same VNI {u.Vni}.", "Give every spanning network its own VNI.");
            }

            if (u.Kind != QaUplinkKind.Nic)
            {
                continue;
            }

            foreach (var vh in n.VirtHosts)
            {
                if (u.DeviceOn(vh) is { } nic && !nics.TryAdd((vh, nic), n.Name) && nics[(vh, nic)] != n.Name)
                {
                    v.Add(QaErrorIds.UplinkNicInUse, $"network '{n.Name}'", path + ".nic",
                        $"NIC '{nic}' on '{vh}' is already the uplink of network '{nics[(vh, nic)]}'.",
                        "A NIC joins one bridge: give each network its own NIC (or use VXLAN).");
                }
            }
        }
    }

    private static void ValidateGateway(QaPolicy policy, QaNetwork n, string path, string target, Collector v)
    {
        if (n.Mode != QaNetworkMode.Gateway)
        {
            if (n.Gateway is not null)
            {
                v.Add(QaErrorIds.GatewayRequired, target, path + ".gateway",
                    $"{Cap(target)} is in {n.Mode} mode but names a gateway '{n.Gateway}'.",
                    "Only Gateway mode uses a gateway endpoint: set the mode to Gateway or remove the gateway.");
            }

            return;
        }

        if (string.IsNullOrEmpty(n.Gateway))
        {
            v.Add(QaErrorIds.GatewayRequired, target, path + ".gateway",
                $"{Cap(target)} is in Gateway mode but names no gateway.",
                "Name the endpoint (e.g. the bastion) that routes for the clients: -Gateway <endpoint>.");
            return;
        }

        var gw = policy.FindEndpoint(n.Gateway);
        if (gw is null)
        {
            v.Add(QaErrorIds.UnknownReference, target, path + ".gateway",
                $"The gateway '{n.Gateway}' of {target} is not an endpoint of the policy.",
                $"Add the endpoint first (Add-QaEndpoint -Name {n.Gateway} -Address <address in {n.Subnet}>) or fix the name.");
            return;
        }

        if (GatewayAddress(n, gw) is null)
        {
            v.Add(QaErrorIds.GatewayAddressOutsideSubnet, target, path + ".gateway",
                $"The gateway '{gw.Name}' of {target} has no address in {n.Subnet}.",
                $"Give endpoint '{gw.Name}' an address inside {n.Subnet} (its interface on the network), other than {n.HostAddress}.");
        }
    }

    /// <summary>The gateway endpoint's address inside the network's IPv4 subnet, if it has one.</summary>
    public static IPAddress? GatewayAddress(QaNetwork n, QaEndpoint gateway) =>
        gateway.Addresses
            .Where(a => a.PrefixLength == 32 && n.Subnet.Contains(a.BaseAddress) && !IsReserved(n, a.BaseAddress))
            .Select(a => a.BaseAddress)
            .FirstOrDefault();

    /// <summary>Network, broadcast and the virthost's own address are never a client's.</summary>
    public static bool IsReserved(QaNetwork n, IPAddress address) =>
        address.Equals(IpMath.NetworkAddress(n.Subnet)) ||
        address.Equals(IpMath.LastAddress(n.Subnet)) ||
        address.Equals(n.HostAddress);

    private static void ValidateDhcp(QaNetwork n, string path, string target, Collector v)
    {
        if (n.DhcpStart is null && n.DhcpEnd is null)
        {
            return;
        }

        if (n.DhcpStart is null || n.DhcpEnd is null)
        {
            v.Add(QaErrorIds.DhcpRangeInvalid, target, path + ".dhcp",
                $"The DHCP range of {target} has only one end.", "Give both 'start' and 'end', or neither for the default.");
            return;
        }

        var start = n.DhcpStart;
        var end = n.DhcpEnd;
        if (!n.Subnet.Contains(start) || !n.Subnet.Contains(end))
        {
            v.Add(QaErrorIds.DhcpRangeInvalid, target, path + ".dhcp",
                $"The DHCP range {start}-{end} of {target} is not inside {n.Subnet}.", $"Choose a range inside {n.Subnet}.");
            return;
        }

        if (IpMath.ToNumber(start) > IpMath.ToNumber(end))
        {
            v.Add(QaErrorIds.DhcpRangeInvalid, target, path + ".dhcp",
                $"The DHCP range {start}-{end} of {target} runs backwards.", "Put the lower address in 'start'.");
            return;
        }

        if (InRange(n, n.HostAddress) || InRange(n, IpMath.NetworkAddress(n.Subnet)) || InRange(n, IpMath.LastAddress(n.Subnet)))
        {
            v.Add(QaErrorIds.DhcpRangeCollision, target, path + ".dhcp",
                $"The DHCP range {start}-{end} of {target} includes the network, broadcast or virthost address ({n.HostAddress}).",
                "Start the range after the virthost's address and end it before the broadcast address.");
        }

        if (n.Gateway is not null && n.Policy.FindEndpoint(n.Gateway) is { } gw && GatewayAddress(n, gw) is { } ga && InRange(n, ga))
        {
            v.Add(QaErrorIds.DhcpRangeCollision, target, path + ".dhcp",
                $"The DHCP range {start}-{end} of {target} includes the gateway address {ga}.",
                "Move the gateway's address or the DHCP range so they do not meet.");
        }
    }

    public static bool InRange(QaNetwork n, IPAddress address)
    {
        if (n.DhcpStart is null || n.DhcpEnd is null || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var x = IpMath.ToNumber(address);
        return x >= IpMath.ToNumber(n.DhcpStart) && x <= IpMath.ToNumber(n.DhcpEnd);
    }

    private static void ValidateClients(QaPolicy policy, Collector v)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var macs = new Dictionary<string, string>(StringComparer.Ordinal);
        var addresses = new Dictionary<IPAddress, string>();
        foreach (var n in policy.Networks)
        {
            var gatewayAddress = n.Gateway is not null && policy.FindEndpoint(n.Gateway) is { } gw ? GatewayAddress(n, gw) : null;
            foreach (var c in n.Clients)
            {
                var path = $"networks[{n.Name}].clients[{c.Name}]";
                var target = $"client '{c.Name}'";
                if (!Names.IsValid(c.Name))
                {
                    v.Name(target, path + ".name", c.Name);
                }

                if (!names.Add(c.Name))
                {
                    v.Add(QaErrorIds.DuplicateClientName, target, path + ".name",
                        $"There are two clients named '{c.Name}'.", "Client names are unique across the whole policy; rename one.");
                }

                if (policy.FindEndpoint(c.Name) is not null)
                {
                    v.Add(QaErrorIds.NameConflict, target, path + ".name",
                        $"'{c.Name}' is both a client and an endpoint.", "Rename one of them so rules and probes are unambiguous.");
                }

                if (!IsValidMac(c.MacAddress))
                {
                    v.Add(QaErrorIds.InvalidMacAddress, target, path + ".mac",
                        $"The MAC address '{c.MacAddress}' of {target} is not a unicast MAC.",
                        "Write six lowercase hex pairs separated by ':' with an even first octet, e.g. 52:54:00:12:34:56, or omit it for a generated one.");
                }
                else if (macs.TryGetValue(c.MacAddress, out var macOwner))
                {
                    v.Add(QaErrorIds.DuplicateMacAddress, target, path + ".mac",
                        $"{Cap(target)} has MAC address {c.MacAddress}, which client '{macOwner}' already has.",
                        "Give each client its own MAC, or omit it for a generated one.");
                }
                else
                {
                    macs[c.MacAddress] = c.Name;
                }

                ValidateClientAddress(n, c, path, target, gatewayAddress, addresses, v);

                foreach (var role in c.Roles)
                {
                    if (!Names.IsValid(role))
                    {
                        v.Name($"role '{role}'", path + ".roles", role);
                    }
                }

                if (!n.VirtHosts.Contains(c.VirtHost, StringComparer.Ordinal))
                {
                    v.Add(QaErrorIds.UnknownVirtHost, target, path + ".virthost",
                        $"{Cap(target)} is placed on virthost '{c.VirtHost}', which network '{n.Name}' does not span.",
                        $"Use one of the network's virthosts ({string.Join(", ", n.VirtHosts)}) or add it to the network.");
                }
            }
        }
    }

    private static void ValidateClientAddress(QaNetwork n, QaClient c, string path, string target,
        IPAddress? gatewayAddress, Dictionary<IPAddress, string> addresses, Collector v)
    {
        if (c.Address.AddressFamily != AddressFamily.InterNetwork || !n.Subnet.Contains(c.Address))
        {
            v.Add(QaErrorIds.AddressOutsideSubnet, target, path + ".address",
                $"The address {c.Address} of {target} is outside network '{n.Name}' ({n.Subnet}).",
                $"Choose an address inside {n.Subnet}, or omit it to have one allocated.");
        }
        else if (IsReserved(n, c.Address) || c.Address.Equals(gatewayAddress))
        {
            v.Add(QaErrorIds.AddressReserved, target, path + ".address",
                $"The address {c.Address} of {target} is the network, broadcast, virthost or gateway address of '{n.Name}'.",
                "Choose another address, or omit it to have one allocated.");
        }
        else if (InRange(n, c.Address))
        {
            v.Add(QaErrorIds.DhcpRangeCollision, target, path + ".address",
                $"The address {c.Address} of {target} lies in the DHCP range {n.DhcpStart}-{n.DhcpEnd} of '{n.Name}'.",
                "Reserved client addresses stay outside the dynamic range: choose another address or move the range.");
        }

        if (addresses.TryGetValue(c.Address, out var owner))
        {
            v.Add(QaErrorIds.DuplicateAddress, target, path + ".address",
                $"{Cap(target)} has address {c.Address}, which client '{owner}' already has.",
                "Give each client its own address, or omit it to have one allocated.");
        }
        else
        {
            addresses[c.Address] = c.Name;
        }

        if (c.Address6 is { } a6)
        {
            if (n.Subnet6 is not { } s6 || !s6.Contains(a6))
            {
                v.Add(QaErrorIds.AddressOutsideSubnet, target, path + ".address6",
                    $"The IPv6 address {a6} of {target} is outside network '{n.Name}' ({n.Subnet6?.ToString() ?? "no subnet6"}).",
                    "Choose an address inside the network's subnet6, or give the network a subnet6.");
            }
            else if (a6.Equals(n.HostAddress6) || a6.Equals(IpMath.NetworkAddress(s6)))
            {
                v.Add(QaErrorIds.AddressReserved, target, path + ".address6",
                    $"The IPv6 address {a6} of {target} is the network's own.", "Choose another address.");
            }
            else if (!addresses.TryAdd(a6, c.Name))
            {
                v.Add(QaErrorIds.DuplicateAddress, target, path + ".address6",
                    $"{Cap(target)} has IPv6 address {a6}, which client '{addresses[a6]}' already has.",
                    "Give each client its own address.");
            }
        }
    }

    private static void ValidateEndpoints(QaPolicy policy, Collector v)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in policy.Endpoints)
        {
            var path = $"endpoints[{e.Name}]";
            var target = $"endpoint '{e.Name}'";
            if (!Names.IsValid(e.Name))
            {
                v.Name(target, path + ".name", e.Name);
            }

            if (!seen.Add(e.Name))
            {
                v.Add(QaErrorIds.DuplicateEndpoint, target, path + ".name",
                    $"There are two endpoints named '{e.Name}'.", "Give every endpoint its own name.");
            }

            foreach (var h in e.HostNames)
            {
                if (!Names.IsValidHostName(h))
                {
                    v.Add(QaErrorIds.InvalidHostName, target, path + ".hostnames",
                        $"'{h}' of {target} is not a host name.", "Write a DNS name such as koji.fedoraproject.org.");
                }
            }

            if (e.HostNames.Count == 0 && e.Addresses.Count == 0)
            {
                v.Add(QaErrorIds.EndpointWithoutTarget, target, path,
                    $"{Cap(target)} has neither host names nor addresses.",
                    "Give it -HostName (resolved through the policy's name map) and/or -Address.");
            }

            ValidatePorts(e.Ports, target, path + ".ports", v);
        }
    }

    private static void ValidateHosts(QaPolicy policy, Collector v)
    {
        foreach (var (name, addresses) in policy.Hosts)
        {
            var path = $"hosts[{name}]";
            if (!Names.IsValidHostName(name))
            {
                v.Add(QaErrorIds.InvalidHostName, $"host '{name}'", path,
                    $"'{name}' in the name map is not a host name.", "Write a DNS name such as koji.fedoraproject.org.");
            }

            if (addresses.Count == 0)
            {
                v.Add(QaErrorIds.InvalidAddress, $"host '{name}'", path,
                    $"Host '{name}' in the name map has no address.", "List at least one address for it, or remove it.");
            }
        }
    }

    private static void ValidatePorts(IEnumerable<QaPortRange> ports, string target, string path, Collector v)
    {
        foreach (var p in ports)
        {
            if (p.IsIcmp)
            {
                continue;
            }

            if (p.From < 1 || p.From > 65535 || p.To < 1 || p.To > 65535)
            {
                v.Add(QaErrorIds.InvalidPort, target, path,
                    $"{Cap(target)} has port {p.From}-{p.To}, outside 1-65535.", "Ports run from 1 to 65535.");
            }
            else if (p.From > p.To)
            {
                v.Add(QaErrorIds.PortRangeReversed, target, path,
                    $"{Cap(target)} has the port range {p.From}-{p.To}, which runs backwards.", "Write the lower port first.");
            }
        }
    }

    private static void ValidateRules(QaPolicy policy, Collector v)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var roles = new HashSet<string>(policy.Roles, StringComparer.Ordinal);
        foreach (var r in policy.Rules)
        {
            var path = $"rules[{r.Id}]";
            var target = $"rule '{r.Id}'";
            if (!Names.IsValid(r.Id))
            {
                v.Name(target, path + ".id", r.Id);
            }

            if (!ids.Add(r.Id))
            {
                v.Add(QaErrorIds.DuplicateRuleId, target, path + ".id",
                    $"There are two rules with id '{r.Id}'.", "Give every rule its own id, or omit ids to have them derived.");
            }

            if (r.Priority < QaRule.MinPriority || r.Priority > QaRule.MaxPriority)
            {
                v.Add(QaErrorIds.InvalidPriority, target, path + ".priority",
                    $"The priority {r.Priority} of {target} is out of range.", $"Use {QaRule.MinPriority} to {QaRule.MaxPriority}; lower runs first.");
            }

            CheckSide(policy, roles, r, r.From, "from", path, target, v);
            CheckSide(policy, roles, r, r.To, "to", path, target, v);
            ValidatePorts(r.Ports, target, path + ".ports", v);

            if (r.Ports.Count == 0)
            {
                foreach (var s in r.To.Where(s => s.Kind != QaSelectorKind.Endpoint || policy.FindEndpoint(s.Value) is { Ports.Count: 0 }))
                {
                    v.Add(QaErrorIds.PortsRequired, target, path + ".ports",
                        $"{Cap(target)} gives no ports and its destination '{s}' has none of its own.",
                        "Give the rule ports (-Port 443/tcp), or give the endpoint its ports.");
                    break;
                }
            }

            if (r.Kind == QaRuleKind.Egress && !r.AllowAnyDestination)
            {
                var any = r.To.Any(s => s.Kind == QaSelectorKind.Cidr && s.Network4Or6.PrefixLength == 0) ||
                          r.To.Any(s => s.Kind == QaSelectorKind.Endpoint && policy.FindEndpoint(s.Value) is { } e && e.Addresses.Any(a => a.PrefixLength == 0));
                if (any)
                {
                    v.Add(QaErrorIds.EgressToAnyAddress, target, path + ".to",
                        $"{Cap(target)} lets clients reach any address (0.0.0.0/0 or ::/0).",
                        "Name the services clients need instead; if you really mean it, set allowAnyDestination: true (-AllowAnyDestination).");
                }
            }
        }
    }

    private static void CheckSide(QaPolicy policy, HashSet<string> roles, QaRule r, List<QaSelector> side, string key,
        string path, string target, Collector v)
    {
        if (side.Count == 0)
        {
            v.Add(QaErrorIds.InvalidRuleSide, target, $"{path}.{key}",
                $"{Cap(target)} has nothing in '{key}'.", $"Name at least one {(key == "from" ? "source" : "destination")}.");
            return;
        }

        foreach (var s in side)
        {
            var exists = s.Kind switch
            {
                QaSelectorKind.Client => policy.FindClient(s.Value) is not null,
                QaSelectorKind.Role => roles.Contains(s.Value),
                QaSelectorKind.Endpoint => policy.FindEndpoint(s.Value) is not null,
                QaSelectorKind.Network => policy.FindNetwork(s.Value) is not null,
                _ => true,
            };
            if (!exists)
            {
                var hint = s.Kind == QaSelectorKind.Role
                    ? "No client has that role yet: add the clients first (Add-QaClient -Role), or fix the name."
                    : $"Add the {s.Kind.ToString().ToLowerInvariant()} first, or fix the name.";
                v.Add(QaErrorIds.UnknownReference, target, $"{path}.{key}",
                    $"{Cap(target)} names {s.Kind.ToString().ToLowerInvariant()} '{s.Value}', which does not exist.", hint);
            }
        }

        // Which side may hold what: clients open egress, endpoints open ingress.
        var clientSide = side.All(s => s.Kind is QaSelectorKind.Client or QaSelectorKind.Role or QaSelectorKind.Network);
        var bad = (r.Kind, key) switch
        {
            (QaRuleKind.Egress, "from") => !clientSide,
            (QaRuleKind.Ingress, "to") => !clientSide,
            (QaRuleKind.Ingress, "from") => side.Any(s => s.Kind is QaSelectorKind.Client or QaSelectorKind.Role or QaSelectorKind.Network),
            _ => false,
        };
        if (bad)
        {
            var fix = (r.Kind, key) switch
            {
                (QaRuleKind.Ingress, "from") => "Ingress comes from endpoints (management hosts) or CIDRs; for client-to-client traffic use an egress rule.",
                _ => "Egress starts at clients (client:, role:, network:) and ingress ends at clients.",
            };
            v.Add(QaErrorIds.InvalidRuleSide, target, $"{path}.{key}",
                $"{Cap(target)} ({r.Kind.ToString().ToLowerInvariant()}) cannot have '{string.Join(", ", side)}' in '{key}'.", fix);
        }
    }

    private static void ValidateAssertions(QaPolicy policy, Collector v)
    {
        for (var i = 0; i < policy.Assertions.Count; i++)
        {
            var a = policy.Assertions[i];
            foreach (var (side, key) in new[] { (a.From, "from"), (a.To, "to") })
            {
                var isAddress = (side.Contains('.', StringComparison.Ordinal) || side.Contains(':', StringComparison.Ordinal)) &&
                                IPAddress.TryParse(side, out _);
                if (!isAddress && policy.FindClient(side) is null && policy.FindEndpoint(side) is null)
                {
                    // Paths number tests from 1 as the policy file's readers do: tests[#1].from.
                    v.Add(QaErrorIds.UnknownReference, $"test '{a}'", $"tests[#{i + 1}].{key}",
                        $"Test '{a}' names '{side}', which is neither a client, an endpoint nor an address.",
                        "Name a client or endpoint of the policy, or give an IPv4 or IPv6 address.");
                }
            }
        }
    }

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private sealed class Collector
    {
        public List<QaValidationError> Errors { get; } = new();

        public void Add(string id, string target, string? path, string message, string fix) =>
            Errors.Add(new QaValidationError(id, target, path, message, fix));

        public void Name(string target, string path, string? name) =>
            Errors.Add(QaValidationError.Name(target, name) with { Path = path });
    }
}
