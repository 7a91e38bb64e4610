using System.Collections.Concurrent;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Loading;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Commands.Lab;

/// <summary>
/// What the lab cmdlets share: running Core's asynchronous lab calls on the pipeline thread
/// while their progress messages become verbose and warning records, and the lab errors.
/// </summary>
public abstract class LabCommand : QaCmdlet
{
    /// <summary>The lab a -Live probe goes to: the given prefix, else this session's lab, else the only lab running.</summary>
    internal static QaLab? FindLab(string? prefix)
    {
        if (!string.IsNullOrEmpty(prefix))
        {
            return QaLab.Get(prefix);
        }

        if (Session.Lab is { } lab)
        {
            return lab;
        }

        var all = QaLab.List();
        return all.Count == 1 ? all[0] : null;
    }

    /// <summary>
    /// Probes <paramref name="flows"/> in the lab on the pipeline thread's behalf, showing
    /// progress when there are many; <paramref name="stop"/> (the cmdlet's StopProcessing, Ctrl+C)
    /// cancels the probes in flight and ends the pipeline. Probes run through this session's runner.
    /// </summary>
    internal static IReadOnlyList<Core.Probes.QaLiveResult> Probe(Cmdlet cmdlet, Core.Engine.QaReachability engine, IReadOnlyList<Core.Probes.QaLiveFlow> flows, CancellationToken stop)
    {
        var done = 0;
        var progress = new Progress<int>(n => Interlocked.Exchange(ref done, n));
        var task = Core.Probes.QaLiveMatrix.RunAsync(engine, flows, prober: new Core.Probes.QaProber(Session.Runner), progress: progress, cancellationToken: stop);
        var record = new ProgressRecord(1, "Probing the lab", $"{flows.Count} flows");
        try
        {
            while (!task.Wait(250, CancellationToken.None))
            {
                if (flows.Count > 20 && !stop.IsCancellationRequested)
                {
                    record.PercentComplete = Math.Min(100, 100 * Volatile.Read(ref done) / flows.Count);
                    record.StatusDescription = $"{Volatile.Read(ref done)} of {flows.Count} flows";
                    cmdlet.WriteProgress(record);
                }
            }
        }
        catch (AggregateException) when (stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }

        if (flows.Count > 20)
        {
            record.RecordType = ProgressRecordType.Completed;
            cmdlet.WriteProgress(record);
        }

        return task.GetAwaiter().GetResult();
    }

    private sealed class QueueLog : IQaLabLog
    {
        public ConcurrentQueue<(bool Warning, string Text)> Messages { get; } = new();

        public void Verbose(string message) => Messages.Enqueue((false, message));

        public void Warning(string message) => Messages.Enqueue((true, message));
    }

    /// <summary>Runs <paramref name="work"/>, writing its messages as they come; Ctrl+C cancels it.</summary>
    protected T Run<T>(Func<QaLabOptions, CancellationToken, Task<T>> work, object? target)
    {
        var log = new QueueLog();
        using var cts = new CancellationTokenSource();
        _cancel = cts;
        try
        {
            var task = work(new QaLabOptions { Log = log, Runner = Session.Runner }, cts.Token);
            while (!task.Wait(100))
            {
                Drain(log);
            }

            Drain(log);
            return task.GetAwaiter().GetResult();
        }
        catch (AggregateException ex) when (ex.InnerException is not null)
        {
            Drain(log);
            Fail(ex.InnerException, target);
            throw;
        }
        catch (Exception ex) when (ex is QaLabException or QaValidationException)
        {
            Drain(log);
            Fail(ex, target);
            throw;
        }
        finally
        {
            _cancel = null;
        }
    }

    private CancellationTokenSource? _cancel;

    protected override void StopProcessing() => _cancel?.Cancel();

    private void Drain(QueueLog log)
    {
        while (log.Messages.TryDequeue(out var m))
        {
            if (m.Warning)
            {
                WriteWarning(m.Text);
            }
            else
            {
                WriteVerbose(m.Text);
            }
        }
    }

    /// <summary>The error id of an unexpected failure of this command.</summary>
    protected virtual string FailureId => QaLabErrorIds.LabStartFailed;

    private void Fail(Exception ex, object? target)
    {
        switch (ex)
        {
            case QaValidationException v:
                ThrowTerminatingError(QaErrorRecords.FromValidation(v, target));
                break;
            case QaLabException l:
                ThrowTerminatingError(QaErrorRecords.FromException(l, l.ErrorId, target));
                break;
            case OperationCanceledException:
                break;
            default:
                ThrowTerminatingError(QaErrorRecords.FromException(ex, FailureId, target));
                break;
        }
    }

    /// <summary>
    /// <paramref name="policy"/> as <paramref name="lab"/> builds it: a lab started with -Mode holds
    /// its networks in that mode, so what is published into it must say so too. The policy itself
    /// when the lab's networks have the policy's modes, else a copy with the lab's.
    /// </summary>
    internal static QaPolicy AsBuilt(QaLab lab, QaPolicy policy, out IReadOnlyList<string> overridden)
    {
        var modes = lab.State.Networks.ToDictionary(n => n.Name, n => n.Mode, StringComparer.Ordinal);
        overridden = policy.Networks
            .Where(n => modes.TryGetValue(n.Name, out var m) && m != n.Mode)
            .Select(n => $"{n.Name} ({modes[n.Name]})")
            .ToList();
        if (overridden.Count == 0)
        {
            return policy;
        }

        var copy = CopyOf(policy);
        foreach (var n in copy.Networks)
        {
            if (modes.TryGetValue(n.Name, out var m))
            {
                n.Mode = m;
            }
        }

        return copy;
    }

    /// <summary>A copy of the policy (through its YAML form), for a lab that overrides something.</summary>
    internal static QaPolicy CopyOf(QaPolicy policy)
    {
        PolicyIsolation.Register();
        return Copy(policy);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static QaPolicy Copy(QaPolicy policy) => PolicyYaml.Parse(PolicyYaml.Serialize(policy), policy.Name + " (lab copy)");
}
