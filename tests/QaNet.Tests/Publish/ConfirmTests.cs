using System.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Publish;

/// <summary>Confirm-or-revert: the on-host timer keeps, reverts, and survives its caller.</summary>
[Trait("Needs", "Root")]
[Collection(PublishLabGroup.Name)]
public sealed class ConfirmTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(10);
    private readonly PublishLab _lab;

    public ConfirmTests(PublishLab lab)
    {
        _lab = lab;
    }

    private Task<string> Table() => _lab.Must("nft", "list", "table", "inet", "qanet");

    private string Pending(QaPublishResult applied) => _lab.Target.StateDirectory + "/pending." + applied.PendingId;

    private static bool ProcessAlive(string pid) => Directory.Exists("/proc/" + pid);

    private static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan limit, string failure)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < limit, failure);
            await Task.Delay(250);
        }
    }

    private async Task<TimeSpan> WaitForRevert(string before, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            try
            {
                if (await _lab.LiveStateAsync() == before)
                {
                    return watch.Elapsed;
                }
            }
            catch (Xunit.Sdk.XunitException)
            {
                // Read while the timer was undefining a network; look again.
            }

            await Task.Delay(250);
        }

        Assert.Fail($"not reverted within {limit}");
        return watch.Elapsed;
    }

    [Fact]
    public async Task Confirmed_in_time_the_publish_is_kept()
    {
        await _lab.ResetAsync();
        var publisher = new QaPublisher();
        // A timeout no loaded machine runs into: what is asserted is that Confirm stops the timer.
        var applied = await publisher.PublishAsync(_lab.Host(), Artifacts.Full(), new PublishOptions { ConfirmTimeout = TimeSpan.FromMinutes(2) });
        Assert.Equal(QaPublishOutcome.Applied, applied.Outcome);
        Assert.NotNull(applied.ConfirmDeadline);
        Assert.NotNull(applied.PendingId);
        var timerPid = (await _lab.Must("cat", Pending(applied) + "/timer.pid")).Trim();
        Assert.True(ProcessAlive(timerPid), "the timer is not running");

        // While it waits, another publish is refused.
        var blocked = await publisher.PublishAsync(_lab.Host(), Artifacts.Full());
        Assert.Equal(QaErrorIds.PublishConfirmPending, blocked.Error?.Id);

        var confirmed = await publisher.ConfirmAsync(_lab.Host());
        Assert.Equal(QaPublishOutcome.Confirmed, confirmed.Outcome);
        await WaitUntil(() => Task.FromResult(!ProcessAlive(timerPid)), TimeSpan.FromSeconds(30), "the timer outlived the confirmation");
        Assert.False((await _lab.InNs("test", "-e", Pending(applied))).Succeeded, "the pending folder is left");
        Assert.Empty(await publisher.TestAsync(_lab.Host(), Artifacts.Full()));
        Assert.Equal(QaErrorIds.PublishNotPending, (await publisher.ConfirmAsync(_lab.Host())).Error?.Id);
    }

    [Fact]
    public async Task Not_confirmed_the_host_reverts_by_itself_within_the_timeout()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        var publisher = new QaPublisher();
        var applied = await publisher.PublishAsync(_lab.Host(), Artifacts.Full(), new PublishOptions { ConfirmTimeout = Timeout });
        Assert.Equal(QaPublishOutcome.Applied, applied.Outcome);

        // Generous on purpose: the timer's clock runs on a machine other tests load too.
        await WaitForRevert(before, Timeout + TimeSpan.FromSeconds(30));
        var late = await publisher.ConfirmAsync(_lab.Host());
        Assert.Equal(QaPublishOutcome.Reverted, late.Outcome);
        Assert.Equal(QaErrorIds.PublishRevertedByTimer, late.Error?.Id);
        Assert.Equal(before, await _lab.LiveStateAsync());
    }

    [Fact]
    public async Task An_apply_slower_than_the_timeout_is_not_reverted_mid_publish()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        // Every change on the host takes a second: six of them outlast a three-second timeout.
        var delayed = 0;
        var host = _lab.Target.CreateRunner();
        var slow = new ScriptedRunner(async (spec, ct) =>
        {
            if (spec.Mutates && spec.Program is "virsh" or "nft" or "ebtables-restore")
            {
                Interlocked.Increment(ref delayed);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }

            return await host.RunAsync(spec, ct);
        });
        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var applied = await new QaPublisher().PublishAsync(_lab.Host(new RecordingRunner(slow)), Artifacts.Full(), new PublishOptions { ConfirmTimeout = Timeout });
        Assert.True(applied.Outcome == QaPublishOutcome.Applied, applied.ToString());
        Assert.True(delayed >= 6, $"only {delayed} slow commands");

        // The deadline counts from the verify, which came at least six seconds after the start.
        var deadline = long.Parse((await _lab.Must("cat", Pending(applied) + "/deadline")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(deadline >= started + 6 + (long)Timeout.TotalSeconds - 1, $"deadline {deadline} is not the timeout after the verify (started {started})");

        var undone = await new QaPublisher().UndoAsync(_lab.Host());
        Assert.Equal(QaPublishOutcome.Reverted, undone.Outcome);
        Assert.Equal(before, await _lab.LiveStateAsync());
    }

    [Fact]
    public async Task A_caller_gone_mid_apply_is_reverted_after_the_apply_budget()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        using var gone = new CancellationTokenSource();
        // The caller vanishes when it is about to define the new network: the network updates
        // on qn-keep are live, the rest is not; nothing of the publisher runs after that.
        var dying = new RecordingRunner(_lab.Target.CreateRunner(), spec =>
        {
            if (spec.Mutates && spec.Arguments.Contains("net-define"))
            {
                gone.Cancel();
                throw new OperationCanceledException(gone.Token);
            }

            return null;
        });
        var options = new PublishOptions { ConfirmTimeout = TimeSpan.FromMinutes(5), ApplyBudget = Timeout };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new QaPublisher().PublishAsync(_lab.Host(dying), Artifacts.Full(), options, gone.Token));
        Assert.NotEqual(before, await _lab.LiveStateAsync());

        await WaitForRevert(before, Timeout + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Undo_reverts_a_pending_publish_now()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        var publisher = new QaPublisher();
        Assert.Equal(QaPublishOutcome.Applied, (await publisher.PublishAsync(_lab.Host(), Artifacts.Full(), new PublishOptions { ConfirmTimeout = TimeSpan.FromMinutes(5) })).Outcome);
        var undone = await publisher.UndoAsync(_lab.Host());
        Assert.True(undone.Outcome == QaPublishOutcome.Reverted, undone.ToString());
        Assert.Equal(before, await _lab.LiveStateAsync());
    }

    [Fact]
    public async Task A_killed_caller_is_reverted_by_the_host()
    {
        await _lab.ResetAsync();
        var before = await Table();
        var core = typeof(QaPublisher).Assembly.Location;
        var script = $$"""
            $ErrorActionPreference = 'Stop'
            Add-Type -Path '{{core}}'
            $target = [QaNet.Core.Hosts.HostTarget]::Namespace('{{_lab.Ns}}')
            $host1 = [QaNet.Core.Publish.PublishHost]::For('vh1', $target, $null, $null)
            $table = [QaNet.Core.Publish.NftTableArtifact]::new('inet', 'qanet', @'
            {{Artifacts.NewNft}}
            '@)
            $artifacts = [QaNet.Core.Publish.HostArtifacts]::new('vh1', $null, [QaNet.Core.Publish.NftTableArtifact[]]@($table), $null)
            $options = [QaNet.Core.Publish.PublishOptions]::new()
            [QaNet.Core.Publish.PublishOptions].GetProperty('ConfirmTimeout').SetValue($options, [Nullable[TimeSpan]][TimeSpan]::FromSeconds({{(int)ChildTimeout.TotalSeconds}}))
            $r = [QaNet.Core.Publish.QaPublisher]::new($null).PublishAsync($host1, $artifacts, $options, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            [Console]::Out.WriteLine("PUBLISHED $($r.Outcome)")
            [Console]::Out.Flush()
            Start-Sleep -Seconds 120
            """;
        var file = Path.Combine(Path.GetTempPath(), _lab.Ns + "-child.ps1");
        await File.WriteAllTextAsync(file, script);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "tool", "run", "pwsh", "-NoProfile", "-NonInteractive", "-File", file })
        {
            psi.ArgumentList.Add(a);
        }

        psi.WorkingDirectory = AppContext.BaseDirectory;
        using var child = Process.Start(psi)!;
        try
        {
            var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(180));
            Assert.Equal("PUBLISHED Applied", line);
            Assert.Contains("egress-koji", await Table(), StringComparison.Ordinal);
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            File.Delete(file);
        }

        await WaitUntil(async () => await Table() == before, ChildTimeout + TimeSpan.FromSeconds(30), "the host did not revert after its caller was killed");
    }
}
