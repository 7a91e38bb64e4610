using System.Net;
using QaNet.Core.Engine;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;
using QaNet.Core.Publish;

namespace QaNet.Tests.Lab;

public sealed class ChangeLab : LabFixture
{
    public override string Prefix => "qn-ltc-";

    public override QaPolicy CreatePolicy() => ExamplePolicies.Fedora();
}

/// <summary>A policy change published into a running lab: the kernel follows the engine.</summary>
[Trait("Needs", "Root")]
public sealed partial class LabChangeTests : IClassFixture<ChangeLab>
{
    private readonly ChangeLab _lab;

    public LabChangeTests(ChangeLab lab)
    {
        _lab = lab;
    }

    private async Task<IReadOnlyList<QaLiveResult>> LiveFrom(string client)
    {
        var flows = QaLiveMatrix.Flows(_lab.Lab.State, _lab.Policy, new QaLiveOptions { Ingress = false, ClientToClient = false })
            .Where(f => f.From == client).ToList();
        Assert.NotEmpty(flows);
        return await QaLiveMatrix.RunAsync(QaReachability.Create(_lab.Policy, DateTimeOffset.UtcNow), flows);
    }

    // Fails today, in the publish path rather than the lab: adding a client changes the
    // network's metadata hash (it covers the DHCP hosts), so the planner redefines the running
    // network instead of net-update, and the redefine is refused ("network 'qa-clients' already
    // exists with uuid …": the XML carries no uuid). Enable once publishing adds clients by delta.
    [Fact]
    public async Task Adding_a_client_and_a_grant_opens_the_flow_live_and_revoking_the_grant_closes_it()
    {
        var policy = _lab.Policy;
        var net = policy.FindNetwork("qa-clients")!;
        var client = new QaClient(net, "debug-client01", "52:54:00:51:00:30", IPAddress.Parse("192.168.150.30"), "virthost-comm02");
        client.Roles.Add("debug");
        net.Clients.Add(client);
        var grant = new QaRule(policy, "debug-koji", QaRuleKind.Egress) { Priority = QaRule.DefaultGrantPriority };
        grant.From.Add(QaSelector.Role("debug"));
        grant.To.Add(QaSelector.Endpoint("koji"));
        policy.Rules.Add(grant);

        var published = await _lab.Lab.PublishAsync(policy);
        Assert.Contains(published, r => r.Changes.Any(c => c.Kind == QaPublishChangeKind.DhcpHostAdd));
        Assert.DoesNotContain(published, r => r.Changes.Any(c => c.Kind == QaPublishChangeKind.LibvirtNetworkRedefine));
        Assert.Equal("dhcp", _lab.Lab.State.FindHost("debug-client01")!.AddressSource);

        var opened = await LiveFrom("debug-client01");
        LabFixture.AssertConforms(opened);
        Assert.Contains(opened, r => r.To == "koji" && r.Port == 443 && r.Observed && r.RuleId == "debug-koji");
        Assert.Contains(opened, r => r.To == "bodhi" && r.Port == 443 && !r.Observed);

        policy.Rules.Remove(grant);
        await _lab.Lab.PublishAsync(policy);
        var closed = await LiveFrom("debug-client01");
        LabFixture.AssertConforms(closed);
        Assert.Contains(closed, r => r.To == "koji" && r.Port == 443 && !r.Observed && r.ObservedDetail == QaProbeResult.TimedOut);
        Assert.Contains(closed, r => r.To == "package-repos" && r.Port == 443 && r.Observed);
    }
}

/// <summary>Expiry enforced by the host's kernel: no publish between open and closed, and no drift after.</summary>
public sealed partial class LabChangeTests
{
    [Fact]
    public async Task A_rule_expiring_seconds_ahead_opens_the_cell_then_the_host_closes_it_with_no_publish_and_no_drift()
    {
        var policy = _lab.Policy;
        var expires = DateTimeOffset.UtcNow.AddSeconds(12);
        var grant = new QaRule(policy, "beaker01-koji-briefly", QaRuleKind.Egress) { Priority = QaRule.DefaultGrantPriority, ExpiresAt = expires };
        grant.From.Add(QaSelector.Client("beaker-client01"));
        grant.To.Add(QaSelector.Endpoint("koji"));
        grant.Ports.Add(QaPortRange.Parse("443/tcp"));
        policy.Rules.Add(grant);
        var publisher = new PolicyPublisher(policy, transports: _lab.Lab.Transports());
        try
        {
            await _lab.Lab.PublishAsync(policy);
            var flow = QaLiveMatrix.FlowsBetween(_lab.Lab.State, "beaker-client01", "koji", 443)[0];
            var open = await QaLiveMatrix.ProbeAsync(QaReachability.Create(policy, DateTimeOffset.UtcNow), flow);
            Assert.True(DateTimeOffset.UtcNow < expires, "The publish took longer than the expiry is ahead; the open cell was not seen in time.");
            Assert.True(open.Observed && open.Allowed && open.RuleId == "beaker01-koji-briefly", open.ToString());
            Assert.All(await DriftAsync(publisher), d => Assert.Fail("before the expiry: " + d));

            var wait = expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            var closed = await QaLiveMatrix.ProbeAsync(QaReachability.Create(policy, DateTimeOffset.UtcNow), flow);
            Assert.True(closed.Conforms && !closed.Observed && closed.ObservedDetail == QaProbeResult.TimedOut, closed.ToString());
            Assert.Null(closed.RuleId);
            Assert.All(await DriftAsync(publisher), d => Assert.Fail("after the expiry: " + d));
        }
        finally
        {
            policy.Rules.Remove(grant);
            await _lab.Lab.PublishAsync(policy);
        }
    }

    private static async Task<List<QaDriftItem>> DriftAsync(PolicyPublisher publisher)
    {
        var drift = new List<QaDriftItem>();
        foreach (var host in publisher.Render())
        {
            drift.AddRange(await publisher.TestAsync(host));
        }

        return drift;
    }
}

/// <summary>A start that fails half-way leaves nothing behind.</summary>
[Trait("Needs", "Root")]
public sealed class LabFailureTests
{
    private static string[] Left(string directory, string prefix) =>
        Directory.Exists(directory) ? Directory.GetFileSystemEntries(directory, prefix + "*") : Array.Empty<string>();

    [Fact]
    public async Task A_failed_start_removes_namespaces_libvirtd_and_state()
    {
        const string prefix = "qn-ltf-";
        await QaLab.StopAsync(prefix);
        var ex = await Assert.ThrowsAsync<QaLabException>(() =>
            QaLab.StartAsync(ExamplePolicies.Fedora(), prefix, new QaLabOptions { Runner = ScriptedRunner.Failing(ProcessRunner.Instance, spec => spec.Arguments.Contains("start-stop-daemon"), "injected failure") }));
        Assert.Equal(QaLabErrorIds.LabStartFailed, ex.ErrorId);
        Assert.Empty(await Namespaces.ListAsync(prefix));
        Assert.False(Directory.Exists(QaLab.DirectoryFor(prefix)));
        Assert.Null(QaLab.Get(prefix));
        Assert.Empty(Left("/run/qanet/netns", prefix)); // the publisher's on-host state of each namespace host
        Assert.Empty(Left("/run/qanet/mnt", prefix)); // the libvirtds' mount namespaces
        var libvirtd = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("pgrep", "-f", QaLab.DirectoryFor(prefix)));
        Assert.Equal(string.Empty, libvirtd.Stdout.Trim());
    }
}
