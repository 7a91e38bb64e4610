using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Render;
using QaNet.Core.Render.Ebtables;
using QaNet.Core.Resolution;
using QaNet.Tests.Support;

namespace QaNet.Tests.Publish;

/// <summary>Bridged return traffic on the host: the reply guard published with ebtables, and Test-QaVirtHost saying what stays open.</summary>
public class BridgedReturnTrafficTests
{
    private static readonly QaRenderOptions Pinned = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    private static async Task<IReadOnlyList<QaVirtHostCheck>> ChecksOf(HostArtifacts artifacts, bool all)
    {
        var host = new PublishHost(artifacts.VirtHost, new RecordingRunner(script: FakeHosts.EmptyHost), "/nonexistent/qanet-state");
        return await VirtHostChecks.RunAsync(host, VirtHostNeeds.Of(artifacts), all);
    }

    [Fact]
    public async Task A_virthost_with_a_bridged_network_is_warned_that_udp_replies_stay_accepted_by_source_port()
    {
        foreach (var artifacts in HostArtifactBuilder.Build(ResolvedPolicy.Create(ExamplePolicies.AsBridged(ExamplePolicies.Fedora())), Pinned))
        {
            foreach (var all in new[] { false, true })
            {
                var check = Assert.Single(await ChecksOf(artifacts, all), c => c.Check == VirtHostChecks.ReturnTraffic);
                Assert.Equal(QaCheckStatus.Warn, check.Status);
                Assert.False(check.Needed);
                Assert.Contains("UDP", check.Found, StringComparison.Ordinal);
                Assert.Contains("table bridge qanet", check.Found, StringComparison.Ordinal);
                Assert.Contains("Nat or Gateway", check.Fix, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_nat_virthost_gets_no_return_traffic_warning()
    {
        foreach (var artifacts in HostArtifactBuilder.Build(ResolvedPolicy.Create(ExamplePolicies.Fedora()), Pinned))
        {
            Assert.DoesNotContain(await ChecksOf(artifacts, all: true), c => c.Check == VirtHostChecks.ReturnTraffic);
        }
    }

    [Fact]
    public async Task A_bridged_publish_reads_checks_and_creates_the_reply_guard_before_ebtables_in_this_exact_order()
    {
        // An empty host behind a namespace target; the throwaway namespace lists back what it was given.
        string? restored = null;
        CommandResult? Script(CommandSpec spec)
        {
            var inner = spec.InsideNamespace();
            var scratch = spec.Arguments is ["netns", "exec", var ns, ..] && ns.StartsWith(ScratchNamespacePrefix, StringComparison.Ordinal);
            return (scratch, inner) switch
            {
                (true, { Program: "ebtables-restore" }) => Restored(inner.StdinText),
                (true, { Program: "ebtables-save" }) => CommandResult.Ok(restored ?? string.Empty),
                (true, _) => CommandResult.Ok(),
                _ => FakeHosts.EmptyHost(inner),
            };
        }

        CommandResult Restored(string text)
        {
            restored = text;
            return CommandResult.Ok();
        }

        var recorder = new RecordingRunner(script: Script);
        var policy = ExamplePolicies.AsBridged(ExamplePolicies.Fedora());
        var publisher = new PolicyPublisher(policy, transports: new[] { QaHostTransport.InNamespace("virthost-comm01", "qn-nowhere") }) { LocalRunner = recorder };
        var artifacts = Assert.Single(HostArtifactBuilder.Build(ResolvedPolicy.Create(policy), Pinned, new[] { "virthost-comm01" }));
        var result = await publisher.PublishAsync(artifacts, new PublishOptions { WhatIf = true, Preflight = false });

        Assert.Equal(QaPublishOutcome.WhatIf, result.Outcome);
        Assert.Empty(recorder.Mutations);
        string Line(CommandSpec c) => string.Join(' ', new[] { c.Program }.Concat(c.Arguments)
            .Select(a => a.StartsWith(ScratchNamespacePrefix, StringComparison.Ordinal) ? "SCRATCH" : a));
        var firewall = recorder.Commands.Select(Line).Where(l => l.Contains(" nft ", StringComparison.Ordinal) || l.Contains(" ebtables", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[]
        {
            "ip netns exec qn-nowhere nft list table inet qanet",
            "ip netns exec qn-nowhere nft list table bridge qanet",
            "ip netns exec qn-nowhere ebtables-save",
            "ip netns exec SCRATCH nft -f -",
            "ip netns exec SCRATCH nft list table bridge qanet",
            "ip netns exec SCRATCH ebtables-restore",
            "ip netns exec SCRATCH ebtables-save",
            "ip netns exec qn-nowhere nft -c -f -",
            "ip netns exec qn-nowhere unshare -n -- ebtables-restore",
        }, firewall);
        var scratchLoad = recorder.Commands.Single(c => Line(c) == "ip netns exec SCRATCH nft -f -");
        Assert.Equal(artifacts.NftTables.Single(t => t.Family == EbtReplyGuard.Family).Definition, scratchLoad.StdinText);
        var check = recorder.Commands.Single(c => Line(c) == "ip netns exec qn-nowhere nft -c -f -");
        Assert.StartsWith("table bridge qanet\ndelete table bridge qanet\ntable bridge qanet {", check.StdinText, StringComparison.Ordinal);

        // nft before ebtables: the guard is in place before the first marked reply is accepted.
        var kinds = result.Plan!.Changes.Select(c => (c.Kind, c.Target)).ToList();
        var guard = kinds.IndexOf((QaPublishChangeKind.NftTableCreate, "table bridge qanet"));
        var ebtables = kinds.FindIndex(k => k.Kind == QaPublishChangeKind.EbtablesReplace);
        Assert.InRange(guard, 0, ebtables - 1);
        Assert.DoesNotContain(kinds, k => k.Target == "table inet qanet");
    }

    private const string ScratchNamespacePrefix = "qanet-check-";
}
