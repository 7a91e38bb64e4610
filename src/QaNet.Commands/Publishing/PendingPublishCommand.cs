using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Commands.Publishing;

/// <summary>
/// Confirm-QaPublish and Undo-QaPublish: decide the pending publish on each host. Without
/// -VirtHost, hosts with nothing pending are passed over quietly; when no host has anything
/// pending, that is one PublishNotPending error.
/// </summary>
public abstract class PendingPublishCommand : PublishingCommand
{
    /// <summary>How long to wait for another publish on the same host.</summary>
    [Parameter]
    public TimeSpan LockWait { get; set; } = TimeSpan.FromSeconds(60);

    protected abstract string Action { get; }

    protected abstract Task<IReadOnlyList<QaPublishResult>> DecideAsync(PolicyPublisher publisher, IReadOnlyList<string> hosts, PublishOptions options,
        int throttleLimit, Action<QaPublishResult> completed, CancellationToken cancellationToken);

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var pump = new CmdletPump(this, Action + " on");
        var publisher = CreatePublisher(policy, pump);
        var named = VirtHost is { Length: > 0 };
        // Asked per host on the pipeline thread first; the approved hosts are then decided in parallel.
        var hosts = SelectHosts(publisher, publisher.Hosts).Where(h => ShouldProcess(h, Action)).ToList();
        if (hosts.Count > 0)
        {
            pump.Begin(hosts.Count);
            IReadOnlyList<QaPublishResult> results;
            try
            {
                results = pump.Run(() => DecideAsync(publisher, hosts, new PublishOptions { LockWait = LockWait }, ThrottleLimit,
                    r => pump.Done(r.VirtHost, r.Outcome.ToString()), StopToken));
            }
            finally
            {
                pump.End();
            }

            var decided = new List<QaPublishResult>();
            foreach (var result in results)
            {
                if (result.Error?.Id == QaErrorIds.PublishNotPending && !named)
                {
                    WriteVerbose($"{result.VirtHost}: nothing waits for confirmation.");
                    continue;
                }

                decided.Add(result);
                WriteHostResult(result);
            }

            if (decided.Count > 0)
            {
                WriteSummary(decided);
                return;
            }
        }

        if (!named && !WhatIfRequested())
        {
            WriteError(QaErrorRecords.Create(QaErrorIds.PublishNotPending, policy,
                $"No host of policy '{policy.Name}' has a publish waiting for confirmation.",
                "Publish with -ConfirmTimeout first; a publish without it is final."));
        }
    }
}
