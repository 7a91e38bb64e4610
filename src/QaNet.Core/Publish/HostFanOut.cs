using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>
/// Runs one piece of work per host, at most <c>throttleLimit</c> at a time, and returns the
/// results in the order the hosts were given, whatever order they finish in. Every host gets a
/// result: a host that is not started (the caller stopped, or an earlier host failed and
/// <c>stopOnFirstFailure</c> is set) gets the <c>notStarted</c> one with the reason. Hosts already
/// running always finish; each host's work is atomic on its own (see <see cref="QaPublisher"/>).
/// </summary>
public static class HostFanOut
{
    public static async Task<IReadOnlyList<T>> RunAsync<T>(
        IReadOnlyList<string> hosts,
        Func<string, CancellationToken, Task<T>> work,
        Func<string, QaPublishError, T> notStarted,
        int throttleLimit = 5,
        Func<T, bool>? stopsTheRest = null,
        Action<string, T>? completed = null,
        Func<string, QaPublishError, T>? broke = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(notStarted);
        ArgumentOutOfRangeException.ThrowIfLessThan(throttleLimit, 1);
        var results = new T[hosts.Count];
        using var gate = new SemaphoreSlim(throttleLimit);
        var running = new List<Task>();
        QaPublishError? stop = null;
        for (var i = 0; i < hosts.Count; i++)
        {
            var host = hosts[i];
            var acquired = false;
            try
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                acquired = true;
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting for a slot: this host and the rest are not started.
            }

            var why = cancellationToken.IsCancellationRequested
                ? new QaPublishError(QaErrorIds.PublishStopped, $"Not started on {host}: the caller stopped.") { Step = "Start" }
                : Volatile.Read(ref stop);
            if (why is not null)
            {
                if (acquired)
                {
                    gate.Release();
                }

                results[i] = notStarted(host, why with { Message = why.Message.Replace("{host}", host, StringComparison.Ordinal) });
                completed?.Invoke(host, results[i]);
                continue;
            }

            var index = i;
            running.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        T result;
                        try
                        {
                            result = await work(host, cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OutOfMemoryException)
                        {
                            // The work reports its failures as results; what escapes it (a runner that
                            // throws mid-apply, a bug) still gets this host a result, never a lost host.
                            var error = ex is OperationCanceledException
                                ? new QaPublishError(QaErrorIds.PublishStopped,
                                    $"{host} was stopped while it was being changed; its state is not known (with a confirm timeout its timer reverts it). Run Test-QaNetwork.")
                                : new QaPublishError(QaErrorIds.HostCommandFailed, $"{host}: {ex.Message}");
                            result = (broke ?? notStarted)(host, error with { Step = "Unknown", Exception = ex });
                        }

                        results[index] = result;
                        if (stopsTheRest?.Invoke(result) == true)
                        {
                            Interlocked.CompareExchange(ref stop, new QaPublishError(QaErrorIds.PublishNotAttempted,
                                $"Not started on {{host}}: {host} failed first and StopOnFirstFailure is set.") { Step = "Start" }, null);
                        }

                        completed?.Invoke(host, result);
                    }
                    finally
                    {
                        gate.Release();
                    }
                },
                CancellationToken.None));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        return results;
    }

    /// <summary>A result for a host whose work broke off with an exception: Failed, the state not known.</summary>
    public static QaPublishResult Broke(string host, QaPublishError why) =>
        new() { VirtHost = host, Outcome = QaPublishOutcome.Failed, Error = why };

    /// <summary>A result for a host that was not started.</summary>
    public static QaPublishResult NotAttempted(string host, QaPublishError why) =>
        new() { VirtHost = host, Outcome = QaPublishOutcome.NotAttempted, Error = why };

    /// <summary>Whether a result should stop hosts not yet started (StopOnFirstFailure): the host failed or was rolled back.</summary>
    public static bool IsFailure(QaPublishResult result) =>
        result?.Outcome is QaPublishOutcome.Failed or QaPublishOutcome.RolledBack;

    /// <summary>
    /// The outcome of a multi-host call at a glance, e.g. "3 hosts: 2 applied, 1 rolled back (vh2:
    /// PublishVerifyFailed)": counts per outcome, and for every outcome that is not a success the
    /// hosts and their error ids.
    /// </summary>
    public static string Summarize(IReadOnlyList<QaPublishResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var parts = results.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g =>
        {
            var text = $"{g.Count()} {Words(g.Key)}";
            return g.First().Succeeded || g.Key == QaPublishOutcome.Skipped ? text
                : text + " (" + string.Join(", ", g.Select(r => r.Error is null ? r.VirtHost : $"{r.VirtHost}: {r.Error.Id}")) + ")";
        });
        return $"{results.Count} {(results.Count == 1 ? "host" : "hosts")}: {string.Join(", ", parts)}";
    }

    /// <summary>Whether anything in the results needs the operator's eye (a failure, a rollback, a host not attempted).</summary>
    public static bool NeedsAttention(IEnumerable<QaPublishResult> results) =>
        results.Any(r => !r.Succeeded && r.Outcome != QaPublishOutcome.Skipped);

    /// <summary>
    /// The cross-host view of <see cref="QaHostStatus"/>es: null when every host is in sync; else
    /// which hosts are behind, the publish each carries, and what the others carry.
    /// </summary>
    public static string? CompareHosts(IReadOnlyList<QaHostStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        var known = statuses.Where(x => x.Error is null).ToList();
        var behind = known.Where(x => !x.InSync).ToList();
        if (behind.Count == 0)
        {
            return null;
        }

        static string Carries(QaHostStatus x) => x.Record is { } r ? $"the publish of {r.PublishedAt:yyyy-MM-dd HH:mm:ss}Z ({r.Id})" : "no QaNet publish record";
        var odd = string.Join("; ", behind.Select(x => $"{x.VirtHost} still carries {Carries(x)} and differs from the policy in {x.DriftCount} {(x.DriftCount == 1 ? "item" : "items")}"));
        var inSync = known.Where(x => x.InSync).ToList();
        if (inSync.Count == 0)
        {
            return $"No host is in sync with the policy: {odd}.";
        }

        var latest = inSync.Where(x => x.Record is not null).OrderByDescending(x => x.Record!.PublishedAt).FirstOrDefault()?.Record;
        return $"{behind.Count} of {known.Count} hosts {(behind.Count == 1 ? "is" : "are")} behind the others: {odd}; "
            + $"{string.Join(", ", inSync.Select(x => x.VirtHost))} {(inSync.Count == 1 ? "is" : "are")} in sync"
            + (latest is null ? "." : $" (latest publish {latest.PublishedAt:yyyy-MM-dd HH:mm:ss}Z, {latest.Id}).");
    }

    private static string Words(QaPublishOutcome outcome) => outcome switch
    {
        QaPublishOutcome.RolledBack => "rolled back",
        QaPublishOutcome.NotAttempted => "not attempted",
        QaPublishOutcome.WhatIf => "planned (WhatIf)",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
