using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using QaNet.Core.Checking;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;

namespace QaNet.Core.Render.Libvirt;

/// <summary>
/// The libvirt network definition of one network on one virthost. Nat networks use
/// <c>forward mode='open'</c> so libvirt adds no firewall rules of its own and QaNet's nft
/// table is the only filter and NAT (see docs/rendering.md).
/// </summary>
public static class LibvirtNetworkWriter
{
    /// <summary>QaNet's namespace for the <c>&lt;metadata&gt;</c> element.</summary>
    public const string MetadataNamespace = "https://qanet.invalid/schemas/libvirt-network/1";

    public const string DnsmasqNamespace = "http://libvirt.org/schemas/network/dnsmasq/1.0";

    public static (string Xml, int Hosts, int DnsEntries) Write(ResolvedPolicy policy, QaNetwork network, string virtHost)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(network);
        XNamespace dnsmasq = DnsmasqNamespace;
        var root = new XElement("network", new XElement("name", network.Name));
        // The serving virthost of a spanning network reserves addresses for every client of the segment.
        var clients = network.ServingVirtHost is null ? network.Clients.Where(c => c.VirtHost == virtHost).ToList() : network.Clients.ToList();
        var dnsEntries = 0;
        switch (network.Mode)
        {
            case QaNetworkMode.Bridged:
                root.Add(new XElement("forward", new XAttribute("mode", "bridge")));
                root.Add(new XElement("bridge", new XAttribute("name", network.Bridge)));
                break;
            case QaNetworkMode.Nat or QaNetworkMode.Gateway when !network.ServesOn(virtHost):
                // A bare bridge: the segment's address, DHCP and routing live on the serving
                // virthost, reached through the uplink; libvirt only creates the bridge here.
                clients = new List<QaClient>();
                root.Add(new XElement("bridge", new XAttribute("name", network.Bridge), new XAttribute("stp", "on"), new XAttribute("delay", "0")));
                AddMtu(root, network);
                break;
            default:
                if (network.Mode == QaNetworkMode.Nat)
                {
                    root.Add(new XElement("forward", new XAttribute("mode", "open")));
                }

                root.Add(new XElement("bridge", new XAttribute("name", network.Bridge), new XAttribute("stp", "on"), new XAttribute("delay", "0")));
                AddMtu(root, network);
                var dns = DnsHosts(policy.Policy);
                dnsEntries = dns.Count;
                if (dns.Count > 0)
                {
                    root.Add(new XElement("dns", dns));
                }

                root.Add(Ipv4(network, clients));
                if (network.Subnet6 is { } s6)
                {
                    root.Add(Ipv6(network, s6, clients));
                }

                if (network.Mode == QaNetworkMode.Gateway && policy.Policy.FindEndpoint(network.Gateway!) is { } gw &&
                    PolicyValidator.GatewayAddress(network, gw) is { } router)
                {
                    root.Add(new XAttribute(XNamespace.Xmlns + "dnsmasq", DnsmasqNamespace));
                    root.Add(new XElement(dnsmasq + "options",
                        new XElement(dnsmasq + "option", new XAttribute("value", $"dhcp-option=option:router,{router}"))));
                }

                break;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Print(root)))).ToLowerInvariant();
        XNamespace qanet = MetadataNamespace;
        root.Element("name")!.AddAfterSelf(new XElement("metadata",
            new XElement(qanet + "network",
                new XAttribute(XNamespace.Xmlns + "qanet", MetadataNamespace),
                new XAttribute("policy", policy.Policy.Name),
                new XAttribute("network", network.Name),
                new XAttribute("virthost", virtHost),
                new XAttribute("hash", "sha256:" + hash))));
        return (Print(root), clients.Count, dnsEntries);
    }

    /// <summary>
    /// A VXLAN uplink costs 50 bytes of every frame; the segment's MTU leaves room for them so a
    /// full-size frame still crosses (libvirt hands the MTU on to the guests' virtio NICs).
    /// </summary>
    private static void AddMtu(XElement root, QaNetwork network)
    {
        if (network.Uplink is { Kind: QaUplinkKind.Vxlan })
        {
            root.Add(new XElement("mtu", new XAttribute("size", MtuWithVxlan)));
        }
    }

    /// <summary>The client segment's MTU with a VXLAN uplink over a 1500-byte rack network.</summary>
    public const int MtuWithVxlan = 1500 - QaUplink.VxlanOverhead;

    private static XElement Ipv4(QaNetwork network, List<QaClient> clients)
    {
        var dhcp = new XElement("dhcp");
        if (network.DhcpStart is { } start && network.DhcpEnd is { } end)
        {
            dhcp.Add(new XElement("range", new XAttribute("start", start), new XAttribute("end", end)));
        }

        foreach (var c in clients)
        {
            dhcp.Add(new XElement("host", new XAttribute("mac", c.MacAddress), new XAttribute("name", c.Name), new XAttribute("ip", c.Address)));
        }

        var ip = new XElement("ip", new XAttribute("address", network.HostAddress), new XAttribute("prefix", network.Subnet.PrefixLength));
        if (dhcp.HasElements)
        {
            ip.Add(dhcp);
        }

        return ip;
    }

    private static XElement Ipv6(QaNetwork network, IPNetwork s6, List<QaClient> clients)
    {
        var ip = new XElement("ip", new XAttribute("family", "ipv6"), new XAttribute("address", network.HostAddress6!),
            new XAttribute("prefix", s6.PrefixLength));
        var hosts = clients.Where(c => c.Address6 is not null).ToList();
        if (hosts.Count > 0)
        {
            // DHCPv6 has no MAC to key on; libvirt matches the name the client sends.
            ip.Add(new XElement("dhcp", hosts.Select(c => new XElement("host", new XAttribute("name", c.Name), new XAttribute("ip", c.Address6!)))));
        }

        return ip;
    }

    /// <summary>The policy's name map as DNS host entries, so clients resolve names to the addresses the rules use.</summary>
    private static List<XElement> DnsHosts(QaPolicy policy) =>
        policy.Hosts
            .SelectMany(h => h.Value.Select(a => (Address: a, Name: h.Key)))
            .GroupBy(x => x.Address)
            .OrderBy(g => g.Key.AddressFamily).ThenBy(g => IpMath.ToNumber(g.Key))
            .Select(g => new XElement("host", new XAttribute("ip", g.Key),
                g.Select(x => x.Name).Order(StringComparer.Ordinal).Select(n => new XElement("hostname", n))))
            .ToList();

    internal static string Print(XElement root)
    {
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", OmitXmlDeclaration = true, NewLineChars = "\n" };
        var sb = new StringBuilder();
        using (var writer = XmlWriter.Create(sb, settings))
        {
            root.Save(writer);
        }

        return sb.Append('\n').ToString();
    }
}
