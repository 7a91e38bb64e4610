using QaNet.Core.Model;

namespace QaNet.Core.Resolution;

/// <summary>One artifact a host carries: which backend, rendered from which network, on which host.</summary>
/// <param name="Backend">The renderer that produces it.</param>
/// <param name="Network">The network it is rendered from (host-wide texts name the first of the host's networks).</param>
/// <param name="VirtHost">The virthost it is rendered for; null for a gateway's table.</param>
/// <param name="Host">The host that applies it: the virthost, or the gateway endpoint.</param>
public sealed record HostSlot(QaBackend Backend, string Network, string? VirtHost, string Host);

/// <summary>
/// Which hosts a policy reaches and what each carries: the one answer the renderers, the
/// artifact builder, the publisher, Get-QaRuleset, the completers and the lab plan ask.
/// Every virthost carries one libvirt network per network that spans it and one host-wide
/// ebtables text; a virthost that routes a Nat network (every one, or for a network joined
/// by an uplink only the serving one) carries QaNet's nft table; a Gateway network's gateway
/// endpoint carries only its nft table. Computed once from the policy as it is now.
/// </summary>
public sealed class HostTopology
{
    private readonly Dictionary<string, List<QaNetwork>> _onVirtHost = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<QaNetwork>> _ofGateway = new(StringComparer.Ordinal);
    private readonly QaPolicy _policy;

    private HostTopology(QaPolicy policy)
    {
        _policy = policy;
        foreach (var n in policy.Networks)
        {
            foreach (var vh in n.VirtHosts.Distinct(StringComparer.Ordinal))
            {
                (_onVirtHost.TryGetValue(vh, out var list) ? list : _onVirtHost[vh] = new()).Add(n);
            }

            if (n.Mode == QaNetworkMode.Gateway && n.Gateway is { } gw)
            {
                (_ofGateway.TryGetValue(gw, out var list) ? list : _ofGateway[gw] = new()).Add(n);
            }
        }

        // Policy order of first appearance: the order renderings and lab namespaces follow.
        VirtHosts = policy.Networks.SelectMany(n => n.VirtHosts).Distinct(StringComparer.Ordinal).ToList();
        Gateways = policy.Networks.Where(n => n.Mode == QaNetworkMode.Gateway && n.Gateway is not null)
            .Select(n => n.Gateway!).Distinct(StringComparer.Ordinal).ToList();
        Hosts = VirtHosts.Concat(Gateways).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public static HostTopology Of(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new HostTopology(policy);
    }

    /// <summary>Every host QaNet publishes to (virthosts and gateways), sorted by name.</summary>
    public IReadOnlyList<string> Hosts { get; }

    /// <summary>The virthosts, in the order the policy first names them.</summary>
    public IReadOnlyList<string> VirtHosts { get; }

    /// <summary>The gateway endpoints of Gateway networks, in policy order.</summary>
    public IReadOnlyList<string> Gateways { get; }

    public bool IsVirtHost(string host) => _onVirtHost.ContainsKey(host);

    /// <summary>The networks whose bridges are on <paramref name="virtHost"/>, in policy order.</summary>
    public IReadOnlyList<QaNetwork> NetworksOn(string virtHost) =>
        _onVirtHost.TryGetValue(virtHost, out var list) ? list : Array.Empty<QaNetwork>();

    /// <summary>The Nat networks <paramref name="virtHost"/> routes (its nft table covers them), in policy order.</summary>
    public IReadOnlyList<QaNetwork> RoutedOn(string virtHost) => NetworksOn(virtHost).Where(n => n.RoutesOn(virtHost)).ToList();

    /// <summary>The Gateway networks whose gateway is <paramref name="gateway"/>.</summary>
    public IReadOnlyList<QaNetwork> GatewayNetworksOf(string gateway) =>
        _ofGateway.TryGetValue(gateway, out var list) ? list : Array.Empty<QaNetwork>();

    /// <summary>The hosts that enforce <paramref name="networks"/>: their virthosts, and a Gateway network's gateway. Sorted.</summary>
    public static IReadOnlyList<string> HostsOf(IEnumerable<QaNetwork> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        return networks.SelectMany(n => n.Mode == QaNetworkMode.Gateway && n.Gateway is not null ? n.VirtHosts.Append(n.Gateway) : n.VirtHosts)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The artifacts <paramref name="network"/> contributes, for <paramref name="backends"/> (default:
    /// every backend its mode uses): libvirt XML on each virthost, ebtables on each virthost, nft on
    /// each virthost that routes it (Nat) or on its gateway (Gateway). A Bridged network has no nft
    /// slot, nor has a virthost that only carries a spanning network's bridge.
    /// </summary>
    public static IEnumerable<HostSlot> SlotsOf(QaNetwork network, IEnumerable<QaBackend>? backends = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        foreach (var backend in (backends ?? new[] { QaBackend.LibvirtXml, QaBackend.Nftables, QaBackend.Ebtables }).Distinct())
        {
            switch (backend)
            {
                case QaBackend.LibvirtXml or QaBackend.Ebtables:
                    foreach (var vh in network.VirtHosts)
                    {
                        yield return new HostSlot(backend, network.Name, vh, vh);
                    }

                    break;
                case QaBackend.Nftables when network.Mode == QaNetworkMode.Nat:
                    foreach (var vh in network.VirtHosts.Where(network.RoutesOn))
                    {
                        yield return new HostSlot(backend, network.Name, vh, vh);
                    }

                    break;
                case QaBackend.Nftables when network.Mode == QaNetworkMode.Gateway && network.Gateway is not null:
                    yield return new HostSlot(backend, network.Name, null, network.Gateway);
                    break;
            }
        }
    }

    /// <summary>
    /// Every artifact of the policy once per host, in policy order: per network and virthost its
    /// libvirt XML, then (the first time the host is met) the host's ebtables and nft table.
    /// </summary>
    public IReadOnlyList<HostSlot> AllSlots()
    {
        var seen = new HashSet<(QaBackend, string)>();
        var result = new List<HostSlot>();
        foreach (var n in _policy.Networks)
        {
            var nft = SlotsOf(n, new[] { QaBackend.Nftables }).ToList();
            foreach (var vh in n.VirtHosts)
            {
                result.Add(new HostSlot(QaBackend.LibvirtXml, n.Name, vh, vh));
                if (seen.Add((QaBackend.Ebtables, vh)))
                {
                    result.Add(new HostSlot(QaBackend.Ebtables, n.Name, vh, vh));
                }

                foreach (var slot in nft.Where(s => s.VirtHost == vh || (s.VirtHost is null && vh == n.VirtHosts[0])))
                {
                    // A gateway's table is keyed apart from a virthost's, whatever the names.
                    if (seen.Add((QaBackend.Nftables, slot.VirtHost is null ? "gateway:" + slot.Host : slot.Host)))
                    {
                        result.Add(slot);
                    }
                }
            }
        }

        return result;
    }
}
