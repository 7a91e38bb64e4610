using QaNet.Core.Hosts;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Publish;

/// <summary>
/// Publishing to several hosts at once (<see cref="PolicyPublisher.PublishHostsAsync"/>) against
/// scripted hosts (<see cref="FakeHosts"/>): the exact commands per host, the throttle, the order of
/// the results, failure isolation, StopOnFirstFailure, a stop, the unchanged re-publish, confirm
/// and status across hosts. The same on real libvirtd namespaces: MultiHostLabTests.
/// </summary>
public sealed class MultiHostPublishTests
{
    private static readonly string[] Three = { "vh1", "vh2", "vh3" };

    private static List<HostArtifacts> ArtifactsOf(IEnumerable<string> hosts, string comment = "v1") =>
        hosts.Select(h => FakeHosts.Artifacts(h, comment)).ToList();

    /// <summary>The commands of a first publish of <see cref="FakeHosts.Artifacts"/> to an empty host, exactly.</summary>
    private static List<string> FirstPublish(string host)
    {
        var state = FakeHosts.State(host);
        return new()
        {
            $"ls -1 {state}",
            $"mkdir -p {state}",
            $"mkdir {state}/lock",
            $"dd of={state}/lock/owner status=none",
            $"ls -1 {state}",
            $"cat {state}/published",
            "nft list table inet qanet",
            "nft -c -f -",
            "nft -f -",
            "nft list table inet qanet",
            $"dd of={state}/published status=none",
            $"rm -rf {state}/lock",
        };
    }

    /// <summary>The expected-form commands of one nft-only host: a fresh namespace, the table loaded and listed, the namespace deleted.</summary>
    private static readonly string[] ScratchCheck =
    {
        "ip netns list",
        "ip netns add SCRATCH",
        "ip netns exec SCRATCH nft -f -",
        "ip netns exec SCRATCH nft list table inet qanet",
        "ip netns del SCRATCH",
    };

    [Fact]
    public async Task Throttle_one_publishes_host_after_host_with_the_exact_commands_and_results_in_host_order()
    {
        var hosts = new FakeHosts(Three);
        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(Three), throttleLimit: 1);

        Assert.Equal(Three, results.Select(r => r.VirtHost));
        Assert.All(results, r => Assert.True(r.Outcome == QaPublishOutcome.Applied, r.ToString()));
        foreach (var h in Three)
        {
            Assert.Equal(FirstPublish(h), hosts.Lines(h));
            Assert.NotNull(hosts.Table(h));
        }

        // Each host's rendered table is loaded and listed back in a throwaway namespace of its own
        // on the machine (a namespace target's scratch space), argument vectors only, and deleted.
        Assert.Equal(Enumerable.Repeat(ScratchCheck, Three.Length).SelectMany(l => l), hosts.ScratchLines());
        Assert.Empty(hosts.ScratchLeft);

        // Strictly one host after the other, in host order.
        var order = hosts.HostOrder();
        Assert.Equal(order.OrderBy(h => Array.IndexOf(Three, h)).ToList(), order);
        Assert.Equal("3 hosts: 3 applied", HostFanOut.Summarize(results));
    }

    [Fact]
    public async Task The_check_deletes_throwaway_namespaces_an_hour_old_and_leaves_younger_ones_of_other_publishers()
    {
        var hosts = new FakeHosts("vh1");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var killed = $"qanet-check-{now - 7200}-0badc0de";
        var running = $"qanet-check-{now - 60}-5eed5eed";
        hosts.AddScratch(killed);
        hosts.AddScratch(running);
        hosts.AddScratch("qanet-check-soon-00000000");

        var result = Assert.Single(await hosts.Publisher().PublishHostsAsync(ArtifactsOf(hosts.Names)));

        Assert.Equal(QaPublishOutcome.Applied, result.Outcome);
        Assert.Contains("ip netns del " + killed, result.Commands);
        Assert.Equal(new[] { running, "qanet-check-soon-00000000" }, hosts.ScratchLeft.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_table_that_does_not_load_in_the_throwaway_namespace_fails_the_check_applies_nothing_and_deletes_the_namespace()
    {
        var hosts = new FakeHosts("vh1");
        hosts.Fault = (h, c) => h == FakeHosts.Scratch && c.Program == "nft" && c.Arguments is ["-f", "-"];

        var result = Assert.Single(await hosts.Publisher().PublishHostsAsync(ArtifactsOf(hosts.Names)));

        Assert.Equal(QaPublishOutcome.Failed, result.Outcome);
        Assert.Equal(QaErrorIds.PublishCheckFailed, result.Error!.Id);
        Assert.Equal("Read", result.Error.Step);
        Assert.Contains("does not load", result.Error.Message, StringComparison.Ordinal);
        Assert.Null(hosts.Table("vh1"));
        Assert.DoesNotContain(hosts.Mutations("vh1"), m => m.StartsWith("nft", StringComparison.Ordinal));
        Assert.Empty(hosts.ScratchLeft);
    }

    [Fact]
    public async Task Throttle_n_runs_the_hosts_at_once_and_each_host_runs_the_same_commands()
    {
        var hosts = new FakeHosts(Three);
        // Every host waits at its lock until all three have reached it: only a parallel publish gets past.
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hosts.Before = async (_, c) =>
        {
            if (c.Program == "mkdir" && c.Arguments is [var dir] && dir.EndsWith("/lock", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref arrived) == Three.Length)
                {
                    all.SetResult();
                }

                await all.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        };

        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(Three), throttleLimit: 3);

        Assert.Equal(Three, results.Select(r => r.VirtHost));
        Assert.All(results, r => Assert.True(r.Outcome == QaPublishOutcome.Applied, r.ToString()));
        foreach (var h in Three)
        {
            Assert.Equal(FirstPublish(h), hosts.Lines(h));
        }
    }

    [Fact]
    public async Task Throttle_two_never_has_more_than_two_hosts_in_flight()
    {
        var hosts = new FakeHosts("vh1", "vh2", "vh3", "vh4");
        var inFlight = 0;
        var most = 0;
        hosts.Before = (_, c) =>
        {
            if (c.Program == "mkdir" && c.Arguments is [var d] && d.EndsWith("/lock", StringComparison.Ordinal))
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref most, now);
            }
            else if (c.Program == "rm" && c.Arguments[^1].EndsWith("/lock", StringComparison.Ordinal))
            {
                Interlocked.Decrement(ref inFlight);
            }

            return Task.Delay(1);
        };

        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(hosts.Names), throttleLimit: 2);
        Assert.All(results, r => Assert.Equal(QaPublishOutcome.Applied, r.Outcome));
        Assert.InRange(most, 1, 2);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task One_failing_host_is_rolled_back_and_the_others_run_exactly_what_they_run_alone()
    {
        var hosts = new FakeHosts(Three);
        // vh2's apply takes effect and then reports failure (a lost reply): the worst case for a rollback.
        hosts.FaultAfterEffect = true;
        hosts.Fault = (h, c) => h == "vh2" && c.Program == "nft" && c.Arguments is ["-f", "-"] && c.StdinText.Contains("comment \"v1\"", StringComparison.Ordinal);

        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(Three), throttleLimit: 3);

        Assert.Equal(new[] { QaPublishOutcome.Applied, QaPublishOutcome.RolledBack, QaPublishOutcome.Applied }, results.Select(r => r.Outcome));
        Assert.Equal(QaErrorIds.PublishApplyFailed, results[1].Error!.Id);
        Assert.True(results[1].RestoredToSnapshot);
        Assert.Null(hosts.Table("vh2"));
        Assert.Null(hosts.File("vh2", "published"));
        Assert.Equal(FirstPublish("vh1"), hosts.Lines("vh1"));
        Assert.Equal(FirstPublish("vh3"), hosts.Lines("vh3"));

        var state = FakeHosts.State("vh2");
        var vh2 = FirstPublish("vh2").Take(9).ToList();
        vh2.AddRange(new[] { "nft -f -", "nft list table inet qanet", $"rm -rf {state}/lock" });
        Assert.Equal(vh2, hosts.Lines("vh2"));
        Assert.Equal("3 hosts: 2 applied, 1 rolled back (vh2: PublishApplyFailed)", HostFanOut.Summarize(results));
        Assert.True(HostFanOut.NeedsAttention(results));
    }

    [Fact]
    public async Task Stop_on_first_failure_marks_the_hosts_not_started_NotAttempted_and_runs_nothing_there()
    {
        var hosts = new FakeHosts(Three);
        hosts.Fault = (h, c) => h == "vh2" && c.Program == "nft" && c.Arguments is ["-f", "-"] && c.StdinText.Contains("v1", StringComparison.Ordinal);

        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(Three), throttleLimit: 1, stopOnFirstFailure: true);

        Assert.Equal(new[] { QaPublishOutcome.Applied, QaPublishOutcome.RolledBack, QaPublishOutcome.NotAttempted }, results.Select(r => r.Outcome));
        Assert.Equal(QaErrorIds.PublishNotAttempted, results[2].Error!.Id);
        Assert.Contains("vh2 failed first", results[2].Error!.Message, StringComparison.Ordinal);
        Assert.Empty(hosts.Lines("vh3"));
        Assert.Equal("3 hosts: 1 applied, 1 rolled back (vh2: PublishApplyFailed), 1 not attempted (vh3: PublishNotAttempted)", HostFanOut.Summarize(results));
    }

    [Fact]
    public async Task Stop_on_first_failure_lets_hosts_already_running_finish()
    {
        var hosts = new FakeHosts(Three);
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hosts.Before = async (_, c) =>
        {
            if (c.Program == "mkdir" && c.Arguments is [var dir] && dir.EndsWith("/lock", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref arrived) == Three.Length)
                {
                    all.SetResult();
                }

                await all.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        };
        hosts.Fault = (h, c) => h == "vh2" && c.Program == "nft" && c.Arguments is ["-f", "-"] && c.StdinText.Contains("v1", StringComparison.Ordinal);

        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(Three), throttleLimit: 3, stopOnFirstFailure: true);

        Assert.Equal(new[] { QaPublishOutcome.Applied, QaPublishOutcome.RolledBack, QaPublishOutcome.Applied }, results.Select(r => r.Outcome));
    }

    [Fact]
    public async Task An_unchanged_republish_runs_only_reads_and_a_compare()
    {
        var hosts = new FakeHosts(Three);
        var publisher = hosts.Publisher();
        Assert.All(await publisher.PublishHostsAsync(ArtifactsOf(Three)), r => Assert.Equal(QaPublishOutcome.Applied, r.Outcome));
        hosts.Recorder.Clear();

        var again = await publisher.PublishHostsAsync(ArtifactsOf(Three));

        Assert.All(again, r => Assert.Equal(QaPublishOutcome.Unchanged, r.Outcome));
        Assert.Empty(hosts.Recorder.Mutations);
        foreach (var h in Three)
        {
            var state = FakeHosts.State(h);
            Assert.Equal(new[]
            {
                $"ls -1 {state}",
                $"cat {state}/published",
                "nft list table inet qanet",
                $"ls -1 {state}",
            }, hosts.Lines(h));
        }

        Assert.Equal("3 hosts: 3 unchanged", HostFanOut.Summarize(again));
        Assert.False(HostFanOut.NeedsAttention(again));
    }

    [Fact]
    public async Task A_host_changed_by_hand_since_its_publish_is_not_taken_for_unchanged()
    {
        var hosts = new FakeHosts("vh1");
        var publisher = hosts.Publisher();
        await publisher.PublishHostsAsync(ArtifactsOf(hosts.Names));
        // The record still names the rendering, but the table went away: the locked way decides and re-applies.
        await hosts.Recorder.RunAsync(new CommandSpec("ip", new[] { "netns", "exec", FakeHosts.Ns("vh1"), "nft", "-f", "-" }).WithStdin("table inet qanet\ndelete table inet qanet\n"));
        Assert.Null(hosts.Table("vh1"));
        var again = Assert.Single(await publisher.PublishHostsAsync(ArtifactsOf(hosts.Names)));
        Assert.Equal(QaPublishOutcome.Applied, again.Outcome);
        Assert.NotNull(hosts.Table("vh1"));
    }

    [Fact]
    public async Task A_stop_before_the_start_attempts_no_host_and_changes_nothing()
    {
        var hosts = new FakeHosts(Three);
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(Three), cancellationToken: stop.Token);
        Assert.All(results, r => Assert.Equal(QaPublishOutcome.NotAttempted, r.Outcome));
        Assert.All(results, r => Assert.Equal(QaErrorIds.PublishStopped, r.Error!.Id));
        Assert.Empty(hosts.Recorder.Commands);
    }

    [Fact]
    public async Task A_stop_mid_apply_lets_the_applying_host_finish_and_starts_no_other()
    {
        var hosts = new FakeHosts(Three);
        using var stop = new CancellationTokenSource();
        hosts.Before = (h, c) =>
        {
            if (h == "vh1" && c.Program == "nft" && c.Arguments is ["-f", "-"])
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        };

        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(Three), throttleLimit: 1, cancellationToken: stop.Token);

        Assert.Equal(new[] { QaPublishOutcome.Applied, QaPublishOutcome.NotAttempted, QaPublishOutcome.NotAttempted }, results.Select(r => r.Outcome));
        // vh1 applied, verified, recorded and released its lock although the stop came mid-apply.
        Assert.Equal(FirstPublish("vh1"), hosts.Lines("vh1"));
        Assert.Empty(hosts.Lines("vh2"));
    }

    [Fact]
    public async Task A_stop_while_reading_leaves_the_host_untouched_and_releases_its_lock()
    {
        var hosts = new FakeHosts("vh1");
        using var stop = new CancellationTokenSource();
        hosts.Before = (h, c) =>
        {
            if (h == FakeHosts.Scratch && c.Program == "nft")
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        };

        var result = Assert.Single(await hosts.Publisher().PublishHostsAsync(ArtifactsOf(hosts.Names), cancellationToken: stop.Token));

        Assert.Equal(QaPublishOutcome.NotAttempted, result.Outcome);
        Assert.Equal(QaErrorIds.PublishStopped, result.Error!.Id);
        Assert.Null(hosts.Table("vh1"));
        Assert.Equal($"rm -rf {FakeHosts.State("vh1")}/lock", hosts.Lines("vh1")[^1]);
        // The throwaway namespace is deleted although the caller stopped.
        Assert.Equal("ip netns del SCRATCH", hosts.ScratchLines()[^1]);
        Assert.Empty(hosts.ScratchLeft);
        Assert.DoesNotContain(hosts.Mutations("vh1"), m => m.StartsWith("nft", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_whose_runner_breaks_off_mid_apply_is_Failed_with_its_state_unknown_and_the_others_go_on()
    {
        var hosts = new FakeHosts(Three);
        using var stop = new CancellationTokenSource();
        // The caller's process is going away: its command to vh2 is cut while applying.
        hosts.Before = (h, c) =>
        {
            if (h == "vh2" && c.Program == "nft" && c.Arguments is ["-f", "-"])
            {
                stop.Cancel();
                throw new OperationCanceledException(stop.Token);
            }

            return Task.CompletedTask;
        };

        var results = await hosts.Publisher().PublishHostsAsync(ArtifactsOf(Three), throttleLimit: 1, cancellationToken: stop.Token);

        Assert.Equal(new[] { QaPublishOutcome.Applied, QaPublishOutcome.Failed, QaPublishOutcome.NotAttempted }, results.Select(r => r.Outcome));
        Assert.Equal(QaErrorIds.PublishStopped, results[1].Error!.Id);
        Assert.Equal("Unknown", results[1].Error!.Step);
        Assert.Equal(QaErrorIds.PublishStopped, results[2].Error!.Id);
        // Not "nothing changed": vh2 was past its check when it broke off.
        Assert.Contains("not known", results[1].Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Confirm_acts_on_every_host_of_one_publish_in_parallel()
    {
        var hosts = new FakeHosts(Three);
        var publisher = hosts.Publisher();
        var published = await publisher.PublishHostsAsync(ArtifactsOf(Three), new PublishOptions { ConfirmTimeout = TimeSpan.FromMinutes(2) });
        Assert.All(published, r => Assert.Equal(QaPublishOutcome.Applied, r.Outcome));
        // One publish: the same id on every host.
        Assert.Single(published.Select(r => r.PendingId).Distinct());
        Assert.NotNull(published[0].PendingId);
        // undo.sh puts the publish record back first (here: there was none).
        var undo = hosts.File("vh1", $"pending.{published[0].PendingId}/undo.sh")!.Split('\n');
        Assert.Equal(["rc=0", "# undo: the publish record", $"'rm' '-f' '{FakeHosts.State("vh1")}/published' </dev/null || rc=1"], undo[3..6]);

        var confirmed = await publisher.ConfirmHostsAsync(Three, throttleLimit: 3);
        Assert.Equal(Three, confirmed.Select(r => r.VirtHost));
        Assert.All(confirmed, r => Assert.Equal(QaPublishOutcome.Confirmed, r.Outcome));
        Assert.All(confirmed, r => Assert.Equal(published[0].PendingId, r.PendingId));
        Assert.All(Three, h => Assert.Null(hosts.File(h, $"pending.{published[0].PendingId}/undo.sh")));
    }

    [Fact]
    public async Task Status_says_which_host_is_behind_and_what_it_carries()
    {
        var hosts = new FakeHosts(Three);
        var publisher = hosts.Publisher();
        await publisher.PublishHostsAsync(ArtifactsOf(Three, "v1"));
        hosts.Fault = (h, c) => h == "vh2" && c.Program == "nft" && c.Arguments is ["-f", "-"] && c.StdinText.Contains("v2", StringComparison.Ordinal);
        var second = await publisher.PublishHostsAsync(ArtifactsOf(Three, "v2"));
        Assert.Equal(QaPublishOutcome.RolledBack, second[1].Outcome);
        hosts.Recorder.Clear();

        var statuses = await publisher.StatusHostsAsync(ArtifactsOf(Three, "v2"));

        Assert.Empty(hosts.Recorder.Mutations);
        Assert.Equal(new[] { true, false, true }, statuses.Select(s => s.InSync));
        Assert.Equal(new[] { true, false, true }, statuses.Select(s => s.CarriesPolicy));
        Assert.Equal(QaPublishRecord.DigestOf(FakeHosts.Artifacts("vh1", "v2")), statuses[0].Record!.Digest);
        // vh2 still carries the first publish; vh1 and vh3 the second.
        Assert.NotEqual(statuses[0].PublishId, statuses[1].PublishId);
        Assert.Equal(statuses[0].PublishId, statuses[2].PublishId);
        var warning = HostFanOut.CompareHosts(statuses);
        Assert.NotNull(warning);
        Assert.StartsWith("1 of 3 hosts is behind the others: vh2 still carries the publish of ", warning, StringComparison.Ordinal);
        Assert.Contains(statuses[1].PublishId!, warning, StringComparison.Ordinal);
        Assert.Contains("vh1, vh3 are in sync", warning, StringComparison.Ordinal);
        Assert.Null(HostFanOut.CompareHosts(statuses.Where(s => s.InSync).ToList()));
    }

    [Fact]
    public void A_damaged_record_counts_as_none_and_a_record_round_trips()
    {
        var record = new QaPublishRecord("20261126-x", "ab12", DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), "fedora-qa", "root@ops");
        Assert.Equal(record, QaPublishRecord.Parse(record.ToText()));
        Assert.Null(QaPublishRecord.Parse("id=\ndigest=ab\ntime=1"));
        Assert.Null(QaPublishRecord.Parse("garbage"));
        Assert.NotEqual(QaPublishRecord.DigestOf(FakeHosts.Artifacts("vh1", "a")), QaPublishRecord.DigestOf(FakeHosts.Artifacts("vh1", "b")));
        Assert.Equal(QaPublishRecord.DigestOf(FakeHosts.Artifacts("vh1")), QaPublishRecord.DigestOf(FakeHosts.Artifacts("vh1")));
    }
}
