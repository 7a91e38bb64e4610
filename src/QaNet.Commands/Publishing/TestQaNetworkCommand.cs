using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Commands.Publishing;

/// <summary>Compares what QaNet owns on each host with what it would publish there: drift.</summary>
[Cmdlet(VerbsDiagnostic.Test, "QaNetwork")]
[OutputType(typeof(QaDriftItem))]
[OutputType(typeof(bool))]
[OutputType(typeof(QaHostStatus))]
public sealed class TestQaNetworkCommand : PublishingCommand
{
    /// <summary>Only the hosts that enforce these networks, and only these libvirt networks.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    /// <summary>Returns only $true (no drift on any host) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>One status per host (in sync?, drift count, pending confirm?, the publish it carries) instead of the drift items.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var pump = new CmdletPump(this, "Reading");
        var publisher = CreatePublisher(policy, pump);
        if (RenderSelected(policy, publisher, Network) is not { } artifacts)
        {
            return;
        }

        // Every host read in parallel (reads only); drift and statuses come out in host order.
        pump.Begin(artifacts.Count);
        IReadOnlyList<QaHostStatus> statuses;
        try
        {
            statuses = pump.Run(() => publisher.StatusHostsAsync(artifacts, ThrottleLimit, st => pump.Done(st.VirtHost), StopToken));
        }
        finally
        {
            pump.End();
        }

        var clean = true;
        foreach (var status in statuses)
        {
            clean &= status.Error is null && status.InSync;
            if (status.Error?.Exception is QaHostException hostError)
            {
                WriteHostError(hostError, status.VirtHost);
            }
            else if (status.Error?.Exception is QaValidationException invalid)
            {
                WriteValidationError(invalid, status.VirtHost);
            }
            else if (status.Error is { } stopped)
            {
                WriteError(QaErrorRecords.Create(stopped.Id, status.VirtHost, stopped.Message, "Run Test-QaNetwork again."));
            }

            if (Quiet || (status.Error is not null && !Summary))
            {
                continue;
            }

            if (Summary)
            {
                WriteObject(status);
            }
            else
            {
                WriteObject(status.Drift, enumerateCollection: true);
            }
        }

        // The cross-host view: which host is behind the others, and what it still carries.
        if (statuses.Count > 1 && HostFanOut.CompareHosts(statuses) is { } behind)
        {
            WriteWarning(behind);
        }

        if (Quiet)
        {
            WriteObject(clean);
        }
    }
}
