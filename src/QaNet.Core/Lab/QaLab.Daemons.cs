using QaNet.Core.Hosts;
using System.Net;

namespace QaNet.Core.Lab;

/// <summary>The lab's daemons: a libvirtd in every virthost namespace and, with host access Ssh, an sshd in every virthost and gateway.</summary>
public sealed partial class QaLab
{
    private async Task StartLibvirtdAsync(QaLabPlan plan, CancellationToken ct)
    {
        var profile = State.VirtHostProfile;
        // StartAsync made sure the profile's tree exists before anything was built.
        var root = VirtHostRootfs.NeedsRoot(profile) ? VirtHostRootfs.PathOf(profile) : null;
        _log.Verbose(null, $"Starting a libvirtd ({profile}) in every virthost namespace");
        if (VirtHostRootfs.RunsFirewalld(profile) && File.Exists("/proc/sys/net/bridge/bridge-nf-call-iptables"))
        {
            // A stock Fedora virthost has no br_netfilter loaded, so bridged frames never meet firewalld's
            // forward chain; this kernel has it built in (on by default): turn it off per namespace, as there.
            foreach (var ns in plan.VirtHostNamespaces.Values)
            {
                await Sysctl(ns, "net.bridge.bridge-nf-call-iptables=0", ct).ConfigureAwait(false);
                await Sysctl(ns, "net.bridge.bridge-nf-call-ip6tables=0", ct).ConfigureAwait(false);
            }
        }

        var instances = await Task.WhenAll(plan.VirtHostNamespaces.Select(async kv =>
        {
            var instance = await LibvirtdInstance.StartAsync(kv.Value, Path.Combine(State.Directory, "libvirt", kv.Key), root, _runner,
                VirtHostRootfs.RunsFirewalld(profile), ct).ConfigureAwait(false);
            return (VirtHost: kv.Key, Instance: instance);
        })).ConfigureAwait(false);
        foreach (var (vh, instance) in instances.OrderBy(i => i.VirtHost, StringComparer.Ordinal))
        {
            State.Libvirtd.Add(new QaLabLibvirtd(vh, instance.Namespace, instance.Directory, instance.Pid, instance.Uri) { Profile = profile, Root = instance.Root });
        }

        await SaveAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A lifecycle event of a virthost: its libvirtd restarted as <c>systemctl restart libvirtd</c>
    /// does (SIGTERM, then started again on the same state; networks, bridges and dnsmasq keep running).
    /// </summary>
    internal async Task RestartLibvirtdAsync(string virtHost, CancellationToken ct = default)
    {
        var i = State.Libvirtd.FindIndex(l => l.VirtHost == virtHost);
        if (i < 0)
        {
            throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"Lab '{Prefix}' runs no libvirtd for '{virtHost}'.");
        }

        var l = State.Libvirtd[i];
        var instance = LibvirtdInstance.Attach(l.Namespace, l.Directory, l.Pid, _runner, l.Root, VirtHostRootfs.RunsFirewalld(l.Profile));
        await instance.RestartAsync(ct).ConfigureAwait(false);
        State.Libvirtd[i] = l with { Pid = instance.Pid };
        await SaveAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A lifecycle event of a virthost: <c>virsh net-destroy</c> of <paramref name="network"/>
    /// (its bridge and dnsmasq go, the clients' ports fall off), <paramref name="whileDown"/>, then
    /// <c>virsh net-start</c> and the clients' ports of that virthost plugged into the new bridge
    /// again, as a running VM's interface is reconnected.
    /// </summary>
    internal async Task RestartNetworkAsync(string virtHost, string network, Func<Task> whileDown, CancellationToken ct = default)
    {
        var l = State.Libvirtd.Find(x => x.VirtHost == virtHost)
            ?? throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"Lab '{Prefix}' runs no libvirtd for '{virtHost}'.");
        var bridge = State.Networks.Find(n => n.Name == network)?.Bridges.GetValueOrDefault(virtHost)
            ?? throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"Network '{network}' of lab '{Prefix}' has no bridge on '{virtHost}'.");
        var ports = (await Must(CommandSpec.Of("ip", "-n", l.Namespace, "-o", "link", "show", "master", bridge), ct).ConfigureAwait(false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 3)[1].Trim().Split('@')[0])
            .Where(p => p.Length > 1 && p[0] == 'c' && p[1..].All(char.IsAsciiDigit))
            .ToList();
        await Must(CommandSpec.Of("virsh", "-c", l.Uri, "net-destroy", network), ct).ConfigureAwait(false);
        await whileDown().ConfigureAwait(false);
        await Must(CommandSpec.Of("virsh", "-c", l.Uri, "net-start", network), ct).ConfigureAwait(false);
        foreach (var port in ports)
        {
            await Ip(ct, "-n", l.Namespace, "link", "set", port, "master", bridge).ConfigureAwait(false);
            await Ip(ct, "-n", l.Namespace, "link", "set", port, "up").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A lifecycle event of a virthost: a simulated reboot (docs/lab.md, "Reboots"). Power off: every
    /// process of the virthost's namespace killed (libvirtd, dnsmasq, firewalld; the lab's sshd
    /// stays, as the lab's way in), its whole ruleset gone (<c>nft flush ruleset</c>: QaNet's tables,
    /// libvirt's, firewalld's, ebtables), the bridges libvirt made deleted, libvirt's and QaNet's
    /// runtime folders emptied; what a disk keeps stays (libvirt's configuration with the networks'
    /// definitions and autostart flags, QaNet's boot copy and network hook, the host's own bridges
    /// of Bridged networks, its NICs and sysctl settings). Then <paramref name="whileOff"/>. Power on:
    /// firewalld (Fedora) and libvirtd start, libvirtd autostarts the networks, each through the
    /// network hook; the clients' ports (and a Gateway network's gateway leg: on a real host the
    /// gateway VM's port or a NIC enslaved at boot) are plugged into the bridges that came back, as
    /// their VMs start at boot; a Bridged network's client ports leave the host's own bridge while it
    /// is off and come back only if libvirt started that network. A network whose start the hook refused stays down and its clients unplugged.
    /// </summary>
    internal async Task RebootVirtHostAsync(string virtHost, Func<Task>? whileOff = null, CancellationToken ct = default)
    {
        var i = State.Libvirtd.FindIndex(l => l.VirtHost == virtHost);
        if (i < 0)
        {
            throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"Lab '{Prefix}' runs no libvirtd for '{virtHost}'.");
        }

        var l = State.Libvirtd[i];
        var bridges = State.Networks.Where(n => n.Bridges.ContainsKey(virtHost)).Select(n => (Bridge: n.Bridges[virtHost], Libvirt: n.Mode != Model.QaNetworkMode.Bridged)).ToList();
        var ports = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (bridge, _) in bridges)
        {
            // A bridge that is not there (its network down) has no ports to take along.
            ports[bridge] = (await _runner.RunAsync(CommandSpec.Of("ip", "-n", l.Namespace, "-o", "link", "show", "master", bridge), ct).ConfigureAwait(false)).Stdout
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(':', 3)[1].Trim().Split('@')[0])
                .Where(p => p.Length > 1 && p[0] is 'c' or 'b' && p[1..].All(char.IsAsciiDigit))
                .ToList();
        }

        var instance = LibvirtdInstance.Attach(l.Namespace, l.Directory, l.Pid, _runner, l.Root, VirtHostRootfs.RunsFirewalld(l.Profile));
        var keep = State.Sshd.Where(d => d.Namespace == l.Namespace && d.Pid is not null).Select(d => d.Pid!.Value).ToList();
        _log.Verbose(virtHost, "Simulated reboot: power off");
        await instance.PowerOffAsync(keep, ct).ConfigureAwait(false);
        await Must(CommandSpec.Of("ip", "netns", "exec", l.Namespace, "nft", "flush", "ruleset"), ct).ConfigureAwait(false);
        foreach (var (bridge, _) in bridges.Where(b => b.Libvirt))
        {
            await _runner.RunAsync(CommandSpec.Of("ip", "-n", l.Namespace, "link", "del", bridge), ct).ConfigureAwait(false);
        }

        // The host's own bridge of a Bridged network stays, but the VMs are off: their ports leave it
        // (else the lab's clients would talk through a bridge a real reboot leaves without VMs).
        foreach (var (bridge, _) in bridges.Where(b => !b.Libvirt))
        {
            foreach (var port in ports[bridge].Where(p => p[0] == 'c'))
            {
                await Ip(ct, "-n", l.Namespace, "link", "set", port, "nomaster").ConfigureAwait(false);
            }

            ports[bridge].RemoveAll(p => p[0] != 'c');   // the router's leg (the host's NIC) stays on it
        }

        var runtime = HostTarget.Namespace(l.Namespace).StateDirectory;
        if (Directory.Exists(runtime))
        {
            Directory.Delete(runtime, recursive: true);
        }

        if (whileOff is not null)
        {
            await whileOff().ConfigureAwait(false);
        }

        _log.Verbose(virtHost, "Simulated reboot: power on");
        await instance.PowerOnAsync(ct).ConfigureAwait(false);
        State.Libvirtd[i] = l with { Pid = instance.Pid };
        await SaveAsync().ConfigureAwait(false);
        _unplugged[virtHost] = ports;
        await ReplugClientsAsync(virtHost, ct).ConfigureAwait(false);
    }

    // Client ports a reboot took off their bridges, by virthost and bridge, until the bridge is back.
    private readonly Dictionary<string, Dictionary<string, List<string>>> _unplugged = new(StringComparer.Ordinal);

    /// <summary>Plugs the client ports a reboot unplugged into their bridges, for every bridge that exists again (after a publish started a network the hook had refused).</summary>
    internal async Task ReplugClientsAsync(string virtHost, CancellationToken ct = default)
    {
        var l = State.Libvirtd.Find(x => x.VirtHost == virtHost)
            ?? throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"Lab '{Prefix}' runs no libvirtd for '{virtHost}'.");
        if (!_unplugged.TryGetValue(virtHost, out var ports))
        {
            return;
        }

        // libvirt starts a VM only when its network is active: a Bridged network's bridge is the
        // host's own and always there, so what counts for it is libvirt's word (a network the hook
        // refused is inactive, and its VMs stay off).
        HashSet<string>? active = null;
        foreach (var (bridge, list) in ports.ToList())
        {
            var network = State.Networks.Find(n => n.Bridges.TryGetValue(virtHost, out var b) && b == bridge);
            if (network is { Mode: Model.QaNetworkMode.Bridged })
            {
                active ??= (await _runner.RunAsync(CommandSpec.Of("virsh", "-c", l.Uri, "net-list", "--name"), ct).ConfigureAwait(false)).Stdout
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
                if (!active.Contains(network.Name))
                {
                    continue;
                }
            }
            else if (!(await _runner.RunAsync(CommandSpec.Of("ip", "-n", l.Namespace, "link", "show", bridge), ct).ConfigureAwait(false)).Succeeded)
            {
                continue;
            }

            foreach (var port in list)
            {
                await Ip(ct, "-n", l.Namespace, "link", "set", port, "master", bridge).ConfigureAwait(false);
                await Ip(ct, "-n", l.Namespace, "link", "set", port, "up").ConfigureAwait(false);
            }

            ports.Remove(bridge);
        }

        // As a booted VM's link comes up before it talks: every bridge port forwarding and no IPv6
        // address still tentative in the virthost (bounded; the matrix then decides).
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            var links = await _runner.RunAsync(CommandSpec.Of("bridge", "-n", l.Namespace, "link", "show"), ct).ConfigureAwait(false);
            var tentative = await _runner.RunAsync(CommandSpec.Of("ip", "-n", l.Namespace, "-6", "addr", "show", "tentative"), ct).ConfigureAwait(false);
            var settling = links.Stdout.Split('\n').Any(x => x.Contains(" state ", StringComparison.Ordinal) && !x.Contains("state forwarding", StringComparison.Ordinal) && !x.Contains("state disabled", StringComparison.Ordinal));
            if (!settling && tentative.Stdout.Trim().Length == 0)
            {
                break;
            }

            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs <c>firewall-cmd</c> with <paramref name="args"/> on a virthost of the Fedora profile (in
    /// its mount namespace, from its tree): a lifecycle event such as <c>--reload</c>, or a question.
    /// </summary>
    internal async Task<string> FirewallCmdAsync(string virtHost, CancellationToken ct, params string[] args)
    {
        var l = State.Libvirtd.Find(x => x.VirtHost == virtHost);
        if (l is null || !VirtHostRootfs.RunsFirewalld(l.Profile) || l.Root is null)
        {
            throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"Lab '{Prefix}' runs no firewalld for '{virtHost}'.");
        }

        var mounts = MountNamespace.Open(l.Namespace, LibvirtdInstance.MountPurpose, _runner)
            ?? throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"The mount namespace of {virtHost}'s libvirtd is gone.");
        return await Must(mounts.Run("chroot", new[] { l.Root, "firewall-cmd" }.Concat(args).ToArray()), ct).ConfigureAwait(false);
    }

    /// <summary>Host access Ssh: starts the sshd of <paramref name="host"/> again (after it was stopped, as a fault test does).</summary>
    internal async Task RestartSshdAsync(string host, CancellationToken ct = default)
    {
        var i = State.Sshd.FindIndex(d => d.Host == host);
        if (i < 0)
        {
            throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"Lab '{Prefix}' runs no sshd for '{host}'.");
        }

        var d = State.Sshd[i];
        var pid = await LabSshAccess.StartSshdAsync(State.Directory, d.Host, d.Namespace, IPAddress.Parse(d.Address), _runner, ct).ConfigureAwait(false);
        State.Sshd[i] = d with { Pid = pid };
        await SaveAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Host access Ssh: keys and configs in the lab folder, an sshd in every virthost and gateway
    /// namespace on its management address, then one ssh round trip to each from the operator
    /// namespace (which also opens the shared connections the publish reuses).
    /// </summary>
    private async Task StartSshAsync(QaLabPlan plan, CancellationToken ct)
    {
        _log.Verbose(null, "Starting an sshd in every virthost and gateway namespace (host access Ssh)");
        var hosts = plan.VirtHostNamespaces.Concat(plan.GatewayNamespaces)
            .Select(kv => (Host: kv.Key, Namespace: kv.Value, Address: plan.Links[kv.Value].PeerAddress))
            .ToList();
        await LabSshAccess.PrepareAsync(State.Directory, Prefix, hosts, _runner, _log, ct).ConfigureAwait(false);
        State.SshConfigFile = LabSshAccess.ConfigFile(State.Directory);
        foreach (var (host, ns, address) in hosts)
        {
            var sshd = new QaLabSshd(host, ns, address.ToString(), LabSshAccess.HostDirectory(State.Directory, host), null);
            State.Sshd.Add(sshd);
            await SaveAsync().ConfigureAwait(false);
            var pid = await LabSshAccess.StartSshdAsync(State.Directory, host, ns, address, _runner, ct).ConfigureAwait(false);
            State.Sshd[State.Sshd.IndexOf(sshd)] = sshd with { Pid = pid };
            await SaveAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(Transports().Select(t => LabSshAccess.CheckReachableAsync(t, _runner, State.Directory, ct))).ConfigureAwait(false);
    }
}
