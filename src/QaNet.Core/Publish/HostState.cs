using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>A libvirt network as the host has it.</summary>
internal sealed record NetworkState(string InactiveXml, string? LiveXml, bool Active, bool Autostart);

/// <summary>
/// What QaNet owns on a host at one moment: the snapshot taken before a publish, and the state
/// re-read after it. Only the mechanisms the artifacts list are read.
/// </summary>
internal sealed class HostState
{
    /// <summary>nft listing by table key ("inet qanet"); null when the table does not exist.</summary>
    public Dictionary<string, string?> Nft { get; } = new(StringComparer.Ordinal);

    /// <summary>The whole ebtables-save output; null when ebtables is not managed.</summary>
    public string? Ebtables { get; set; }

    /// <summary>Network state by name; null when the network is not defined.</summary>
    public Dictionary<string, NetworkState?> Networks { get; } = new(StringComparer.Ordinal);

    /// <summary>QaNet's VXLAN devices and the uplink NICs, by name; null when the device does not exist.</summary>
    public Dictionary<string, LinkState?> Uplinks { get; } = new(StringComparer.Ordinal);

    /// <summary>The boot copy's files by path under libvirt's configuration folder (<see cref="BootCopy"/>); null when not read.</summary>
    public Dictionary<string, string>? Boot { get; set; }

    public static Task<HostState> ReadAsync(HostSession s, HostArtifacts artifacts) => ReadAsync(s, artifacts, null, null);

    /// <summary>
    /// The state after <paramref name="steps"/> were applied onto <paramref name="snapshot"/>: what
    /// they changed is read again, the rest is taken from the snapshot — it was read under the same
    /// lock moments ago and the plan found it equal to the artifacts, so no command touched it. A
    /// network changed other than by reservations gets a new bridge, so the uplinks are read again then.
    /// </summary>
    public static Task<HostState> ReadChangedAsync(HostSession s, HostArtifacts artifacts, HostState snapshot, IEnumerable<PublishStep> steps) =>
        ReadAsync(s, artifacts, snapshot, ReadScope.Of(steps.SelectMany(x => x.Changes)));

    private static async Task<HostState> ReadAsync(HostSession s, HostArtifacts artifacts, HostState? snapshot, ReadScope? scope)
    {
        var state = new HostState();
        var networks = artifacts.Networks.Where(n => scope?.Networks.Contains(n.Name) != false).ToList();
        if (networks.Count > 0)
        {
            // Only reservations changed (net-update): the networks exist as the snapshot found them,
            // and one that vanished fails the read. A full read, or a define or undefine, asks which exist.
            var defined = scope is { Definitions: false } ? networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal)
                : (await s.RequireAsync(s.Virsh("net-list", "--all", "--name")).ConfigureAwait(false)).Stdout
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            await ReadNetworksAsync(s, networks.Select(n => n.Name).ToList(), defined, state.Networks).ConfigureAwait(false);
        }

        foreach (var t in artifacts.NftTables)
        {
            if (scope is not null && !scope.NftTables.Contains(t.Key))
            {
                state.Nft[t.Key] = snapshot!.Nft.GetValueOrDefault(t.Key);
                continue;
            }

            var spec = HostSession.Nft("list", "table", t.Family, t.Name);
            var r = await s.RunAsync(spec).ConfigureAwait(false);
            state.Nft[t.Key] = r.Succeeded ? r.Stdout
                : !r.TimedOut && r.Stderr.Contains("No such file or directory", StringComparison.Ordinal) ? null
                : throw QaHostException.Failed(s.VirtHost, spec, r);
        }

        if (artifacts.Ebtables is not null)
        {
            state.Ebtables = scope?.Ebtables == false ? snapshot!.Ebtables
                : (await s.RequireAsync(CommandSpec.Of("ebtables-save")).ConfigureAwait(false)).Stdout;
        }

        if (artifacts.Uplinks is { } uplinks)
        {
            if (scope?.Uplinks == false)
            {
                foreach (var (name, link) in snapshot!.Uplinks)
                {
                    state.Uplinks[name] = link;
                }
            }
            else
            {
                await Publish.Uplinks.ReadAsync(s, uplinks, state.Uplinks).ConfigureAwait(false);
            }
        }

        if (scope is not null)
        {
            foreach (var n in artifacts.Networks.Where(n => !scope.Networks.Contains(n.Name)))
            {
                state.Networks[n.Name] = snapshot!.Networks.GetValueOrDefault(n.Name);
            }
        }

        if (BootCopy.Desired(s.Host, artifacts) is not null)
        {
            // After a publish that did not write the copy, it is what the snapshot found.
            state.Boot = scope is { Boot: false } && snapshot?.Boot is { } unchanged ? unchanged : await BootCopy.ReadAsync(s).ConfigureAwait(false);
        }

        return state;
    }

    /// <summary>
    /// Each defined network's flags and XML (inactive and running), all in one virsh process
    /// (<see cref="HostSession.VirshReadAsync"/>): net-info, net-dumpxml --inactive, net-dumpxml.
    /// </summary>
    private static async Task ReadNetworksAsync(HostSession s, List<string> names, HashSet<string> defined, Dictionary<string, NetworkState?> into)
    {
        var read = names.Where(defined.Contains).ToList();
        var parts = read.Count == 0 ? Array.Empty<string>()
            : await s.VirshReadAsync(read.SelectMany(n => new[] { new[] { "net-info", n }, new[] { "net-dumpxml", "--inactive", n }, new[] { "net-dumpxml", n } }).ToList()).ConfigureAwait(false);
        foreach (var name in names)
        {
            into[name] = null;
        }

        for (var i = 0; i < read.Count; i++)
        {
            var info = parts[3 * i];
            bool Flag(string key) => info.Split('\n')
                .Select(l => l.Split(':', 2))
                .Any(p => p.Length == 2 && p[0].Trim() == key && p[1].Trim() == "yes");
            var active = Flag("Active");
            into[read[i]] = new NetworkState(parts[3 * i + 1], active ? parts[3 * i + 2] : null, active, Flag("Autostart"));
        }
    }

    /// <summary>
    /// What a set of changes touched: networks by name (<see cref="Definitions"/>: some were
    /// defined or undefined), nft tables by key, ebtables, uplinks.
    /// </summary>
    private sealed record ReadScope(HashSet<string> Networks, HashSet<string> NftTables, bool Ebtables, bool Uplinks, bool Definitions)
    {
        /// <summary>The boot copy was written.</summary>
        public bool Boot { get; init; }

        public static ReadScope Of(IEnumerable<QaPublishChange> changes)
        {
            var scope = new ReadScope(new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), false, false, false);
            var ebtables = false;
            var uplinks = false;
            var definitions = false;
            var boot = false;
            foreach (var c in changes)
            {
                switch (c.Kind)
                {
                    case QaPublishChangeKind.DhcpHostAdd or QaPublishChangeKind.DhcpHostRemove:
                        scope.Networks.Add(c.Target["network ".Length..]);
                        break;
                    case QaPublishChangeKind.LibvirtNetworkDefine or QaPublishChangeKind.LibvirtNetworkUndefine:
                        scope.Networks.Add(c.Target["network ".Length..]);
                        uplinks = true;
                        definitions = true;
                        break;
                    case QaPublishChangeKind.LibvirtNetworkRedefine or QaPublishChangeKind.LibvirtNetworkStart or QaPublishChangeKind.LibvirtNetworkStop
                        or QaPublishChangeKind.LibvirtNetworkAutostart or QaPublishChangeKind.LibvirtNetworkNoAutostart:
                        scope.Networks.Add(c.Target["network ".Length..]);
                        uplinks = true;
                        break;
                    case QaPublishChangeKind.NftTableCreate or QaPublishChangeKind.NftTableReplace or QaPublishChangeKind.NftTableDelete or QaPublishChangeKind.NftSetElements:
                        scope.NftTables.Add(c.Target["table ".Length..]);
                        break;
                    case QaPublishChangeKind.EbtablesReplace:
                        ebtables = true;
                        break;
                    case QaPublishChangeKind.BootCopyWrite:
                        boot = true;
                        break;
                    default:
                        uplinks = true;
                        break;
                }
            }

            return scope with { Ebtables = ebtables, Uplinks = uplinks, Definitions = definitions, Boot = boot };
        }
    }

    /// <summary>Where this state differs from <paramref name="snapshot"/>, exactly (as after a restore).</summary>
    public IReadOnlyList<string> DifferencesFrom(HostState snapshot)
    {
        var diffs = new List<string>();
        foreach (var (key, before) in snapshot.Nft)
        {
            var now = Nft.GetValueOrDefault(key);
            if ((before is null) != (now is null) || (before is not null && NftText.Normalize(before) != NftText.Normalize(now!)))
            {
                diffs.Add($"nft table {key}");
            }
        }

        if (snapshot.Ebtables is not null && EbtablesText.Normalize(snapshot.Ebtables) != EbtablesText.Normalize(Ebtables ?? string.Empty))
        {
            diffs.Add("ebtables");
        }

        foreach (var (name, before) in snapshot.Uplinks)
        {
            if (!Equals(before, Uplinks.GetValueOrDefault(name)))
            {
                diffs.Add("uplink " + name);
            }
        }

        diffs.AddRange(Uplinks.Where(u => u.Value is not null && !snapshot.Uplinks.ContainsKey(u.Key)).Select(u => "uplink " + u.Key));

        if (snapshot.Boot is { } bootBefore)
        {
            diffs.AddRange(BootCopy.Differences(bootBefore, Boot).Concat(BootCopy.Differences(Boot ?? new(), bootBefore))
                .Distinct(StringComparer.Ordinal).Select(p => "boot copy " + p));
        }

        foreach (var (name, before) in snapshot.Networks)
        {
            var now = Networks.GetValueOrDefault(name);
            if ((before is null) != (now is null) || (before is not null && (before.Active != now!.Active || before.Autostart != now.Autostart
                || !LibvirtXml.SameDocument(before.InactiveXml, now.InactiveXml) || !LibvirtXml.SameDocument(before.LiveXml, now.LiveXml))))
            {
                diffs.Add("libvirt network " + name);
            }
        }

        return diffs;
    }
}

/// <summary>What nft and ebtables make of the artifacts, loaded into a throwaway network namespace on the host.</summary>
internal sealed class ExpectedState
{
    public Dictionary<string, string> Nft { get; } = new(StringComparer.Ordinal);

    /// <summary>QaNet's part of ebtables as ebtables-save prints it (see <see cref="EbtablesText.Owned"/>).</summary>
    public string? EbtablesOwned { get; set; }

    /// <summary>The boot copy the host should hold (<see cref="BootCopy.Desired"/>); null when nothing is persisted there.</summary>
    public Dictionary<string, string>? Boot { get; set; }

    /// <summary>
    /// Each rendered table loaded (<c>nft -f -</c>, data on stdin) and listed back (<c>nft list
    /// table</c>) in one empty namespace (<see cref="ScratchNamespace"/>), and the ebtables text
    /// restored and saved there: argument vectors only, no shell.
    /// </summary>
    public static async Task<ExpectedState> ComputeAsync(HostSession s, HostArtifacts artifacts)
    {
        var expected = new ExpectedState { Boot = BootCopy.Desired(s.Host, artifacts) };
        var tables = artifacts.NftTables.Where(t => t.Definition is not null).ToList();
        if (tables.Count == 0 && artifacts.Ebtables is null)
        {
            return expected;
        }

        await using var scratch = await ScratchNamespace.CreateAsync(s).ConfigureAwait(false);
        foreach (var t in tables)
        {
            await CheckAsync(s, scratch, HostSession.Nft("-f", "-").WithStdin(t.Definition!), "nft table " + t.Key).ConfigureAwait(false);
            expected.Nft[t.Key] = (await CheckAsync(s, scratch, HostSession.Nft("list", "table", t.Family, t.Name), "nft table " + t.Key).ConfigureAwait(false)).Stdout;
        }

        if (artifacts.Ebtables is { } eb)
        {
            await CheckAsync(s, scratch, CommandSpec.Of("ebtables-restore").WithStdin(eb.Text), "ebtables").ConfigureAwait(false);
            expected.EbtablesOwned = EbtablesText.Owned((await CheckAsync(s, scratch, CommandSpec.Of("ebtables-save"), "ebtables").ConfigureAwait(false)).Stdout, eb.ChainPrefix);
        }

        return expected;
    }

    private static async Task<CommandResult> CheckAsync(HostSession s, ScratchNamespace scratch, CommandSpec spec, string what)
    {
        var r = await scratch.RunAsync(spec).ConfigureAwait(false);
        return r.Succeeded ? r : throw new QaHostException(QaErrorIds.PublishCheckFailed,
            $"On {s.VirtHost}, the rendered {what} does not load: {r.Stderr.Trim()}", spec, r);
    }
}
