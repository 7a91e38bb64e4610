using System.Globalization;
using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>
/// An empty network namespace on the host's machine, for loading rendered tables where they
/// touch nothing (<c>ip netns add</c> / <c>exec</c> / <c>del</c>; argument vectors only, data on
/// stdin). Each has its own name, <c>qanet-check-&lt;unix time&gt;-&lt;random&gt;</c>, so checks of
/// several publishers never share one; one left behind by a killed publisher is deleted by the
/// next check on that machine once it is an hour old (the time is in its name, so no extra read).
/// Commands go through <see cref="PublishHost.ScratchRunner"/>: the host itself over SSH or
/// locally, the machine around it for a namespace target (a namespace made inside
/// <c>ip netns exec</c> would vanish with that command's mount namespace).
/// </summary>
internal sealed class ScratchNamespace : IAsyncDisposable
{
    public const string Prefix = "qanet-check-";
    private static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);
    private readonly HostSession _session;

    private ScratchNamespace(HostSession session, string name)
    {
        _session = session;
        Name = name;
    }

    public string Name { get; }

    public static async Task<ScratchNamespace> CreateAsync(HostSession s)
    {
        var now = DateTimeOffset.UtcNow;
        await SweepAsync(s, now).ConfigureAwait(false);
        var name = Prefix + HostSession.Epoch(now) + "-" + Guid.NewGuid().ToString("N")[..8];
        var add = CommandSpec.Of("ip", "netns", "add", name);
        var r = await s.RunScratchAsync(add).ConfigureAwait(false);
        return r.Succeeded ? new ScratchNamespace(s, name) : throw new QaHostException(QaErrorIds.PublishCheckFailed,
            $"On {s.VirtHost}, no throwaway network namespace for checking the rendered tables could be made: {r.Stderr.Trim()}. "
            + "The check needs iproute2's 'ip netns' and root (CAP_SYS_ADMIN) on the host.", add, r);
    }

    /// <summary><paramref name="argv"/> run inside the namespace.</summary>
    public Task<CommandResult> RunAsync(CommandSpec spec) =>
        _session.RunScratchAsync(new CommandSpec("ip", new[] { "netns", "exec", Name, spec.Program }.Concat(spec.Arguments))
        {
            Stdin = spec.Stdin,
            Timeout = spec.Timeout,
        });

    public async ValueTask DisposeAsync()
    {
        var r = await _session.RunScratchAsync(CommandSpec.Of("ip", "netns", "del", Name), evenWhenStopped: true).ConfigureAwait(false);
        if (!r.Succeeded)
        {
            _session.Log.Warning(_session.VirtHost, $"Could not delete the throwaway network namespace {Name}: {r.Stderr.Trim()} (the next check deletes it after an hour).");
        }
    }

    /// <summary>The creation time in a scratch namespace's name; null for any other name.</summary>
    internal static DateTimeOffset? CreatedAt(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name[Prefix.Length..];
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && long.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) && epoch < 1L << 40
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : null;
    }

    private static async Task SweepAsync(HostSession s, DateTimeOffset now)
    {
        var list = await s.RunScratchAsync(CommandSpec.Of("ip", "netns", "list")).ConfigureAwait(false);
        if (!list.Succeeded)
        {
            return;
        }

        // "name" or "name (id: 3)" per line.
        var stale = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')[0])
            .Where(n => CreatedAt(n) is { } t && now - t > StaleAfter && Names.IsValid(n))
            .ToList();
        foreach (var name in stale)
        {
            var r = await s.RunScratchAsync(CommandSpec.Of("ip", "netns", "del", name)).ConfigureAwait(false);
            if (r.Succeeded)
            {
                s.Log.Warning(s.VirtHost, $"Deleted the throwaway network namespace {name}, left behind by a check that did not finish.");
            }
        }
    }
}
