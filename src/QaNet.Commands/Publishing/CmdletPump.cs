using System.Collections.Concurrent;
using System.Management.Automation;
using QaNet.Core.Publish;

namespace QaNet.Commands.Publishing;

/// <summary>
/// Runs the publisher's async work off the pipeline thread while the pipeline thread writes what
/// it reports: PowerShell's Write* and ShouldProcess may only be called from the pipeline
/// thread, so the work posts them here and <see cref="Run{T}"/> carries them out until it ends.
/// It is also the publisher's <see cref="IPublishLog"/>: Verbose, Warning and Progress per host.
/// </summary>
internal sealed class CmdletPump : IPublishLog
{
    private readonly Cmdlet _cmdlet;
    private readonly string _activity;
    private readonly Dictionary<string, int> _progressIds = new(StringComparer.Ordinal);
    private BlockingCollection<Action>? _queue;
    private int _pipelineThread;

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
                action();
            }
        }
        finally
        {
            _queue = null;
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
                answer.SetResult(call());
            }
            catch (Exception ex)
            {
                answer.SetException(ex);
            }
        });
        return answer.Task.GetAwaiter().GetResult();
    }

    public void Verbose(string virtHost, string message) => Post(() => _cmdlet.WriteVerbose($"{virtHost}: {message}"));

    public void Warning(string virtHost, string message) => Post(() => _cmdlet.WriteWarning($"{virtHost}: {message}"));

    public void Phase(string virtHost, string phase) => Post(() => _cmdlet.WriteProgress(new ProgressRecord(ProgressId(virtHost), $"{_activity} {virtHost}", phase)));

    /// <summary>Closes the progress bar of a host.</summary>
    public void Done(string virtHost)
    {
        if (_progressIds.ContainsKey(virtHost))
        {
            _cmdlet.WriteProgress(new ProgressRecord(ProgressId(virtHost), $"{_activity} {virtHost}", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private int ProgressId(string virtHost) =>
        _progressIds.TryGetValue(virtHost, out var id) ? id : _progressIds[virtHost] = _progressIds.Count + 1;

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
