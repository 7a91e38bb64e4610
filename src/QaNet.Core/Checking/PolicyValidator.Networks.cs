using System.Net;
using System.Net.Sockets;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Checking;

/// <summary>Networks: names, subnets, bridge, virthosts, gateway and DHCP range.</summary>
public static partial class PolicyValidator
{
    /// <summary>What Linux accepts as an interface name, as a fix says it.</summary>
    private const string InterfaceNameRule = "Use 1 to 15 letters, digits, '.', '-' or '_', starting with a letter or digit";

    private static readonly SubnetRule Ipv4Subnet = new("subnet", AddressFamily.InterNetwork, "IPv4", 8, 30,
        "Put the IPv4 prefix in 'subnet' and an IPv6 prefix in 'subnet6'.",
        "Use a prefix from /8 to /30 so there is room for the gateway and clients.");

    private static readonly SubnetRule Ipv6Subnet = new("subnet6", AddressFamily.InterNetworkV6, "IPv6", 48, 120,
        "Write an IPv6 prefix such as 'fd00:150::/64'.",
        "Use an IPv6 prefix from /48 to /120 (libvirt's DHCPv6 is happiest with /64).");

    private static void ValidateNetworks(QaPolicy policy, Collector v)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < policy.Networks.Count; i++)
        {
            var n = policy.Networks[i];
            var path = $"networks[{n.Name}]";
            var target = $"network '{n.Name}'";
            v.UniqueName(seen, n.Name, target, path + ".name",
                QaErrorIds.DuplicateNetwork, $"There are two networks named '{n.Name}'.", "Give every network its own name.");
            CheckSubnet(n.Subnet, Ipv4Subnet, path, target, v);
            if (n.Subnet6 is { } s6)
            {
                CheckSubnet(s6, Ipv6Subnet, path, target, v);
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
                    InterfaceNameRule + ".");
            }

            if (n.VirtHosts.Count == 0)
            {
                v.Add(QaErrorIds.VirtHostRequired, target, path + ".virthosts",
                    $"{Cap(target)} names no virthost.", "List the virthost(s) the network lives on (-VirtHost).");
            }

            v.NameList("virthost", n.VirtHosts, path + ".virthosts");
            ValidateGateway(policy, n, path, target, v);
            ValidateDhcp(n, path, target, v);
            ValidateUplink(n, path, target, v);
        }

        ValidateUplinksAcross(policy, v);
    }

    /// <summary>One family's prefix of a network: its key in the file, its family and the prefix lengths it may have.</summary>
    private sealed record SubnetRule(string Key, AddressFamily Family, string FamilyName, int Shortest, int Longest,
        string WrongFamilyFix, string SizeFix);

    private static void CheckSubnet(IPNetwork subnet, SubnetRule rule, string path, string target, Collector v)
    {
        if (subnet.BaseAddress.AddressFamily != rule.Family)
        {
            v.Add(QaErrorIds.InvalidSubnet, target, $"{path}.{rule.Key}",
                $"The {rule.Key} '{subnet}' of {target} is not {rule.FamilyName}.", rule.WrongFamilyFix);
        }
        else if (subnet.PrefixLength > rule.Longest || subnet.PrefixLength < rule.Shortest)
        {
            v.Add(QaErrorIds.SubnetTooSmall, target, $"{path}.{rule.Key}",
                $"The {rule.Key} '{subnet}' of {target} is /{subnet.PrefixLength}.", rule.SizeFix);
        }
    }

    /// <summary>True when the network spans <paramref name="virtHost"/> (lists it in <c>virthosts</c>).</summary>
    private static bool Spans(QaNetwork n, string virtHost) => n.VirtHosts.Contains(virtHost, StringComparer.Ordinal);

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

        var gw = policy.FindEndpoint(n.Gateway) is { } e && e.Name == n.Gateway ? e : null;
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
            .Where(a => a.PrefixLength == 32 && IpMath.Contains(n.Subnet, a.BaseAddress) && !IsReserved(n, a.BaseAddress))
            .Select(a => a.BaseAddress)
            .FirstOrDefault();

    /// <summary>The gateway endpoint's address inside the network's IPv6 prefix (not the virthost's own), if it has one.</summary>
    public static IPAddress? GatewayAddress6(QaNetwork n, QaEndpoint gateway) =>
        n.Subnet6 is not { } s6 ? null : gateway.Addresses
            .Where(a => a.PrefixLength == 128 && IpMath.Contains(s6, a.BaseAddress) && !a.BaseAddress.Equals(n.HostAddress6) && !a.BaseAddress.Equals(s6.BaseAddress))
            .Select(a => a.BaseAddress)
            .FirstOrDefault();

    /// <summary>The address of the gateway <paramref name="policy"/> names for the network, if it has one there.</summary>
    private static IPAddress? GatewayAddressOf(QaPolicy policy, QaNetwork n) =>
        n.Gateway is not null && policy.FindEndpoint(n.Gateway) is { } gw ? GatewayAddress(n, gw) : null;

    /// <summary>Network, broadcast and the virthost's own address are never a client's.</summary>
    public static bool IsReserved(QaNetwork n, IPAddress address) => ReservedAddresses(n).Any(address.Equals);

    private static IPAddress[] ReservedAddresses(QaNetwork n) =>
        [IpMath.NetworkAddress(n.Subnet), IpMath.LastAddress(n.Subnet), n.HostAddress];

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
        if (!IpMath.Contains(n.Subnet, start) || !IpMath.Contains(n.Subnet, end))
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

        if (ReservedAddresses(n).Any(a => InRange(n, a)))
        {
            v.Add(QaErrorIds.DhcpRangeCollision, target, path + ".dhcp",
                $"The DHCP range {start}-{end} of {target} includes the network, broadcast or virthost address ({n.HostAddress}).",
                "Start the range after the virthost's address and end it before the broadcast address.");
        }

        if (GatewayAddressOf(n.Policy, n) is { } ga && InRange(n, ga))
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
}
