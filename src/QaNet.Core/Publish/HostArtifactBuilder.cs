using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Ebtables;
using QaNet.Core.Render.Nftables;
using QaNet.Core.Resolution;

namespace QaNet.Core.Publish;

/// <summary>
/// The bridge between the renderers and the publisher: what every host that enforces part of
/// a policy must carry. Virthosts get their libvirt networks, their ebtables chains and — when
/// they NAT a network — QaNet's nft table (or its absence, so a mode change removes it), and
/// the reply guard <c>table bridge qanet</c> beside the ebtables chains (docs/rendering.md). A
/// gateway endpoint (Gateway mode) gets only its nft table; nothing else on it is QaNet's.
/// </summary>
public static class HostArtifactBuilder
{
    public const string NftFamily = "inet";
    public const string NftTable = "qanet";

    /// <summary>Artifacts for every host of the policy, or only those named in <paramref name="hosts"/>.</summary>
    public static IReadOnlyList<HostArtifacts> Build(ResolvedPolicy policy, QaRenderOptions? options = null, IEnumerable<string>? hosts = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var wanted = hosts is null ? null : new HashSet<string>(hosts, StringComparer.Ordinal);
        var byHost = new Dictionary<string, HostParts>(StringComparer.Ordinal);
        HostParts Parts(string host) => byHost.TryGetValue(host, out var p) ? p : byHost[host] = new HostParts();

        var topology = policy.Topology;
        foreach (var vh in topology.VirtHosts)
        {
            var parts = Parts(vh);
            var networks = topology.NetworksOn(vh);
            foreach (var n in networks)
            {
                parts.Networks.Add(new LibvirtNetworkArtifact(n.Name, QaRenderer.Render(policy, n.Name, vh, QaBackend.LibvirtXml, options).Text));
            }

            var ebtables = QaRenderer.Render(policy, networks[0].Name, vh, QaBackend.Ebtables, options);
            parts.Ebtables = new EbtablesArtifact(ebtables.Text, EbtCompiler.ChainPrefix);
            // The reply guard goes with ebtables' marked TCP replies and IPv6 clients (and is removed where neither is left).
            parts.ReplyGuard = EbtReplyGuard.For((EbtTable)ebtables.Program!);
            parts.ManagesReplyGuard = true;
            // A spanning Nat network is routed (nft) only by its serving virthost; the others carry a bare bridge.
            var routed = topology.RoutedOn(vh);
            var nat = routed.Count > 0 ? routed[0] : null;
            parts.Nft = nat is null ? null : TableDefinition(QaRenderer.Render(policy, nat.Name, vh, QaBackend.Nftables, options).Text);
            parts.ManagesNft = true;
            parts.Uplinks = networks.Where(n => n.Uplink is not null).Select(n => UplinkOn(n, vh)).ToList();
        }

        foreach (var gateway in topology.Gateways)
        {
            var parts = Parts(gateway);
            if (parts.Nft is null)
            {
                parts.Nft = TableDefinition(QaRenderer.Render(policy, topology.GatewayNetworksOf(gateway)[0].Name, null, QaBackend.Nftables, options).Text);
                parts.ManagesNft = true;
            }
        }

        return byHost
            .Where(kv => wanted is null || wanted.Contains(kv.Key))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new HostArtifacts(kv.Key,
                kv.Value.Networks,
                NftTablesOf(kv.Value),
                kv.Value.Ebtables) { Uplinks = kv.Value.Uplinks })
            .ToList();
    }

    private static IEnumerable<NftTableArtifact> NftTablesOf(HostParts parts)
    {
        if (parts.ManagesNft)
        {
            yield return new NftTableArtifact(NftFamily, NftTable, parts.Nft);
        }

        if (parts.ManagesReplyGuard)
        {
            yield return new NftTableArtifact(EbtReplyGuard.Family, EbtReplyGuard.Name, parts.ReplyGuard);
        }
    }

    private static UplinkArtifact UplinkOn(QaNetwork n, string vh)
    {
        var u = n.Uplink!;
        return new UplinkArtifact(u.Kind, u.DeviceOn(vh)!, n.Name, n.Bridge)
        {
            Vni = u.Vni,
            Port = u.Port,
            Local = u.Underlay.GetValueOrDefault(vh),
            Peers = u.Underlay.Where(e => e.Key != vh).Select(e => e.Value).ToList(),
        };
    }

    /// <summary>The publisher adds its own replace lines; it wants the bare <c>table … { }</c> definition.</summary>
    public static string TableDefinition(string renderedNft)
    {
        ArgumentNullException.ThrowIfNull(renderedNft);
        return renderedNft.StartsWith(NftWriter.Preamble, StringComparison.Ordinal) ? renderedNft[NftWriter.Preamble.Length..] : renderedNft;
    }

    private sealed class HostParts
    {
        public List<LibvirtNetworkArtifact> Networks { get; } = new();

        public EbtablesArtifact? Ebtables { get; set; }

        public string? Nft { get; set; }

        public bool ManagesNft { get; set; }

        /// <summary><c>table bridge qanet</c> (<see cref="EbtReplyGuard"/>): managed wherever ebtables is.</summary>
        public string? ReplyGuard { get; set; }

        public bool ManagesReplyGuard { get; set; }

        /// <summary>Uplinks are managed on every virthost, so a removed uplink's VXLAN device goes too.</summary>
        public List<UplinkArtifact>? Uplinks { get; set; }
    }
}
