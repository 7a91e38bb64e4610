using System.Globalization;
using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>
/// One publish (or confirm/undo) per host at a time: a lock folder on the host, taken with
/// <c>mkdir</c> (atomic on every POSIX file system, and it needs no process to stay alive on the
/// host while an SSH session comes and goes). The folder holds the owner's description; a lock
/// older than the lease is taken as left behind by a killed publisher and broken by renaming it.
/// </summary>
internal sealed class HostLock
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private readonly HostSession _session;
    private readonly string _path;

    private HostLock(HostSession session, string path)
    {
        _session = session;
        _path = path;
    }

    public static async Task<HostLock> AcquireAsync(HostSession s, PublishOptions options, string owner, string token)
    {
        s.Log.Phase(s.VirtHost, "Lock");
        var path = s.Host.StateDirectory + "/lock";
        await s.RequireAsync(CommandSpec.Of("mkdir", "-p", s.Host.StateDirectory).Mutating()).ConfigureAwait(false);
        var deadline = DateTimeOffset.UtcNow + options.LockWait;
        while (true)
        {
            var mkdir = CommandSpec.Of("mkdir", path).Mutating();
            var r = await s.RunAsync(mkdir).ConfigureAwait(false);
            if (r.Succeeded)
            {
                await s.RunAsync(HostSession.WriteFile(path + "/owner", owner + "\n")).ConfigureAwait(false);
                return new HostLock(s, path);
            }

            if (!r.Stderr.Contains("File exists", StringComparison.Ordinal))
            {
                throw QaHostException.Failed(s.VirtHost, mkdir, r);
            }

            var age = await AgeAsync(s, path).ConfigureAwait(false);
            if (age > options.LockLease)
            {
                // Renaming is atomic: of several publishers that find the same stale lock, one wins.
                var stale = path + ".stale." + token;
                if ((await s.RunAsync(CommandSpec.Of("mv", "-T", path, stale).Mutating()).ConfigureAwait(false)).Succeeded)
                {
                    s.Log.Warning(s.VirtHost, $"Broke a publish lock {age.TotalMinutes:0} minutes old (its owner is gone).");
                    await s.RunAsync(CommandSpec.Of("rm", "-rf", stale).Mutating()).ConfigureAwait(false);
                }

                continue;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                var holder = await s.RunAsync(CommandSpec.Of("cat", path + "/owner")).ConfigureAwait(false);
                throw new QaHostException(QaErrorIds.PublishHostLocked,
                    $"Another publish holds {s.VirtHost} ({holder.Stdout.Trim()}); waited {options.LockWait.TotalSeconds:0} s.");
            }

            await Task.Delay(Poll, s.CancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ReleaseAsync()
    {
        var r = await _session.RunAsync(CommandSpec.Of("rm", "-rf", _path).Mutating()).ConfigureAwait(false);
        if (!r.Succeeded)
        {
            _session.Log.Warning(_session.VirtHost, $"Could not remove the publish lock {_path}: {r.Stderr.Trim()}");
        }
    }

    private static async Task<TimeSpan> AgeAsync(HostSession s, string path)
    {
        // Both times from the host's clock: the caller's may differ.
        var now = await s.RunAsync(CommandSpec.Of("date", "+%s")).ConfigureAwait(false);
        var made = await s.RunAsync(CommandSpec.Of("date", "-r", path, "+%s")).ConfigureAwait(false);
        return now.Succeeded && made.Succeeded
            && long.TryParse(now.Stdout.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
            && long.TryParse(made.Stdout.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var b)
            ? TimeSpan.FromSeconds(a - b)
            : TimeSpan.Zero;
    }
}
