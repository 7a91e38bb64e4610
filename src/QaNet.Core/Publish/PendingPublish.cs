using System.Globalization;
using System.Text;
using QaNet.Core.Hosts;

namespace QaNet.Core.Publish;

/// <summary>
/// Confirm-or-revert on the host. Before a confirmable publish changes anything, QaNet writes
/// into <c>&lt;state&gt;/pending.&lt;id&gt;/</c> an <c>undo.sh</c> (the undo commands of every
/// step, newest first, payloads as here-documents), a <c>deadline</c> (seconds since the epoch,
/// by the host's clock) and a <c>timer.sh</c>, and starts the timer detached (<c>setsid -f</c>,
/// its own session, no terminal, stdio closed), so it outlives the caller and its SSH connection.
/// The timer waits until the host's clock passes the deadline in the file, then claims the
/// decision by creating <c>decided/</c> (mkdir is atomic) and runs undo.sh; Confirm and Undo
/// claim it the same way first, so exactly one of them acts.
/// </summary>
/// <remarks>
/// The deadline moves: armed, it is the apply budget away (a caller that dies mid-apply is
/// still reverted, after the budget); once the publish is verified, the caller moves it to the
/// confirm timeout from then. So the operator always gets the whole timeout to confirm, however
/// long the apply took on a slow host.
/// </remarks>
internal static class PendingPublish
{
    private const string Prefix = "pending.";

    public static async Task<string?> FindAsync(HostSession s)
    {
        var r = await s.RunAsync(CommandSpec.Of("ls", "-1", s.Host.StateDirectory)).ConfigureAwait(false);
        if (!r.Succeeded)
        {
            return null;
        }

        var name = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).FirstOrDefault();
        return name is null ? null : s.Host.StateDirectory + "/" + name;
    }

    public static string Id(string dir) => dir[(dir.LastIndexOf('/') + 1 + Prefix.Length)..];

    public static async Task<bool> IsRevertedAsync(HostSession s, string dir)
    {
        var r = await s.RunAsync(CommandSpec.Of("ls", "-1", dir)).ConfigureAwait(false);
        return r.Succeeded && r.Stdout.Split('\n', StringSplitOptions.TrimEntries).Contains("reverted");
    }

    public static async Task<string> ReadRevertLogAsync(HostSession s, string dir)
    {
        var r = await s.RunAsync(CommandSpec.Of("cat", dir + "/reverted", dir + "/undo.log")).ConfigureAwait(false);
        return r.Stdout.Trim();
    }

    /// <summary>Writes undo.sh, a deadline <paramref name="applyBudget"/> from now and the timer, and starts it.</summary>
    public static async Task<string> ArmAsync(HostSession s, IReadOnlyList<PublishStep> steps, TimeSpan applyBudget, string id, CommandSpec? restoreRecord = null)
    {
        s.Log.Phase(s.VirtHost, "Arm");
        var dir = s.Host.StateDirectory + "/" + Prefix + id;
        await s.RequireAsync(CommandSpec.Of("mkdir", dir).Mutating()).ConfigureAwait(false);
        await s.RequireAsync(HostSession.WriteFile(dir + "/undo.sh", UndoScript(s.VirtHost, steps, id, restoreRecord))).ConfigureAwait(false);
        await SetDeadlineAsync(s, dir, applyBudget).ConfigureAwait(false);
        await s.RequireAsync(HostSession.WriteFile(dir + "/timer.sh", TimerScript(dir))).ConfigureAwait(false);
        await s.RequireAsync(CommandSpec.Of("setsid", "-f", "sh", dir + "/timer.sh").Mutating()).ConfigureAwait(false);
        return dir;
    }

    /// <summary>
    /// Moves the timer's deadline to <paramref name="fromNow"/> after the host's current time.
    /// Written beside and renamed over the old file, so the timer never reads half a number.
    /// </summary>
    public static async Task SetDeadlineAsync(HostSession s, string dir, TimeSpan fromNow)
    {
        // The host's clock, not ours: the timer compares the deadline with the host's `date`.
        var date = CommandSpec.Of("date", "+%s");
        var clock = await s.RequireAsync(date).ConfigureAwait(false);
        if (!long.TryParse(clock.Stdout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var now))
        {
            throw new QaHostException(Validation.QaErrorIds.HostCommandFailed,
                $"On {s.VirtHost}, '{date}' printed '{clock.Stdout.Trim()}', not the seconds since the epoch; check the host's date command.", date, clock);
        }

        var deadline = (now + Math.Max(1, (long)Math.Ceiling(fromNow.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
        await s.RequireAsync(HostSession.WriteFile(dir + "/deadline.new", deadline + "\n")).ConfigureAwait(false);
        await s.RequireAsync(CommandSpec.Of("mv", "-f", dir + "/deadline.new", dir + "/deadline").Mutating()).ConfigureAwait(false);
    }

    /// <summary>Claims the decision (keep or revert) for the caller; false when the timer already took it.</summary>
    public static async Task<bool> ClaimAsync(HostSession s, string dir) =>
        (await s.RunAsync(CommandSpec.Of("mkdir", dir + "/decided").Mutating()).ConfigureAwait(false)).Succeeded;

    /// <summary>Stops the sleeping timer (its process group); harmless when it is gone.</summary>
    public static async Task StopTimerAsync(HostSession s, string dir)
    {
        var pid = await s.RunAsync(CommandSpec.Of("cat", dir + "/timer.pid")).ConfigureAwait(false);
        if (pid.Succeeded && int.TryParse(pid.Stdout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 1)
        {
            await s.RunAsync(CommandSpec.Of("kill", "-s", "TERM", "--", "-" + p.ToString(CultureInfo.InvariantCulture)).Mutating()).ConfigureAwait(false);
        }
    }

    public static async Task RemoveAsync(HostSession s, string dir) =>
        await s.RunAsync(CommandSpec.Of("rm", "-rf", dir).Mutating()).ConfigureAwait(false);

    public static Task<CommandResult> RunUndoAsync(HostSession s, string dir) =>
        s.RunAsync(CommandSpec.Of("sh", dir + "/undo.sh") with { Mutates = true, Timeout = TimeSpan.FromMinutes(5) });

    /// <summary>Waits (bounded) for a timer that has claimed the decision to finish reverting.</summary>
    public static async Task<bool> WaitRevertedAsync(HostSession s, string dir, TimeSpan limit)
    {
        var until = DateTimeOffset.UtcNow + limit;
        while (DateTimeOffset.UtcNow < until)
        {
            if (await IsRevertedAsync(s, dir).ConfigureAwait(false))
            {
                return true;
            }

            await Task.Delay(250, s.CancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    internal static string UndoScript(string virtHost, IReadOnlyList<PublishStep> steps, string id, CommandSpec? restoreRecord = null)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# QaNet: undoes publish ").Append(id).Append(" on ").Append(virtHost).Append(", newest change first.\n");
        sb.Append("# Every command runs even when one fails (a step may not have been reached).\n");
        sb.Append("rc=0\n");
        var n = 0;
        // The publish record is written last, so it is put back first.
        var undo = steps.Reverse().Select(step => ("# undo: " + step.Change, step.Undo));
        if (restoreRecord is not null)
        {
            undo = undo.Prepend(("# undo: the publish record", new[] { restoreRecord }));
        }

        foreach (var (comment, commands) in undo)
        {
            sb.Append(comment).Append('\n');
            foreach (var c in commands)
            {
                sb.Append(c.ToShellLine());
                if (c.Stdin is null)
                {
                    sb.Append(" </dev/null || rc=1\n");
                    continue;
                }

                var text = c.StdinText;
                var marker = $"QANET_{id}_{++n}";
                if (text.Split('\n').Contains(marker))
                {
                    throw new InvalidOperationException("An undo payload contains its here-document marker.");
                }

                sb.Append(" <<'").Append(marker).Append("' || rc=1\n").Append(text);
                if (!text.EndsWith('\n'))
                {
                    sb.Append('\n');
                }

                sb.Append(marker).Append('\n');
            }
        }

        sb.Append("exit $rc\n");
        return sb.ToString();
    }

    internal static string TimerScript(string dir)
    {
        var q = (string file) => PosixShell.Quote(dir + "/" + file);
        return "#!/bin/sh\n"
            + "# QaNet confirm-or-revert timer: reverts unless Confirm or Undo claims the decision first.\n"
            + "# It waits for the deadline in the file, which the publisher moves once the publish is verified;\n"
            + "# a deadline that cannot be read counts as passed (reverting is the safe side).\n"
            + "exec </dev/null >/dev/null 2>&1\n"
            + $"echo $$ > {q("timer.pid")}\n"
            + "while :; do\n"
            + $"  read -r deadline < {q("deadline")} || break\n"
            + "  case $deadline in ''|*[!0-9]*) break ;; esac\n"
            + "  [ \"$(date +%s)\" -ge \"$deadline\" ] && break\n"
            + "  sleep 1\n"
            + "done\n"
            + $"mkdir {q("decided")} || exit 0\n"
            + $"sh {q("undo.sh")} > {q("undo.log")} 2>&1\n"
            + $"echo $? > {q("reverted")}\n";
    }
}
