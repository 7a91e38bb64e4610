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

    /// <summary>The virthost's own address on the network (the first host address): libvirt's bridge IP.</summary>
    public IPAddress HostAddress => IpMath.Offset(Subnet, 1);

    public IPAddress? HostAddress6 => Subnet6 is { } s6 ? IpMath.Offset(s6, 1) : null;

    public override string ToString() => Name;
}
