using System.Globalization;
using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;

namespace QaNet.Core.Publish;

/// <summary>One conversation with a host: runs commands, logs them and keeps them for the result.</summary>
internal sealed class HostSession
{
    private readonly List<string> _commands = new();

    public HostSession(PublishHost host, IQaLog log, CancellationToken cancellationToken)
    {
        Host = host;
        Log = log;
        CancellationToken = cancellationToken;
    }

    public PublishHost Host { get; }

    public IQaLog Log { get; }

    /// <summary>Stops the session's commands; <see cref="Shield"/> replaces it once the host must not be left half-way.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>
    /// From here on the caller's stop no longer cuts commands: an apply that has begun runs to its
    /// verify (and its rollback), and a lock taken is released. Every command keeps its own timeout.
    /// </summary>
    public void Shield() => CancellationToken = CancellationToken.None;

    public string VirtHost => Host.VirtHost;

    public IReadOnlyList<string> Commands => _commands;

    public Task<CommandResult> RunAsync(CommandSpec spec) => RunAsync(Host.Runner, spec);

    /// <summary>Runs a command where the host's throwaway namespaces are made (<see cref="PublishHost.ScratchRunner"/>).</summary>
    /// <param name="evenWhenStopped">Runs although the caller stopped (cleanup of what this session made).</param>
    public Task<CommandResult> RunScratchAsync(CommandSpec spec, bool evenWhenStopped = false) => RunAsync(Host.ScratchRunner, spec, evenWhenStopped);

    private async Task<CommandResult> RunAsync(ICommandRunner runner, CommandSpec spec, bool evenWhenStopped = false)
    {
        var line = spec.ToString();
        _commands.Add(line);
        Log.Verbose(VirtHost, line);
        var result = await runner.RunAsync(spec, evenWhenStopped ? CancellationToken.None : CancellationToken).ConfigureAwait(false);
        if (result.Succeeded && spec.FailsOnStderrLine is { } prefix
            && result.Stderr.Split('\n').Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
        {
            result = result with { ExitCode = 1 };
        }

        if (!result.Succeeded)
        {
            Log.Verbose(VirtHost, $"exit {result.ExitCode}: {result.Stderr.Trim()}");
        }

        return result;
    }

    /// <summary>Runs a command that must succeed; throws <see cref="QaHostException"/> otherwise.</summary>
    public async Task<CommandResult> RequireAsync(CommandSpec spec)
    {
        var result = await RunAsync(spec).ConfigureAwait(false);
        return result.Succeeded ? result : throw QaHostException.Failed(VirtHost, spec, result);
    }

    public CommandSpec Virsh(params string[] args) =>
        new("virsh", Host.LibvirtUri is { } uri ? new[] { "-c", uri }.Concat(args) : args);

    /// <summary>
    /// Several virsh commands in one virsh process, so one libvirt connection instead of one per
    /// command: virsh's own command string (commands joined by <c>;</c>), every word that needs it single-quoted,
    /// which virsh's parser reads as sh does; it is one argument, never a shell. virsh runs every
    /// command even after one failed and exits with the last one's status, so the batch counts as
    /// failed on any <c>error:</c> line (<see cref="CommandSpec.FailsOnStderrLine"/>): as a rollback
    /// wants it, every command of an undo batch runs.
    /// </summary>
    public CommandSpec VirshBatch(IEnumerable<IReadOnlyList<string>> commands) =>
        Virsh(string.Join(" ; ", commands.Select(c => string.Join(' ', c.Select(PosixShell.QuoteIfNeeded))))) with { FailsOnStderrLine = "error: " };

    /// <summary>
    /// Read-only virsh commands in one virsh process (<see cref="VirshBatch"/>), each one's output
    /// apart: a marker (<c>echo</c>, random per call) goes between them. Throws when any failed.
    /// </summary>
    public async Task<IReadOnlyList<string>> VirshReadAsync(IReadOnlyList<IReadOnlyList<string>> commands)
    {
        var marker = "qanet-part-" + Guid.NewGuid().ToString("N");
        var spec = VirshBatch(commands.SelectMany((c, i) => i == 0 ? new[] { c } : new[] { new[] { "echo", marker }, c }));
        var r = await RequireAsync(spec).ConfigureAwait(false);
        var parts = new List<string> { string.Empty };
        foreach (var line in r.Stdout.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            if (line == marker)
            {
                parts.Add(string.Empty);
            }
            else
            {
                parts[^1] += line + "\n";
            }
        }

        return parts.Count == commands.Count ? parts
            : throw new QaHostException(Validation.QaErrorIds.HostCommandFailed,
                $"On {VirtHost}, virsh answered {parts.Count} parts to {commands.Count} commands.", spec, r);
    }

    public static CommandSpec Nft(params string[] args) => new("nft", args);

    /// <summary>Writes <paramref name="content"/> to a file on the host (data on stdin, never in a command line).</summary>
    public static CommandSpec WriteFile(string path, string content) =>
        CommandSpec.Of("dd", "of=" + path, "status=none").WithStdin(content).Mutating();

    public static string Epoch(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
