using System.Collections;
using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>Adds an isolated client network to a policy.</summary>
[Cmdlet(VerbsCommon.New, "QaIsolatedNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(QaNetwork))]
public sealed class NewQaIsolatedNetworkCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true)]
    public string Subnet { get; set; } = string.Empty;

    [Parameter]
    public string? Subnet6 { get; set; }

    [Parameter(Mandatory = true)]
    public QaNetworkMode Mode { get; set; }

    [Parameter(Mandatory = true)]
    [ArgumentCompleter(typeof(VirtHostNameCompleter))]
    public string[] VirtHost { get; set; } = Array.Empty<string>();

    [Parameter]
    public string? Bridge { get; set; }

    [Parameter]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string? Gateway { get; set; }

    [Parameter]
    public string? DhcpStart { get; set; }

    [Parameter]
    public string? DhcpEnd { get; set; }

    /// <summary>Join the network's bridges on its virthosts with VXLAN under this VNI.</summary>
    [Parameter]
    [ValidateRange(1, QaUplink.MaxVni)]
    public int? Vxlan { get; set; }

    /// <summary>Each virthost's address on the rack network (the VXLAN tunnel ends): @{ vh1 = '198.51.100.11'; vh2 = '198.51.100.12' }.</summary>
    [Parameter]
    public Hashtable? Underlay { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int? VxlanPort { get; set; }

    /// <summary>Join the bridges through this NIC on every virthost (a hashtable gives one per virthost).</summary>
    [Parameter]
    public object? UplinkNic { get; set; }

    /// <summary>The virthost that routes a Nat network with an uplink (default: the first -VirtHost).</summary>
    [Parameter]
    public string? GatewayVirtHost { get; set; }

    private UplinkSpec? UplinkSpec()
    {
        if (Vxlan is null && UplinkNic is null)
        {
            if (Underlay is not null || VxlanPort is not null || GatewayVirtHost is not null)
            {
                ThrowTerminatingError(QaErrorRecords.FromException(
                    new ArgumentException("-Underlay, -VxlanPort and -GatewayVirtHost describe an uplink: give -Vxlan <vni> or -UplinkNic <nic> too."),
                    QaErrorIds.InvalidUplink, Name));
            }

            return null;
        }

        if (Vxlan is not null && UplinkNic is not null)
        {
            ThrowTerminatingError(QaErrorRecords.FromException(
                new ArgumentException("A network has one uplink: give -Vxlan or -UplinkNic, not both."),
                QaErrorIds.InvalidUplink, Name));
        }

        var nic = UplinkNic is PSObject ps ? ps.BaseObject : UplinkNic;
        return new UplinkSpec(Vxlan is null ? QaUplinkKind.Nic : QaUplinkKind.Vxlan)
        {
            Vni = Vxlan ?? 0,
            Port = VxlanPort,
            Underlay = HostMap(Underlay),
            Nic = nic is IDictionary ? null : nic?.ToString(),
            Nics = HostMap(nic as IDictionary),
            Gateway = GatewayVirtHost,
        };
    }

    private static Dictionary<string, string> HostMap(IDictionary? map)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map is not null)
        {
            foreach (DictionaryEntry e in map)
            {
                result[e.Key.ToString() ?? string.Empty] = (e.Value is PSObject p ? p.BaseObject : e.Value)?.ToString() ?? string.Empty;
            }
        }

        return result;
    }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var spec = new NetworkSpec(Name, Subnet, Mode, VirtHost)
        {
            Subnet6 = Subnet6,
            Bridge = Bridge,
            Gateway = Gateway,
            DhcpStart = DhcpStart,
            DhcpEnd = DhcpEnd,
            Uplink = UplinkSpec(),
        };
        if (TryChange($"network '{Name}' ({Mode}, {Subnet})", $"Add to policy '{policy.Name}'",
                whatIf => PolicyEditor.AddNetwork(policy, spec, whatIf), Name, out var network))
        {
            WriteObject(network);
        }
    }
}
