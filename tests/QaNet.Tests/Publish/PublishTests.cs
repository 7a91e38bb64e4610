using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Publish;

/// <summary>Publishing against real nft, ebtables and a libvirtd in a qn- namespace.</summary>
[Trait("Needs", "Root")]
[Collection(PublishLabGroup.Name)]
public sealed class PublishTests
{
    private readonly PublishLab _lab;

    public PublishTests(PublishLab lab)
    {
        _lab = lab;
    }

    private static readonly string[] ReadOnlyPrograms = { "ls", "cat", "date" };

    private string State => _lab.Target.StateDirectory;

    private string Config => LibvirtdInstance.ConfigDirectoryOf(_lab.Libvirtd.Directory);

    // The boot copy step's seven mutations (4-10 in FullApplyMutations) share one undo: the previous
    // network list back (ResetAsync leaves one), the files that were not there removed.
    private const int CopyFirst = 4;
    private const int CopyLast = 10;

    private string V(params string[] args) => string.Join(' ', new[] { "virsh", "-c", _lab.Libvirtd.Uri }.Concat(args));

    /// <summary>Several virsh commands in one virsh process, as the publisher batches them.</summary>
    private string Batch(params string[][] commands) => V(string.Join(" ; ", commands.Select(c => string.Join(' ', c.Select(PosixShell.QuoteIfNeeded)))));

    private static string Line(CommandSpec c) => string.Join(' ', new[] { c.Program }.Concat(c.Arguments));

    private static string Host(string xml) => System.Xml.Linq.XElement.Parse(xml).ToString(System.Xml.Linq.SaveOptions.DisableFormatting);

    /// <summary>The mutating commands of a full publish of <see cref="Artifacts.Full"/> from the reset state, in order.</summary>
    private List<string> FullApplyMutations() => new()
    {
        $"mkdir -p {State}",
        $"mkdir {State}/lock",
        $"dd of={State}/lock/owner status=none",
        // The boot copy first (what a reboot loads before the networks start; docs/publishing.md).
        $"mkdir -p -- {Config}/qanet {Config}/hooks/network.d",
        $"dd of={Config}/qanet/networks status=none",
        $"dd of={Config}/qanet/tables status=none",
        $"dd of={Config}/qanet/qanet.nft status=none",
        $"dd of={Config}/qanet/ebtables status=none",
        $"dd of={Config}/hooks/network.d/50-qanet status=none",
        $"chmod 0755 -- {Config}/hooks/network.d/50-qanet",
        // Both reservation changes in one virsh.
        Batch(new[] { "net-update", PublishLab.Keep, "delete", "ip-dhcp-host", Host(Artifacts.C2), "--live", "--config" },
            new[] { "net-update", PublishLab.Keep, "add-last", "ip-dhcp-host", Host(Artifacts.C3), "--live", "--config" }),
        V("net-define", "/dev/stdin"),
        V("net-start", PublishLab.New),
        V("net-autostart", PublishLab.New),
        "nft -f -",
        "ebtables-restore",
        // The publish record, after the verify (best effort).
        $"dd of={State}/published status=none",
        $"rm -rf {State}/lock",
    };

    /// <summary>The undo command of each apply mutation (by its 1-based index in <see cref="FullApplyMutations"/>).</summary>
    private Dictionary<int, string[]> Undo()
    {
        var undo = new Dictionary<int, string[]>
        {
            [CopyFirst] = new[]
            {
                $"dd of={Config}/qanet/networks status=none",
                $"rm -f -- {Config}/qanet/tables",
                $"rm -f -- {Config}/qanet/qanet.nft",
                $"rm -f -- {Config}/qanet/ebtables",
                $"rm -f -- {Config}/hooks/network.d/50-qanet",
            },
            // The inverse of the batch, newest first, in one virsh.
            [11] = new[]
            {
                Batch(new[] { "net-update", PublishLab.Keep, "delete", "ip-dhcp-host", Host(Artifacts.C3), "--live", "--config" },
                    new[] { "net-update", PublishLab.Keep, "add-last", "ip-dhcp-host", Host(Artifacts.C2), "--live", "--config" }),
            },
            [12] = new[] { V("net-undefine", PublishLab.New) },
            [13] = new[] { V("net-destroy", PublishLab.New) },
            [14] = new[] { V("net-autostart", "--disable", PublishLab.New) },
            [15] = new[] { "nft -f -" },
            [16] = new[] { "ebtables-restore" },
        };
        for (var k = CopyFirst + 1; k <= CopyLast; k++)
        {
            undo[k] = Array.Empty<string>();   // a failure inside the copy step undoes the step once, at CopyFirst
        }

        return undo;
    }

    [Fact]
    public async Task Publish_applies_libvirt_nft_and_ebtables_verifies_and_a_second_publish_changes_nothing()
    {
        await _lab.ResetAsync();
        var recorder = _lab.Recorder();
        var publisher = new QaPublisher();
        var result = await publisher.PublishAsync(_lab.Host(recorder), Artifacts.Full());

        Assert.True(result.Outcome == QaPublishOutcome.Applied, result.ToString());
        Assert.Equal(FullApplyMutations(), recorder.Mutations.Select(Line).ToList());
        Assert.Contains(result.Changes, c => c.Kind == QaPublishChangeKind.DhcpHostAdd);
        Assert.DoesNotContain(result.Changes, c => c.Kind == QaPublishChangeKind.LibvirtNetworkRedefine);

        // Live state is what was rendered; the host's own ebtables chain is untouched.
        Assert.Empty(await publisher.TestAsync(_lab.Host(), Artifacts.Full()));
        var eb = await _lab.Must("ebtables-save");
        Assert.Contains("-A FORWARD -i eth9 -j HOST-OWN", eb, StringComparison.Ordinal);
        Assert.Contains("-A HOST-OWN -p ARP -j ACCEPT", eb, StringComparison.Ordinal);
        Assert.DoesNotContain("QANET-OLD", eb, StringComparison.Ordinal);
        Assert.Contains("Autostart:      yes", await _lab.Virsh("net-info", PublishLab.New), StringComparison.Ordinal);

        recorder.Clear();
        var again = await publisher.PublishAsync(_lab.Host(recorder), Artifacts.Full());
        Assert.Equal(QaPublishOutcome.Unchanged, again.Outcome);
        Assert.Empty(again.Changes);
        // The host's record names these artifacts and nothing differs: reads and a compare, not even the lock.
        Assert.NotEmpty(recorder.Commands);
        Assert.Empty(recorder.Mutations);
    }

    [Fact]
    public async Task WhatIf_plans_and_checks_but_runs_no_mutating_command()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        var recorder = _lab.Recorder();
        var result = await new QaPublisher().PublishAsync(_lab.Host(recorder), Artifacts.Full(), new PublishOptions { WhatIf = true });

        Assert.Equal(QaPublishOutcome.WhatIf, result.Outcome);
        Assert.NotNull(result.Plan);
        Assert.Equal(8, result.Plan!.Changes.Count);   // the boot copy, then seven changes of networks, nft and ebtables
        Assert.Contains(result.Plan.Commands, c => c.StartsWith("nft -f -", StringComparison.Ordinal));
        Assert.NotEmpty(recorder.Commands);
        Assert.All(recorder.Commands, c =>
        {
            Assert.False(c.Mutates, Line(c));
            var line = Line(c);
            var read = line.StartsWith("nft list table ", StringComparison.Ordinal)
                || line.StartsWith("nft -c -f -", StringComparison.Ordinal)
                || line == "ebtables-save"
                || c.Program == "grep"   // the boot copy's read
                || line.StartsWith("unshare -n -- ebtables-restore", StringComparison.Ordinal)
                || c.Program == "ip" && c.Arguments is ["netns", "list"] or ["netns", "add" or "del", _] or ["netns", "exec", _, "nft" or "ebtables-restore" or "ebtables-save", ..]
                || c.Program == "virsh" && c.Arguments[2] is "net-list" or "net-info" or "net-dumpxml"
                || c.Program == "virsh" && c.Arguments[2].Split(" ; ").All(v => v.StartsWith("net-info ", StringComparison.Ordinal) || v.StartsWith("net-dumpxml ", StringComparison.Ordinal) || v.StartsWith("echo qanet-part-", StringComparison.Ordinal));
            Assert.True(read, "not a read: " + line);
        });
        Assert.Equal(before, await _lab.LiveStateAsync());
    }

    [Fact]
    public async Task A_failure_at_every_mutating_step_leaves_the_host_exactly_as_before_with_the_exact_undo_sequence()
    {
        var full = FullApplyMutations();
        var undo = Undo();
        for (var k = 1; k <= full.Count; k++)
        {
            await _lab.ResetAsync();
            var before = await _lab.LiveStateAsync();
            var recorder = _lab.Recorder();
            recorder.FailAtMutation = k;
            var result = await new QaPublisher().PublishAsync(_lab.Host(recorder), Artifacts.Full());
            var seen = recorder.Mutations.Select(Line).ToList();

            if (undo.ContainsKey(k))
            {
                Assert.True(result.Outcome == QaPublishOutcome.RolledBack, $"k={k}: {result}");
                Assert.Equal(QaErrorIds.PublishApplyFailed, result.Error!.Id);
                Assert.True(result.RestoredToSnapshot);
                var expected = full.Take(k).ToList();
                for (var j = k; j >= CopyFirst; j--)
                {
                    expected.AddRange(undo[j]);
                }

                expected.Add($"rm -rf {State}/lock");
                Assert.Equal(expected, seen);
                Assert.Equal(before, await _lab.LiveStateAsync());
            }
            else if (k <= 2)
            {
                // Taking the lock failed: nothing else ran.
                Assert.Equal(QaPublishOutcome.Failed, result.Outcome);
                Assert.Equal(QaErrorIds.HostCommandFailed, result.Error!.Id);
                Assert.Equal(full.Take(k), seen);
                Assert.Equal(before, await _lab.LiveStateAsync());
            }
            else
            {
                // The lock's owner note and the lock's removal are best effort; the publish stands.
                Assert.True(result.Outcome == QaPublishOutcome.Applied, $"k={k}: {result}");
                Assert.Equal(full, seen);
            }
        }
    }

    [Fact]
    public async Task A_verify_mismatch_rolls_back()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        var recorder = new RecordingRunner(_lab.Target.CreateRunner(), spec =>
            // A host that loses our table between apply and re-read: the verify must catch it.
            spec.Program == "nft" && spec.Arguments is ["list", "table", "inet", "qanet"] && spec.Mutates == false && _applied
                ? CommandResult.Fail(1, "Error: No such file or directory")
                : null);
        _applied = false;
        var host = _lab.Host(recorder);
        var publisher = new QaPublisher(new FlagOnPhase(this, "Verify"));
        var result = await publisher.PublishAsync(host, Artifacts.NftOnly(Artifacts.NewNft));
        Assert.Equal(QaPublishOutcome.RolledBack, result.Outcome);
        Assert.Equal(QaErrorIds.PublishVerifyFailed, result.Error!.Id);
        _applied = false;
        Assert.Equal(before, await _lab.LiveStateAsync());
    }

    private bool _applied;

    private sealed class FlagOnPhase(PublishTests owner, string phase) : IQaLog
    {
        public void Verbose(string? source, string message)
        {
        }

        public void Warning(string? source, string message)
        {
        }

        public void Phase(string source, string name)
        {
            owner._applied = name == phase;
        }

        public void Progress(int done, int total)
        {
        }
    }

    [Fact]
    public async Task A_check_failure_applies_nothing()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        var recorder = _lab.Recorder();
        var result = await new QaPublisher().PublishAsync(_lab.Host(recorder), Artifacts.NftOnly("table inet qanet { chain c { bogus } }"));
        Assert.Equal(QaPublishOutcome.Failed, result.Outcome);
        Assert.Equal(QaErrorIds.PublishCheckFailed, result.Error!.Id);
        Assert.All(recorder.Mutations, m => Assert.True(m.Program is "mkdir" or "dd" or "rm", Line(m)));
        Assert.Equal(before, await _lab.LiveStateAsync());
    }

    [Fact]
    public async Task Cutting_the_management_path_is_refused_unless_forced()
    {
        await _lab.ResetAsync();
        var guard = new PublishOptions { ManagementPathCheck = plan => plan.Changes.Any(c => c.Kind == QaPublishChangeKind.NftTableReplace) ? "the bastion loses ssh to the clients." : null };
        var refused = await new QaPublisher().PublishAsync(_lab.Host(), Artifacts.NftOnly(Artifacts.NewNft), guard);
        Assert.Equal(QaPublishOutcome.Failed, refused.Outcome);
        Assert.Equal(QaErrorIds.ManagementPathCut, refused.Error!.Id);
        Assert.DoesNotContain("egress-koji", await _lab.Must("nft", "list", "table", "inet", "qanet"), StringComparison.Ordinal);

        var forced = await new QaPublisher().PublishAsync(_lab.Host(), Artifacts.NftOnly(Artifacts.NewNft), guard with { Force = true });
        Assert.Equal(QaPublishOutcome.Applied, forced.Outcome);
    }

    [Fact]
    public async Task Drift_reports_out_of_band_changes_to_what_QaNet_owns_and_nothing_else()
    {
        await _lab.ResetAsync();
        var publisher = new QaPublisher();
        Assert.Equal(QaPublishOutcome.Applied, (await publisher.PublishAsync(_lab.Host(), Artifacts.Full())).Outcome);

        await _lab.Must("nft", "add", "rule", "inet", "qanet", "forward", "ip", "saddr", "192.0.2.99", "accept");
        await _lab.Virsh("net-update", PublishLab.Keep, "add", "ip-dhcp-host", "<host mac='52:54:00:00:00:99' ip='192.0.2.99'/>", "--live", "--config");
        // Not QaNet's: another table, another ebtables chain.
        await _lab.Must("nft", "add", "table", "inet", "other");
        await _lab.Must("ebtables", "-N", "HOST-TWO");

        var drift = await publisher.TestAsync(_lab.Host(), Artifacts.Full());
        Assert.Contains(drift, d => d.Kind == QaDriftKind.NftRuleAdded && d.Detail.Contains("192.0.2.99", StringComparison.Ordinal));
        Assert.Contains(drift, d => d.Kind == QaDriftKind.DhcpReservationChanged && d.Detail.StartsWith("running:", StringComparison.Ordinal));
        Assert.Contains(drift, d => d.Kind == QaDriftKind.DhcpReservationChanged && d.Detail.StartsWith("config:", StringComparison.Ordinal));
        Assert.Equal(3, drift.Count);

        await _lab.Virsh("net-destroy", PublishLab.New);
        await _lab.Must("ebtables", "-A", "QANET-FWD", "-j", "DROP");
        drift = await publisher.TestAsync(_lab.Host(), Artifacts.Full());
        Assert.Contains(drift, d => d.Kind == QaDriftKind.LibvirtNetworkStateChanged && d.Target == "network " + PublishLab.New);
        Assert.Contains(drift, d => d.Kind == QaDriftKind.EbtablesChanged);
        await _lab.Must("nft", "delete", "table", "inet", "other");
    }

    [Fact]
    public async Task A_publish_waits_for_the_host_lock_then_fails_cleanly()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        await _lab.Must("mkdir", "-p", State + "/lock");
        var result = await new QaPublisher().PublishAsync(_lab.Host(), Artifacts.Full(), new PublishOptions { LockWait = TimeSpan.FromSeconds(1) });
        Assert.Equal(QaPublishOutcome.Failed, result.Outcome);
        Assert.Equal(QaErrorIds.PublishHostLocked, result.Error!.Id);
        Assert.Equal(before, await _lab.LiveStateAsync());
        await _lab.Must("rm", "-rf", State + "/lock");
    }

    [Fact]
    public async Task Two_concurrent_publishes_are_serialized_and_never_mixed()
    {
        await _lab.ResetAsync();
        var a = Artifacts.NftOnly(Artifacts.NewNft.Replace("egress-koji", "egress-a", StringComparison.Ordinal));
        var b = Artifacts.NftOnly(Artifacts.NewNft.Replace("egress-koji", "egress-b", StringComparison.Ordinal).Replace("{ 80, 443 }", "{ 22, 9989 }", StringComparison.Ordinal));
        var publisher = new QaPublisher();
        var results = await Task.WhenAll(
            publisher.PublishAsync(_lab.Host(), a, new PublishOptions { LockWait = TimeSpan.FromSeconds(30) }),
            publisher.PublishAsync(_lab.Host(), b, new PublishOptions { LockWait = TimeSpan.FromSeconds(30) }));
        Assert.All(results, r => Assert.True(r.Outcome == QaPublishOutcome.Applied || r.Error?.Id == QaErrorIds.PublishHostLocked, r.ToString()));
        var driftA = await publisher.TestAsync(_lab.Host(), a);
        var driftB = await publisher.TestAsync(_lab.Host(), b);
        Assert.True(driftA.Count == 0 ^ driftB.Count == 0, "the table must be exactly A or exactly B");
    }
}
