using System.Net;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using Newtonsoft.Json;

namespace QaNet.Core.Analysis;

/// <summary>
/// The cells whose verdict changes when one policy is enforced in another mode (Nat, Gateway,
/// Bridged). The policy's rules mean the same in every mode: the renderers compile them alike
/// and the lab proves it cell by cell (RandomPolicyLabTests). What a mode adds is its own
/// cells, fixed by how it is rendered:
/// <list type="bullet">
/// <item>Nat: the virthost's address on the network (libvirt's bridge address, the network's
/// first host) answers DHCP and DNS to its clients whatever the rules say (nft
/// <c>@host-services</c>); every other port there is decided by the rules.</item>
/// <item>Gateway: the virthost only carries the bridge; ebtables passes a client's traffic to
/// the virthost's address unfiltered (<c>@l3</c>, routed traffic goes to the gateway's table)
/// and no QaNet table runs on the virthost, so every port there is open to the clients, as far
/// as QaNet is concerned.</item>
/// <item>Bridged: that address is just another QA-network address, decided by the rules
/// (ebtables class chains).</item>
/// </list>
/// </summary>
public static class ModeComparer
{
    /// <summary>What libvirt's dnsmasq answers on the virthost (Nat mode keeps them open).</summary>
    public static readonly IReadOnlyList<QaPortRange> HostServices =
        new[] { "53/tcp", "53/udp", "67/udp" }.Select(QaPortRange.Parse).ToArray();

    public const string HostServicesRule = "@host-services";

    public const string UnfilteredRule = "@l3";

    /// <summary>
    /// Every client × its network's virthost address × the host services and the policy's ports
    /// (one port per range, no icmp) whose verdict differs between <paramref name="reference"/> and
    /// <paramref name="difference"/>. The networks' own modes and gateways do not matter (no cell
    /// here depends on which endpoint is the gateway), so a Nat policy can be compared with its
    /// Gateway form before it names a gateway.
    /// </summary>
    public static IReadOnlyList<QaModeDifference> Compare(QaPolicy policy, QaNetworkMode reference, QaNetworkMode difference, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var engine = QaReachability.Create(policy, now);
        var ports = HostServices.Concat(QaReachabilityMatrix.PolicyPorts(policy).Where(p => !p.IsIcmp))
            .Select(p => (p.Protocol, p.From)).Distinct().Order().ToList();
        var result = new List<QaModeDifference>();
        if (reference == difference)
        {
            return result;
        }

        foreach (var n in policy.Networks)
        {
            var host = n.HostAddress;
            foreach (var c in n.Clients)
            {
                foreach (var (protocol, port) in ports)
                {
                    var rules = engine.Test(c.Address, host, port, protocol);
                    var a = Verdict(reference, protocol, port, rules);
                    var b = Verdict(difference, protocol, port, rules);
                    if (a.Allowed != b.Allowed)
                    {
                        result.Add(new QaModeDifference(n.Name, c.Name, host, new QaPortRange(protocol, port, port), reference, a.Allowed, a.DecidedBy, difference, b.Allowed, b.DecidedBy));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>How <paramref name="mode"/> decides a client's flow to its virthost's address, given the rules' own verdict.</summary>
    public static (bool Allowed, string DecidedBy) Verdict(QaNetworkMode mode, QaProtocol protocol, int port, QaReachabilityResult rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return mode switch
        {
            QaNetworkMode.Nat when HostServices.Any(s => s.Protocol == protocol && s.From == port) => (true, HostServicesRule),
            QaNetworkMode.Gateway => (true, UnfilteredRule),
            _ => (rules.Allowed, rules.DecidedBy),
        };
    }
}

/// <summary>
/// One cell whose verdict differs between two modes of the same policy: a client to its
/// virthost's address on the network (<see cref="To"/>), on one port.
/// </summary>
public sealed class QaModeDifference
{
    internal QaModeDifference(string network, string from, IPAddress to, QaPortRange port, QaNetworkMode referenceMode, bool referenceAllowed, string referenceDecidedBy,
        QaNetworkMode differenceMode, bool differenceAllowed, string differenceDecidedBy)
    {
        Network = network;
        From = from;
        DestinationAddress = to;
        PortRange = port;
        ReferenceMode = referenceMode;
        ReferenceAllowed = referenceAllowed;
        ReferenceDecidedBy = referenceDecidedBy;
        DifferenceMode = differenceMode;
        DifferenceAllowed = differenceAllowed;
        DifferenceDecidedBy = differenceDecidedBy;
    }

    public string Network { get; }

    /// <summary>The client (a name Test-QaReachability -From takes).</summary>
    public string From { get; }

    /// <summary>The virthost's address on the network, as text (Test-QaReachability -To takes it).</summary>
    public string To => DestinationAddress.ToString();

    [JsonIgnore]
    public IPAddress DestinationAddress { get; }

    /// <summary>As <c>53/tcp</c> (Test-QaReachability -Port takes it).</summary>
    public string Port => PortRange.ToString();

    [JsonIgnore]
    public QaPortRange PortRange { get; }

    [JsonIgnore]
    public QaNetworkMode ReferenceMode { get; }

    public bool ReferenceAllowed { get; }

    /// <summary>A policy rule id, <c>default deny</c>, or the mode's own rule (<c>@host-services</c>, <c>@l3</c>).</summary>
    public string ReferenceDecidedBy { get; }

    [JsonIgnore]
    public QaNetworkMode DifferenceMode { get; }

    public bool DifferenceAllowed { get; }

    public string DifferenceDecidedBy { get; }

    public override string ToString() =>
        $"{From} -> {To} ({Network}'s virthost) {Port}: {ReferenceMode} {(ReferenceAllowed ? "allows" : "denies")} ({ReferenceDecidedBy}), {DifferenceMode} {(DifferenceAllowed ? "allows" : "denies")} ({DifferenceDecidedBy})";
}
