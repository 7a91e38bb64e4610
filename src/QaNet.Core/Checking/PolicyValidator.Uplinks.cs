using System.Net;
using System.Net.Sockets;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Core.Net;

namespace QaNet.Core.Checking;

/// <summary>Uplinks: a network's NIC or VXLAN link between its virthosts, and what networks may not share.</summary>
public static partial class PolicyValidator
{
    private static void ValidateUplink(QaNetwork n, string path, string target, Collector v)
    {
        if (n.Uplink is not { } u)
        {
            return;
        }

        path += ".uplink";
        if (u.Gateway is { } gw && !Spans(n, gw))
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
                        $"{InterfaceNameRule}, not starting with '{QaUplink.VxlanDevicePrefix}'.");
                }
                else if (nic == n.Bridge)
                {
                    v.Add(QaErrorIds.InvalidUplinkInterface, target, at,
                        $"The uplink NIC '{nic}' of {target} is its own bridge.", "Name the physical NIC to enslave to the bridge.");
                }
            }

            foreach (var vh in u.Nics.Keys.Where(k => !Spans(n, k)))
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

        if (!PortNumber.IsValid(u.Port))
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

        foreach (var extra in u.Underlay.Keys.Where(k => !Spans(n, k)))
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
            else if (IpMath.Contains(n.Subnet, address) || (n.Subnet6 is { } s6 && IpMath.Contains(s6, address)))
            {
                v.Add(QaErrorIds.InvalidUplink, target, $"{path}.underlay[{vh}]",
                    $"The underlay address {address} of '{vh}' lies inside the network it carries ({n.Subnet}).",
                    "Use the virthost's address on the rack network, outside the client subnet.");
            }

            if (FirstOwner(seen, address, vh) is { } first)
            {
                v.Add(QaErrorIds.DuplicateUnderlayAddress, target, $"{path}.underlay[{vh}]",
                    $"Virthosts '{first}' and '{vh}' have the same underlay address {address}.",
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
            if (u.Kind == QaUplinkKind.Vxlan && u.Vni > 0 && FirstOwner(vnis, u.Vni, n.Name) is { } first && first != n.Name)
            {
                v.Add(QaErrorIds.DuplicateVni, $"network '{n.Name}'", path + ".vni",
                    $"Networks '{first}' and '{n.Name}' use the same VNI {u.Vni}.", "Give every spanning network its own VNI.");
            }

            if (u.Kind != QaUplinkKind.Nic)
            {
                continue;
            }

            foreach (var vh in n.VirtHosts)
            {
                if (u.DeviceOn(vh) is { } nic && FirstOwner(nics, (vh, nic), n.Name) is { } owner && owner != n.Name)
                {
                    v.Add(QaErrorIds.UplinkNicInUse, $"network '{n.Name}'", path + ".nic",
                        $"NIC '{nic}' on '{vh}' is already the uplink of network '{owner}'.",
                        "A NIC joins one bridge: give each network its own NIC (or use VXLAN).");
                }
            }
        }
    }
}
