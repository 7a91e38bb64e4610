using System.Globalization;
using System.Net;
using QaNet.Core.Checking;
using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Publish;
using QaNet.Core.Render;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

public sealed record QaLabOptions
{
    /// <summary>Where lab state lives; one folder per prefix.</summary>
    public string RootDirectory { get; init; } = "/run/qanet-lab";

    /// <summary>The moment the policy is rendered for (expiring rules); default now.</summary>
    public DateTimeOffset? Now { get; init; }

    public IQaLog? Log { get; init; }

    /// <summary>The local runner (tests inject faults through it).</summary>
    public ICommandRunner? Runner { get; init; }

    /// <summary>
    /// How the publish cmdlets reach the virthosts and gateways: Namespace (<c>ip netns exec</c>,
    /// the default) or Ssh (an sshd in each, reached from an operator namespace; docs/lab.md).
    /// </summary>
    public QaLabHostAccess HostAccess { get; init; } = QaLabHostAccess.Namespace;
}

/// <summary>Error ids of the lab (stable, PascalCase; the cmdlets use them as FullyQualifiedErrorId).</summary>
public static class QaLabErrorIds
{
    public const string LabAlreadyRunning = QaErrorIds.LabAlreadyRunning;
    public const string LabNotFound = QaErrorIds.LabNotFound;
    public const string LabStartFailed = QaErrorIds.LabStartFailed;
    /// <summary>Stop could not remove every namespace of the lab; its state is kept so a second Stop-QaLab retries.</summary>
    public const string LabStopFailed = QaErrorIds.LabStopFailed;
    public const string LabPublishFailed = QaErrorIds.LabPublishFailed;
    public const string LabUnknownHost = QaErrorIds.LabUnknownHost;
}

public sealed class QaLabException : Exception
{
    public QaLabException(string errorId, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; }
}

/// <summary>
/// A replica of a policy's hosts out of network namespaces on this machine (docs/lab.md): a
/// router standing for the lab's internet, one namespace per virthost with its own libvirtd and
/// QaNet's artifacts published into it through <see cref="QaPublisher"/>, one per client plugged
/// into its virthost's bridge with its MAC and leasing its reserved address, gateway endpoints,
/// and segments where every endpoint address exists and every probed port listens. Nothing is
/// linked to the root namespace. State lives in <c>/run/qanet-lab/&lt;prefix&gt;/state.json</c>
/// so another process can probe or stop the lab.
/// </summary>
public sealed class QaLab
{
    // Starts each program of the argument vector in the background with its output discarded and
    // prints its PID; the script text is fixed, programs and arguments arrive as parameters.
    private const string SocatProgram = "/usr/bin/socat";

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

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);

    private readonly QaLabOptions _options;
    private readonly ICommandRunner _runner;
    private readonly IQaLog _log;
    private readonly object _save = new();

    private QaLab(QaLabState state, QaLabOptions options)
    {
        State = state;
        _options = options;
        _runner = options.Runner ?? ProcessRunner.Instance;
        _log = options.Log ?? NullQaLog.Instance;
    }

    public QaLabState State { get; }

    public string Prefix => State.Prefix;

    public string Policy => State.Policy;

    public string Status => State.Status;

    /// <summary>How the publish cmdlets reach the virthosts and gateways (Namespace or Ssh).</summary>
    public QaLabHostAccess HostAccess => State.HostAccess;

    public IReadOnlyList<QaLabHost> Hosts => State.Hosts;

    public IReadOnlyList<QaLabNetwork> Networks => State.Networks;

    public string StateFile => Path.Combine(State.Directory, "state.json");

    public static string DirectoryFor(string prefix, QaLabOptions? options = null) =>
        Path.Combine((options ?? new QaLabOptions()).RootDirectory, prefix);

    /// <summary>The lab with this prefix, or null when none runs.</summary>
    public static QaLab? Get(string prefix = Namespaces.DefaultPrefix, QaLabOptions? options = null)
    {
        QaLabPlan.CheckPrefix(prefix);
        options ??= new QaLabOptions();
        var file = Path.Combine(DirectoryFor(prefix, options), "state.json");
        return File.Exists(file) ? new QaLab(QaLabState.FromJson(File.ReadAllText(file)), options) : null;
    }

    /// <summary>Every lab whose state is on this machine.</summary>
    public static IReadOnlyList<QaLab> List(QaLabOptions? options = null)
    {
        options ??= new QaLabOptions();
        if (!Directory.Exists(options.RootDirectory))
        {
            return Array.Empty<QaLab>();
        }

        return Directory.GetDirectories(options.RootDirectory)
            .Where(d => File.Exists(Path.Combine(d, "state.json")))
            .Order(StringComparer.Ordinal)
            .Select(d => new QaLab(QaLabState.FromJson(File.ReadAllText(Path.Combine(d, "state.json"))), options))
            .ToList();
    }

    /// <summary>
    /// Builds the lab for <paramref name="policy"/>. On any failure everything created so far is
    /// removed before the exception leaves.
    /// </summary>
    public static async Task<QaLab> StartAsync(QaPolicy policy, string prefix = Namespaces.DefaultPrefix, QaLabOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        options ??= new QaLabOptions();
        PolicyValidator.ThrowIfInvalid(policy);
        var plan = QaLabPlan.Create(policy, prefix, options.HostAccess);
        var dir = DirectoryFor(prefix, options);
        if (File.Exists(Path.Combine(dir, "state.json")))
        {
            throw new QaLabException(QaLabErrorIds.LabAlreadyRunning,
                $"A lab with prefix '{prefix}' already exists ({dir}); stop it first (Stop-QaLab -Prefix {prefix}).");
        }

        // The host preflight the publish runs on each virthost, run here first on this machine
        // (the lab's virthosts share its programs), so a missing program stops the lab before
        // anything is built instead of half-way.
        var preflight = await VirtHostChecks.RunAsync(new PublishHost("localhost", options.Runner ?? ProcessRunner.Instance, HostTarget.Local.StateDirectory),
            new VirtHostNeeds { Nft = true, Ebtables = true }, all: false, cancellationToken).ConfigureAwait(false);
        if (preflight.Where(c => c.Status == QaCheckStatus.Fail).ToList() is { Count: > 0 } failed)
        {
            throw new QaLabException(QaErrorIds.VirtHostPrerequisiteMissing,
                $"The lab '{prefix}' cannot start: this machine lacks what its virthosts need; nothing was built. {VirtHostChecks.Describe(failed)}");
        }

        Directory.CreateDirectory(dir);
        var lab = new QaLab(new QaLabState { Prefix = prefix, Policy = policy.Name, Directory = dir, StartedAt = DateTimeOffset.UtcNow, HostAccess = options.HostAccess }, options);
        await lab.SaveAsync().ConfigureAwait(false);
        try
        {
            await lab.BuildAsync(plan, cancellationToken).ConfigureAwait(false);
            lab.State.Status = QaLabState.Running;
            await lab.SaveAsync().ConfigureAwait(false);
            return lab;
        }
        catch (Exception ex)
        {
            lab.State.Status = QaLabState.Failed;
            lab.State.Error = ex.Message;
            await lab.SaveAsync().ConfigureAwait(false);
            lab._log.Warning(null, $"The lab did not start ({ex.Message}); removing what was built.");
            try
            {
                await StopAsync(prefix, options, CancellationToken.None).ConfigureAwait(false);
            }
            catch (QaLabException cleanup)
            {
                // The start's cause is what the caller needs; the failed cleanup is said beside it.
                lab._log.Warning(null, $"Removing what was built failed too: {cleanup.Message} Run Stop-QaLab -Prefix {prefix} again.");
            }

            if (ex is QaLabException or QaValidationException or OperationCanceledException)
            {
                throw;
            }

            throw new QaLabException(QaLabErrorIds.LabStartFailed, $"The lab '{prefix}' did not start: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Removes the lab: libvirt networks and libvirtd, listeners by PID, the namespaces (and what
    /// still runs in them), the on-host publish state and the lab folder. False when no lab had
    /// that prefix. Best effort: every step runs even when an earlier one failed.
    /// </summary>
    public static async Task<bool> StopAsync(string prefix = Namespaces.DefaultPrefix, QaLabOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new QaLabOptions();
        var lab = Get(prefix, options);
        if (lab is null)
        {
            return false;
        }

        var s = lab.State;
        s.Status = QaLabState.Stopping;
        await lab.SaveAsync().ConfigureAwait(false);
        var problems = new List<string>();
        async Task Try(string what, Func<Task> step)
        {
            try
            {
                await step().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is QaHostException or IOException or UnauthorizedAccessException or QaValidationException or InvalidOperationException)
            {
                problems.Add(what + ": " + ex.Message);
            }
        }

        // Host access Ssh: the operator's shared connections first, then the sshds.
        foreach (var d in s.Sshd)
        {
            if (s.SshConfigFile is { } config && File.Exists(config))
            {
                await Try("ssh control master of " + d.Host, () => LabSshAccess.ExitControlMasterAsync(config, d.Host, lab._runner, cancellationToken)).ConfigureAwait(false);
            }

            if (d.Pid is { } pid)
            {
                KillIf(pid, "sshd");
            }
        }

        foreach (var l in s.Libvirtd)
        {
            await Try("libvirtd " + l.VirtHost, () => LibvirtdInstance.Attach(l.Namespace, l.Directory, l.Pid, lab._runner).StopAsync(cancellationToken)).ConfigureAwait(false);
        }

        foreach (var p in s.Processes)
        {
            KillIf(p.Pid, "socat");
        }

        foreach (var ns in Enumerable.Reverse(s.Namespaces))
        {
            await Try("namespace " + ns, () => Namespaces.DeleteAsync(ns, prefix, lab._runner, cancellationToken)).ConfigureAwait(false);
            await Try("publish state of " + ns, () =>
            {
                var d = HostTarget.Namespace(ns).StateDirectory;
                if (Directory.Exists(d))
                {
                    Directory.Delete(d, recursive: true);
                }

                return Task.CompletedTask;
            }).ConfigureAwait(false);
        }

        var left = (await Namespaces.ListAsync(prefix, lab._runner, cancellationToken).ConfigureAwait(false)).Intersect(s.Namespaces).ToList();
        if (left.Count > 0)
        {
            s.Error = "Stop left namespaces behind: " + string.Join(", ", left) + "; " + string.Join("; ", problems);
            await lab.SaveAsync().ConfigureAwait(false);
            throw new QaLabException(QaLabErrorIds.LabStopFailed, s.Error);
        }

        foreach (var p in problems)
        {
            lab._log.Warning(null, p);
        }

        Directory.Delete(s.Directory, recursive: true);
        return true;
    }

    /// <summary>
    /// How the publish cmdlets reach the lab's hosts: each virthost in its namespace with its own
    /// libvirtd socket, each gateway endpoint in its namespace.
    /// </summary>
    /// <remarks>
    /// With host access Ssh, each is an ssh transport through the lab's ssh_config, the client
    /// running in the operator namespace; virsh still talks to the host's own libvirtd socket.
    /// </remarks>
    public IReadOnlyList<QaHostTransport> Transports()
    {
        var gateways = State.Hosts.Where(h => h.Kind == QaLabHostKind.Gateway);
        return State.HostAccess == QaLabHostAccess.Ssh
            ? State.Libvirtd.Select(l => QaHostTransport.Ssh(l.VirtHost, configFile: State.SshConfigFile, libvirtUri: l.Uri, clientNamespace: State.OperatorNamespace))
                .Concat(gateways.Select(h => QaHostTransport.Ssh(h.Name, configFile: State.SshConfigFile, clientNamespace: State.OperatorNamespace)))
                .ToList()
            : State.Libvirtd.Select(l => QaHostTransport.InNamespace(l.VirtHost, l.Namespace, l.Uri))
                .Concat(gateways.Select(h => QaHostTransport.InNamespace(h.Name, h.Namespace)))
                .ToList();
    }

    /// <summary>The publish target for a virthost (its libvirtd) or a gateway endpoint, through its transport (<see cref="Transports"/>).</summary>
    public PublishHost PublishHost(string host)
    {
        if (Transports().FirstOrDefault(t => t.Host == host) is { } t)
        {
            return Publish.PublishHost.For(host, t.ToTarget(), t.LibvirtUri, _runner);
        }

        throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"'{host}' is neither a virthost nor a gateway of lab '{Prefix}'.");
    }

    /// <summary>
    /// Publishes <paramref name="policy"/> to the lab's virthosts and gateways through the path
    /// Publish-QaNetwork takes (<see cref="PolicyPublisher"/>), then lets the lab follow the policy
    /// (<see cref="FollowAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<QaPublishResult>> PublishAsync(QaPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        PolicyValidator.ThrowIfInvalid(policy);
        var results = await PublishAllAsync(policy, cancellationToken).ConfigureAwait(false);
        await FollowAsync(policy, cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>
    /// Makes the lab's clients what <paramref name="policy"/> says once it is published: plugs in
    /// clients the policy gained, unplugs those it lost, and re-plugs those that moved to another
    /// virthost or changed MAC or address (Set-QaClient). Publish-QaNetwork calls it after
    /// publishing through this session's lab; it changes no virthost's rules.
    /// </summary>
    public async Task FollowAsync(QaPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        PolicyValidator.ThrowIfInvalid(policy);
        var plan = QaLabPlan.Create(policy, Prefix);
        var gone = State.Hosts.Where(h => h.Kind == QaLabHostKind.Client && !plan.ClientNamespaces.ContainsKey(h.Name)).ToList();
        foreach (var h in gone)
        {
            _log.Verbose(null, $"Unplugging client {h.Name}: the policy no longer has it");
            await Namespaces.DeleteAsync(h.Namespace, Prefix, _runner, cancellationToken).ConfigureAwait(false);
            State.Hosts.Remove(h);
            State.Namespaces.Remove(h.Namespace);
        }

        var added = policy.Clients.Where(c => State.Hosts.TrueForAll(h => h.Kind != QaLabHostKind.Client || h.Name != c.Name)).ToList();
        var changed = await ChangedClientsAsync(policy, cancellationToken).ConfigureAwait(false);
        if (added.Count > 0 || changed.Count > 0)
        {
            var legs = await AttachmentsAsync(policy, plan, create: false, cancellationToken).ConfigureAwait(false);
            if (added.Count > 0)
            {
                _log.Verbose(null, $"Plugging in {added.Count} new client(s): {string.Join(", ", added.Select(c => c.Name))}");
                await AddClientsAsync(plan, added, legs, cancellationToken).ConfigureAwait(false);
            }

            foreach (var (client, host) in changed)
            {
                _log.Verbose(null, $"Re-plugging client {client.Name} (virthost, MAC or address changed)");
                await ReplugClientAsync(plan, client, host, legs, cancellationToken).ConfigureAwait(false);
            }
        }

        await SaveAsync().ConfigureAwait(false);
    }

    private async Task BuildAsync(QaLabPlan plan, CancellationToken ct)
    {
        var policy = plan.Policy;
        State.Warnings.AddRange(plan.Warnings);
        State.ListenPorts.AddRange(plan.ListenPorts.Select(p => p.ToString()));
        foreach (var (name, addresses) in plan.EndpointAddresses)
        {
            State.EndpointAddresses[name] = addresses.Select(a => a.ToString()).ToList();
        }

        _log.Verbose(null, $"Creating {plan.AllNamespaces().Count()} namespaces with prefix {Prefix}");
        foreach (var ns in plan.AllNamespaces().Except(plan.ClientNamespaces.Values))
        {
            await CreateNamespaceAsync(ns, ct).ConfigureAwait(false);
        }

        var router = plan.RouterNamespace;
        State.Hosts.Add(new QaLabHost { Name = "router", Kind = QaLabHostKind.Router, Namespace = router });
        await Sysctl(router, "net.ipv4.ip_forward=1", ct).ConfigureAwait(false);

        // Router links. The virthost's uplink is its management address; Nat virthosts forward.
        foreach (var (vh, ns) in plan.VirtHostNamespaces)
        {
            var link = plan.Links[ns];
            await LinkAsync(router, link, ct).ConfigureAwait(false);
            var nat = policy.Networks.Exists(n => n.Mode == QaNetworkMode.Nat && n.VirtHosts.Contains(vh));
            await Sysctl(ns, "net.ipv4.ip_forward=" + (nat ? "1" : "0"), ct).ConfigureAwait(false);
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

        // Endpoint addresses live on the loopback of their namespace; the router knows where.
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
                if (policy.Networks.Exists(n => n.Subnet.Contains(a)))
                {
                    continue; // a gateway's address on the client network goes on its legs
                }

                await Ip(ct, "-n", ns, "addr", "add", a + "/32", "dev", "lo").ConfigureAwait(false);
                await Ip(ct, "-n", router, "route", "replace", a + "/32", "via", plan.Links[ns].PeerAddress.ToString()).ConfigureAwait(false);
            }
        }

        // Bridged networks use a bridge the virthost already has: the lab makes it.
        foreach (var n in policy.Networks.Where(n => n.Mode == QaNetworkMode.Bridged))
        {
            foreach (var vh in n.VirtHosts)
            {
                var ns = plan.VirtHostNamespaces[vh];
                await Ip(ct, "-n", ns, "link", "add", n.Bridge, "type", "bridge").ConfigureAwait(false);
                await Ip(ct, "-n", ns, "link", "set", n.Bridge, "up").ConfigureAwait(false);
            }
        }

        _log.Verbose(null, "Starting a libvirtd in every virthost namespace");
        var instances = await Task.WhenAll(plan.VirtHostNamespaces.Select(async kv =>
        {
            var instance = await LibvirtdInstance.StartAsync(kv.Value, Path.Combine(State.Directory, "libvirt", kv.Key), _runner, ct).ConfigureAwait(false);
            return (VirtHost: kv.Key, Instance: instance);
        })).ConfigureAwait(false);
        foreach (var (vh, instance) in instances.OrderBy(i => i.VirtHost, StringComparer.Ordinal))
        {
            State.Libvirtd.Add(new QaLabLibvirtd(vh, instance.Namespace, instance.Directory, instance.Pid, instance.Uri));
        }

        await SaveAsync().ConfigureAwait(false);

        if (plan.HostAccess == QaLabHostAccess.Ssh)
        {
            await StartSshAsync(plan, ct).ConfigureAwait(false);
        }

        _log.Verbose(null, "Publishing the policy to the lab's virthosts and gateways");
        await PublishAllAsync(policy, ct).ConfigureAwait(false);

        var legs = await AttachmentsAsync(policy, plan, create: true, ct).ConfigureAwait(false);
        await SaveAsync().ConfigureAwait(false);

        await File.WriteAllTextAsync(DhcpScriptPath, DhcpScript, ct).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(DhcpScriptPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        await AddClientsAsync(plan, policy.Clients.ToList(), legs, ct).ConfigureAwait(false);

        _log.Verbose(null, $"Listening on {string.Join(", ", plan.ListenPorts)} in every lab host");
        foreach (var h in State.Hosts.Where(h => h.Kind is QaLabHostKind.Segment or QaLabHostKind.Gateway))
        {
            await ListenAsync(h.Namespace, h.Addresses, plan.ListenPorts, ct).ConfigureAwait(false);
        }
    }

    private string DhcpScriptPath => Path.Combine(State.Directory, "udhcpc.sh");

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

    /// <summary>The operator's lab host (not a QaNet name, so no endpoint of a policy can take it).</summary>
    public const string OperatorHostName = "(operator)";

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

    /// <summary>A lab host's leg on a virthost's bridge: where a Gateway network's gateway, or a Bridged network's router, meets the clients.</summary>
    private sealed record Leg(string Namespace, string Interface, IPAddress Address);

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

            var (owner, address) = n.Mode == QaNetworkMode.Gateway
                ? (plan.GatewayNamespaces[n.Gateway!], PolicyValidator.GatewayAddress(n, policy.FindEndpoint(n.Gateway!)!)!)
                : (plan.RouterNamespace, n.HostAddress);
            foreach (var vh in QaLabPlan.LegVirtHosts(n))
            {
                var leg = new Leg(owner, "b" + (k++).ToString(CultureInfo.InvariantCulture), address);
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

    private async Task AddClientsAsync(QaLabPlan plan, IReadOnlyList<QaClient> clients, Dictionary<(string, string), Leg> legs, CancellationToken ct)
    {
        var port = State.Hosts.Count(h => h.Kind == QaLabHostKind.Client);
        var hosts = new List<(QaClient Client, QaLabHost Host)>();
        foreach (var c in clients)
        {
            var ns = plan.ClientNamespaces[c.Name];
            var vhNs = plan.VirtHostNamespaces[c.VirtHost];
            var peer = "c" + (port++).ToString(CultureInfo.InvariantCulture);
            var lab = State.Networks.Find(n => n.Name == c.Network)!;
            await CreateNamespaceAsync(ns, ct).ConfigureAwait(false);
            await Sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1", ct).ConfigureAwait(false);
            await Ip(ct, "-n", ns, "link", "add", "eth0", "address", c.MacAddress, "type", "veth", "peer", "name", peer, "netns", vhNs).ConfigureAwait(false);
            await Ip(ct, "-n", vhNs, "link", "set", peer, "master", lab.Bridges[c.VirtHost]).ConfigureAwait(false);
            await Ip(ct, "-n", vhNs, "link", "set", peer, "up").ConfigureAwait(false);
            await Ip(ct, "-n", ns, "link", "set", "eth0", "up").ConfigureAwait(false);
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

    /// <summary>Management hosts reach a client through its virthost (Nat) or the gateway / LAN router leg on that virthost.</summary>
    private async Task RouteToClientAsync(QaLabPlan plan, QaClient c, Dictionary<(string, string), Leg> legs, CancellationToken ct)
    {
        var router = plan.RouterNamespace;
        var address = c.Address + "/32";
        if (c.NetworkObject.Mode == QaNetworkMode.Nat)
        {
            // A spanning network is routed by its serving virthost, wherever the client runs.
            var routing = plan.VirtHostNamespaces[c.NetworkObject.ServingVirtHost ?? c.VirtHost];
            await Ip(ct, "-n", router, "route", "replace", address, "via", plan.Links[routing].PeerAddress.ToString()).ConfigureAwait(false);
            return;
        }

        var leg = legs[(c.Network, c.VirtHost)];
        await Ip(ct, "-n", leg.Namespace, "route", "replace", address, "dev", leg.Interface, "src", leg.Address.ToString()).ConfigureAwait(false);
        if (leg.Namespace != router)
        {
            await Ip(ct, "-n", router, "route", "replace", address, "via", plan.Links[leg.Namespace].PeerAddress.ToString()).ConfigureAwait(false);
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

            var moved = host.VirtHost != c.VirtHost || !host.Addresses.Contains(c.Address.ToString(), StringComparer.Ordinal);
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
        var lab = State.Networks.Find(n => n.Name == c.Network)!;
        await Ip(ct, "-n", ns, "link", "delete", "eth0").ConfigureAwait(false);
        await Ip(ct, "-n", ns, "link", "add", "eth0", "address", c.MacAddress, "type", "veth", "peer", "name", peer, "netns", vhNs).ConfigureAwait(false);
        await Ip(ct, "-n", vhNs, "link", "set", peer, "master", lab.Bridges[c.VirtHost]).ConfigureAwait(false);
        await Ip(ct, "-n", vhNs, "link", "set", peer, "up").ConfigureAwait(false);
        await Ip(ct, "-n", ns, "link", "set", "eth0", "up").ConfigureAwait(false);
        var host = old with { VirtHost = c.VirtHost, Addresses = new List<string>(), AddressSource = null };
        State.Hosts[State.Hosts.IndexOf(old)] = host;
        await RouteToClientAsync(plan, c, legs, ct).ConfigureAwait(false);
        await SaveAsync().ConfigureAwait(false);
        await AddressClientAsync(c, host, legs, ct).ConfigureAwait(false);
        if (!old.Addresses.Contains(c.Address.ToString(), StringComparer.Ordinal))
        {
            // TCP listeners take any address; UDP ones are bound to one and need the new address.
            await ListenAsync(ns, host.Addresses, plan.ListenPorts.Where(p => p.Protocol == QaProtocol.Udp).ToList(), ct).ConfigureAwait(false);
        }

        await SaveAsync().ConfigureAwait(false);
    }

    private async Task AddressClientAsync(QaClient c, QaLabHost host, Dictionary<(string, string), Leg> legs, CancellationToken ct)
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

    /// <summary>
    /// The policy to every lab host at once through <see cref="PolicyPublisher"/> (stale networks
    /// removed, the policy named in each host's record), as Publish-QaNetwork does it. Two things
    /// differ: no host preflight (the lab's hosts run this machine's programs, checked when the lab
    /// starts) and no management-path refusal (the lab replays any policy, one that locks the
    /// bastion out too; Publish-QaNetwork still refuses it without -Force).
    /// </summary>
    private async Task<IReadOnlyList<QaPublishResult>> PublishAllAsync(QaPolicy policy, CancellationToken ct)
    {
        var publisher = new PolicyPublisher(policy, _log, Transports())
        {
            LocalRunner = _runner,
            RenderOptions = new QaRenderOptions { Now = _options.Now },
        };
        var artifacts = publisher.Render();
        var results = await publisher.PublishHostsAsync(artifacts, new PublishOptions { Preflight = false, Force = true },
            throttleLimit: Math.Max(1, artifacts.Count), cancellationToken: ct).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        var failed = results.Where(r => r.Outcome is not (QaPublishOutcome.Applied or QaPublishOutcome.Unchanged)).ToList();
        if (failed.Count > 0)
        {
            throw new QaLabException(QaLabErrorIds.LabPublishFailed, "Publishing into the lab failed: " +
                string.Join("; ", failed.Select(r => $"{r.VirtHost}: {r.Outcome} {r.Error?.Message} {r.Error?.Detail}".Trim())));
        }

        foreach (var r in results)
        {
            _log.Verbose(null, $"Published to {r.VirtHost}: {r.Outcome} ({r.Changes.Count} changes)");
        }

        return results;
    }

    private async Task CreateNamespaceAsync(string ns, CancellationToken ct)
    {
        State.Namespaces.Add(ns);
        await SaveAsync().ConfigureAwait(false);
        await Namespaces.CreateAsync(ns, Prefix, _runner, ct).ConfigureAwait(false);

        // Lab paths are symmetric, but a stray reverse-path check must not drop a probe.
        await Sysctl(ns, "net.ipv4.conf.all.rp_filter=0", ct).ConfigureAwait(false);
        await Sysctl(ns, "net.ipv4.conf.default.rp_filter=0", ct).ConfigureAwait(false);
    }

    /// <summary>A veth from the router to <paramref name="link"/>'s peer; the peer's default route points at the router.</summary>
    private async Task LinkAsync(string router, QaLabLink link, CancellationToken ct)
    {
        await Ip(ct, "-n", router, "link", "add", link.RouterInterface, "type", "veth", "peer", "name", link.PeerInterface, "netns", link.Peer).ConfigureAwait(false);
        await Ip(ct, "-n", router, "addr", "add", link.RouterAddress + "/30", "dev", link.RouterInterface).ConfigureAwait(false);
        await Ip(ct, "-n", link.Peer, "addr", "add", link.PeerAddress + "/30", "dev", link.PeerInterface).ConfigureAwait(false);
        await Ip(ct, "-n", router, "link", "set", link.RouterInterface, "up").ConfigureAwait(false);
        await Ip(ct, "-n", link.Peer, "link", "set", link.PeerInterface, "up").ConfigureAwait(false);
        await Ip(ct, "-n", link.Peer, "route", "replace", "default", "via", link.RouterAddress.ToString()).ConfigureAwait(false);
    }

    /// <summary>
    /// One socat per TCP port on all addresses; one per UDP port and address, because a datagram
    /// socket bound to any address answers from the outgoing interface's address, which the
    /// prober's conntrack would not take for the echo.
    /// </summary>
    private async Task ListenAsync(string ns, IReadOnlyList<string> addresses, IReadOnlyList<QaPortRange> ports, CancellationToken ct)
    {
        var expected = 0;

        // Where an sshd holds 22/tcp on the management address, a listener on all addresses could not bind.
        var tcpPerAddress = State.Sshd.Exists(d => d.Namespace == ns);
        foreach (var kind in new[] { QaProtocol.Tcp, QaProtocol.Udp })
        {
            var numbers = ports.Where(p => p.Protocol == kind).Select(p => p.From.ToString(CultureInfo.InvariantCulture));
            var list = kind == QaProtocol.Tcp && !tcpPerAddress ? numbers.ToList() : numbers.SelectMany(p => addresses.Select(a => p + ",bind=" + a)).ToList();
            expected += list.Count;
            if (list.Count == 0)
            {
                continue;
            }

            foreach (var port in list)
            {
                // start-stop-daemon detaches socat (standard streams on /dev/null) and writes its PID
                // to a file: an argument vector, no shell.
                var pidFile = Path.Combine(State.Directory, $"listen-{ns}-{kind.ToString().ToLowerInvariant()}-{port.Replace(',', '-').Replace('=', '-')}.pid");
                var address = kind == QaProtocol.Tcp ? $"TCP4-LISTEN:{port},fork,reuseaddr" : $"UDP4-RECVFROM:{port},fork";
                await Must(CommandSpec.Of("ip", "netns", "exec", ns, "start-stop-daemon", "--start", "--background", "--make-pidfile",
                    "--pidfile", pidFile, "--exec", SocatProgram, "--", address, "PIPE"), ct).ConfigureAwait(false);
                State.Processes.Add(new QaLabProcess(ns, await ReadPidAsync(pidFile, ct).ConfigureAwait(false), "socat " + kind.ToString().ToLowerInvariant()));
                File.Delete(pidFile);
            }
        }

        await SaveAsync().ConfigureAwait(false);

        // Bounded wait until every port listens, so the first probe does not meet a missing listener.
        for (var i = 0; i < 50; i++)
        {
            var r = await _runner.RunAsync(CommandSpec.Of("ip", "netns", "exec", ns, "ss", "-H", "-l", "-n", "-t", "-u", "-4"), ct).ConfigureAwait(false);
            if (r.Succeeded && r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= expected)
            {
                return;
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        State.Warnings.Add($"Not every listener in {ns} was up after 5 s.");
    }

    /// <summary>The PID start-stop-daemon wrote, waiting a bounded moment for the file.</summary>
    private static async Task<int> ReadPidAsync(string pidFile, CancellationToken ct)
    {
        for (var i = 0; i < 50; i++)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1)
            {
                return pid;
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        throw new QaHostException(QaErrorIds.HostCommandFailed, $"lab: start-stop-daemon wrote no PID to {pidFile} within a second.");
    }

    private Task<string> Sysctl(string ns, string setting, CancellationToken ct) =>
        Must(CommandSpec.Of("ip", "netns", "exec", ns, "sysctl", "-q", "-w", setting), ct);

    private Task<string> Ip(CancellationToken ct, params string[] args) => Must(new CommandSpec("ip", args), ct);

    private async Task<string> Must(CommandSpec spec, CancellationToken ct)
    {
        var r = await _runner.RunAsync(spec with { Timeout = StepTimeout }, ct).ConfigureAwait(false);
        return r.Succeeded ? r.Stdout : throw QaHostException.Failed("lab " + Prefix, spec, r);
    }

    private Task SaveAsync()
    {
        lock (_save)
        {
            // Written whole and renamed, so another process never reads half a state.
            var tmp = StateFile + ".tmp";
            File.WriteAllText(tmp, State.ToJson());
            File.Move(tmp, StateFile, overwrite: true);
        }

        return Task.CompletedTask;
    }

    private static void KillIf(int pid, string program)
    {
        try
        {
            // PIDs come from our own state file; check the program so a recycled PID is never killed.
            var comm = File.ReadAllText($"/proc/{pid}/comm").Trim();
            if (comm == program)
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                p.Kill();
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Gone already.
        }
    }
}
