using System.Text;
using QaNet.Core.Hosts;

namespace QaNet.Core.Publish;

/// <summary>
/// What a virthost needs to come back from a reboot with QaNet's rules, and to fail closed until
/// they are loaded (docs/publishing.md, "Reboots and fail-closed start"). Under libvirt's
/// configuration folder (<see cref="PublishHost.LibvirtConfigDirectory"/>, <c>/etc/libvirt</c>):
/// <list type="bullet">
/// <item><c>qanet/networks</c>: the libvirt networks QaNet published there, one per line;</item>
/// <item><c>qanet/tables</c>: QaNet's nft tables (<c>family name</c> per line);</item>
/// <item><c>qanet/qanet.nft</c>: those tables as one <c>nft -f</c> transaction (each added, deleted and defined);</item>
/// <item><c>qanet/ebtables</c>: QaNet's ebtables chains and jumps for <c>ebtables-restore</c> (empty without ebtables);</item>
/// <item><c>hooks/network.d/50-qanet</c>: libvirt's network hook (<see cref="HookScript"/>).</item>
/// </list>
/// libvirt runs the hook before it starts a network (<c>start begin</c>), at boot for every autostarted
/// network as at every <c>net-start</c>: for a network QaNet published, it loads the boot copy when
/// the kernel lacks QaNet's tables, and when that fails it fails, and libvirt does not start the
/// network — its bridge never exists, so no client traffic passes. The copy is written as the first
/// step of a publish (a network the publish starts passes the hook with what is being published),
/// and like every step it has an undo, so a rollback, an undo and the confirm timer restore the previous copy too.
/// </summary>
internal static class BootCopy
{
    public const string Folder = "qanet";

    public const string HookPath = "hooks/network.d/50-qanet";

    public static readonly string[] Files = { "networks", "tables", "qanet.nft", "ebtables" };

    /// <summary>
    /// The hook. A constant program (no value of a policy is in it): the data it reads is the boot
    /// copy. libvirt runs hooks as <c>50-qanet &lt;network&gt; &lt;operation&gt; &lt;sub-operation&gt; -</c>
    /// with the network's XML on stdin, inside its own mount namespace, so the path is libvirt's view.
    /// </summary>
    public const string HookScript = """
        #!/bin/sh
        # QaNet's network hook, installed by Publish-QaNetwork (docs/publishing.md, "Reboots and fail-closed start").
        # libvirt runs it as: 50-qanet <network> <operation> <sub-operation> -, the network's XML on stdin.
        # Before a network QaNet published starts (at boot, or any net-start), QaNet's rules are loaded
        # from the boot copy if the kernel lacks them; if they cannot be, the hook fails and libvirt
        # does not start the network, so no client traffic passes until they are.
        PATH=/usr/sbin:/usr/bin:/sbin:/bin
        copy=/etc/libvirt/qanet
        cat > /dev/null
        [ "$2" = start ] && [ "$3" = begin ] || exit 0
        [ -f "$copy/networks" ] && grep -qxF -- "$1" "$copy/networks" || exit 0
        missing=
        while read -r family table; do
            [ -n "$family" ] || continue
            nft list table "$family" "$table" > /dev/null 2>&1 || missing=yes
        done < "$copy/tables"
        if [ -n "$missing" ] && ! nft -f "$copy/qanet.nft"; then
            echo "QaNet: cannot load $copy/qanet.nft; network $1 stays down (fail closed)" >&2
            exit 1
        fi
        restore=ebtables-restore
        command -v ebtables-nft-restore > /dev/null 2>&1 && restore=ebtables-nft-restore
        if [ -s "$copy/ebtables" ] && ! nft list table bridge filter > /dev/null 2>&1 && ! "$restore" < "$copy/ebtables"; then
            echo "QaNet: cannot load $copy/ebtables; network $1 stays down (fail closed)" >&2
            exit 1
        fi
        exit 0

        """;

    public static bool IsValidDirectory(string path) =>
        path.Length > 1 && path.Length < 512 && path[0] == '/' && !path.Contains("..", StringComparison.Ordinal)
        && path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-');

    /// <summary>The files (by path under the configuration folder) a host should hold for these artifacts; null when nothing is persisted.</summary>
    public static Dictionary<string, string>? Desired(PublishHost host, HostArtifacts artifacts)
    {
        if (host.LibvirtConfigDirectory is null || artifacts.Networks.Count == 0)
        {
            return null;
        }

        var tables = artifacts.NftTables.Where(t => t.Definition is not null).ToList();
        var nft = new StringBuilder();
        foreach (var t in tables)
        {
            nft.Append(NftText.ReplaceTransaction(t.Family, t.Name, t.Definition));
            if (nft.Length > 0 && nft[^1] != '\n')
            {
                nft.Append('\n');
            }
        }

        var ebtables = artifacts.Ebtables is { } eb ? EbtablesText.Merge(string.Empty, eb.Text, eb.ChainPrefix).Text : string.Empty;
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Folder + "/networks"] = Lines(artifacts.Networks.Where(n => n.Xml is not null).Select(n => n.Name)),
            [Folder + "/tables"] = Lines(tables.Select(t => t.Family + " " + t.Name)),
            [Folder + "/qanet.nft"] = nft.ToString(),
            [Folder + "/ebtables"] = ebtables,
            [HookPath] = HookScript,
        };
    }

    /// <summary>
    /// The boot copy as the host has it, in one read: <c>grep -r -H ""</c> over the folder and the
    /// hook prints every line as <c>path:line</c>; a file that is missing or empty is absent.
    /// </summary>
    public static async Task<Dictionary<string, string>> ReadAsync(HostSession s)
    {
        var dir = s.Host.LibvirtConfigDirectory!;
        var r = await s.RunAsync(CommandSpec.Of("grep", "-r", "-H", "-e", string.Empty, "--", dir + "/" + Folder, dir + "/" + HookPath)).ConfigureAwait(false);
        if (r.Unreachable is not null || r.TimedOut)
        {
            throw QaHostException.Failed(s.VirtHost, CommandSpec.Of("grep"), r);
        }

        return Parse(dir, r.Stdout);
    }

    /// <summary>The files in <c>grep -r -H ""</c> output (<c>path:line</c> per line), by path under <paramref name="dir"/>; other paths are ignored.</summary>
    public static Dictionary<string, string> Parse(string dir, string grepOutput)
    {
        var files = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (var line in grepOutput.Split('\n'))
        {
            var colon = line.StartsWith(dir + "/", StringComparison.Ordinal) ? line.IndexOf(':', dir.Length) : -1;
            if (colon < 0)
            {
                continue;
            }

            var path = line[(dir.Length + 1)..colon];
            if (path != HookPath && !Files.Any(f => path == Folder + "/" + f))
            {
                continue;
            }

            (files.TryGetValue(path, out var sb) ? sb : files[path] = new StringBuilder()).Append(line[(colon + 1)..]).Append('\n');
        }

        return files.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
    }

    /// <summary>The paths whose content differs (a missing or empty file counts as empty).</summary>
    public static List<string> Differences(IReadOnlyDictionary<string, string> desired, IReadOnlyDictionary<string, string>? live) =>
        desired.Where(kv => Canonical(kv.Value) != Canonical(live?.GetValueOrDefault(kv.Key))).Select(kv => kv.Key).ToList();

    /// <summary>One step writing the copy and the hook; its undo puts back what was there (or removes what was not).</summary>
    public static void Plan(HostSession s, IReadOnlyDictionary<string, string> desired, IReadOnlyDictionary<string, string> live, List<PublishStep> steps)
    {
        var changed = Differences(desired, live);
        if (changed.Count == 0)
        {
            return;
        }

        var dir = s.Host.LibvirtConfigDirectory!;
        var folders = CommandSpec.Of("mkdir", "-p", "--", dir + "/" + Folder, dir + "/hooks/network.d").Mutating();
        var apply = new List<CommandSpec> { folders };
        var undo = new List<CommandSpec>();
        foreach (var path in changed)
        {
            apply.Add(HostSession.WriteFile(dir + "/" + path, desired[path]));
            undo.Add(live.TryGetValue(path, out var before) ? HostSession.WriteFile(dir + "/" + path, before)
                : CommandSpec.Of("rm", "-f", "--", dir + "/" + path).Mutating());
        }

        if (changed.Contains(HookPath))
        {
            apply.Add(CommandSpec.Of("chmod", "0755", "--", dir + "/" + HookPath).Mutating());
        }

        steps.Add(new PublishStep(
            new QaPublishChange(s.VirtHost, QaPublishChangeKind.BootCopyWrite, dir + "/" + Folder,
                "what a reboot loads before the networks start: " + string.Join(", ", changed.Select(p => p[(p.LastIndexOf('/') + 1)..]))),
            apply, undo));
    }

    private static string Lines(IEnumerable<string> lines)
    {
        var list = lines.ToList();
        return list.Count == 0 ? string.Empty : string.Join('\n', list) + "\n";
    }

    // grep prints a last line without its newline as if it had one.
    private static string Canonical(string? text) => (text ?? string.Empty).TrimEnd('\n');
}
