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

    protected abstract Task<QaPublishResult> DecideAsync(PolicyPublisher publisher, string host, PublishOptions options, CancellationToken cancellationToken);

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var pump = new CmdletPump(this, Action + " on");
        var publisher = CreatePublisher(policy, pump);
        var named = VirtHost is { Length: > 0 };
        var decided = 0;
        foreach (var host in SelectHosts(publisher.Hosts))
        {
            if (!ShouldProcess(host, Action))
            {
                continue;
            }

            QaPublishResult result;
            try
            {
                result = pump.Run(() => DecideAsync(publisher, host, new PublishOptions { LockWait = LockWait }, StopToken));
            }
            catch (QaValidationException ex)
            {
                WriteValidationError(ex, host);
                continue;
            }
            finally
            {
                pump.Done(host);
            }

            if (result.Error?.Id == QaErrorIds.PublishNotPending && !named)
            {
                WriteVerbose($"{host}: nothing waits for confirmation.");
                continue;
            }

            decided++;
            WriteObject(result);
            if (!result.Succeeded && result.Error is not null || result.Error?.Id == QaErrorIds.PublishRevertedByTimer)
            {
                WriteHostError(result);
            }
        }

        if (decided == 0 && !named && !WhatIfRequested())
        {
            WriteError(QaErrorRecords.Create(QaErrorIds.PublishNotPending, ErrorCategory.ObjectNotFound, policy,
                $"No host of policy '{policy.Name}' has a publish waiting for confirmation.",
                "Publish with -ConfirmTimeout first; a publish without it is final."));
        }
    }
}
