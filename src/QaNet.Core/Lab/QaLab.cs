using QaNet.Core.Checking;
using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;
using Newtonsoft.Json;

namespace QaNet.Core.Lab;

/// <summary>
/// A replica of a policy's hosts out of network namespaces on this machine (docs/lab.md): a
/// router standing for the lab's internet, one namespace per virthost with its own libvirtd and
/// QaNet's artifacts published into it through <see cref="PolicyPublisher"/>, one per client plugged
/// into its virthost's bridge with its MAC and leasing its reserved address, gateway endpoints,
/// and segments where every endpoint address exists and every probed port listens. Nothing is
/// linked to the root namespace. State lives in <c>/run/qanet-lab/&lt;prefix&gt;/state.json</c>
/// so another process can probe or stop the lab.
/// </summary>
/// <remarks>
/// This file is the entry (finding, listing and starting a lab) and what every part shares; the
/// work lives by concern in QaLab.Topology.cs (namespaces, router links, addresses, bridges),
/// QaLab.Daemons.cs (libvirtd, sshd), QaLab.Clients.cs (plug, unplug, re-plug, leases),
/// QaLab.Listeners.cs (the probed ports), QaLab.Publishing.cs (publish, follow) and
/// QaLab.Teardown.cs (stop).
/// </remarks>
public sealed partial class QaLab
{
    /// <summary>The operator's lab host (not a QaNet name, so no endpoint of a policy can take it).</summary>
    public const string OperatorHostName = "(operator)";

    private const string StateFileName = "state.json";

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
    [JsonIgnore]
    public QaLabHostAccess HostAccess => State.HostAccess;

    /// <summary>The software stack the lab's virthosts run.</summary>
    [JsonIgnore]
    public QaVirtHostProfile VirtHostProfile => State.VirtHostProfile;

    [JsonIgnore]
    public IReadOnlyList<QaLabHost> Hosts => State.Hosts;

    [JsonIgnore]
    public IReadOnlyList<QaLabNetwork> Networks => State.Networks;

    public string StateFile => StateFileIn(State.Directory);

    public static string DirectoryFor(string prefix, QaLabOptions? options = null) =>
        Path.Combine((options ?? new QaLabOptions()).RootDirectory, prefix);

    /// <summary>The lab with this prefix, or null when none runs.</summary>
    public static QaLab? Get(string prefix = Namespaces.DefaultPrefix, QaLabOptions? options = null)
    {
        QaLabPlan.CheckPrefix(prefix);
        options ??= new QaLabOptions();
        var file = StateFileIn(DirectoryFor(prefix, options));
        return File.Exists(file) ? Load(file, options) : null;
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
            .Where(d => File.Exists(StateFileIn(d)))
            .Order(StringComparer.Ordinal)
            .Select(d => Load(StateFileIn(d), options))
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
        if (File.Exists(StateFileIn(dir)))
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

        if (VirtHostRootfs.NeedsRoot(options.VirtHostProfile))
        {
            await VirtHostRootfs.EnsureAsync(options.VirtHostProfile, options.Runner ?? ProcessRunner.Instance, options.Log ?? NullQaLog.Instance, cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(dir);
        var lab = new QaLab(new QaLabState { Prefix = prefix, Policy = policy.Name, Directory = dir, StartedAt = DateTimeOffset.UtcNow, HostAccess = options.HostAccess, VirtHostProfile = options.VirtHostProfile }, options);
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
    /// The build, in order: the topology, the daemons, the policy published, the legs onto the
    /// client networks, the clients, then the listeners of the segments and gateways.
    /// </summary>
    private async Task BuildAsync(QaLabPlan plan, CancellationToken ct)
    {
        var policy = plan.Policy;
        State.Warnings.AddRange(plan.Warnings);
        State.ListenPorts.AddRange(plan.ListenPorts.Select(p => p.ToString()));
        foreach (var (name, addresses) in plan.EndpointAddresses)
        {
            State.EndpointAddresses[name] = addresses.Select(a => a.ToString()).ToList();
        }

        await BuildTopologyAsync(plan, ct).ConfigureAwait(false);
        await StartLibvirtdAsync(plan, ct).ConfigureAwait(false);
        if (plan.HostAccess == QaLabHostAccess.Ssh)
        {
            await StartSshAsync(plan, ct).ConfigureAwait(false);
        }

        _log.Verbose(null, "Publishing the policy to the lab's virthosts and gateways");
        await PublishAllAsync(policy, ct).ConfigureAwait(false);

        var legs = await AttachmentsAsync(policy, plan, create: true, ct).ConfigureAwait(false);
        await SaveAsync().ConfigureAwait(false);

        await WriteDhcpScriptAsync(ct).ConfigureAwait(false);
        await AddClientsAsync(plan, policy.Clients.ToList(), legs, ct).ConfigureAwait(false);

        await ListenInServiceHostsAsync(plan, ct).ConfigureAwait(false);
    }

    private static string StateFileIn(string directory) => Path.Combine(directory, StateFileName);

    private static QaLab Load(string stateFile, QaLabOptions options) =>
        new(QaLabState.FromJson(File.ReadAllText(stateFile)), options);

    private Task<string> Sysctl(string ns, string setting, CancellationToken ct) =>
        Must(CommandSpec.Of("ip", "netns", "exec", ns, "sysctl", "-q", "-w", setting), ct);

    private Task<string> Ip(CancellationToken ct, params string[] args) => Must(new CommandSpec("ip", args), ct);

    private async Task<string> Must(CommandSpec spec, CancellationToken ct) =>
        (await Namespaces.Require(_runner, spec, StepTimeout, "lab " + Prefix, ct).ConfigureAwait(false)).Stdout;

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
}
