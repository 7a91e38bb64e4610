using System.Collections.Concurrent;
using System.Management.Automation;
using QaNet.Core.Diagnostics;
using QaNet.Core.Publish;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// The one dispatcher between Core's async work and the pipeline: runs the work (a publish, a
/// lab start or stop, the live probes) off the pipeline thread while the pipeline thread writes
/// what it reports. PowerShell's Write* and ShouldProcess may only be called from the pipeline
/// thread, so the work posts them here and <see cref="Run{T}"/> carries them out until it ends.
/// It is Core's <see cref="IQaLog"/>: Verbose and Warning (prefixed with their host), a progress
/// child record per host phase, and overall progress for counted items (probes).
/// Hosts run concurrently: every Write* and every ShouldProcess is queued and carried out one at a
/// time on the pipeline thread, and the progress state is touched only there. Progress is one
/// parent record (hosts done / all, with PercentComplete) and one child record per host (its phase).
/// When the pipeline is stopped (Ctrl+C) the pump keeps waiting for the work to end (hosts that are
/// applying finish or roll back), drops further writes and answers ShouldProcess with a stop.
/// </summary>
internal sealed class CmdletPump : IQaLog
{
    private readonly Cmdlet _cmdlet;
    private readonly string _activity;
    private readonly Dictionary<string, int> _progressIds = new(StringComparer.Ordinal);
    private BlockingCollection<Action>? _queue;
    private int _pipelineThread;
    private int _total;
    private int _done;
    private bool _stopped;
    private bool _counted;
    private int _lastPercent = -1;
    private const int ParentId = 1;

    public CmdletPump(Cmdlet cmdlet, string activity)
    {
        _cmdlet = cmdlet;
        _activity = activity;
    }

    /// <summary>Runs <paramref name="work"/> and pumps its messages on the calling (pipeline) thread until it ends.</summary>
    public T Run<T>(Func<Task<T>> work)
    {
        using var queue = new BlockingCollection<Action>();
        _queue = queue;
        _pipelineThread = Environment.CurrentManagedThreadId;
        var task = Task.Run(work);
        _ = task.ContinueWith(_ => queue.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            foreach (var action in queue.GetConsumingEnumerable())
            {
                try
                {
                    action();
                }
                catch (PipelineStoppedException)
                {
                    // Ctrl+C: nothing more can be written, but the hosts still running must end
                    // (finish or roll back) before the cmdlet returns.
                    _stopped = true;
                }
            }
        }
        finally
        {
            _queue = null;
        }

        if (_stopped)
        {
            try
            {
                task.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Its failure cannot be reported any more; the pipeline is stopping.
            }

            throw new PipelineStoppedException();
        }

        return task.GetAwaiter().GetResult();
    }

    /// <summary>Runs <paramref name="call"/> on the pipeline thread and waits for its answer (ShouldProcess).</summary>
    public T Invoke<T>(Func<T> call)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThread || _queue is null)
        {
            return call();
        }

        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                if (_stopped)
                {
                    throw new OperationCanceledException("The pipeline was stopped.");
                }

                answer.SetResult(call());
            }
            catch (Exception ex)
            {
                answer.SetException(ex);
            }
        });
        return answer.Task.GetAwaiter().GetResult();
    }

    public void Verbose(string? source, string message) => Post(() => _cmdlet.WriteVerbose(source is null ? message : $"{source}: {message}"));

    public void Warning(string? source, string message) => Post(() => _cmdlet.WriteWarning(source is null ? message : $"{source}: {message}"));

    /// <summary>Overall progress of counted items; posted only when the percentage moves, so a thousand probes are not a thousand records.</summary>
    public void Progress(int done, int total)
    {
        var percent = total <= 0 ? 100 : Math.Min(100, done * 100 / total);
        if (Interlocked.Exchange(ref _lastPercent, percent) == percent)
        {
            return;
        }

        Post(() =>
        {
            if (!_stopped)
            {
                _counted = true;
                _cmdlet.WriteProgress(new ProgressRecord(ParentId, _activity, $"{done} of {total}") { PercentComplete = percent });
            }
        });
    }

    public void Phase(string virtHost, string phase) => Post(() =>
    {
        if (!_stopped)
        {
            _cmdlet.WriteProgress(new ProgressRecord(ProgressId(virtHost), $"{_activity} {virtHost}", phase) { ParentActivityId = _total > 0 ? ParentId : -1 });
        }
    });

    /// <summary>Opens the parent progress record for <paramref name="hosts"/> hosts (call on the pipeline thread, before <see cref="Run{T}"/>).</summary>
    public void Begin(int hosts)
    {
        _total = hosts;
        _done = 0;
        _cmdlet.WriteProgress(Parent());
    }

    /// <summary>Closes the progress bar of a host and advances the parent; callable from any thread.</summary>
    public void Done(string virtHost, string? outcome = null) => Post(() =>
    {
        if (_stopped)
        {
            return;
        }

        if (_progressIds.ContainsKey(virtHost))
        {
            _cmdlet.WriteProgress(new ProgressRecord(ProgressId(virtHost), $"{_activity} {virtHost}", outcome ?? "Done")
            { RecordType = ProgressRecordType.Completed, ParentActivityId = _total > 0 ? ParentId : -1 });
        }

        if (_total > 0)
        {
            _done++;
            _cmdlet.WriteProgress(Parent());
        }
    });

    /// <summary>Closes the parent progress record (of hosts, or of counted items).</summary>
    public void End()
    {
        if (_stopped)
        {
            return;
        }

        if (_total > 0)
        {
            var done = Parent();
            done.RecordType = ProgressRecordType.Completed;
            _cmdlet.WriteProgress(done);
        }
        else if (_counted)
        {
            _cmdlet.WriteProgress(new ProgressRecord(ParentId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private ProgressRecord Parent() => new(ParentId, $"{_activity} {_total} {(_total == 1 ? "host" : "hosts")}", $"{_done} of {_total} done")
    {
        PercentComplete = _total == 0 ? 100 : Math.Min(100, _done * 100 / _total),
    };

    // Children start after the parent's id.
    private int ProgressId(string virtHost) =>
        _progressIds.TryGetValue(virtHost, out var id) ? id : _progressIds[virtHost] = ParentId + _progressIds.Count + 1;

    private void Post(Action action)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThread || _queue is not { } queue)
        {
            action();
            return;
        }

        try
        {
            queue.Add(action);
        }
        catch (InvalidOperationException)
        {
            // The work has ended; nothing is listening any more.
        }
    }
}
