using System.Net;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>The <c>networks:</c> section, with each network's DHCP range and uplink (its clients: PolicyReader.Clients.cs).</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] NetworkKeys = { "name", "mode", "subnet", "subnet6", "bridge", "gateway", "virthosts", "dhcp", "uplink", "clients" };
    private static readonly string[] DhcpKeys = { "start", "end" };
    private static readonly string[] UplinkKeys = { "kind", "vni", "port", "underlay", "nic", "nics", "gateway" };

    private void ReadNetwork(QaPolicy policy, YamlNode node, int index)
    {
        var path = EntityPath("networks", PeekKey(node, "name"), index);
        if (ReadMapping(node, path, NetworkKeys) is not { } f)
        {
            return;
        }

        var name = ReadString(f, "name", required: true) ?? string.Empty;
        var mode = ReadChoice(f, "mode", required: true,
            ("nat", QaNetworkMode.Nat), ("gateway", QaNetworkMode.Gateway), ("bridged", QaNetworkMode.Bridged)) ?? QaNetworkMode.Nat;
        var subnet = ReadCidr(f, "subnet", required: true) ?? Unparsed;
        var network = PolicyParts.NewNetwork(policy, name, subnet, mode, ReadCidr(f, "subnet6", required: false),
            ReadString(f, "bridge"), ReadString(f, "gateway"), ReadStrings(f, "virthosts").Select(v => v.Text).ToList());
        ReadDhcp(network, f, path);
        ReadUplink(network, f, path);
        policy.Networks.Add(network);
        Mark(path, f);

        var items = ReadList(f, "clients");
        for (var i = 0; i < items.Count; i++)
        {
            ReadClient(network, items[i], path, i);
        }
    }

    private IPNetwork? ReadCidr(Fields f, string key, bool required)
    {
        var text = ReadString(f, key, required);
        return text is null ? null : ParseCidr(text, f[key]!, Fields.Join(f.Path, key));
    }

    private void ReadDhcp(QaNetwork network, Fields f, string path)
    {
        IPAddress? start = null, end = null;
        if (f["dhcp"] is { } node && ReadMapping(node, path + ".dhcp", DhcpKeys) is { } dhcp)
        {
            start = ReadString(dhcp, "start") is { } s ? ParseAddress(s, dhcp["start"]!, path + ".dhcp.start") : null;
            end = ReadString(dhcp, "end") is { } e ? ParseAddress(e, dhcp["end"]!, path + ".dhcp.end") : null;
        }

        PolicyParts.SetDhcp(network, start, end);
    }

    /// <summary><c>uplink: {kind: vxlan, vni, port, underlay: {host: address}, gateway}</c> or <c>{kind: nic, nic, nics: {host: nic}, gateway}</c>.</summary>
    private void ReadUplink(QaNetwork network, Fields f, string path)
    {
        path += ".uplink";
        if (f["uplink"] is not { } node || ReadMapping(node, path, UplinkKeys) is not { } u)
        {
            return;
        }

        var kind = ReadChoice(u, "kind", required: true, ("vxlan", QaUplinkKind.Vxlan), ("nic", QaUplinkKind.Nic));
        if (kind is null)
        {
            return;
        }

        var uplink = new QaUplink(kind.Value)
        {
            Vni = ReadInt(u, "vni") ?? 0,
            Port = ReadInt(u, "port") ?? QaUplink.DefaultVxlanPort,
            Nic = ReadString(u, "nic"),
            Gateway = ReadString(u, "gateway"),
        };
        foreach (var (host, value, key) in ReadHostMap(u, "underlay"))
        {
            if (ScalarText(value, $"{path}.underlay[{host}]") is { } text && ParseAddress(text, value, $"{path}.underlay[{host}]") is { } address)
            {
                uplink.Underlay[host] = address;
                AddMark($"{path}.underlay[{host}]", key);
            }
        }

        foreach (var (host, value, key) in ReadHostMap(u, "nics"))
        {
            if (ScalarText(value, $"{path}.nics[{host}]") is { } nic)
            {
                uplink.Nics[host] = nic;
                AddMark($"{path}.nics[{host}]", key);
            }
        }

        if (kind == QaUplinkKind.Vxlan && u["vni"] is null)
        {
            Missing(u, "vni");
        }

        network.Uplink = uplink;
        PolicyEditor.FillUplinkDefaults(network);
        Mark(path, u);
    }

    /// <summary>A mapping of virthost names to values; a host named twice is an error at its second key.</summary>
    private List<(string Host, YamlNode Value, YamlNode Key)> ReadHostMap(Fields fields, string key)
    {
        var result = new List<(string, YamlNode, YamlNode)>();
        var node = fields[key];
        if (node is null)
        {
            return result;
        }

        var path = Fields.Join(fields.Path, key);
        if (node is not YamlMapping map)
        {
            WrongType(node, path, "a mapping of virthost names to values ({vh1: ..., vh2: ...})");
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, value) in map.Entries)
        {
            if (!seen.Add(k.Value))
            {
                errors.Add(k, QaErrorIds.PolicyDuplicateKey, $"{path}[{k.Value}]",
                    $"The virthost '{k.Value}' appears twice in {path}.", "Keep one entry per virthost.");
                continue;
            }

            result.Add((k.Value, value, k));
        }

        return result;
    }
}
