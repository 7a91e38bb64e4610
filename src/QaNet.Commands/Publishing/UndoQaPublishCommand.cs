using System.Management.Automation;
using QaNet.Core.Publish;

namespace QaNet.Commands.Publishing;

/// <summary>Reverts a publish made with -ConfirmTimeout now, from the snapshot kept on each host.</summary>
[Cmdlet(VerbsCommon.Undo, "QaPublish", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaPublishResult))]
public sealed class UndoQaPublishCommand : PendingPublishCommand
{
    protected override string Action => "Undo the pending publish";

    protected override Task<IReadOnlyList<QaPublishResult>> DecideAsync(PolicyPublisher publisher, IReadOnlyList<string> hosts, PublishOptions options,
        int throttleLimit, Action<QaPublishResult> completed, CancellationToken cancellationToken) =>
        publisher.UndoHostsAsync(hosts, options, throttleLimit, completed, cancellationToken);
}
