using System.Diagnostics;
using System.Globalization;
using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>
/// Publishes rendered artifacts to virthosts: lock, read (snapshot), plan, check, arm the
/// confirm timer, apply, verify, and on any failure restore the snapshot. Also confirms or undoes
/// a pending publish and reports drift. One call works on one host; the cmdlets run hosts in
/// parallel. Results are objects; nothing is thrown for a failure on the host.
/// </summary>
public sealed class QaPublisher
{
    private readonly IQaLog _log;

    public QaPublisher(IQaLog? log = null)
    {
        _log = log ?? NullQaLog.Instance;
    }

    public async Task<QaPublishResult> PublishAsync(PublishHost host, HostArtifacts artifacts, PublishOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(artifacts);
        options ??= new PublishOptions();
        artifacts.Validate();
        var watch = Stopwatch.StartNew();
        var s = new HostSession(host, _log, cancellationToken);
        var id = options.PublishId ?? NewId();
        var digest = QaPublishRecord.DigestOf(artifacts);
        QaPublishPlan? plan = null;
        HostLock? hostLock = null;
        var applying = false;
        QaPublishResult Result(QaPublishOutcome outcome, QaPublishError? error = null) => new()
        {
            VirtHost = host.VirtHost,
            Outcome = outcome,
            Plan = plan,
            Changes = outcome is QaPublishOutcome.Unchanged || plan is null ? Array.Empty<QaPublishChange>() : plan.Changes,
            Duration = watch.Elapsed,
            Error = error,
            Commands = s.Commands.ToList(),
            PublishId = id,
        };

        try
        {
            if (!options.WhatIf && await AlreadyCarriesAsync(s, artifacts, digest).ConfigureAwait(false))
            {
                plan = new QaPublishPlan(host.VirtHost, Array.Empty<QaPublishChange>(), Array.Empty<string>(), artifacts);
                _log.Verbose(host.VirtHost, "The host already carries this publish and matches it; nothing to do.");
                return Result(QaPublishOutcome.Unchanged);
            }

            string? previousRecord = null;
            if (!options.WhatIf)
            {
                hostLock = await HostLock.AcquireAsync(s, options, Owner(id), id).ConfigureAwait(false);
                if (await PendingPublish.FindAsync(s).ConfigureAwait(false) is { } pending)
                {
                    if (!await PendingPublish.IsRevertedAsync(s, pending).ConfigureAwait(false))
                    {
                        return Result(QaPublishOutcome.Failed, new QaPublishError(QaErrorIds.PublishConfirmPending,
                            $"Publish {PendingPublish.Id(pending)} on {host.VirtHost} waits for confirmation; confirm or undo it first.") { Step = "Lock" });
                    }

                    _log.Warning(host.VirtHost, $"Publish {PendingPublish.Id(pending)} was not confirmed and its timer restored the state before it.");
                    await PendingPublish.RemoveAsync(s, pending).ConfigureAwait(false);
                }

                previousRecord = (await QaPublishRecord.ReadAsync(s).ConfigureAwait(false)).Text;
            }

            _log.Phase(host.VirtHost, "Read");
            var snapshot = await HostState.ReadAsync(s, artifacts).ConfigureAwait(false);
            var expected = await ExpectedState.ComputeAsync(s, artifacts).ConfigureAwait(false);
            _log.Phase(host.VirtHost, "Plan");
            var steps = Planner.Plan(s, artifacts, snapshot, expected);
            plan = new QaPublishPlan(host.VirtHost, steps.Select(x => x.Change).ToList(),
                steps.SelectMany(x => x.Apply).Select(c => c.ToString()).ToList(), artifacts);
            if (steps.Count == 0)
            {
                _log.Verbose(host.VirtHost, "The host already matches; nothing to do.");
                if (!options.WhatIf && QaPublishRecord.Parse(previousRecord)?.Digest != digest)
                {
                    // The host holds this rendering but no record says so (published before records, or
                    // by hand): record it, so the next publish and Test-QaNetwork -Summary know.
                    await WriteRecordAsync(s, id, digest, options).ConfigureAwait(false);
                }

                return Result(options.WhatIf ? QaPublishOutcome.WhatIf : QaPublishOutcome.Unchanged);
            }

            if (options.ManagementPathCheck?.Invoke(plan) is { } cut && !options.Force)
            {
                return Result(QaPublishOutcome.Failed, new QaPublishError(QaErrorIds.ManagementPathCut,
                    $"Publishing to {host.VirtHost} would cut the management path: {cut} Use -Force to publish anyway.") { Step = "Plan" });
            }

            _log.Phase(host.VirtHost, "Check");
            foreach (var check in steps.SelectMany(x => x.Checks))
            {
                var r = await s.RunAsync(check).ConfigureAwait(false);
                if (!r.Succeeded)
                {
                    return Result(QaPublishOutcome.Failed, new QaPublishError(QaErrorIds.PublishCheckFailed,
                        $"The check '{check.Program} {string.Join(' ', check.Arguments)}' on {host.VirtHost} rejected the change; nothing was applied.")
                    { Step = "Check", Command = check.ToString(), Detail = r.Stderr.Trim() });
                }
            }

            if (options.WhatIf)
            {
                return Result(QaPublishOutcome.WhatIf);
            }

            if (options.Approve is { } approve && !approve(plan))
            {
                return Result(QaPublishOutcome.Skipped);
            }

            // The last point where a stop leaves the host untouched; from here the publish completes
            // (applied and verified, or rolled back) whatever the caller does.
            s.CancellationToken.ThrowIfCancellationRequested();
            s.Shield();
            applying = true;
            string? pendingDir = null;
            if (options.ConfirmTimeout is not null)
            {
                pendingDir = await PendingPublish.ArmAsync(s, steps, options.ApplyBudget, id,
                    QaPublishRecord.Restore(host, previousRecord)).ConfigureAwait(false);
            }

            var failure = await ApplyAsync(s, steps, artifacts, expected).ConfigureAwait(false);
            if (failure.Error is null && pendingDir is not null)
            {
                // The confirm time starts now that the publish is verified, not when it was armed.
                try
                {
                    await PendingPublish.SetDeadlineAsync(s, pendingDir, options.ConfirmTimeout!.Value).ConfigureAwait(false);
                }
                catch (QaHostException ex)
                {
                    failure = failure with { Error = FromException(ex, "Arm") };
                }
            }

            if (failure.Error is null)
            {
                await WriteRecordAsync(s, id, digest, options).ConfigureAwait(false);
                return Result(QaPublishOutcome.Applied) with
                {
                    ConfirmDeadline = pendingDir is null ? null : DateTimeOffset.UtcNow + options.ConfirmTimeout,
                    PendingId = pendingDir is null ? null : id,
                };
            }

            return await RollBackAsync(s, failure.Executed, snapshot, artifacts, pendingDir, failure.Error, Result, options.RevertWait).ConfigureAwait(false);
        }
        catch (QaHostException ex)
        {
            return Result(QaPublishOutcome.Failed, FromException(ex, plan is null ? "Read" : "Check"));
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested && !applying)
        {
            return Result(QaPublishOutcome.NotAttempted, Stopped(host.VirtHost, plan is null ? "Read" : "Check", ex));
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

    /// <summary>
    /// The fast way to Unchanged, reads only and no lock: the host has no lock and no pending
    /// publish, its record names these artifacts, its state matches them, and after the compare
    /// still no publish has begun. Anything else goes the locked way, which decides.
    /// </summary>
    private async Task<bool> AlreadyCarriesAsync(HostSession s, HostArtifacts artifacts, string digest)
    {
        var entries = await StateEntriesAsync(s).ConfigureAwait(false);
        if (entries is null || !entries.Contains(QaPublishRecord.FileName) || Busy(entries))
        {
            return false;
        }

        if ((await QaPublishRecord.ReadAsync(s).ConfigureAwait(false)).Record?.Digest != digest)
        {
            return false;
        }

        _log.Phase(s.VirtHost, "Read");
        var live = await HostState.ReadAsync(s, artifacts).ConfigureAwait(false);
        var expected = await ExpectedState.ComputeAsync(s, artifacts).ConfigureAwait(false);
        if (Planner.Plan(s, artifacts, live, expected).Count != 0)
        {
            return false;
        }

        // A publish that began while we read could have shown us a state half-way; then decide under the lock.
        return await StateEntriesAsync(s).ConfigureAwait(false) is { } again && !Busy(again);
    }

    private static bool Busy(IReadOnlyCollection<string> entries) =>
        entries.Any(e => e == "lock" || e.StartsWith("pending.", StringComparison.Ordinal));

    /// <summary>The names in the host's state folder; null when it does not exist.</summary>
    private static async Task<HashSet<string>?> StateEntriesAsync(HostSession s)
    {
        var r = await s.RunAsync(CommandSpec.Of("ls", "-1", s.Host.StateDirectory)).ConfigureAwait(false);
        return r.Succeeded ? r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal) : null;
    }

    /// <summary>Records the publish on the host; best effort (a host without a record is only re-read in full next time).</summary>
    private async Task WriteRecordAsync(HostSession s, string id, string digest, PublishOptions options)
    {
        var record = new QaPublishRecord(id, digest, DateTimeOffset.UtcNow, options.PolicyName, $"{Environment.UserName}@{Environment.MachineName}");
        var r = await s.RunAsync(QaPublishRecord.Write(s.Host, record.ToText())).ConfigureAwait(false);
        if (!r.Succeeded)
        {
            _log.Warning(s.VirtHost, $"The publish stands, but its record could not be written: {r.Stderr.Trim()}");
        }
    }

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

    private sealed record ApplyOutcome(List<PublishStep> Executed, QaPublishError? Error);

    private async Task<ApplyOutcome> ApplyAsync(HostSession s, List<PublishStep> steps, HostArtifacts artifacts, ExpectedState expected)
    {
        _log.Phase(s.VirtHost, "Apply");
        var executed = new List<PublishStep>();
        foreach (var step in steps)
        {
            executed.Add(step);
            _log.Verbose(s.VirtHost, step.Change.ToString());
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
            var after = await HostState.ReadAsync(s, artifacts).ConfigureAwait(false);
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

    private static QaPublishError FromException(QaHostException ex, string step) =>
        new(ex.ErrorId, ex.Message) { Step = step, Command = ex.Command?.ToString(), Detail = ex.Result?.Stderr.Trim(), Exception = ex };

    internal static string NewId() =>
        DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Owner(string id) =>
        $"publish {id} by {Environment.UserName}@{Environment.MachineName} pid {Environment.ProcessId} since {DateTimeOffset.UtcNow:u}";
}
