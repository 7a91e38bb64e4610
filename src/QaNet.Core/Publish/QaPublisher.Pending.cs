using System.Diagnostics;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>The pending publish: status, confirm, undo and drift.</summary>
public sealed partial class QaPublisher
{
    /// <summary>Where the host stands: drift, its pending publish, the publish record it carries. Reads only.</summary>
    public async Task<QaHostStatus> StatusAsync(PublishHost host, HostArtifacts artifacts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(artifacts);
        artifacts.Validate();
        var s = new HostSession(host, _log, cancellationToken);
        var digest = QaPublishRecord.DigestOf(artifacts);
        try
        {
            artifacts = await HostFit.ApplyAsync(s, artifacts).ConfigureAwait(false);
            var live = await HostState.ReadAsync(s, artifacts).ConfigureAwait(false);
            var expected = await ExpectedState.ComputeAsync(s, artifacts).ConfigureAwait(false);
            var drift = Drift.Compare(host.VirtHost, artifacts, live, expected);
            var entries = await StateEntriesAsync(s).ConfigureAwait(false) ?? new HashSet<string>();
            var pending = entries.Where(e => e.StartsWith("pending.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).FirstOrDefault();
            var record = entries.Contains(QaPublishRecord.FileName) ? (await QaPublishRecord.ReadAsync(s).ConfigureAwait(false)).Record : null;
            return new QaHostStatus
            {
                VirtHost = host.VirtHost,
                InSync = drift.Count == 0,
                DriftCount = drift.Count,
                Drift = drift,
                PendingConfirm = pending is not null,
                PendingId = pending?["pending.".Length..],
                Record = record,
                Digest = digest,
            };
        }
        catch (QaHostException ex)
        {
            return new QaHostStatus { VirtHost = host.VirtHost, Digest = digest, Error = FromException(ex, "Read") };
        }
    }

    /// <summary>Keeps a pending publish: stops the host's timer.</summary>
    public Task<QaPublishResult> ConfirmAsync(PublishHost host, PublishOptions? options = null, CancellationToken cancellationToken = default) =>
        DecideAsync(host, options, keep: true, cancellationToken);

    /// <summary>Reverts a pending publish now, on the host, from the snapshot saved there.</summary>
    public Task<QaPublishResult> UndoAsync(PublishHost host, PublishOptions? options = null, CancellationToken cancellationToken = default) =>
        DecideAsync(host, options, keep: false, cancellationToken);

    /// <summary>Compares the host with the artifacts; only what QaNet owns is compared. Runs only reads.</summary>
    public async Task<IReadOnlyList<QaDriftItem>> TestAsync(PublishHost host, HostArtifacts artifacts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(artifacts);
        artifacts.Validate();
        var s = new HostSession(host, _log, cancellationToken);
        artifacts = await HostFit.ApplyAsync(s, artifacts).ConfigureAwait(false);
        var live = await HostState.ReadAsync(s, artifacts).ConfigureAwait(false);
        var expected = await ExpectedState.ComputeAsync(s, artifacts).ConfigureAwait(false);
        return Drift.Compare(host.VirtHost, artifacts, live, expected);
    }

    private async Task<QaPublishResult> DecideAsync(PublishHost host, PublishOptions? options, bool keep, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        options ??= new PublishOptions();
        var watch = Stopwatch.StartNew();
        var s = new HostSession(host, _log, cancellationToken);
        var step = keep ? "Confirm" : "Undo";
        string? pending = null;
        QaPublishResult Result(QaPublishOutcome outcome, QaPublishError? error = null) => new()
        {
            VirtHost = host.VirtHost,
            Outcome = outcome,
            Duration = watch.Elapsed,
            Error = error,
            PendingId = pending is null ? null : PendingPublish.Id(pending),
            RestoredToSnapshot = outcome == QaPublishOutcome.Reverted ? true : null,
            Commands = s.Commands.ToList(),
        };

        HostLock? hostLock = null;
        var deciding = false;
        try
        {
            hostLock = await HostLock.AcquireAsync(s, options, Owner(NewId()) + " " + step.ToLowerInvariant(), NewId()).ConfigureAwait(false);
            _log.Phase(host.VirtHost, step);
            pending = await PendingPublish.FindAsync(s).ConfigureAwait(false);
            if (pending is null)
            {
                return Result(QaPublishOutcome.Failed, new QaPublishError(QaErrorIds.PublishNotPending,
                    $"No publish on {host.VirtHost} waits for confirmation.") { Step = step });
            }

            // Once claimed, the decision is carried out whatever the caller does.
            s.CancellationToken.ThrowIfCancellationRequested();
            s.Shield();
            deciding = true;
            if (!await PendingPublish.ClaimAsync(s, pending).ConfigureAwait(false))
            {
                // The timer claimed it first: it is reverting or has reverted.
                var done = await PendingPublish.WaitRevertedAsync(s, pending, options.RevertWait).ConfigureAwait(false);
                var log = await PendingPublish.ReadRevertLogAsync(s, pending).ConfigureAwait(false);
                if (!done)
                {
                    // Neither kept nor known to be restored: say so rather than report an outcome not reached.
                    return Result(QaPublishOutcome.Failed, new QaPublishError(QaErrorIds.PublishRevertUnfinished,
                        $"The confirm timer on {host.VirtHost} claimed publish {PendingPublish.Id(pending)} and had not finished restoring the state before it after {options.RevertWait.TotalSeconds:0} s; " +
                        $"the publish is not kept. Run Test-QaNetwork -VirtHost {host.VirtHost} to see where the host stands, and {pending}/undo.log on the host.")
                    { Step = step, Detail = log });
                }

                await PendingPublish.RemoveAsync(s, pending).ConfigureAwait(false);
                // Undo asked for the restore the timer carried out; Confirm came too late.
                return Result(QaPublishOutcome.Reverted, keep
                    ? new QaPublishError(QaErrorIds.PublishRevertedByTimer,
                        $"Too late: the confirm timer on {host.VirtHost} has restored the state before publish {PendingPublish.Id(pending)}.") { Step = step, Detail = log }
                    : null);
            }

            await PendingPublish.StopTimerAsync(s, pending).ConfigureAwait(false);
            if (keep)
            {
                await PendingPublish.RemoveAsync(s, pending).ConfigureAwait(false);
                return Result(QaPublishOutcome.Confirmed);
            }

            var undo = await PendingPublish.RunUndoAsync(s, pending).ConfigureAwait(false);
            if (!undo.Succeeded)
            {
                // Keep the folder (undo.sh and its log) for the operator.
                return Result(QaPublishOutcome.Failed, new QaPublishError(QaErrorIds.PublishRollbackFailed,
                    $"Undoing publish {PendingPublish.Id(pending)} on {host.VirtHost} reported errors; see {pending}/undo.sh.")
                { Step = step, Detail = undo.Stdout + undo.Stderr }) with { RestoredToSnapshot = false };
            }

            await PendingPublish.RemoveAsync(s, pending).ConfigureAwait(false);
            return Result(QaPublishOutcome.Reverted);
        }
        catch (QaHostException ex)
        {
            return Result(QaPublishOutcome.Failed, FromException(ex, step));
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested && !deciding)
        {
            return Result(QaPublishOutcome.NotAttempted, Stopped(host.VirtHost, step, ex));
        }
        finally
        {
            if (hostLock is not null)
            {
                s.Shield();
                await hostLock.ReleaseAsync().ConfigureAwait(false);
            }
        }
    }
}
