using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Whether a flow is allowed by the policy, which rule decides and why; with <c>-All</c>, the
/// whole matrix of clients × endpoints × ports. Results carry From, To, Port and Protocol, so
/// they can be piped back in (to judge them at another moment with <c>-At</c>).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "QaReachability", DefaultParameterSetName = SingleSet)]
[OutputType(typeof(QaReachabilityResult))]
[OutputType(typeof(bool), ParameterSetName = new[] { SingleSet })]
[OutputType(typeof(QaRoleReachabilityResult), ParameterSetName = new[] { AllSet })]
[OutputType(typeof(QaNet.Core.Probes.QaLiveResult))]
[OutputType(typeof(QaNet.Core.Probes.QaFlowTrace), ParameterSetName = new[] { SingleSet })]
public sealed class TestQaReachabilityCommand : QaCmdlet, IDisposable
{
    private const string SingleSet = "Single";
    private const string AllSet = "All";

    /// <summary>Cancelled by StopProcessing (Ctrl+C): -Live probes in flight stop.</summary>
    private readonly CancellationTokenSource _stop = new();

    private QaReachability? reachability;

    /// <summary>Piped, or by property name: piped clients and results bring their own policy.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public override QaPolicy? Policy { get; set; }

    /// <summary>A client, endpoint or role name, or an address; a piped client or endpoint binds by its Name.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SingleSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(FlowEndCompleter))]
    public string From { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SingleSet, ValueFromPipelineByPropertyName = true)]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(FlowEndCompleter))]
    public string To { get; set; } = string.Empty;

    /// <summary>
    /// With a single flow: the ports asked about; with -All: ports added to the policy's own.
    /// Written as everywhere else (<c>443/tcp</c>, <c>69/udp</c>, <c>7080-7099/tcp</c>, <c>icmp</c>),
    /// so a piped assertion's Port binds; a bare number (a piped result's Port) takes -Protocol.
    /// </summary>
    [Parameter(Mandatory = true, Position = 2, ParameterSetName = SingleSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = AllSet)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public string[] Port { get; set; } = Array.Empty<string>();

    /// <summary>The protocol of bare port numbers in -Port.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public QaProtocol Protocol { get; set; } = QaProtocol.Tcp;

    /// <summary>A bare boolean, as with Test-Connection: true only if every address pair is allowed.</summary>
    [Parameter(ParameterSetName = SingleSet)]
    public SwitchParameter Quiet { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>Folds clients into their roles: one row per role, endpoint and port.</summary>
    [Parameter(ParameterSetName = AllSet)]
    public SwitchParameter ByRole { get; set; }

    /// <summary>Also probes the flows in a running lab (Start-QaLab): results carry Observed, ObservedDetail and Conforms.</summary>
    [Parameter]
    public SwitchParameter Live { get; set; }

    /// <summary>
    /// Probes each flow once in the lab (implies -Live) with nftables tracing on the lab's virthosts
    /// and gateways, and returns the kernel's path (QaFlowTrace): every rule it evaluated, each QaNet
    /// rule mapped to its policy rule id, beside the engine's deciding rule. Nat and Gateway networks
    /// (TraceUnsupported for Bridged networks and client-to-client flows).
    /// </summary>
    [Parameter(ParameterSetName = SingleSet)]
    public SwitchParameter Trace { get; set; }

    /// <summary>The lab -Live probes; default: the lab this session started, else the only lab running.</summary>
    [Parameter]
    public string? Lab { get; set; }

    /// <summary>The moment rule expiry is judged against; now when omitted.</summary>
    [Parameter]
    public DateTimeOffset At { get; set; }

    protected override void ProcessRecord()
    {
        if (Ports() is not { } ports || Engine(ResolvePolicy()) is not { } engine)
        {
            return;
        }

        switch (ParameterSetName)
        {
            case AllSet:
                WriteMatrix(engine, ports);
                break;
            default:
                WriteFlows(engine, ports);
                break;
        }
    }

    /// <summary>-Port through the port parser every cmdlet and the policy file use (InvalidPort).</summary>
    private List<QaPortRange>? Ports()
    {
        var ports = new List<QaPortRange>();
        foreach (var text in Port)
        {
            if (!QaPortRange.TryParse(text, Protocol, out var range, out var error))
            {
                WriteValidationError(new QaValidationException(error!), text);
                return null;
            }

            ports.Add(range);
        }

        return ports;
    }

    private void WriteFlows(QaReachability engine, List<QaPortRange> ports)
    {
        // Each side on its own first, so that the error names the side that is unknown.
        if (!Resolves(engine, From) || !Resolves(engine, To))
        {
            return;
        }

        if (Live || Trace)
        {
            WriteLiveFlows(engine, ports);
            return;
        }

        var results = ports.SelectMany(range => range.EachPort().SelectMany(port => engine.Test(From, To, port, range.Protocol))).ToList();

        if (Quiet)
        {
            WriteObject(results.TrueForAll(r => r.Allowed));
        }
        else
        {
            WriteObject(results, enumerateCollection: true);
        }
    }

    private QaNet.Core.Lab.QaLab? LiveLab()
    {
        if (global::QaNet.Commands.Lab.LabCommand.FindLab(this.Lab) is { } lab)
        {
            return lab;
        }

        WriteError(QaErrorRecords.Create(QaNet.Core.Lab.QaLabErrorIds.LabNotFound, this.Lab,
            this.Lab is null ? "No lab to probe: none was started in this session and not exactly one runs." : $"No lab with prefix '{this.Lab}' runs.",
            "Start one with Start-QaLab, or name it with -Lab."));
        return null;
    }

    private void WriteLiveFlows(QaReachability engine, List<QaPortRange> ports)
    {
        if (LiveLab() is not { } lab)
        {
            return;
        }

        var flows = new List<QaNet.Core.Probes.QaLiveFlow>();
        try
        {
            foreach (var range in ports)
            {
                foreach (var port in range.EachPort())
                {
                    flows.AddRange(QaNet.Core.Probes.QaLiveMatrix.FlowsBetween(lab.State, From, To, port, range.Protocol));
                }
            }
        }
        catch (QaNet.Core.Lab.QaLabException e)
        {
            WriteError(QaErrorRecords.FromException(e, e.ErrorId, From + " -> " + To));
            return;
        }

        if (Trace)
        {
            foreach (var flow in flows)
            {
                try
                {
                    WriteObject(global::QaNet.Commands.Lab.LabCommand.Trace(this, engine, lab, flow, _stop.Token));
                }
                catch (QaNet.Core.Lab.QaLabException e)
                {
                    WriteError(QaErrorRecords.FromException(e, e.ErrorId, flow.From + " -> " + flow.To));
                }
            }

            return;
        }

        var results = global::QaNet.Commands.Lab.LabCommand.Probe(this, engine, flows, _stop.Token);
        if (Quiet)
        {
            WriteObject(results.All(r => r.Observed));
        }
        else
        {
            WriteObject(results, enumerateCollection: true);
        }
    }

    private void WriteMatrix(QaReachability engine, List<QaPortRange> ports)
    {
        if (Live)
        {
            if (LiveLab() is { } lab)
            {
                var flows = QaNet.Core.Probes.QaLiveMatrix.Flows(lab.State, engine.Policy);
                WriteVerbose($"Probing {flows.Count} flows in lab {lab.Prefix} (egress matrix, ingress and client-to-client cells).");
                WriteObject(global::QaNet.Commands.Lab.LabCommand.Probe(this, engine, flows, _stop.Token), enumerateCollection: true);
            }

            return;
        }

        var matrix = engine.Matrix(new QaMatrixOptions { Ports = QaReachabilityMatrix.PolicyPorts(engine.Policy, ports) });
        WriteVerbose($"{matrix.CellCount} cells ({matrix.Clients.Count} clients × {matrix.Endpoints.Count} endpoints × {matrix.Ports.Count} ports) " +
                     $"from {matrix.ComputedCount} verdicts computed on equivalence classes.");

        // Streamed: the first rows show (and Select-Object -First stops) before the last is built.
        if (ByRole)
        {
            foreach (var row in matrix.ByRole())
            {
                WriteObject(row);
            }
        }
        else
        {
            foreach (var cell in matrix.Cells())
            {
                WriteObject(cell);
            }
        }
    }

    private bool Resolves(QaReachability engine, string name)
    {
        try
        {
            engine.ResolveName(name);
            return true;
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, name);
            return false;
        }
    }

    /// <summary>Compiled once per policy and invocation, however many flows are piped in.</summary>
    private QaReachability? Engine(QaPolicy policy)
    {
        if (reachability is null || !ReferenceEquals(reachability.Policy, policy))
        {
            try
            {
                reachability = QaReachability.Create(policy, IsBound(nameof(At)) ? At : DateTimeOffset.Now);
            }
            catch (QaValidationException e)
            {
                WriteValidationError(e, policy);
                return null;
            }
        }

        return reachability;
    }

    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose() => _stop.Dispose();
}
