using QaNet.Core.Engine;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;

namespace QaNet.Tests.Lab;

/// <summary>The kernel's answer traced (nft monitor trace) and tied to policy rule ids, in the Nat, Gateway and Bridged labs.</summary>
internal static class KernelTraces
{
    public static async Task<QaFlowTrace> TraceAsync(LabFixture lab, string from, string to, int port, QaProtocol protocol = QaProtocol.Tcp)
    {
        var flow = QaLiveMatrix.FlowsBetween(lab.Lab.State, from, to, port, protocol)[0];
        return await new QaFlowTracer().TraceAsync(QaReachability.Create(lab.Policy, DateTimeOffset.UtcNow), lab.Lab.State, flow);
    }

    /// <summary>The trace table is gone from every enforcing host again.</summary>
    public static async Task AssertNoTraceTableAsync(LabFixture lab)
    {
        foreach (var h in lab.Lab.State.Hosts.Where(h => h.Kind is QaLabHostKind.VirtHost or QaLabHostKind.Gateway))
        {
            var tables = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("ip", "netns", "exec", h.Namespace, "nft", "list", "tables"));
            Assert.DoesNotContain(QaFlowTracer.TraceTable, tables.Stdout, StringComparison.Ordinal);
        }
    }

    public static async Task An_allowed_and_a_denied_cell_name_the_engines_rule(LabFixture lab, string client, string host)
    {
        var allowed = await TraceAsync(lab, client, "koji", 443);
        Assert.True(allowed.Agrees, allowed + "\n" + string.Join('\n', allowed.Path));
        Assert.True(allowed.Allowed && allowed.KernelAllowed && allowed.Observed);
        Assert.Equal("taskotron-koji", allowed.RuleId);
        Assert.Equal("taskotron-koji", allowed.KernelRuleId);
        Assert.Contains(allowed.Path, h => h.Host == host && h.Table == "inet qanet" && h.RuleId == "@scope" && h.Verdict == "jump decide");
        Assert.Equal(("inet qanet", "decide", "accept", QaTraceOwner.Policy),
            (allowed.DecidingHop!.Table, allowed.DecidingHop.Chain, allowed.DecidingHop.Verdict, allowed.DecidingHop.Owner));

        var denied = await TraceAsync(lab, "koji", client, 22);
        Assert.True(denied.Agrees, denied + "\n" + string.Join('\n', denied.Path));
        Assert.False(denied.Allowed || denied.KernelAllowed || denied.Observed);
        Assert.Null(denied.RuleId);
        Assert.Equal("default deny", denied.KernelDecidedBy);
        Assert.Equal(("@default-deny", "drop"), (denied.DecidingHop!.RuleId, denied.DecidingHop.Verdict));
        await AssertNoTraceTableAsync(lab);
    }
}

public sealed partial class NatLabTests
{
    // The client's packet is marked while on the bridge (br_netfilter is on in the lab's virthosts) and
    // changes its trace id when the bridge hands it up; the path follows it into table inet qanet.
    [Fact]
    public Task Traced_an_allowed_and_a_denied_cell_name_the_same_rule_as_the_engine() =>
        KernelTraces.An_allowed_and_a_denied_cell_name_the_engines_rule(_lab, "taskotron-client01", "virthost-comm01");

    [Fact]
    public async Task A_rule_injected_into_the_hosts_table_shows_in_the_trace_as_a_mismatch_and_is_removed_again()
    {
        var vh = _lab.Lab.State.Libvirtd.Single(l => l.VirtHost == "virthost-comm01").Namespace;
        var runner = HostTarget.Namespace(vh).CreateRunner();
        var decide = CommandSpec.Of("nft", "--stateless", "list", "chain", "inet", "qanet", "decide");
        var before = await runner.RunAsync(decide);
        Assert.True(before.Succeeded, before.Stderr);
        var client = _lab.Lab.State.FindHost("taskotron-client01")!.Addresses[0];
        var inserted = await runner.RunAsync(CommandSpec.Of("nft", "--echo", "--handle", "insert", "rule", "inet", "qanet", "decide",
            "ip", "saddr", client, "tcp", "dport", "443", "drop").Mutating());
        Assert.True(inserted.Succeeded, inserted.Stderr);
        var handle = System.Text.RegularExpressions.Regex.Match(inserted.Stdout, @"# handle (\d+)").Groups[1].Value;
        Assert.NotEmpty(handle);
        try
        {
            var trace = await KernelTraces.TraceAsync(_lab, "taskotron-client01", "koji", 443);
            Assert.False(trace.Agrees, trace + "\n" + string.Join('\n', trace.Path));
            Assert.True(trace.Allowed);
            Assert.False(trace.KernelAllowed);
            Assert.False(trace.Observed);
            Assert.Equal((QaTraceOwner.Foreign, "inet qanet", "decide", "drop"),
                (trace.DecidingHop!.Owner, trace.DecidingHop.Table, trace.DecidingHop.Chain, trace.DecidingHop.Verdict));
            Assert.Contains("taskotron-koji", trace.Mismatch, StringComparison.Ordinal);
            Assert.Contains("foreign rule in inet qanet decide on virthost-comm01", trace.Mismatch, StringComparison.Ordinal);
            Assert.DoesNotContain(trace.Path, h => h.RuleId == "taskotron-koji"); // the injected rule came first
        }
        finally
        {
            var deleted = await runner.RunAsync(CommandSpec.Of("nft", "delete", "rule", "inet", "qanet", "decide", "handle", handle).Mutating());
            Assert.True(deleted.Succeeded, deleted.Stderr);
        }

        var after = await runner.RunAsync(decide);
        Assert.Equal(before.Stdout, after.Stdout); // the fixture's chain as it was
        await KernelTraces.AssertNoTraceTableAsync(_lab);
    }
}

public sealed partial class GatewayLabTests
{
    [Fact]
    public Task Traced_on_the_gateway_an_allowed_and_a_denied_cell_name_the_same_rule_as_the_engine() =>
        KernelTraces.An_allowed_and_a_denied_cell_name_the_engines_rule(_lab, "taskotron-client02", "bastion");
}

public sealed partial class BridgedLabTests
{
    [Fact]
    public async Task Trace_refuses_a_bridged_network_with_a_stable_error_and_adds_no_table()
    {
        var ex = await Assert.ThrowsAsync<QaLabException>(() => KernelTraces.TraceAsync(_lab, "taskotron-client01", "koji", 443));
        Assert.Equal(QaLabErrorIds.TraceUnsupported, ex.ErrorId);
        await KernelTraces.AssertNoTraceTableAsync(_lab);
    }
}
