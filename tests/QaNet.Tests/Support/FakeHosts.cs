using System.Collections.Concurrent;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Publish;

namespace QaNet.Tests.Support;

/// <summary>
/// Several scripted virthosts behind one runner, for exact-sequence tests of multi-host publishes:
/// each host is a namespace target (<c>ip netns exec qn-pp-vhN …</c>) with its own state folder
/// files and its own <c>table inet qanet</c>, so publish, verify, rollback, the lock, the publish
/// record and confirm behave as on a host. It answers only the commands an nft-only publish runs.
/// Faults and pauses are injected per host; the real hosts are in MultiHostLabTests.
/// <see cref="EmptyHost"/> is the stateless script for a host that has nothing of QaNet's.
/// </summary>
public sealed class FakeHosts : ICommandRunner
{
    /// <summary>The <see cref="Before"/>/<see cref="Fault"/> host name of a throwaway-namespace command (made on the machine, not in a host).</summary>
    public const string Scratch = "(scratch)";

    private readonly ConcurrentDictionary<string, Host> _hosts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ScratchNs> _scratch = new(StringComparer.Ordinal);

    public FakeHosts(params string[] hosts)
    {
        Names = hosts;
        foreach (var h in hosts)
        {
            _hosts[Ns(h)] = new Host();
        }

        Recorder = new RecordingRunner(this);
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>Records every command (wrapped, as the runner under the namespace target sees it).</summary>
    public RecordingRunner Recorder { get; }

    /// <summary>Fails the command of a host when it returns true (after it took effect when <see cref="FaultAfterEffect"/>).</summary>
    public Func<string, CommandSpec, bool>? Fault { get; set; }

    public bool FaultAfterEffect { get; set; }

    /// <summary>Runs before a host's command (e.g. to wait at a barrier, or to cancel the caller).</summary>
    public Func<string, CommandSpec, Task>? Before { get; set; }

    public static string Ns(string host) => "qn-pp-" + host;

    /// <summary>
    /// A script for <see cref="RecordingRunner"/>: a host with no QaNet network, table, chain or
    /// file, no pending publish; checks pass. It never shows what was applied.
    /// </summary>
    public static CommandResult? EmptyHost(CommandSpec spec) => spec switch
    {
        { Program: "nft", Arguments: ["list", ..] } => CommandResult.Fail(1, "Error: No such file or directory"),
        { Program: "ebtables-save" } => CommandResult.Ok("*filter\n:INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n"),
        { Program: "ls" } => CommandResult.Fail(2, "ls: cannot access: No such file or directory"),
        { Program: "cat" } => CommandResult.Fail(1, "cat: No such file or directory"),
        _ => CommandResult.Ok(),
    };

    /// <summary>
    /// True for the publisher's throwaway-namespace commands (<c>ip netns list|add|del</c>, and
    /// <c>ip netns exec qanet-check-… …</c>), which a namespace target runs on the machine.
    /// </summary>
    public static bool IsScratch(CommandSpec spec) =>
        spec.Program == "ip" && (spec.Arguments is ["netns", "list"] or ["netns", "add" or "del", _]
            || spec.Arguments is ["netns", "exec", var ns, ..] && ns.StartsWith("qanet-check-", StringComparison.Ordinal));

    /// <summary>
    /// A stateless script for throwaway-namespace commands: every load succeeds and lists back
    /// nothing (as <see cref="EmptyHost"/>, for tests that do not compare canonical forms).
    /// </summary>
    public static CommandResult ScratchScript(CommandSpec spec) => CommandResult.Ok();

    /// <summary>The throwaway-namespace commands, in order, with the namespace's name as <c>SCRATCH</c>.</summary>
    public List<string> ScratchLines() => Recorder.Commands.Where(IsScratch)
        .Select(c => string.Join(' ', new[] { c.Program }.Concat(c.Arguments.Select(a => a.StartsWith("qanet-check-", StringComparison.Ordinal) ? "SCRATCH" : a))))
        .ToList();

    /// <summary>A throwaway namespace as another (or a killed) publisher left it.</summary>
    public void AddScratch(string name) => _scratch[name] = new ScratchNs();

    /// <summary>Throwaway namespaces made and not deleted.</summary>
    public IReadOnlyCollection<string> ScratchLeft => _scratch.Keys.ToList();

    public QaHostTransport[] Transports => Names.Select(h => QaHostTransport.InNamespace(h, Ns(h))).ToArray();

    public PolicyPublisher Publisher() => new(new QaPolicy("pp"), transports: Transports) { LocalRunner = Recorder };

    /// <summary>The host's live table, as nft would list it; null when it has none.</summary>
    public string? Table(string host) => _hosts[Ns(host)].Table;

    public string? File(string host, string name) => _hosts[Ns(host)].Files.GetValueOrDefault(State(host) + "/" + name);

    public static string State(string host) => HostTarget.Namespace(Ns(host)).StateDirectory;

    /// <summary>The commands run on <paramref name="host"/>, unwrapped, as "program arg …" lines.</summary>
    public List<string> Lines(string host) => Recorder.Commands
        .Where(c => c.Program == "ip" && c.Arguments.Count > 3 && c.Arguments[2] == Ns(host) && !IsPreflight(c))
        .Select(c => string.Join(' ', c.Arguments.Skip(3)))
        .ToList();

    public List<string> Mutations(string host) => Recorder.Commands
        .Where(c => c.Mutates && c.Arguments.Count > 3 && c.Arguments[2] == Ns(host))
        .Select(c => string.Join(' ', c.Arguments.Skip(3)))
        .ToList();

    /// <summary>Which host each recorded command went to, in order.</summary>
    public List<string> HostOrder() => Recorder.Commands.Where(c => !IsScratch(c) && !IsPreflight(c))
        .Select(c => Names.First(h => c.Arguments.Count > 2 && c.Arguments[2] == Ns(h))).ToList();

    /// <summary>
    /// The host preflight's reads (VirtHostChecks; tested on real programs in PreflightTests),
    /// left out of the exact publish sequences these tests compare.
    /// </summary>
    public static bool IsPreflight(CommandSpec c)
    {
        var line = string.Join(' ', c.Arguments.Skip(3));
        return line is "true" or "nft --version" or "nft list tables" || line.StartsWith("grep -s ", StringComparison.Ordinal) || line.StartsWith("ls -d /sys/module/", StringComparison.Ordinal);
    }

    public static HostArtifacts Artifacts(string host, string comment = "v1") => new(host)
    {
        NftTables = new[]
        {
            new NftTableArtifact("inet", "qanet", $$"""
                table inet qanet {
                	chain forward {
                		type filter hook forward priority filter; policy accept;
                		iifname "qnbr-a" counter drop comment "{{comment}}"
                	}
                }
                """),
        },
    };

    public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        cancellationToken.ThrowIfCancellationRequested();
        if (IsScratch(spec))
        {
            return await RunScratchAsync(spec);
        }

        var ns = spec.Arguments[2];
        var host = Names.First(h => Ns(h) == ns);
        var inner = spec.InsideNamespace();
        if (Before is { } before)
        {
            await before(host, inner);
        }

        var fail = Fault?.Invoke(host, inner) == true;
        if (fail && !FaultAfterEffect)
        {
            return CommandResult.Fail(1, $"[test] injected failure on {host}");
        }

        CommandResult result;
        lock (_hosts[ns])
        {
            result = _hosts[ns].Run(inner);
        }

        return fail ? CommandResult.Fail(1, $"[test] injected failure on {host} after it took effect") : result;
    }

    /// <summary>
    /// A throwaway namespace: what was loaded into it lists back as given (the canonical form of
    /// a table is the table as given), ebtables-save prints what was restored.
    /// </summary>
    private async Task<CommandResult> RunScratchAsync(CommandSpec spec)
    {
        var inner = spec.InsideNamespace();
        if (Before is { } before)
        {
            await before(Scratch, inner);
        }

        if (Fault?.Invoke(Scratch, inner) == true)
        {
            return CommandResult.Fail(1, "[test] injected failure in a throwaway namespace");
        }

        switch (spec.Arguments)
        {
            case ["netns", "list"]:
                return CommandResult.Ok(string.Join('\n', _scratch.Keys) + "\n");
            case ["netns", "add", var name]:
                return _scratch.TryAdd(name, new ScratchNs()) ? CommandResult.Ok() : CommandResult.Fail(1, $"Cannot create namespace file \"/run/netns/{name}\": File exists");
            case ["netns", "del", var name]:
                return _scratch.TryRemove(name, out _) ? CommandResult.Ok() : CommandResult.Fail(1, $"Cannot remove namespace file \"/run/netns/{name}\": No such file or directory");
        }

        if (!_scratch.TryGetValue(spec.Arguments[2], out var scratch))
        {
            return CommandResult.Fail(1, $"Cannot open network namespace \"{spec.Arguments[2]}\": No such file or directory");
        }

        lock (scratch)
        {
            switch (inner.Program, inner.Arguments)
            {
                case ("nft", ["-f", "-"]):
                    var text = inner.StdinText;
                    var header = text.TrimStart().Split('{')[0].Trim().Split(' ');
                    scratch.Tables[header[1] + " " + header[2]] = text;
                    return CommandResult.Ok();
                case ("nft", ["list", "table", var family, var table]):
                    return scratch.Tables.TryGetValue(family + " " + table, out var listed) ? CommandResult.Ok(listed) : CommandResult.Fail(1, "Error: No such file or directory");
                case ("ebtables-restore", []):
                    scratch.Ebtables = inner.StdinText;
                    return CommandResult.Ok();
                case ("ebtables-save", []):
                    return CommandResult.Ok(scratch.Ebtables);
                default:
                    return CommandResult.Fail(127, "[test] unexpected command in a throwaway namespace: " + inner);
            }
        }
    }

    private sealed class ScratchNs
    {
        public Dictionary<string, string> Tables { get; } = new(StringComparer.Ordinal);

        public string Ebtables { get; set; } = string.Empty;
    }

    private sealed class Host
    {
        private const string Replace = "table inet qanet\ndelete table inet qanet\n";

        public string? Table { get; private set; }

        public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Dirs { get; } = new(StringComparer.Ordinal);

        public CommandResult Run(CommandSpec c)
        {
            var a = c.Arguments;
            switch (c.Program)
            {
                case "mkdir" when a is ["-p", var dir]:
                    Dirs.Add(dir);
                    return CommandResult.Ok();
                case "mkdir" when a is [var dir]:
                    return Dirs.Add(dir) ? CommandResult.Ok() : CommandResult.Fail(1, $"mkdir: cannot create directory '{dir}': File exists");
                case "dd":
                    Files[a[0]["of=".Length..]] = c.StdinText;
                    return CommandResult.Ok();
                case "sh":
                    return CommandResult.Ok();
                case "mv" when a is ["-f", var from, var to] && Files.Remove(from, out var moved):
                    Files[to] = moved;
                    return CommandResult.Ok();
                case "rm":
                    var target = a[^1];
                    Dirs.RemoveWhere(d => d == target || d.StartsWith(target + "/", StringComparison.Ordinal));
                    foreach (var f in Files.Keys.Where(f => f == target || f.StartsWith(target + "/", StringComparison.Ordinal)).ToList())
                    {
                        Files.Remove(f);
                    }

                    return CommandResult.Ok();
                case "ls" when a is ["-d", ..]:
                    return CommandResult.Ok(string.Join('\n', a.Skip(1)) + "\n");
                case "ls":
                    var folder = a[^1];
                    if (!Dirs.Contains(folder))
                    {
                        return CommandResult.Fail(2, $"ls: cannot access '{folder}': No such file or directory");
                    }

                    var entries = Dirs.Concat(Files.Keys).Where(p => p.StartsWith(folder + "/", StringComparison.Ordinal))
                        .Select(p => p[(folder.Length + 1)..].Split('/')[0]).Distinct().Order(StringComparer.Ordinal);
                    return CommandResult.Ok(string.Join('\n', entries) + "\n");
                case "cat":
                    return Files.TryGetValue(a[0], out var text) ? CommandResult.Ok(text) : CommandResult.Fail(1, $"cat: {a[0]}: No such file or directory");
                // The host preflight of an nft-only (gateway) host: nft, and forwarding on.
                case "true":
                    return CommandResult.Ok();
                case "nft" when a is ["--version"]:
                    return CommandResult.Ok("nftables v1.0.6 (Lester Gooch #5)\n");
                case "nft" when a is ["list", "tables"]:
                    return CommandResult.Ok(Table is null ? string.Empty : "table inet qanet\n");
                case "grep" when a.Contains("/proc/sys/net/ipv4/ip_forward"):
                    return CommandResult.Ok("/proc/sys/kernel/osrelease:6.1.0-test\n/proc/sys/net/ipv4/ip_forward:1\n");
                case "grep":
                    return CommandResult.Fail(2, string.Empty);
                case "nft" when a is ["list", "table", "inet", "qanet"]:
                    return Table is null ? CommandResult.Fail(1, "Error: No such file or directory") : CommandResult.Ok(Table);
                case "nft" when a is ["-c", "-f", "-"]:
                    return CommandResult.Ok();
                case "nft" when a is ["-f", "-"]:
                    var batch = c.StdinText;
                    if (!batch.StartsWith(Replace, StringComparison.Ordinal))
                    {
                        return CommandResult.Fail(1, "Error: unexpected batch");
                    }

                    var rest = batch[Replace.Length..];
                    Table = rest.Trim().Length == 0 ? null : rest;
                    return CommandResult.Ok();
                case "date" or "setsid" or "kill":
                    return CommandResult.Ok("0\n");
                default:
                    return CommandResult.Fail(127, "[test] unexpected command " + c);
            }
        }
    }
}
