using System.Net;
using QaNet.Core.Net;

namespace QaNet.Core.Model;

/// <summary>An isolated client network on one or more virthosts.</summary>
public sealed class QaNetwork
{
    public QaNetwork(QaPolicy policy, string name, IPNetwork subnet, QaNetworkMode mode)
    {
        Policy = policy;
        Name = name;
        Subnet = subnet;
        Mode = mode;
    }

    public QaPolicy Policy { get; internal set; }

    public string Name { get; }

    public QaNetworkMode Mode { get; set; }

    public IPNetwork Subnet { get; set; }

    public IPNetwork? Subnet6 { get; set; }

    /// <summary>The Linux bridge the clients attach to (libvirt's for Nat/Gateway, the existing one for Bridged).</summary>
    public string Bridge { get; set; } = string.Empty;

    /// <summary>The endpoint that routes for the clients in <see cref="QaNetworkMode.Gateway"/> mode.</summary>
    public string? Gateway { get; set; }

    public List<string> VirtHosts { get; } = new();

    public IPAddress? DhcpStart { get; set; }

    public IPAddress? DhcpEnd { get; set; }

    public List<QaClient> Clients { get; } = new();

    /// <summary>Joins the network's bridges on its virthosts into one segment; null: each virthost's bridge stands alone.</summary>
    public QaUplink? Uplink { get; set; }

    /// <summary>
    /// The virthost that routes this network for every virthost it spans: with an uplink, a Nat
    /// network's uplink gateway (default: the first virthost); null when each virthost routes
    /// its own clients (no uplink) or a gateway endpoint routes (Gateway mode), or nothing does (Bridged).
    /// </summary>
    public string? RoutingVirtHost =>
        Mode == QaNetworkMode.Nat && Uplink is { } u ? u.Gateway ?? VirtHosts.FirstOrDefault() : null;

    /// <summary>
    /// True when <paramref name="virtHost"/> carries this network's address, DHCP and routing (and
    /// its nft part): every virthost of a Nat network without an uplink, only the routing one with one.
    /// </summary>
    public bool RoutesOn(string virtHost) =>
        Mode == QaNetworkMode.Nat && (RoutingVirtHost is not { } r || string.Equals(r, virtHost, StringComparison.Ordinal));

    /// <summary>The clients whose frames meet <paramref name="virtHost"/>'s bridge: its own, plus every client when an uplink joins the bridges.</summary>
    public IEnumerable<QaClient> ClientsSeenOn(string virtHost) =>
        Uplink is null ? Clients.Where(c => c.VirtHost == virtHost) : Clients;

    /// <summary>The virthost's own address on the network (the first host address): libvirt's bridge IP.</summary>
    public IPAddress HostAddress => IpMath.Offset(Subnet, 1);

    public IPAddress? HostAddress6 => Subnet6 is { } s6 ? IpMath.Offset(s6, 1) : null;

    public override string ToString() => Name;
}
