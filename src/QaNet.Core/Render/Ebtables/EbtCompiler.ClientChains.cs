using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Core.Render.Ebtables;

/// <summary>The per-client chains: what a client sends (anti-spoofing, then its class) and what it receives.</summary>
internal sealed partial class EbtCompiler
{
    private void ClientOut(QaNetwork n, QaClient c)
    {
        var chain = OutChain(c);
        chains.Add(chain);
        var ip = QaAddressRange.Host(c.Address);
        Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "ARP", NotArpMacSource = c.MacAddress });
        Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "ARP", NotArpIpSource = ip });
        Add(new EbtRule(chain, "ACCEPT") { Id = "@arp", Protocol = "ARP" });
        Add(new EbtRule(chain, "ACCEPT")
        {
            Id = "@dhcp", Protocol = "IPv4", IpSource = QaAddressRange.Host(IPAddress.Any), IpProtocol = QaProtocol.Udp,
            SourcePorts = (68, 68), DestinationPorts = (67, 67),
        });
        Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "IPv4", IpSource = ip, NotIpSource = true });
        if (c.Address6 is { } a6)
        {
            // A client is no router: its router advertisements and redirects would take over the
            // other hosts' routes. Neighbour discovery goes from its link-local address, from the
            // unspecified address (duplicate address detection) or from its own; the target of a
            // neighbour advertisement is checked in table bridge qanet (ebtables cannot read it).
            Add(new EbtRule(chain, "DROP") { Id = "@nd-router", Protocol = "IPv6", Icmp6Types = (RouterAdvertisement, RouterAdvertisement) });
            Add(new EbtRule(chain, "DROP") { Id = "@nd-router", Protocol = "IPv6", Icmp6Types = (Redirect, Redirect) });
            foreach (var source in new[] { LinkLocal, QaAddressRange.Host(IPAddress.IPv6Any), QaAddressRange.Host(a6) })
            {
                Add(new EbtRule(chain, "ACCEPT") { Id = "@neighbour-discovery", Protocol = "IPv6", IpSource = source, Icmp6Types = NeighbourDiscovery });
            }

            Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "IPv6", IpSource = QaAddressRange.Host(a6), NotIpSource = true });
        }
        else
        {
            Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "IPv6" });
        }

        foreach (var (proto, subnet, host) in PeerScopes(n))
        {
            // Off-subnet traffic is routed: the gateway's nft table decides it (statefully).
            Add(new EbtRule(chain, "ACCEPT") { Id = "@l3", Protocol = proto, IpDestination = subnet, NotIpDestination = true });
            Add(new EbtRule(chain, "ACCEPT") { Id = "@l3", Protocol = proto, IpDestination = host });
        }

        foreach (var v6 in Families(c))
        {
            var address = v6 ? c.Address6! : c.Address;
            var key = ClassChain(n, true, address, v6);
            Add(new EbtRule(chain, key) { Id = "@class", Protocol = v6 ? "IPv6" : "IPv4" });
        }

        DefaultDrop(chain);
    }

    private void ClientIn(QaNetwork n, QaClient c)
    {
        var chain = InChain(c);
        chains.Add(chain);
        Add(new EbtRule(chain, "ACCEPT") { Id = "@arp", Protocol = "ARP" });
        Add(new EbtRule(chain, "ACCEPT")
        {
            Id = "@dhcp", Protocol = "IPv4", IpProtocol = QaProtocol.Udp, SourcePorts = (67, 67), DestinationPorts = (68, 68),
        });
        if (c.Address6 is not null)
        {
            Add(new EbtRule(chain, "ACCEPT") { Id = "@neighbour-discovery", Protocol = "IPv6", Icmp6Types = NeighbourDiscovery });
        }

        foreach (var (proto, subnet, _) in PeerScopes(n))
        {
            Add(new EbtRule(chain, "ACCEPT") { Id = "@l3", Protocol = proto, IpSource = subnet, NotIpSource = true });
        }

        foreach (var v6 in Families(c))
        {
            var address = v6 ? c.Address6! : c.Address;
            var key = ClassChain(n, false, address, v6);
            Add(new EbtRule(chain, key) { Id = "@class", Protocol = v6 ? "IPv6" : "IPv4", IpDestination = QaAddressRange.Host(address) });
        }

        DefaultDrop(chain);
    }

    /// <summary>ICMPv6 router solicitation, router advertisement, neighbour solicitation and advertisement.</summary>
    private static readonly (int, int) NeighbourDiscovery = (133, 136);

    private const int RouterAdvertisement = 134;

    private const int Redirect = 137;

    private static readonly QaAddressRange LinkLocal = QaAddressRange.From(IPNetwork.Parse("fe80::/10"));

    private static bool[] Families(QaClient c) => c.Address6 is null ? new[] { false } : new[] { false, true };

    private static IEnumerable<(string Protocol, QaAddressRange Subnet, QaAddressRange Host)> PeerScopes(QaNetwork n)
    {
        if (!Peer(n))
        {
            yield break;
        }

        yield return ("IPv4", QaAddressRange.From(n.Subnet), QaAddressRange.Host(n.HostAddress));
        if (n.Subnet6 is { } s6)
        {
            yield return ("IPv6", QaAddressRange.From(s6), QaAddressRange.Host(n.HostAddress6!));
        }
    }

    private void DefaultDrop(string chain)
    {
        Add(new EbtRule(chain, "CONTINUE") { Id = "@default-deny", Log = true });
        Add(new EbtRule(chain, "DROP") { Id = "@default-deny" });
    }
}
