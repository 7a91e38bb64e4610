using System.Management.Automation;
using QaNet.Core.Publish;

namespace QaNet.Commands.Publishing;

/// <summary>Keeps a publish made with -ConfirmTimeout: stops each host's revert timer.</summary>
[Cmdlet(VerbsLifecycle.Confirm, "QaPublish", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(QaPublishResult))]
public sealed class ConfirmQaPublishCommand : PendingPublishCommand
{
    protected override string Action => "Confirm the pending publish";

    protected override Task<IReadOnlyList<QaPublishResult>> DecideAsync(PolicyPublisher publisher, IReadOnlyList<string> hosts, PublishOptions options,
        int throttleLimit, Action<QaPublishResult> completed, CancellationToken cancellationToken) =>
        publisher.ConfirmHostsAsync(hosts, options, throttleLimit, completed, cancellationToken);
}
