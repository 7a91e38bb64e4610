using System.Globalization;
using QaNet.Core.Hosts;
using QaNet.Core.Model;

namespace QaNet.Core.Lab;

/// <summary>The lab's clients: plugged into their virthost's bridge with their MAC, re-plugged when the policy moves them, leasing their reserved address.</summary>
public sealed partial class QaLab
{
    // busybox udhcpc(8) runs this with the lease in its environment.
    private const string DhcpScript = """
        #!/bin/sh
        # Written by QaNet's lab: applies a busybox udhcpc lease inside a client namespace.
        case "$1" in
          deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
          bound|renew)
            ip -4 addr flush dev "$interface"
            ip addr add "$ip/$mask" dev "$interface"
            if [ -n "$router" ]; then set -- $router; ip route replace default via "$1" dev "$interface"; fi ;;
        esac
        exit 0

        """;

    private string DhcpScriptPath => Path.Combine(State.Directory, "udhcpc.sh");

    /// <summary>The lease script udhcpc runs in every client namespace, written into the lab folder.</summary>
    private async Task WriteDhcpScriptAsync(CancellationToken ct)
    {
        await File.WriteAllTextAsync(DhcpScriptPath, DhcpScript, ct).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(DhcpScriptPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private async Task AddClientsAsync(QaLabPlan plan, IReadOnlyList<QaClient> clients, Dictionary<(string, string), Leg> legs, CancellationToken ct)
    {
        var port = State.Hosts.Count(h => h.Kind == QaLabHostKind.Client);
        var hosts = new List<(QaClient Client, QaLabHost Host)>();
        foreach (var c in clients)
        {
            var ns = plan.ClientNamespaces[c.Name];
            var vhNs = plan.VirtHostNamespaces[c.VirtHost];
            var peer = "c" + (port++).ToString(CultureInfo.InvariantCulture);
            await CreateNamespaceAsync(ns, ct).ConfigureAwait(false);
            if (c.Address6 is null)
            {
                await Sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1", ct).ConfigureAwait(false);
            }

            await PlugClientAsync(c, ns, vhNs, peer, ct).ConfigureAwait(false);
            var host = new QaLabHost { Name = c.Name, Kind = QaLabHostKind.Client, Namespace = ns, Members = { c.Name }, VirtHost = c.VirtHost };
            State.Hosts.Add(host);
            hosts.Add((c, host));
            await RouteToClientAsync(plan, c, legs, ct).ConfigureAwait(false);
        }

        await SaveAsync().ConfigureAwait(false);
        _log.Verbose(null, $"Clients lease their addresses ({hosts.Count})");
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(hosts.Select(async x =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await AddressClientAsync(x.Client, x.Host, legs, ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);

        foreach (var (_, host) in hosts)
        {
            await ListenAsync(host.Namespace, host.Addresses, plan.ListenPorts, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The client's eth0 (with its MAC) in <paramref name="ns"/>, its veth peer <paramref name="peer"/>
    /// in the virthost namespace on the bridge of the client's network there, both up.
    /// </summary>
    private async Task PlugClientAsync(QaClient c, string ns, string vhNs, string peer, CancellationToken ct)
    {
        var lab = State.Networks.Find(n => n.Name == c.Network)!;
        await Ip(ct, "-n", ns, "link", "add", "eth0", "address", c.MacAddress, "type", "veth", "peer", "name", peer, "netns", vhNs).ConfigureAwait(false);
        await Ip(ct, "-n", vhNs, "link", "set", peer, "master", lab.Bridges[c.VirtHost]).ConfigureAwait(false);
        await Ip(ct, "-n", vhNs, "link", "set", peer, "up").ConfigureAwait(false);
        await Ip(ct, "-n", ns, "link", "set", "eth0", "up").ConfigureAwait(false);
    }

    /// <summary>Management hosts reach a client through its virthost (Nat) or the gateway / LAN router leg on that virthost.</summary>
    private async Task RouteToClientAsync(QaLabPlan plan, QaClient c, Dictionary<(string, string), Leg> legs, CancellationToken ct)
    {
        var router = plan.RouterNamespace;
        var address = c.Address + "/32";
        var address6 = c.Address6 is { } a6 ? a6 + "/128" : null;
        if (c.NetworkObject.Mode == QaNetworkMode.Nat)
        {
            // A spanning network is routed by its serving virthost, wherever the client runs. libvirt
            // does not NAT IPv6: the client's own IPv6 address is routed to its virthost.
            var routing = plan.Links[plan.VirtHostNamespaces[c.NetworkObject.ServingVirtHost ?? c.VirtHost]];
            await Ip(ct, "-n", router, "route", "replace", address, "via", routing.PeerAddress.ToString()).ConfigureAwait(false);
            if (address6 is not null)
            {
                await Ip(ct, "-n", router, "route", "replace", address6, "via", routing.PeerAddress6.ToString()).ConfigureAwait(false);
            }

            return;
        }

        var leg = legs[(c.Network, c.VirtHost)];
        await Ip(ct, "-n", leg.Namespace, "route", "replace", address, "dev", leg.Interface, "src", leg.Address.ToString()).ConfigureAwait(false);
        if (address6 is not null && leg.Address6 is { } src6)
        {
            await Ip(ct, "-n", leg.Namespace, "route", "replace", address6, "dev", leg.Interface, "src", src6.ToString()).ConfigureAwait(false);
        }

        if (leg.Namespace != router)
        {
            await Ip(ct, "-n", router, "route", "replace", address, "via", plan.Links[leg.Namespace].PeerAddress.ToString()).ConfigureAwait(false);
            if (address6 is not null)
            {
                await Ip(ct, "-n", router, "route", "replace", address6, "via", plan.Links[leg.Namespace].PeerAddress6.ToString()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Clients the lab has plugged in whose virthost, address or MAC the policy changed: the
    /// state knows the first two, the MAC is read from the client's eth0.
    /// </summary>
    private async Task<List<(QaClient Client, QaLabHost Host)>> ChangedClientsAsync(QaPolicy policy, CancellationToken ct)
    {
        var changed = new List<(QaClient, QaLabHost)>();
        foreach (var c in policy.Clients)
        {
            if (State.Hosts.Find(h => h.Kind == QaLabHostKind.Client && h.Name == c.Name) is not { } host)
            {
                continue;
            }

            var moved = host.VirtHost != c.VirtHost || !host.Addresses.Contains(c.Address.ToString(), StringComparer.Ordinal) ||
                (c.Address6 is { } a6 && !host.Addresses.Contains(a6.ToString(), StringComparer.Ordinal));
            if (moved || !(await Ip(ct, "-n", host.Namespace, "-o", "link", "show", "dev", "eth0").ConfigureAwait(false))
                    .Contains(" link/ether " + c.MacAddress + " ", StringComparison.OrdinalIgnoreCase))
            {
                changed.Add((c, host));
            }
        }

        return changed;
    }

    /// <summary>
    /// Unplugs a client from its old virthost's bridge and plugs it into its (new) virthost's,
    /// with its (new) MAC, then leases its address again. Deleting eth0 deletes the old peer too.
    /// </summary>
    private async Task ReplugClientAsync(QaLabPlan plan, QaClient c, QaLabHost old, Dictionary<(string, string), Leg> legs, CancellationToken ct)
    {
        _log.Verbose(null, $"Re-plugging client {c.Name}: virthost {old.VirtHost} -> {c.VirtHost}, address {string.Join(",", old.Addresses)} -> {c.Address}");
        var ns = old.Namespace;
        var vhNs = plan.VirtHostNamespaces[c.VirtHost];
        // One veth per client at a time, so a name from the client's name cannot meet another's.
        var peer = "m" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(c.Name)))[..10].ToLowerInvariant();
        await Ip(ct, "-n", ns, "link", "delete", "eth0").ConfigureAwait(false);
        await PlugClientAsync(c, ns, vhNs, peer, ct).ConfigureAwait(false);
        var host = old with { VirtHost = c.VirtHost, Addresses = new List<string>(), AddressSource = null };
        State.Hosts[State.Hosts.IndexOf(old)] = host;
        await RouteToClientAsync(plan, c, legs, ct).ConfigureAwait(false);
        await SaveAsync().ConfigureAwait(false);
        await AddressClientAsync(c, host, legs, ct).ConfigureAwait(false);
        if (host.Addresses.Except(old.Addresses, StringComparer.Ordinal).Any())
        {
            // TCP listeners take any address; UDP ones are bound to one and need the new address.
            await ListenAsync(ns, host.Addresses, plan.ListenPorts.Where(p => p.Protocol == QaProtocol.Udp).ToList(), ct).ConfigureAwait(false);
        }

        await SaveAsync().ConfigureAwait(false);
    }

    private async Task AddressClientAsync(QaClient c, QaLabHost host, Dictionary<(string, string), Leg> legs, CancellationToken ct)
    {
        await AddressClient4Async(c, host, legs, ct).ConfigureAwait(false);
        await AddressClient6Async(c, host, legs, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The client's IPv6 address, set statically to what libvirt's DHCPv6 reservation for it holds
    /// (the lab has no DHCPv6 client: busybox's udhcpc speaks IPv4 only), with the default route
    /// through the network's router: the virthost (Nat), the gateway (Gateway), the LAN router (Bridged).
    /// </summary>
    private async Task AddressClient6Async(QaClient c, QaLabHost host, Dictionary<(string, string), Leg> legs, CancellationToken ct)
    {
        if (c.Address6 is not { } a6)
        {
            return;
        }

        var ns = host.Namespace;
        var prefix = a6 + "/" + c.NetworkObject.Subnet6!.Value.PrefixLength.ToString(CultureInfo.InvariantCulture);
        await Ip(ct, "-n", ns, "-6", "addr", "replace", prefix, "dev", "eth0", "nodad").ConfigureAwait(false);
        var router = c.NetworkObject.Mode == QaNetworkMode.Nat ? c.NetworkObject.HostAddress6 : legs[(c.Network, c.VirtHost)].Address6;
        if (router is not null)
        {
            await Ip(ct, "-n", ns, "-6", "route", "replace", "default", "via", router.ToString(), "dev", "eth0").ConfigureAwait(false);
        }

        host.Addresses.Add(a6.ToString());
    }

    private async Task AddressClient4Async(QaClient c, QaLabHost host, Dictionary<(string, string), Leg> legs, CancellationToken ct)
    {
        var ns = host.Namespace;
        var prefix = c.Address + "/" + c.NetworkObject.Subnet.PrefixLength.ToString(CultureInfo.InvariantCulture);
        string why;
        if (c.NetworkObject.Mode == QaNetworkMode.Bridged)
        {
            why = "bridged network: libvirt serves no DHCP there";
        }
        else
        {
            why = "no DHCP lease";
            for (var attempt = 1; attempt <= 2; attempt++)
            {
                var r = await _runner.RunAsync(new CommandSpec("ip", new[] { "netns", "exec", ns, "busybox", "udhcpc", "-i", "eth0", "-q", "-n", "-t", "5", "-T", "2", "-s", DhcpScriptPath })
                { Timeout = TimeSpan.FromSeconds(30) }, ct).ConfigureAwait(false);
                var shown = await _runner.RunAsync(CommandSpec.Of("ip", "-n", ns, "-4", "-o", "addr", "show", "dev", "eth0"), ct).ConfigureAwait(false);
                if (r.Succeeded && shown.Stdout.Contains(" " + prefix + " ", StringComparison.Ordinal))
                {
                    host.Addresses.Add(c.Address.ToString());
                    host.AddressSource = "dhcp";
                    return;
                }

                why = r.Succeeded ? "DHCP leased another address: " + shown.Stdout.Trim() : "no DHCP lease: " + (r.Stderr + r.Stdout).Trim().Split('\n').LastOrDefault();
            }

            lock (State.Warnings)
            {
                State.Warnings.Add($"Client {c.Name}: {why}; its reserved address was set statically.");
            }

            _log.Warning(null, $"Client {c.Name}: {why}; setting {prefix} statically.");
        }

        var router = c.NetworkObject.Mode switch
        {
            QaNetworkMode.Nat => c.NetworkObject.HostAddress,
            _ => legs[(c.Network, c.VirtHost)].Address,
        };
        await Ip(ct, "-n", ns, "-4", "addr", "flush", "dev", "eth0").ConfigureAwait(false);
        await Ip(ct, "-n", ns, "addr", "add", prefix, "dev", "eth0").ConfigureAwait(false);
        await Ip(ct, "-n", ns, "route", "replace", "default", "via", router.ToString(), "dev", "eth0").ConfigureAwait(false);
        host.Addresses.Add(c.Address.ToString());
        host.AddressSource = "static (" + why + ")";
    }
}
