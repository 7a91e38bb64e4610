using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>
/// Changes networks of a policy in place: subnets (only while every client's address still
/// fits), bridge, gateway, virthosts and DHCP range. Each network is changed as a whole or not at all.
/// The mode and uplink stay: remove and re-create the network for those.
/// </summary>
[Cmdlet(VerbsCommon.Set, "QaNetwork", DefaultParameterSetName = ParameterSets.ByObject, SupportsShouldProcess = true)]
[OutputType(typeof(QaNetwork))]
public sealed class SetQaNetworkCommand : ChangeCommand<QaNetwork>
{
    /// <summary>Network names; wildcards stand for every network they match.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaNetwork[] InputObject { get; set; } = Array.Empty<QaNetwork>();

    /// <summary>The IPv4 prefix; every client's address must be inside it (AddressOutsideSubnet).</summary>
    [Parameter]
    public string? Subnet { get; set; }

    /// <summary>The IPv6 prefix; an empty string removes it.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? Subnet6 { get; set; }

    /// <summary>The Linux bridge the clients attach to.</summary>
    [Parameter]
    public string? Bridge { get; set; }

    /// <summary>The endpoint that routes for a Gateway network; an empty string clears it.</summary>
    [Parameter]
    [AllowEmptyString]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string? Gateway { get; set; }

    /// <summary>Replaces the virthosts the network spans.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(VirtHostNameCompleter))]
    public string[]? VirtHost { get; set; }

    /// <summary>The first address of the DHCP range (with -DhcpEnd; both empty: the subnet's default range).</summary>
    [Parameter]
    [AllowEmptyString]
    public string? DhcpStart { get; set; }

    /// <summary>The last address of the DHCP range.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? DhcpEnd { get; set; }

    protected override IEnumerable<string> TargetNames => Name;

    protected override IEnumerable<QaNetwork> TargetObjects => InputObject;

    protected override string Kind => "network";

    protected override string Lister => "Get-QaNetwork";

    protected override string NameOf(QaNetwork item) => item.Name;

    protected override QaPolicy PolicyOf(QaNetwork item) => item.Policy;

    protected override QaNetwork? Find(QaPolicy policy, string name) => policy.FindNetwork(name);

    protected override IEnumerable<QaNetwork> All(QaPolicy policy) => policy.Networks;

    protected override IReadOnlyList<QaPropertyChange> Change(QaPolicy policy, QaNetwork item, bool whatIf) =>
        PolicyEditor.SetNetwork(policy, new NetworkChangeSpec(item.Name)
        {
            Subnet = Subnet,
            Subnet6 = Subnet6,
            Bridge = Bridge,
            Gateway = Gateway,
            VirtHosts = VirtHost,
            DhcpStart = DhcpStart,
            DhcpEnd = DhcpEnd,
        }, whatIf);

    protected override string Describe(QaNetwork item)
    {
        var parts = new List<string>();
        void Add(string property, object? before, object? after)
        {
            if (after is not null)
            {
                parts.Add($"set {property} '{before}' -> '{after}'");
            }
        }

        Add("Subnet", item.Subnet, Subnet);
        Add("Subnet6", item.Subnet6, Subnet6);
        Add("Bridge", item.Bridge, Bridge);
        Add("Gateway", item.Gateway, Gateway);
        Add("VirtHosts", string.Join(", ", item.VirtHosts), VirtHost is null ? null : string.Join(", ", VirtHost));
        Add("DhcpStart", item.DhcpStart, DhcpStart);
        Add("DhcpEnd", item.DhcpEnd, DhcpEnd);
        return Listed(parts);
    }
}
