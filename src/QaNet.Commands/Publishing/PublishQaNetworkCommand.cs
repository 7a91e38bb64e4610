using System.Management.Automation;
using System.Text;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Commands.Publishing;

/// <summary>
/// Publishes a policy to its hosts: each host's libvirt networks, ebtables chains and nft table,
/// atomically per host, verified, rolled back on failure, optionally confirm-or-revert.
/// </summary>
[Cmdlet(VerbsData.Publish, "QaNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(QaPublishResult))]
public sealed class PublishQaNetworkCommand : PublishingCommand
{
    /// <summary>Only the hosts that enforce these networks, and only these libvirt networks.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    /// <summary>Each host restores its previous state by itself unless Confirm-QaPublish arrives within this time.</summary>
    [Parameter]
    public TimeSpan? ConfirmTimeout { get; set; }

    /// <summary>How long to wait for another publish on the same host.</summary>
    [Parameter]
    public TimeSpan LockWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Publish even when it would cut the management path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Once a host fails or is rolled back, start no further host (they are reported NotAttempted); hosts already running finish.</summary>
    [Parameter]
    public SwitchParameter StopOnFirstFailure { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var pump = new CmdletPump(this, "Publishing to");
        var publisher = CreatePublisher(policy, pump);
        if (RenderSelected(policy, publisher, Network) is not { } artifacts)
        {
            return;
        }

        var whatIf = WhatIfRequested();
        var options = new PublishOptions
        {
            LockWait = LockWait,
            WhatIf = whatIf,
            // Scripted hosts (a session runner set by tests) answer only the publish's own commands;
            // the preflight is proven on real programs (PreflightTests, the acceptance suite's lab).
            Preflight = Session.Runner is null,
            Force = Force,
            ConfirmTimeout = ConfirmTimeout,
            Approve = plan => pump.Invoke(() => ShouldProcess(Describe(plan), "Publish")),
        };
        // All hosts at once (bounded by -ThrottleLimit), each atomic on its own; the results come
        // back in host order. ShouldProcess (-Confirm) is asked on the pipeline thread, per host.
        pump.Begin(artifacts.Count);
        IReadOnlyList<QaPublishResult> results;
        try
        {
            results = pump.Run(() => publisher.PublishHostsAsync(artifacts, options, ThrottleLimit, StopOnFirstFailure,
                r => pump.Done(r.VirtHost, r.Outcome.ToString()), StopToken));
        }
        finally
        {
            pump.End();
        }

        foreach (var result in results)
        {
            if (whatIf && result.Plan is { } plan)
            {
                // Prints "What if: …" with the plan; runs nothing.
                ShouldProcess(Describe(plan), "Publish");
            }

            if (result.Outcome == QaPublishOutcome.Skipped)
            {
                continue;
            }

            WriteHostResult(result);
        }

        WriteSummary(results.Where(r => r.Outcome != QaPublishOutcome.Skipped).ToList());
        if (ThroughLab is { } lab && !whatIf)
        {
            Follow(lab, publisher.Policy, results);
        }
    }

    /// <summary>
    /// After a publish through this session's lab, the lab's clients follow the policy (added,
    /// removed, moved or re-addressed clients are plugged accordingly), so the -Live probes see
    /// what was published. Only when every host was published: a lab half-way is left as it is.
    /// </summary>
    private void Follow(Core.Lab.QaLab lab, Core.Model.QaPolicy policy, IReadOnlyList<QaPublishResult> results)
    {
        if (results.Any(r => r.Outcome is not (QaPublishOutcome.Applied or QaPublishOutcome.Unchanged)))
        {
            WriteWarning($"Lab '{lab.Prefix}': not every host was published, so its clients were not re-plugged; publish again once every host succeeds.");
            return;
        }

        try
        {
            lab.FollowAsync(policy, StopToken).GetAwaiter().GetResult();
            WriteVerbose($"Lab '{lab.Prefix}': clients follow the published policy.");
        }
        catch (Core.Lab.QaLabException ex)
        {
            WriteError(QaErrorRecords.FromException(ex, ex.ErrorId, lab.Prefix));
        }
    }

    /// <summary>The ShouldProcess target: the host, its changes and the exact commands.</summary>
    private static string Describe(QaPublishPlan plan)
    {
        var sb = new StringBuilder();
        sb.Append(plan.VirtHost).Append(": ").Append(plan.Changes.Count).Append(plan.Changes.Count == 1 ? " change" : " changes");
        foreach (var c in plan.Changes)
        {
            sb.AppendLine().Append("  ").Append(c.Kind).Append(' ').Append(c.Target);
            if (c.Detail.Length > 0)
            {
                sb.Append(" (").Append(c.Detail).Append(')');
            }
        }

        foreach (var command in plan.Commands)
        {
            sb.AppendLine().Append("  $ ").Append(command);
        }

        return sb.ToString();
    }
}
