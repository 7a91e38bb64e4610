using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Render.Ebtables;
using QaNet.Core.Render.Libvirt;
using QaNet.Core.Render.Nftables;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;

namespace QaNet.Core.Render;

/// <summary>
/// Turns a resolved policy into what each host needs. Renders from <see cref="ResolvedPolicy"/>,
/// the same reduction the engine decides on, so the two cannot disagree about a name.
/// </summary>
public static class QaRenderer
{
    /// <summary>Error id when a backend is asked for a network whose mode does not use it.</summary>
    public const string BackendNotUsedErrorId = "RenderBackendNotUsed";

    /// <summary>
    /// Renders one artifact. <paramref name="virtHost"/> picks the virthost (may be null when the
    /// network has one); for <see cref="QaBackend.Nftables"/> on a Gateway network it is ignored and
    /// the gateway's table is returned. nft and ebtables texts are host-wide: they cover every
    /// network the host enforces.
    /// </summary>
    public static QaRuleset Render(ResolvedPolicy policy, string network, string? virtHost, QaBackend backend, QaRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var now = (options ?? new QaRenderOptions()).NowOrClock;
        var n = policy.Policy.FindNetwork(network) ?? throw NotFound("network", network);
        string Host()
        {
            var vh = virtHost ?? (n.VirtHosts.Count == 1 ? n.VirtHosts[0] : throw new QaValidationException(new QaValidationError(
                QaErrorIds.VirtHostRequired, $"network '{n.Name}'", null,
                $"Network '{n.Name}' spans several virthosts ({string.Join(", ", n.VirtHosts)}).", "Name one with -VirtHost.")));
            return n.VirtHosts.Contains(vh, StringComparer.Ordinal) ? vh : throw new QaValidationException(new QaValidationError(
                QaErrorIds.UnknownVirtHost, $"virthost '{vh}'", null,
                $"Network '{n.Name}' does not span virthost '{vh}'.", $"Use one of: {string.Join(", ", n.VirtHosts)}."));
        }

        switch (backend)
        {
            case QaBackend.LibvirtXml:
            {
                var vh = Host();
                var (xml, hosts, dns) = LibvirtNetworkWriter.Write(policy, n, vh);
                return new QaRuleset(n.Name, vh, vh, backend, xml, null, new[] { n.Name }, hosts, dns);
            }

            case QaBackend.Ebtables:
            {
                var vh = Host();
                var networks = policy.Topology.NetworksOn(vh).ToList();
                var table = new EbtCompiler(policy, networks, vh, now).Compile();
                return new QaRuleset(n.Name, vh, vh, backend, EbtWriter.Write(table), table, networks.Select(x => x.Name).ToList(), table.RuleCount, table.ElementCount);
            }

            case QaBackend.Nftables when n.Mode == QaNetworkMode.Nat:
            {
                var vh = Host();
                if (!n.RoutesOn(vh))
                {
                    throw new QaValidationException(new QaValidationError(BackendNotUsedErrorId, $"network '{n.Name}'", null,
                        $"Network '{n.Name}' spans its virthosts through an uplink and is routed by '{n.ServingVirtHost}'; '{vh}' only carries its bridge.",
                        $"Render the nft table of '{n.ServingVirtHost}' (-VirtHost {n.ServingVirtHost}); '{vh}' enforces the network with Ebtables."));
                }

                var networks = policy.Topology.RoutedOn(vh);
                var local = networks.SelectMany(x => new[] { x.HostAddress, x.HostAddress6 }).Where(a => a is not null).Select(a => a!).ToList();
                var table = new NftCompiler(policy, networks, hostRunsDnsmasq: true, now).Compile(local);
                return new QaRuleset(n.Name, vh, vh, backend, NftWriter.Write(table), table, networks.Select(x => x.Name).ToList(), table.RuleCount, table.ElementCount);
            }

            case QaBackend.Nftables when n.Mode == QaNetworkMode.Gateway:
            {
                var gateway = n.Gateway!;
                var networks = policy.Topology.GatewayNetworksOf(gateway).ToList();
                var local = policy.EndpointAddresses(gateway).Where(a => a.PrefixLength == (a.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
                    .Select(a => a.BaseAddress).ToList();
                var table = new NftCompiler(policy, networks, hostRunsDnsmasq: false, now).Compile(local);
                return new QaRuleset(n.Name, null, gateway, backend, NftWriter.Write(table), table, networks.Select(x => x.Name).ToList(), table.RuleCount, table.ElementCount);
            }

            default:
                throw new QaValidationException(new QaValidationError(BackendNotUsedErrorId, $"network '{n.Name}'", null,
                    $"Network '{n.Name}' is in {n.Mode} mode, which does not use {backend}.",
                    "Bridged networks are enforced with Ebtables; Nat and Gateway networks with Nftables (plus Ebtables between clients)."));
        }
    }

    /// <summary>Every artifact of the policy, once per host (<see cref="HostTopology.AllSlots"/>): libvirt XML per network and virthost, ebtables per virthost, nft per routing Nat virthost and per gateway.</summary>
    public static IReadOnlyList<QaRuleset> RenderAll(ResolvedPolicy policy, QaRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Topology.AllSlots().Select(s => Render(policy, s.Network, s.VirtHost, s.Backend, options)).ToList();
    }

    private static QaValidationException NotFound(string kind, string name) =>
        new(new QaValidationError(QaErrorIds.NotFound, $"{kind} '{name}'", null,
            $"There is no {kind} named '{name}' in the policy.", "Check the name with Get-QaNetwork."));
}
