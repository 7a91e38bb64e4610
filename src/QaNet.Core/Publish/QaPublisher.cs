using System.Diagnostics;
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
public sealed partial class QaPublisher
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
            // The record's digest is the rendering's; what goes on the host is fitted to its stack.
            artifacts = await HostFit.ApplyAsync(s, artifacts).ConfigureAwait(false);
            if (!options.WhatIf && await AlreadyCarriesAsync(s, artifacts, digest).ConfigureAwait(false))
            {
                plan = new QaPublishPlan(host.VirtHost, Array.Empty<QaPublishChange>(), Array.Empty<string>(), artifacts);
                _log.Verbose(host.VirtHost, "The host already carries this publish and matches it; nothing to do.");
                return Result(QaPublishOutcome.Unchanged);
            }

            if (options.PreflightCheck is { } preflight && await preflight(s.CancellationToken).ConfigureAwait(false) is { } refused)
            {
                return refused with { Duration = watch.Elapsed, PublishId = id };
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
            plan = new QaPublishPlan(host.VirtHost, steps.SelectMany(x => x.Changes).ToList(),
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

            var failure = await ApplyAsync(s, steps, artifacts, expected, snapshot).ConfigureAwait(false);
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
}
