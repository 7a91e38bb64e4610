using System.Diagnostics;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Publish;

/// <summary>Confirm-or-revert: the on-host timer keeps, reverts, and survives its caller.</summary>
[Collection(PublishLabGroup.Name)]
public sealed class ConfirmTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly PublishLab _lab;

    public ConfirmTests(PublishLab lab)
    {
        _lab = lab;
    }

    private Task<string> Table() => _lab.Must("nft", "list", "table", "inet", "qanet");

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
        var applied = await publisher.PublishAsync(_lab.Host(), Artifacts.Full(), new PublishOptions { ConfirmTimeout = Timeout });
        Assert.Equal(QaPublishOutcome.Applied, applied.Outcome);
        Assert.NotNull(applied.ConfirmDeadline);
        Assert.NotNull(applied.PendingId);

        // While it waits, another publish is refused.
        var blocked = await publisher.PublishAsync(_lab.Host(), Artifacts.Full());
        Assert.Equal(QaErrorIds.PublishConfirmPending, blocked.Error?.Id);

        var confirmed = await publisher.ConfirmAsync(_lab.Host());
        Assert.Equal(QaPublishOutcome.Confirmed, confirmed.Outcome);
        await Task.Delay(Timeout + TimeSpan.FromSeconds(1.5));
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
        Assert.NotEqual(before, await _lab.LiveStateAsync());

        await WaitForRevert(before, Timeout + TimeSpan.FromSeconds(6));
        var late = await publisher.ConfirmAsync(_lab.Host());
        Assert.Equal(QaPublishOutcome.Reverted, late.Outcome);
        Assert.Equal(QaErrorIds.PublishRevertedByTimer, late.Error?.Id);
        Assert.Equal(before, await _lab.LiveStateAsync());
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
            [QaNet.Core.Publish.PublishOptions].GetProperty('ConfirmTimeout').SetValue($options, [Nullable[TimeSpan]][TimeSpan]::FromSeconds(3))
            $r = [QaNet.Core.Publish.QaPublisher]::new($null).PublishAsync($host1, $artifacts, $options, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            [Console]::Out.WriteLine("PUBLISHED $($r.Outcome)")
            [Console]::Out.Flush()
            Start-Sleep -Seconds 60
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
            var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("PUBLISHED Applied", line);
            Assert.Contains("egress-koji", await Table(), StringComparison.Ordinal);
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            File.Delete(file);
        }

        var watch = Stopwatch.StartNew();
        while (await Table() != before)
        {
            Assert.True(watch.Elapsed < Timeout + TimeSpan.FromSeconds(8), "the host did not revert after its caller was killed");
            await Task.Delay(250);
        }
    }
}
