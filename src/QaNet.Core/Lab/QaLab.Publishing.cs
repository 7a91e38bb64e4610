using QaNet.Core.Checking;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Render;
using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

/// <summary>Publishing into a lab: the transports to its hosts, the publish itself and the lab following the policy.</summary>
public sealed partial class QaLab
{
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
            ? State.Libvirtd.Select(l => QaHostTransport.Ssh(l.VirtHost, configFile: State.SshConfigFile, libvirtUri: l.Uri, clientNamespace: State.OperatorNamespace) with { LibvirtConfigDirectory = LibvirtdInstance.ConfigDirectoryOf(l.Directory) })
                .Concat(gateways.Select(h => QaHostTransport.Ssh(h.Name, configFile: State.SshConfigFile, clientNamespace: State.OperatorNamespace)))
                .ToList()
            : State.Libvirtd.Select(l => QaHostTransport.InNamespace(l.VirtHost, l.Namespace, l.Uri) with { LibvirtConfigDirectory = LibvirtdInstance.ConfigDirectoryOf(l.Directory) })
                .Concat(gateways.Select(h => QaHostTransport.InNamespace(h.Name, h.Namespace)))
                .ToList();
    }

    /// <summary>The publish target for a virthost (its libvirtd) or a gateway endpoint, through its transport (<see cref="Transports"/>).</summary>
    public PublishHost PublishHost(string host)
    {
        if (Transports().FirstOrDefault(t => t.Host == host) is { } t)
        {
            return Publish.PublishHost.For(host, t.ToTarget(), t.LibvirtUri, _runner, t.LibvirtConfigDirectory);
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

    /// <summary>
    /// A lifecycle event of a client VM: stopped and started on the same virthost. Its interface
    /// goes away and comes back as a new port on the bridge (a new tap, as libvirt gives a started
    /// domain) with the same MAC, and it leases its address again. No virthost's rules change.
    /// </summary>
    internal async Task RestartClientAsync(QaPolicy policy, string client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var c = policy.FindClient(client);
        var host = State.Hosts.Find(h => h.Kind == QaLabHostKind.Client && h.Name == client);
        if (c is null || host is null || host.VirtHost != c.VirtHost)
        {
            throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"'{client}' is not a client lab '{Prefix}' runs on its policy's virthost.");
        }

        var plan = QaLabPlan.Create(policy, Prefix);
        var legs = await AttachmentsAsync(policy, plan, create: false, cancellationToken).ConfigureAwait(false);
        await ReplugClientAsync(plan, c, host, legs, cancellationToken).ConfigureAwait(false);
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
}
