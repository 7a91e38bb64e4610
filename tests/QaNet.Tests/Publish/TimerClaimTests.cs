using QaNet.Core.Hosts;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Publish;

/// <summary>
/// Confirm and Undo when the host's confirm timer has claimed the decision first (issue 14:
/// both branches said Reverted, even when the timer had not finished). A scripted host: nothing runs.
/// </summary>
public sealed class TimerClaimTests
{
    private const string State = "/run/qanet/host";
    private const string Pending = State + "/pending.20261206-abc";

    /// <summary>A host with one pending publish whose timer has claimed it; <paramref name="reverted"/>: it has finished restoring.</summary>
    private static RecordingRunner Host(bool reverted) => new(script: c => c switch
    {
        { Program: "ls", Arguments: ["-1", State] } => new CommandResult(0, "lock\npending.20261206-abc\n", string.Empty, TimeSpan.Zero),
        { Program: "mkdir", Arguments: [Pending + "/decided"] } => CommandResult.Fail(1, "mkdir: cannot create directory: File exists"),
        { Program: "ls", Arguments: ["-1", Pending] } => new CommandResult(0, "decided\ntimer.sh\nundo.sh\n" + (reverted ? "reverted\n" : string.Empty), string.Empty, TimeSpan.Zero),
        { Program: "cat", Arguments: [Pending + "/reverted", ..] } => new CommandResult(0, reverted ? "reverted at 1765040000\n" : "undo: running\n", string.Empty, TimeSpan.Zero),
        _ => null,
    });

    private static readonly PublishOptions Quick = new() { RevertWait = TimeSpan.FromSeconds(1) };

    [Theory]
    [InlineData(true, QaPublishOutcome.Reverted, QaErrorIds.PublishRevertedByTimer)]
    [InlineData(false, QaPublishOutcome.Failed, QaErrorIds.PublishRevertUnfinished)]
    public async Task Confirm_after_the_timer_claimed_says_what_the_timer_did(bool reverted, QaPublishOutcome outcome, string id)
    {
        var runner = Host(reverted);
        var r = await new QaPublisher().ConfirmAsync(PublishHost.For("vh", HostTarget.Local, null, runner), Quick);
        Assert.Equal(outcome, r.Outcome);
        Assert.Equal(id, r.Error?.Id);
        // The folder is removed only once the timer is known to be done.
        Assert.Equal(reverted, runner.Commands.Any(c => c is { Program: "rm", Arguments: ["-rf", Pending] }));
        Assert.DoesNotContain(runner.Commands, c => c.Program == "kill");
    }

    [Theory]
    [InlineData(true, QaPublishOutcome.Reverted, null)]
    [InlineData(false, QaPublishOutcome.Failed, QaErrorIds.PublishRevertUnfinished)]
    public async Task Undo_after_the_timer_claimed_is_Reverted_only_once_it_is(bool reverted, QaPublishOutcome outcome, string? id)
    {
        var runner = Host(reverted);
        var r = await new QaPublisher().UndoAsync(PublishHost.For("vh", HostTarget.Local, null, runner), Quick);
        Assert.Equal(outcome, r.Outcome);
        Assert.Equal(id, r.Error?.Id);
        Assert.DoesNotContain(runner.Commands, c => c.Program == "sh");
        if (!reverted)
        {
            Assert.Contains(Pending, r.Error!.Message, StringComparison.Ordinal);
        }
    }
}
