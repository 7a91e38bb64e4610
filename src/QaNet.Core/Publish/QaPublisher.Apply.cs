using System.Globalization;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>Applying a plan step by step, and rolling back to the snapshot when a step fails.</summary>
public sealed partial class QaPublisher
{
    private sealed record ApplyOutcome(List<PublishStep> Executed, QaPublishError? Error);

    private async Task<ApplyOutcome> ApplyAsync(HostSession s, List<PublishStep> steps, HostArtifacts artifacts, ExpectedState expected, HostState snapshot)
    {
        _log.Phase(s.VirtHost, "Apply");
        var executed = new List<PublishStep>();
        foreach (var step in steps)
        {
            executed.Add(step);
            foreach (var change in step.Changes)
            {
                _log.Verbose(s.VirtHost, change.ToString());
            }

            foreach (var command in step.Apply)
            {
                var r = await s.RunAsync(command).ConfigureAwait(false);
                if (!r.Succeeded)
                {
                    return new ApplyOutcome(executed, new QaPublishError(QaErrorIds.PublishApplyFailed,
                        $"{step.Change.Kind} {step.Change.Target} failed on {s.VirtHost}.")
                    { Step = "Apply", Command = command.ToString(), Detail = r.Stderr.Trim() });
                }
            }
        }

        _log.Phase(s.VirtHost, "Verify");
        try
        {
            // What the steps changed is read again; the rest the plan has just found as published.
            var after = await HostState.ReadChangedAsync(s, artifacts, snapshot, steps).ConfigureAwait(false);
            var drift = Drift.Compare(s.VirtHost, artifacts, after, expected);
            return drift.Count == 0 ? new ApplyOutcome(executed, null)
                : new ApplyOutcome(executed, new QaPublishError(QaErrorIds.PublishVerifyFailed,
                    $"After applying, {s.VirtHost} does not hold what was published: {string.Join("; ", drift.Take(5).Select(d => d.Kind + " " + d.Target + ": " + d.Detail))}")
                { Step = "Verify" });
        }
        catch (QaHostException ex)
        {
            return new ApplyOutcome(executed, FromException(ex, "Verify"));
        }
    }

    private async Task<QaPublishResult> RollBackAsync(HostSession s, List<PublishStep> executed, HostState snapshot, HostArtifacts artifacts,
        string? pendingDir, QaPublishError error, Func<QaPublishOutcome, QaPublishError?, QaPublishResult> result, TimeSpan revertWait)
    {
        _log.Phase(s.VirtHost, "Rollback");
        if (pendingDir is not null && !await PendingPublish.ClaimAsync(s, pendingDir).ConfigureAwait(false))
        {
            // The confirm timer fired while we were applying; it restores the snapshot itself.
            var done = await PendingPublish.WaitRevertedAsync(s, pendingDir, revertWait).ConfigureAwait(false);
            return result(done ? QaPublishOutcome.RolledBack : QaPublishOutcome.Failed, error) with { RestoredToSnapshot = done ? null : false };
        }

        if (pendingDir is not null)
        {
            await PendingPublish.StopTimerAsync(s, pendingDir).ConfigureAwait(false);
        }

        var undoErrors = new List<string>();
        foreach (var step in Enumerable.Reverse(executed))
        {
            foreach (var command in step.Undo)
            {
                var r = await s.RunAsync(command).ConfigureAwait(false);
                if (!r.Succeeded)
                {
                    // The failed step may not have taken effect; the re-read below decides.
                    undoErrors.Add($"{command.Program} {string.Join(' ', command.Arguments.Take(4))}: {r.Stderr.Trim()}");
                }
            }
        }

        if (pendingDir is not null)
        {
            await PendingPublish.RemoveAsync(s, pendingDir).ConfigureAwait(false);
        }

        IReadOnlyList<string> differences;
        try
        {
            var now = await HostState.ReadAsync(s, artifacts).ConfigureAwait(false);
            differences = now.DifferencesFrom(snapshot);
        }
        catch (QaHostException ex)
        {
            differences = new[] { "the host could not be re-read: " + ex.Message };
        }

        if (differences.Count == 0)
        {
            _log.Warning(s.VirtHost, $"{error.Message} The host is back where it was before the publish.");
            return result(QaPublishOutcome.RolledBack, error with { Message = error.Message + " The host was restored to its state before the publish." })
                with { RestoredToSnapshot = true };
        }

        var message = $"{error.Message} Restoring the previous state did not fully succeed ({string.Join(", ", differences)} differ" +
            (undoErrors.Count > 0 ? "; " + string.Join("; ", undoErrors) : string.Empty) + ").";
        return result(QaPublishOutcome.Failed, new QaPublishError(QaErrorIds.PublishRollbackFailed, message)
        { Step = "Rollback", Command = error.Command, Detail = error.Detail }) with { RestoredToSnapshot = false };
    }

    internal static QaPublishError Stopped(string virtHost, string step, Exception? ex = null) =>
        new(QaErrorIds.PublishStopped, $"Stopped before anything was changed on {virtHost}.") { Step = step, Exception = ex };

    internal static QaPublishError FromException(QaHostException ex, string step) =>
        new(ex.ErrorId, ex.Message) { Step = step, Command = ex.Command?.ToString(), Detail = ex.Result?.Stderr.Trim(), Exception = ex };

    internal static string NewId() =>
        DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Owner(string id) =>
        $"publish {id} by {Environment.UserName}@{Environment.MachineName} pid {Environment.ProcessId} since {DateTimeOffset.UtcNow:u}";
}
