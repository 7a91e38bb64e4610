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

    public static async Task<HostState> ReadAsync(HostSession s, HostArtifacts artifacts)
    {
        var state = new HostState();
        if (artifacts.Networks.Count > 0)
        {
            var list = await s.RequireAsync(s.Virsh("net-list", "--all", "--name")).ConfigureAwait(false);
            var defined = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            foreach (var n in artifacts.Networks)
            {
                state.Networks[n.Name] = defined.Contains(n.Name) ? await ReadNetworkAsync(s, n.Name).ConfigureAwait(false) : null;
            }
        }

        foreach (var t in artifacts.NftTables)
        {
            var spec = HostSession.Nft("list", "table", t.Family, t.Name);
            var r = await s.RunAsync(spec).ConfigureAwait(false);
            state.Nft[t.Key] = r.Succeeded ? r.Stdout
                : !r.TimedOut && r.Stderr.Contains("No such file or directory", StringComparison.Ordinal) ? null
                : throw QaHostException.Failed(s.VirtHost, spec, r);
        }

        if (artifacts.Ebtables is not null)
        {
            state.Ebtables = (await s.RequireAsync(CommandSpec.Of("ebtables-save")).ConfigureAwait(false)).Stdout;
        }

        if (artifacts.Uplinks is { } uplinks)
        {
            await Publish.Uplinks.ReadAsync(s, uplinks, state.Uplinks).ConfigureAwait(false);
        }

        if (BootCopy.Desired(s.Host, artifacts) is not null)
        {
            state.Boot = await BootCopy.ReadAsync(s).ConfigureAwait(false);
        }

        return state;
    }

    private static async Task<NetworkState> ReadNetworkAsync(HostSession s, string name)
    {
        var info = (await s.RequireAsync(s.Virsh("net-info", name)).ConfigureAwait(false)).Stdout;
        bool Flag(string key) => info.Split('\n')
            .Select(l => l.Split(':', 2))
            .Any(p => p.Length == 2 && p[0].Trim() == key && p[1].Trim() == "yes");
        var inactive = (await s.RequireAsync(s.Virsh("net-dumpxml", "--inactive", name)).ConfigureAwait(false)).Stdout;
        var active = Flag("Active");
        var live = active ? (await s.RequireAsync(s.Virsh("net-dumpxml", name)).ConfigureAwait(false)).Stdout : null;
        return new NetworkState(inactive, live, active, Flag("Autostart"));
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
