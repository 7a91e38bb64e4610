using System.Net;

namespace QaNet.Core.Model;

/// <summary>How a network's bridges on several virthosts are joined into one layer-2 segment.</summary>
public enum QaUplinkKind
{
    /// <summary>A VXLAN device per virthost, enslaved to the bridge, unicast to every peer's underlay address.</summary>
    Vxlan,
    /// <summary>A dedicated NIC per virthost (cabled to the same switch segment), enslaved to the bridge.</summary>
    Nic,
}

/// <summary>
/// The uplink of a network that spans virthosts: its clients on every virthost share one
/// layer-2 segment. For Nat networks one virthost (<see cref="Gateway"/>) routes, NATs and
/// serves DHCP for the whole segment; the others carry a bare bridge (see docs/rendering.md).
/// </summary>
public sealed class QaUplink
{
    /// <summary>The IANA VXLAN port, used when the policy gives none.</summary>
    public const int DefaultVxlanPort = 4789;

    public const int MaxVni = 16777215;

    /// <summary>Every VXLAN device QaNet creates is named this plus the VNI (<c>qnvx150</c>); it removes only such devices.</summary>
    public const string VxlanDevicePrefix = "qnvx";

    /// <summary>The bytes a VXLAN encapsulation adds to a frame (outer IPv4, UDP, VXLAN and Ethernet headers).</summary>
    public const int VxlanOverhead = 50;

    public QaUplink(QaUplinkKind kind)
    {
        Kind = kind;
    }

    public QaUplinkKind Kind { get; set; }

    /// <summary>The VXLAN network identifier (1..16777215), unique across the policy's networks.</summary>
    public int Vni { get; set; }

    /// <summary>The VXLAN UDP port on every virthost.</summary>
    public int Port { get; set; } = DefaultVxlanPort;

    /// <summary>Each virthost's own address on the rack network (the tunnel end); lists every virthost of the network.</summary>
    public QaDictionary<IPAddress> Underlay { get; } = new(StringComparer.Ordinal);

    /// <summary>The NIC enslaved on every virthost not named in <see cref="Nics"/>.</summary>
    public string? Nic { get; set; }

    /// <summary>Per-virthost NIC names that differ from <see cref="Nic"/>.</summary>
    public QaDictionary<string> Nics { get; } = new(StringComparer.Ordinal);

    /// <summary>The virthost that routes a Nat network for all its virthosts (default: the first listed).</summary>
    public string? Gateway { get; set; }

    /// <summary>The device enslaved to the network's bridge on <paramref name="virtHost"/>.</summary>
    public string? DeviceOn(string virtHost) => Kind switch
    {
        QaUplinkKind.Vxlan => VxlanDevicePrefix + Vni.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Nics.TryGetValue(virtHost, out var nic) ? nic : Nic,
    };

    public override string ToString() =>
        (Kind == QaUplinkKind.Vxlan
            ? $"vxlan {Vni}" + (Port == DefaultVxlanPort ? string.Empty : $" port {Port}")
            : "nic " + string.Join(",", new[] { Nic }.Concat(Nics.Select(n => $"{n.Key}:{n.Value}")).OfType<string>())) +
        (Gateway is null ? string.Empty : $" via {Gateway}");
}
