using System.Net;
using QaNet.Core.Net;
using Newtonsoft.Json;

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

    [JsonIgnore]
    public QaPolicy Policy { get; internal set; }

    /// <summary>Renamed only through PolicyEditor.RenameNetwork, which renames every reference with it.</summary>
    public string Name { get; internal set; }

    [JsonIgnore]
    public QaNetworkMode Mode { get; set; }

    [JsonIgnore]
    public IPNetwork Subnet { get; set; }

    [JsonIgnore]
    public IPNetwork? Subnet6 { get; set; }

    /// <summary>The Linux bridge the clients attach to (libvirt's for Nat/Gateway, the existing one for Bridged).</summary>
    public string Bridge { get; set; } = string.Empty;

    /// <summary>The endpoint that routes for the clients in <see cref="QaNetworkMode.Gateway"/> mode.</summary>
    public string? Gateway { get; set; }

    public QaList<string> VirtHosts { get; } = new();

    [JsonIgnore]
    public IPAddress? DhcpStart { get; set; }

    [JsonIgnore]
    public IPAddress? DhcpEnd { get; set; }

    [JsonIgnore]
    public QaList<QaClient> Clients { get; } = new();

    /// <summary>Joins the network's bridges on its virthosts into one segment; null: each virthost's bridge stands alone.</summary>
    public QaUplink? Uplink { get; set; }

    /// <summary>
    /// With an uplink, the one virthost that carries the network's address and DHCP for the
    /// whole segment, and routes it in Nat mode: the uplink's gateway (default: the first
    /// virthost). Null without an uplink (every virthost serves its own bridge) and for Bridged networks.
    /// </summary>
    public string? ServingVirtHost =>
        Mode != QaNetworkMode.Bridged && Uplink is { } u ? u.Gateway ?? (VirtHosts.Count > 0 ? VirtHosts[0] : null) : null;

    /// <summary>True when <paramref name="virtHost"/> carries the network's address and DHCP (not a bare bridge).</summary>
    public bool ServesOn(string virtHost) =>
        Mode != QaNetworkMode.Bridged && (ServingVirtHost is not { } s || string.Equals(s, virtHost, StringComparison.Ordinal));

    /// <summary>True when <paramref name="virtHost"/> routes, NATs and filters (nft) this Nat network.</summary>
    public bool RoutesOn(string virtHost) => Mode == QaNetworkMode.Nat && ServesOn(virtHost);

    /// <summary>The virthost's own address on the network (the first host address): libvirt's bridge IP.</summary>
    [JsonIgnore]
    public IPAddress HostAddress => IpMath.Offset(Subnet, 1);

    [JsonIgnore]
    public IPAddress? HostAddress6 => Subnet6 is { } s6 ? IpMath.Offset(s6, 1) : null;

    public override string ToString() => Name;
}
