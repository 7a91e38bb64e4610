using System.Net;
using System.Net.Sockets;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Checking;

/// <summary>Clients: names, MACs, addresses, roles and placement, unique across the policy.</summary>
public static partial class PolicyValidator
{
    private static void ValidateClients(QaPolicy policy, Collector v)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var macs = new Dictionary<string, string>(StringComparer.Ordinal);
        var addresses = new Dictionary<IPAddress, string>();
        foreach (var n in policy.Networks)
        {
            var gatewayAddress = GatewayAddressOf(policy, n);
            foreach (var c in n.Clients)
            {
                var path = $"networks[{n.Name}].clients[{c.Name}]";
                var target = $"client '{c.Name}'";
                v.UniqueName(names, c.Name, target, path + ".name", QaErrorIds.DuplicateClientName,
                    $"There are two clients named '{c.Name}'.", "Client names are unique across the whole policy; rename one.");

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
                else if (FirstOwner(macs, c.MacAddress, c.Name) is { } macOwner)
                {
                    v.Add(QaErrorIds.DuplicateMacAddress, target, path + ".mac",
                        $"{Cap(target)} has MAC address {c.MacAddress}, which client '{macOwner}' already has.",
                        "Give each client its own MAC, or omit it for a generated one.");
                }

                ValidateClientAddress(n, c, path, target, gatewayAddress, addresses, v);

                v.NameList("role", c.Roles, path + ".roles");

                if (!Spans(n, c.VirtHost))
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
        if (c.Address.AddressFamily != AddressFamily.InterNetwork || !IpMath.Contains(n.Subnet, c.Address))
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

        if (FirstOwner(addresses, c.Address, c.Name) is { } owner)
        {
            v.Add(QaErrorIds.DuplicateAddress, target, path + ".address",
                $"{Cap(target)} has address {c.Address}, which client '{owner}' already has.",
                "Give each client its own address, or omit it to have one allocated.");
        }

        if (c.Address6 is { } a6)
        {
            if (n.Subnet6 is not { } s6 || !IpMath.Contains(s6, a6))
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
            else if (FirstOwner(addresses, a6, c.Name) is { } owner6)
            {
                v.Add(QaErrorIds.DuplicateAddress, target, path + ".address6",
                    $"{Cap(target)} has IPv6 address {a6}, which client '{owner6}' already has.",
                    "Give each client its own address.");
            }
        }
    }
}
