using System.Net.Sockets;
using System.Xml.Linq;
using QaNet.Core.Diagnostics;
using QaNet.Core.Engine;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Libvirt;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>
/// A whole policy published host by host: what the cmdlets (and the lab) call. It renders each
/// host's artifacts (<see cref="HostArtifactBuilder"/>), reaches each host by its transport (the
/// overrides given here, else the policy's <c>transports:</c>, else local), adds the removal of
/// networks QaNet published for this policy earlier and the policy no longer has, guards the
/// management path, and runs <see cref="QaPublisher"/>.
/// </summary>
public sealed class PolicyPublisher
{
    private const int SshPort = 22;
    private readonly ResolvedPolicy _resolved;
    private readonly QaPublisher _publisher;
    private readonly Dictionary<string, QaHostTransport> _overrides = new(StringComparer.Ordinal);

    public PolicyPublisher(QaPolicy policy, IQaLog? log = null, IEnumerable<QaHostTransport>? transports = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Policy = policy;
        _resolved = ResolvedPolicy.Create(policy);
        _publisher = new QaPublisher(log);
        foreach (var t in transports ?? Array.Empty<QaHostTransport>())
        {
            _overrides[t.Host] = t;
        }
    }

    public QaPolicy Policy { get; }

    /// <summary>Pins the renderers' clock (rule expiry); null for now.</summary>
    public QaRenderOptions? RenderOptions { get; init; }

    /// <summary>The runner under every target (tests wrap a recorder around the real one); null for real processes.</summary>
    public ICommandRunner? LocalRunner { get; init; }

    /// <summary>Every host the policy publishes to: the virthosts of its networks and the gateways of its Gateway networks.</summary>
    public IReadOnlyList<string> Hosts => _resolved.Topology.Hosts;

    /// <summary>The hosts that enforce <paramref name="networks"/> (virthosts, and the gateway of a Gateway network).</summary>
    public IReadOnlyList<string> HostsOf(IEnumerable<string> networks)
    {
        var wanted = networks.ToHashSet(StringComparer.Ordinal);
        return HostTopology.HostsOf(Policy.Networks.Where(n => wanted.Contains(n.Name)));
    }

    /// <summary>The override given to this publisher, else the policy's transport, else local.</summary>
    public QaHostTransport TransportFor(string host) =>
        _overrides.GetValueOrDefault(host) ?? Policy.Transports.GetValueOrDefault(host) ?? QaHostTransport.Local(host);

    /// <summary>
    /// Refuses (SharedHostTarget) when two or more of <paramref name="hosts"/> would be reached on
    /// the same target: most often a policy without <c>transports:</c>, where every host is this
    /// machine. Each host's <c>table inet qanet</c>, chains and publish record would replace the
    /// other's there, so no host is worked on; nothing has run when it throws.
    /// </summary>
    public void RefuseSharedTargets(IEnumerable<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var shared = hosts.Distinct(StringComparer.Ordinal).GroupBy(h => TransportFor(h).ToTarget()).Where(g => g.Count() > 1).ToList();
        if (shared.Count == 0)
        {
            return;
        }

        throw new QaValidationException(shared.Select(g =>
        {
            var names = g.ToList();
            var implicitLocal = g.Key is LocalTarget && names.All(h => !_overrides.ContainsKey(h) && !Policy.Transports.ContainsKey(h));
            var where = implicitLocal ? "this machine (none of them has a transport, so each would be published locally)" : $"the same target ({g.Key})";
            return new QaValidationError(QaErrorIds.SharedHostTarget, $"host '{names[0]}'", "transports",
                $"Hosts {string.Join(", ", names.Select(n => $"'{n}'"))} would all be reached on {where}; each would replace the others' rules there.",
                $"Pick one with -VirtHost {names[0]}, or say how each is reached: -Transport @{{ '{names[1]}' = 'ssh:root@{names[1]}' }}, " +
                "or transports: in the policy file (docs/publishing.md).");
        }).ToList());
    }

    public PublishHost HostFor(string host)
    {
        var t = TransportFor(host);
        return PublishHost.For(host, t.ToTarget(), t.LibvirtUri, LocalRunner, t.LibvirtConfigDirectory);
    }

    /// <summary>
    /// Each host's artifacts. With <paramref name="networks"/>, only the hosts that enforce them and
    /// only those libvirt networks; a host's nft table and ebtables chains are host-wide and always whole.
    /// </summary>
    public IReadOnlyList<HostArtifacts> Render(IEnumerable<string>? hosts = null, IEnumerable<string>? networks = null)
    {
        var networkSet = networks?.ToHashSet(StringComparer.Ordinal);
        var hostSet = hosts?.ToHashSet(StringComparer.Ordinal);
        if (networkSet is not null)
        {
            var enforcing = HostsOf(networkSet);
            hostSet = hostSet is null ? enforcing.ToHashSet(StringComparer.Ordinal) : hostSet.Intersect(enforcing, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        }

        return HostArtifactBuilder.Build(_resolved, RenderOptions, hostSet)
            .Select(a => networkSet is null ? a : a with { Networks = a.Networks.Where(n => networkSet.Contains(n.Name)).ToList() })
            .ToList();
    }

    /// <summary>
    /// Adds, as networks that must not exist, the libvirt networks on the host whose QaNet metadata
    /// says this policy published them there and that the policy no longer has. Reads only.
    /// </summary>
    public async Task<HostArtifacts> WithRemovedNetworksAsync(HostArtifacts artifacts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        if (!_resolved.Topology.IsVirtHost(artifacts.VirtHost))
        {
            return artifacts;
        }

        var host = HostFor(artifacts.VirtHost);
        var session = new HostSession(host, NullQaLog.Instance, cancellationToken);
        var list = await session.RequireAsync(session.Virsh("net-list", "--all", "--name")).ConfigureAwait(false);
        var known = artifacts.Networks.Select(n => n.Name).Concat(Policy.Networks.Select(n => n.Name)).ToHashSet(StringComparer.Ordinal);
        var removed = new List<LibvirtNetworkArtifact>();
        foreach (var name in list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (known.Contains(name) || !Names.IsValid(name))
            {
                continue;
            }

            var xml = await session.RunAsync(session.Virsh("net-dumpxml", "--inactive", name)).ConfigureAwait(false);
            if (xml.Succeeded && IsOurs(xml.Stdout, artifacts.VirtHost))
            {
                removed.Add(new LibvirtNetworkArtifact(name, null));
            }
        }

        return removed.Count == 0 ? artifacts : artifacts with { Networks = artifacts.Networks.Concat(removed).ToList() };
    }

    /// <summary>Publishes one host's artifacts (plus the removal of its stale networks) through its transport.</summary>
    public async Task<QaPublishResult> PublishAsync(HostArtifacts artifacts, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        options ??= new PublishOptions();
        if (options.ManagementPathCheck is null)
        {
            options = options with { ManagementPathCheck = CheckManagementPath };
        }

        options = options.PolicyName is null ? options with { PolicyName = Policy.Name } : options;

        // The preflight runs inside QaPublisher, after its fast Unchanged path (a host that carries
        // this publish needs no checks to stay as it is) and before the lock; and here, when the
        // first read of the host fails, so a host without libvirt says so instead of "net-list failed".
        Func<CancellationToken, Task<QaPublishResult?>>? preflight = options.Preflight ? ct => PreflightAsync(artifacts, ct) : null;
        options = options with { PreflightCheck = preflight };
        HostArtifacts full;
        try
        {
            full = await WithRemovedNetworksAsync(artifacts, cancellationToken).ConfigureAwait(false);
        }
        catch (QaHostException ex)
        {
            // An unreachable or silent host is not asked twice (each ssh attempt waits out its timeout).
            var reachable = ex.ErrorId is not (QaErrorIds.HostUnreachable or QaErrorIds.HostCommandTimedOut);
            return (preflight is null || !reachable ? null : await preflight(cancellationToken).ConfigureAwait(false)) ?? new QaPublishResult
            {
                VirtHost = artifacts.VirtHost,
                Outcome = QaPublishOutcome.Failed,
                Error = QaPublisher.FromException(ex, "Read"),
            };
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            return HostFanOut.NotAttempted(artifacts.VirtHost, QaPublisher.Stopped(artifacts.VirtHost, "Read", ex));
        }

        return await _publisher.PublishAsync(HostFor(artifacts.VirtHost), full, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The preflight of one publish: null when the host passes, else the refusing result (VirtHostPrerequisiteMissing, the host's error, or NotAttempted on a stop).</summary>
    private async Task<QaPublishResult?> PreflightAsync(HostArtifacts artifacts, CancellationToken cancellationToken)
    {
        IReadOnlyList<QaVirtHostCheck> checks;
        try
        {
            checks = await CheckAsync(artifacts, all: false, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            return HostFanOut.NotAttempted(artifacts.VirtHost, QaPublisher.Stopped(artifacts.VirtHost, "Preflight", ex));
        }
        catch (QaHostException ex)
        {
            return new QaPublishResult
            {
                VirtHost = artifacts.VirtHost,
                Outcome = QaPublishOutcome.Failed,
                Error = QaPublisher.FromException(ex, "Preflight"),
            };
        }

        var failed = checks.Where(c => c.Status == QaCheckStatus.Fail).ToList();
        return failed.Count == 0 ? null : new QaPublishResult
        {
            VirtHost = artifacts.VirtHost,
            Outcome = QaPublishOutcome.Failed,
            Preflight = checks,
            Error = new QaPublishError(QaErrorIds.VirtHostPrerequisiteMissing,
                $"{artifacts.VirtHost} lacks what this publish needs; nothing was changed. {VirtHostChecks.Describe(failed)} (Test-QaVirtHost -VirtHost {artifacts.VirtHost} shows every check.)")
            { Step = "Preflight" },
        };
    }

    /// <summary>
    /// The host preflight for one host's artifacts, through its transport (reads only): with
    /// <paramref name="all"/> every check, else those the artifacts need (what a publish runs).
    /// </summary>
    public Task<IReadOnlyList<QaVirtHostCheck>> CheckAsync(HostArtifacts artifacts, bool all = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        return VirtHostChecks.RunAsync(HostFor(artifacts.VirtHost), VirtHostNeeds.Of(artifacts), all, cancellationToken);
    }

    /// <summary>Every check on a host no rendering describes (no policy): all needs assumed.</summary>
    public Task<IReadOnlyList<QaVirtHostCheck>> CheckHostAsync(string host, CancellationToken cancellationToken = default) =>
        VirtHostChecks.RunAsync(HostFor(host), VirtHostNeeds.Everything, all: true, cancellationToken);

    /// <summary>Drift of one host: what QaNet owns there against the rendering (stale networks included). Reads only.</summary>
    public async Task<IReadOnlyList<QaDriftItem>> TestAsync(HostArtifacts artifacts, CancellationToken cancellationToken = default)
    {
        var full = await WithRemovedNetworksAsync(artifacts, cancellationToken).ConfigureAwait(false);
        return await _publisher.TestAsync(HostFor(artifacts.VirtHost), full, cancellationToken).ConfigureAwait(false);
    }

    public Task<QaPublishResult> ConfirmAsync(string host, PublishOptions? options = null, CancellationToken cancellationToken = default) =>
        _publisher.ConfirmAsync(HostFor(host), options, cancellationToken);

    public Task<QaPublishResult> UndoAsync(string host, PublishOptions? options = null, CancellationToken cancellationToken = default) =>
        _publisher.UndoAsync(HostFor(host), options, cancellationToken);

    /// <summary>
    /// Publishes to many hosts at once, at most <paramref name="throttleLimit"/> at a time, under one
    /// publish id (<see cref="PublishOptions.PublishId"/>). One result per host, in the order of
    /// <paramref name="artifacts"/>; each host is atomic on its own. With
    /// <paramref name="stopOnFirstFailure"/>, once a host fails or rolls back no further host is
    /// started (those are <see cref="QaPublishOutcome.NotAttempted"/>); hosts already running finish.
    /// A stop (<paramref name="cancellationToken"/>) starts no further host, stops running hosts that
    /// have not begun to apply (NotAttempted, nothing changed) and lets those applying finish.
    /// </summary>
    public Task<IReadOnlyList<QaPublishResult>> PublishHostsAsync(IReadOnlyList<HostArtifacts> artifacts, PublishOptions? options = null,
        int throttleLimit = 5, bool stopOnFirstFailure = false, Action<QaPublishResult>? completed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        options ??= new PublishOptions();
        options = options with { PublishId = options.PublishId ?? QaPublisher.NewId() };
        var byHost = artifacts.ToDictionary(a => a.VirtHost, StringComparer.Ordinal);
        return HostFanOut.RunAsync(artifacts.Select(a => a.VirtHost).ToList(),
            (host, ct) => Guarded(host, () => PublishAsync(byHost[host], options, ct)),
            HostFanOut.NotAttempted, throttleLimit, stopOnFirstFailure ? HostFanOut.IsFailure : null,
            completed is null ? null : (_, r) => completed(r), HostFanOut.Broke, cancellationToken);
    }

    /// <summary>Confirms the pending publish on every host given, in parallel; one result per host, in order.</summary>
    public Task<IReadOnlyList<QaPublishResult>> ConfirmHostsAsync(IReadOnlyList<string> hosts, PublishOptions? options = null, int throttleLimit = 5,
        Action<QaPublishResult>? completed = null, CancellationToken cancellationToken = default) =>
        HostFanOut.RunAsync(hosts, (host, ct) => Guarded(host, () => ConfirmAsync(host, options, ct)), HostFanOut.NotAttempted, throttleLimit,
            null, completed is null ? null : (_, r) => completed(r), HostFanOut.Broke, cancellationToken);

    /// <summary>Undoes the pending publish on every host given, in parallel; one result per host, in order.</summary>
    public Task<IReadOnlyList<QaPublishResult>> UndoHostsAsync(IReadOnlyList<string> hosts, PublishOptions? options = null, int throttleLimit = 5,
        Action<QaPublishResult>? completed = null, CancellationToken cancellationToken = default) =>
        HostFanOut.RunAsync(hosts, (host, ct) => Guarded(host, () => UndoAsync(host, options, ct)), HostFanOut.NotAttempted, throttleLimit,
            null, completed is null ? null : (_, r) => completed(r), HostFanOut.Broke, cancellationToken);

    /// <summary>Where one host stands (drift, pending publish, the record it carries). Reads only.</summary>
    public async Task<QaHostStatus> StatusAsync(HostArtifacts artifacts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        try
        {
            var full = await WithRemovedNetworksAsync(artifacts, cancellationToken).ConfigureAwait(false);
            return await _publisher.StatusAsync(HostFor(artifacts.VirtHost), full, cancellationToken).ConfigureAwait(false);
        }
        catch (QaHostException ex)
        {
            return new QaHostStatus { VirtHost = artifacts.VirtHost, Digest = QaPublishRecord.DigestOf(artifacts), Error = QaPublisher.FromException(ex, "Read") };
        }
    }

    /// <summary>Every host's status, in parallel (reads only); one per host, in order.</summary>
    public Task<IReadOnlyList<QaHostStatus>> StatusHostsAsync(IReadOnlyList<HostArtifacts> artifacts, int throttleLimit = 5,
        Action<QaHostStatus>? completed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        var byHost = artifacts.ToDictionary(a => a.VirtHost, StringComparer.Ordinal);
        return HostFanOut.RunAsync(artifacts.Select(a => a.VirtHost).ToList(),
            async (host, ct) =>
            {
                try
                {
                    return await StatusAsync(byHost[host], ct).ConfigureAwait(false);
                }
                catch (QaValidationException ex)
                {
                    return new QaHostStatus { VirtHost = host, Error = new QaPublishError(ex.ErrorId, ex.Message) { Exception = ex } };
                }
            },
            (host, why) => new QaHostStatus { VirtHost = host, Error = why }, throttleLimit, null,
            completed is null ? null : (_, r) => completed(r), cancellationToken: cancellationToken);
    }

    /// <summary>A host whose name or artifacts are invalid fails on its own (InvalidName, InvalidArtifact), not the whole call.</summary>
    private static async Task<QaPublishResult> Guarded(string host, Func<Task<QaPublishResult>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (QaValidationException ex)
        {
            return new QaPublishResult { VirtHost = host, Outcome = QaPublishOutcome.Failed, Error = new QaPublishError(ex.ErrorId, ex.Message) { Step = "Plan", Exception = ex } };
        }
    }

    /// <summary>
    /// The management-path guard: a network with clients, enforced on the plan's host, must leave
    /// some endpoint (the bastion, a management host) able to open ssh (22/tcp) to one of its
    /// clients, as the rule engine decides. Returns why not, or null.
    /// </summary>
    public string? CheckManagementPath(QaPublishPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var networks = Policy.Networks
            .Where(n => n.Clients.Count > 0 && (n.VirtHosts.Contains(plan.VirtHost, StringComparer.Ordinal) || n.Gateway == plan.VirtHost))
            .ToList();
        if (networks.Count == 0)
        {
            return null;
        }

        var engine = QaRuleEngine.Compile(_resolved, (RenderOptions ?? new QaRenderOptions()).NowOrClock);
        var sources = Policy.Endpoints.SelectMany(e => _resolved.EndpointAddresses(e.Name)).Select(a => a.BaseAddress).Distinct().ToList();
        var cut = networks.Where(n => !n.Clients.Any(c => sources.Any(s =>
                s.AddressFamily == AddressFamily.InterNetwork && engine.Decide(s, c.Address, QaProtocol.Tcp, SshPort).Allowed)))
            .Select(n => n.Name)
            .ToList();
        return cut.Count == 0 ? null
            : $"no endpoint may open ssh (22/tcp) to any client of {string.Join(", ", cut)}; the bastion would lose its way in. Grant it with Grant-QaIngress -From bastion -Port 22/tcp.";
    }

    private bool IsOurs(string xml, string virtHost)
    {
        if (!LibvirtXml.TryParse(xml, out var root, out _))
        {
            return false;
        }

        XNamespace qanet = LibvirtNetworkWriter.MetadataNamespace;
        var mark = root!.Element("metadata")?.Element(qanet + "network");
        return mark is not null
            && string.Equals((string?)mark.Attribute("policy"), Policy.Name, StringComparison.Ordinal)
            && ((string?)mark.Attribute("virthost") is not { } vh || string.Equals(vh, virtHost, StringComparison.Ordinal));
    }
}
