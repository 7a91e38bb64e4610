using System.Globalization;
using System.Net;
using QaNet.Core.Checking;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Core.Net;

namespace QaNet.Core.Lab;

/// <summary>The lab's topology: namespaces, the router's links, endpoint addresses, bridges and the legs onto the client networks.</summary>
public sealed partial class QaLab
{
    /// <summary>A lab host's leg on a virthost's bridge: where a Gateway network's gateway, or a Bridged network's router, meets the clients.</summary>
    private sealed record Leg(string Namespace, string Interface, IPAddress Address, IPAddress? Address6);

    /// <summary>Every namespace but the clients', linked to the router, with the endpoint addresses and the bridges of Bridged networks.</summary>
    private async Task BuildTopologyAsync(QaLabPlan plan, CancellationToken ct)
    {
        _log.Verbose(null, $"Creating {plan.AllNamespaces().Count()} namespaces with prefix {Prefix}");
        foreach (var ns in plan.AllNamespaces().Except(plan.ClientNamespaces.Values))
        {
            await CreateNamespaceAsync(ns, ct).ConfigureAwait(false);
        }

        await LinkHostsAsync(plan, ct).ConfigureAwait(false);
        await AddEndpointAddressesAsync(plan, ct).ConfigureAwait(false);

        // Bridged networks use a bridge the virthost already has: the lab makes it.
        foreach (var n in plan.Policy.Networks.Where(n => n.Mode == QaNetworkMode.Bridged))
        {
            foreach (var vh in n.VirtHosts)
            {
                var ns = plan.VirtHostNamespaces[vh];
                await Ip(ct, "-n", ns, "link", "add", n.Bridge, "type", "bridge").ConfigureAwait(false);
                await Ip(ct, "-n", ns, "link", "set", n.Bridge, "up").ConfigureAwait(false);
            }
        }
    }

    /// <summary>The router, and its links to the virthosts (with their underlay addresses), gateways, segments and operator.</summary>
    private async Task LinkHostsAsync(QaLabPlan plan, CancellationToken ct)
    {
        var policy = plan.Policy;
        var router = plan.RouterNamespace;
        State.Hosts.Add(new QaLabHost { Name = "router", Kind = QaLabHostKind.Router, Namespace = router });
        await Sysctl(router, "net.ipv4.ip_forward=1", ct).ConfigureAwait(false);
        await Sysctl(router, "net.ipv6.conf.all.forwarding=1", ct).ConfigureAwait(false);

        // Router links. The virthost's uplink is its management address; Nat virthosts forward.
        foreach (var (vh, ns) in plan.VirtHostNamespaces)
        {
            var link = plan.Links[ns];
            await LinkAsync(router, link, ct).ConfigureAwait(false);
            var nat = policy.Networks.Exists(n => n.Mode == QaNetworkMode.Nat && n.VirtHosts.Contains(vh));
            await Sysctl(ns, "net.ipv4.ip_forward=" + (nat ? "1" : "0"), ct).ConfigureAwait(false);
            await Sysctl(ns, "net.ipv6.conf.all.forwarding=" + (nat ? "1" : "0"), ct).ConfigureAwait(false);
            State.Hosts.Add(new QaLabHost { Name = vh, Kind = QaLabHostKind.VirtHost, Namespace = ns, Addresses = { link.PeerAddress.ToString() } });
        }

        // Spanning networks: each virthost's underlay address on its router link, routed by the router.
        foreach (var (vh, address) in plan.UnderlayAddresses())
        {
            var link = plan.Links[plan.VirtHostNamespaces[vh]];
            await Ip(ct, "-n", link.Peer, "addr", "add", address + "/32", "dev", link.PeerInterface).ConfigureAwait(false);
            await Ip(ct, "-n", router, "route", "replace", address + "/32", "via", link.PeerAddress.ToString()).ConfigureAwait(false);
        }

        foreach (var (gw, ns) in plan.GatewayNamespaces)
        {
            await LinkAsync(router, plan.Links[ns], ct).ConfigureAwait(false);
            await Sysctl(ns, "net.ipv4.ip_forward=1", ct).ConfigureAwait(false);
            await Sysctl(ns, "net.ipv6.conf.all.forwarding=1", ct).ConfigureAwait(false);
            State.Hosts.Add(new QaLabHost { Name = gw, Kind = QaLabHostKind.Gateway, Namespace = ns, Members = { gw } });
        }

        foreach (var (segment, ns) in plan.SegmentNamespaces)
        {
            await LinkAsync(router, plan.Links[ns], ct).ConfigureAwait(false);
            State.Hosts.Add(new QaLabHost { Name = segment, Kind = QaLabHostKind.Segment, Namespace = ns });
        }

        if (plan.OperatorNamespace is { } op)
        {
            await LinkAsync(router, plan.Links[op], ct).ConfigureAwait(false);
            State.Hosts.Add(new QaLabHost { Name = OperatorHostName, Kind = QaLabHostKind.Operator, Namespace = op, Addresses = { plan.Links[op].PeerAddress.ToString() } });
            State.OperatorNamespace = op;
        }
    }

    /// <summary>Endpoint addresses live on the loopback of their namespace; the router knows where.</summary>
    private async Task AddEndpointAddressesAsync(QaLabPlan plan, CancellationToken ct)
    {
        var router = plan.RouterNamespace;
        foreach (var (endpoint, ns) in plan.EndpointNamespaces)
        {
            var host = State.Hosts.Find(h => h.Namespace == ns)!;
            if (host.Kind == QaLabHostKind.Segment)
            {
                host.Members.Add(endpoint);
            }

            foreach (var a in plan.EndpointAddresses[endpoint])
            {
                host.Addresses.Add(a.ToString());
                if (plan.Policy.Networks.Exists(n => IpMath.Contains(n.Subnet, a) || (n.Subnet6 is { } s6 && IpMath.Contains(s6, a))))
                {
                    continue; // a gateway's address on the client network goes on its legs
                }

                var v4 = IpMath.IsV4(a);
                var host32 = a + (v4 ? "/32" : "/128");
                await Ip(ct, "-n", ns, "addr", "add", host32, "dev", "lo").ConfigureAwait(false);
                await Ip(ct, "-n", router, "route", "replace", host32, "via", (v4 ? plan.Links[ns].PeerAddress : plan.Links[ns].PeerAddress6).ToString()).ConfigureAwait(false);
            }
        }
    }

    private async Task CreateNamespaceAsync(string ns, CancellationToken ct)
    {
        State.Namespaces.Add(ns);
        await SaveAsync().ConfigureAwait(false);
        await Namespaces.CreateAsync(ns, Prefix, _runner, ct).ConfigureAwait(false);

        // Lab paths are symmetric, but a stray reverse-path check must not drop a probe.
        await Sysctl(ns, "net.ipv4.conf.all.rp_filter=0", ct).ConfigureAwait(false);
        await Sysctl(ns, "net.ipv4.conf.default.rp_filter=0", ct).ConfigureAwait(false);

        // IPv6 addresses are set, never learnt: no router advertisement configures a lab host (so one
        // a client forges is seen only by a capture), and no duplicate address detection keeps a
        // fresh address tentative for a second while the first probe goes out.
        foreach (var scope in new[] { "all", "default" })
        {
            await Sysctl(ns, $"net.ipv6.conf.{scope}.accept_ra=0", ct).ConfigureAwait(false);
            await Sysctl(ns, $"net.ipv6.conf.{scope}.accept_dad=0", ct).ConfigureAwait(false);
        }
    }

    /// <summary>A veth from the router to <paramref name="link"/>'s peer; the peer's default route points at the router.</summary>
    private async Task LinkAsync(string router, QaLabLink link, CancellationToken ct)
    {
        await Ip(ct, "-n", router, "link", "add", link.RouterInterface, "type", "veth", "peer", "name", link.PeerInterface, "netns", link.Peer).ConfigureAwait(false);
        await Ip(ct, "-n", router, "addr", "add", link.RouterAddress + "/30", "dev", link.RouterInterface).ConfigureAwait(false);
        await Ip(ct, "-n", link.Peer, "addr", "add", link.PeerAddress + "/30", "dev", link.PeerInterface).ConfigureAwait(false);
        await Ip(ct, "-n", router, "addr", "add", link.RouterAddress6 + "/64", "dev", link.RouterInterface, "nodad").ConfigureAwait(false);
        await Ip(ct, "-n", link.Peer, "addr", "add", link.PeerAddress6 + "/64", "dev", link.PeerInterface, "nodad").ConfigureAwait(false);
        await Ip(ct, "-n", router, "link", "set", link.RouterInterface, "up").ConfigureAwait(false);
        await Ip(ct, "-n", link.Peer, "link", "set", link.PeerInterface, "up").ConfigureAwait(false);
        await Ip(ct, "-n", link.Peer, "route", "replace", "default", "via", link.RouterAddress.ToString()).ConfigureAwait(false);
        await Ip(ct, "-n", link.Peer, "-6", "route", "replace", "default", "via", link.RouterAddress6.ToString()).ConfigureAwait(false);
    }

    /// <summary>
    /// Plugs the gateway of each Gateway network and the router of each Bridged network into the
    /// bridge of every virthost of the network (created once; looked up again for later clients).
    /// </summary>
    private async Task<Dictionary<(string Network, string VirtHost), Leg>> AttachmentsAsync(QaPolicy policy, QaLabPlan plan, bool create, CancellationToken ct)
    {
        var legs = new Dictionary<(string, string), Leg>();
        var k = 0;
        foreach (var n in policy.Networks)
        {
            var bridges = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var vh in n.VirtHosts)
            {
                bridges[vh] = await BridgeOfAsync(n, vh, ct).ConfigureAwait(false);
            }

            if (create)
            {
                State.Networks.Add(new QaLabNetwork(n.Name, n.Mode, n.Subnet.ToString(), n.VirtHosts.ToList(), bridges, n.Gateway));
            }

            if (n.Mode == QaNetworkMode.Nat)
            {
                continue;
            }

            var (owner, address, address6) = n.Mode == QaNetworkMode.Gateway
                ? (plan.GatewayNamespaces[n.Gateway!], PolicyValidator.GatewayAddress(n, policy.FindEndpoint(n.Gateway!)!)!, PolicyValidator.GatewayAddress6(n, policy.FindEndpoint(n.Gateway!)!))
                : (plan.RouterNamespace, n.HostAddress, n.HostAddress6);
            foreach (var vh in QaLabPlan.LegVirtHosts(n))
            {
                var leg = new Leg(owner, "b" + (k++).ToString(CultureInfo.InvariantCulture), address, address6);
                foreach (var served in n.Uplink is null ? new[] { vh } : n.VirtHosts.ToArray())
                {
                    legs[(n.Name, served)] = leg;
                }

                if (!create)
                {
                    continue;
                }

                var vhNs = plan.VirtHostNamespaces[vh];
                await Ip(ct, "-n", owner, "link", "add", leg.Interface, "type", "veth", "peer", "name", leg.Interface, "netns", vhNs).ConfigureAwait(false);
                await Ip(ct, "-n", vhNs, "link", "set", leg.Interface, "master", bridges[vh]).ConfigureAwait(false);
                await Ip(ct, "-n", vhNs, "link", "set", leg.Interface, "up").ConfigureAwait(false);
                await Ip(ct, "-n", owner, "addr", "add", address + "/32", "dev", leg.Interface).ConfigureAwait(false);
                if (address6 is not null)
                {
                    await Ip(ct, "-n", owner, "addr", "add", address6 + "/128", "dev", leg.Interface, "nodad").ConfigureAwait(false);
                }

                await Ip(ct, "-n", owner, "link", "set", leg.Interface, "up").ConfigureAwait(false);
            }
        }

        return legs;
    }

    private async Task<string> BridgeOfAsync(QaNetwork n, string virtHost, CancellationToken ct)
    {
        if (n.Mode == QaNetworkMode.Bridged)
        {
            return n.Bridge;
        }

        var uri = State.Libvirtd.Find(l => l.VirtHost == virtHost)!.Uri;
        var info = await Must(CommandSpec.Of("virsh", "-c", uri, "net-info", n.Name), ct).ConfigureAwait(false);
        var line = info.Split('\n').FirstOrDefault(l => l.StartsWith("Bridge:", StringComparison.Ordinal));
        return line?["Bridge:".Length..].Trim() is { Length: > 0 } bridge ? bridge
            : throw new QaLabException(QaLabErrorIds.LabStartFailed, $"libvirt on {virtHost} reports no bridge for network {n.Name}.");
    }
}
