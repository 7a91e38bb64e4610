using System.Management.Automation;
using System.Runtime.CompilerServices;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Loading;
using QaNet.Core.Diagnostics;
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
    /// Probes <paramref name="flows"/> in the lab through the pump (progress when there are many);
    /// <paramref name="stop"/> (the cmdlet's StopProcessing, Ctrl+C) cancels the probes in flight
    /// and ends the pipeline. Probes run through this session's runner.
    /// </summary>
    internal static IReadOnlyList<Core.Probes.QaLiveResult> Probe(Cmdlet cmdlet, Core.Engine.QaReachability engine, IReadOnlyList<Core.Probes.QaLiveFlow> flows, CancellationToken stop)
    {
        var pump = new CmdletPump(cmdlet, $"Probing the lab ({flows.Count} flows)");
        // Read on the pipeline thread: the session is the runspace's, and the work runs on the pool.
        var prober = new Core.Probes.QaProber(Session.Runner);
        try
        {
            return pump.Run(() => Core.Probes.QaLiveMatrix.RunAsync(engine, flows, prober: prober,
                log: flows.Count > 20 ? pump : null, cancellationToken: stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            pump.End();
        }
    }

    /// <summary>
    /// Traces <paramref name="flow"/> in the lab's kernels (<see cref="Core.Probes.QaFlowTracer"/>)
    /// through the pump; <paramref name="stop"/> cancels it (the trace table is removed still).
    /// </summary>
    internal static Core.Probes.QaFlowTrace Trace(Cmdlet cmdlet, Core.Engine.QaReachability engine, QaLab lab, Core.Probes.QaLiveFlow flow, CancellationToken stop)
    {
        var pump = new CmdletPump(cmdlet, $"Tracing {flow.From} -> {flow.To} {flow.Port}");
        var tracer = new Core.Probes.QaFlowTracer(Session.Runner);
        try
        {
            return pump.Run(() => tracer.TraceAsync(engine, lab.State, flow, stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            pump.End();
        }
    }

    /// <summary>Runs <paramref name="work"/> through the pump, writing its messages as they come; Ctrl+C cancels it.</summary>
    protected T Run<T>(Func<QaLabOptions, CancellationToken, Task<T>> work, object? target)
    {
        var pump = new CmdletPump(this, MyInvocation.MyCommand.Name);
        using var cts = new CancellationTokenSource();
        _cancel = cts;
        try
        {
            // The options are made on the pipeline thread, where this runspace's session is found.
            var options = new QaLabOptions { Log = pump, Runner = Session.Runner };
            return pump.Run(() => work(options, cts.Token));
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
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
