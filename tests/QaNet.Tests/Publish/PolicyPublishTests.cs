using QaNet.Core.Checking;
using QaNet.Core.Editing;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Publish;

/// <summary>
/// examples/policies/fedora-qa.yaml published end to end through <see cref="PolicyPublisher"/> (the
/// cmdlets' path) into the lab's virthost namespace and its libvirtd, in each mode; real programs.
/// </summary>
[Trait("Needs", "Root")]
[Collection(PublishLabGroup.Name)]
public sealed class PolicyPublishTests
{
    private const string VirtHost = "virthost-comm01";
    private const string Network = "qa-clients";
    private readonly PublishLab _lab;

    public PolicyPublishTests(PublishLab lab)
    {
        _lab = lab;
    }

    private QaHostTransport VirtHostTransport => QaHostTransport.InNamespace(VirtHost, _lab.Ns, _lab.Libvirtd.Uri);

    private static string Line(CommandSpec c) => string.Join(' ', new[] { c.Program }.Concat(c.Arguments));

    /// <summary>Publishes, checks the live state equals the rendering, publishes again (Unchanged).</summary>
    private static async Task PublishAndVerify(PolicyPublisher publisher, string host)
    {
        var artifacts = Assert.Single(publisher.Render(new[] { host }));
        var first = await publisher.PublishAsync(artifacts);
        Assert.True(first.Outcome == QaPublishOutcome.Applied, first + " " + first.Error?.Command + " " + first.Error?.Detail);
        Assert.Empty(await publisher.TestAsync(artifacts));
        var second = await publisher.PublishAsync(artifacts);
        Assert.True(second.Outcome == QaPublishOutcome.Unchanged, second.ToString() + string.Join("\n", second.Changes));
    }

    private async Task Clean()
    {
        await _lab.InNs("virsh", "-c", _lab.Libvirtd.Uri, "net-destroy", Network);
        await _lab.InNs("virsh", "-c", _lab.Libvirtd.Uri, "net-undefine", Network);
        await _lab.InNs("ip", "link", "delete", "qn-br0");
        await _lab.InNs("rm", "-rf", _lab.Target.StateDirectory);
    }

    [Fact]
    public async Task Nat_publishes_the_example_and_a_new_client_is_a_delta()
    {
        await _lab.ResetAsync();
        try
        {
            var policy = ExamplePolicies.Fedora();
            await PublishAndVerify(new PolicyPublisher(policy, transports: new[] { VirtHostTransport }), VirtHost);
            Assert.Contains("table inet qanet", await _lab.Must("nft", "list", "tables"), StringComparison.Ordinal);

            PolicyEditor.AddClient(policy, Network, new ClientSpec("taskotron-client09") { Roles = new[] { "taskotron" }, VirtHost = VirtHost });
            var recorder = _lab.Recorder();
            var publisher = new PolicyPublisher(policy, transports: new[] { QaHostTransport.InNamespace(VirtHost, _lab.Ns, _lab.Libvirtd.Uri) })
            {
                // Recorded as the host sees them: the namespace target's ip netns exec wrapper taken off
                // for the recorder (which wraps each command again to run it). The check's throwaway
                // namespaces are made on the machine, as the namespace target makes them.
                LocalRunner = new ScriptedRunner((spec, ct) => FakeHosts.IsScratch(spec)
                    ? ProcessRunner.Instance.RunAsync(spec, ct)
                    : recorder.RunAsync(spec.IsInNamespace(_lab.Ns) ? spec.InsideNamespace() : spec, ct)),
            };
            var artifacts = Assert.Single(publisher.Render(new[] { VirtHost }));
            var result = await publisher.PublishAsync(artifacts);
            Assert.True(result.Outcome == QaPublishOutcome.Applied, result + " " + result.Error?.Command + " " + result.Error?.Detail);

            var changes = recorder.Mutations.Where(m => m.Program is "virsh" or "nft" or "ebtables-restore").Select(Line).ToList();
            Assert.Contains(changes, c => c.Contains("net-update qa-clients add-last ip-dhcp-host ", StringComparison.Ordinal));
            Assert.DoesNotContain(changes, c => c.Contains(" net-destroy ", StringComparison.Ordinal) || c.Contains(" net-define ", StringComparison.Ordinal));
            Assert.Contains(result.Changes, c => c.Kind == QaPublishChangeKind.DhcpHostAdd);
            // One transaction for table inet qanet (a dual-stack host also gets one for table bridge qanet's neighbour pairs).
            var nft = Assert.Single(recorder.Mutations, m => m.Program == "nft" && m.StdinText.Contains(" inet qanet", StringComparison.Ordinal));
            Assert.Contains(result.Changes, c => c.Kind == QaPublishChangeKind.NftSetElements);
            Assert.DoesNotContain("delete table", nft.StdinText, StringComparison.Ordinal);
            Assert.Contains("add element inet qanet role-taskotron-v4", nft.StdinText, StringComparison.Ordinal);
            Assert.DoesNotContain(result.Changes, c => c.Kind == QaPublishChangeKind.NftTableReplace);
            Assert.Empty(await publisher.TestAsync(artifacts));
        }
        finally
        {
            await Clean();
        }
    }

    [Fact]
    public async Task A_network_removed_from_the_policy_is_removed_from_the_host()
    {
        await _lab.ResetAsync();
        try
        {
            var policy = ExamplePolicies.Fedora();
            var publisher = new PolicyPublisher(policy, transports: new[] { VirtHostTransport });
            Assert.Equal(QaPublishOutcome.Applied, (await publisher.PublishAsync(Assert.Single(publisher.Render(new[] { VirtHost })))).Outcome);

            // Another network takes the virthost; qa-clients leaves the policy.
            var next = ExamplePolicies.Fedora();
            PolicyEditor.AddNetwork(next, new NetworkSpec("qa-other", "192.168.151.0/24", QaNetworkMode.Nat, new[] { VirtHost }));
            next.Networks.RemoveAll(n => n.Name == Network);
            next.Rules.RemoveAll(r => r.From.Concat(r.To).Any(s => s.ToString() == "network:" + Network));
            var later = new PolicyPublisher(next, transports: new[] { VirtHostTransport });
            var artifacts = Assert.Single(later.Render(new[] { VirtHost }));
            Assert.Contains(await later.TestAsync(artifacts), d => d.Kind == QaDriftKind.LibvirtNetworkUnexpected && d.Target == "network " + Network);
            var result = await later.PublishAsync(artifacts, new PublishOptions { Force = true });
            Assert.True(result.Outcome == QaPublishOutcome.Applied, result + " " + result.Error?.Command + " " + result.Error?.Detail);
            Assert.Contains(result.Changes, c => c.Kind == QaPublishChangeKind.LibvirtNetworkUndefine && c.Target == "network " + Network);
            var names = await _lab.Virsh("net-list", "--all", "--name");
            Assert.DoesNotContain(Network, names, StringComparison.Ordinal);
            Assert.Contains("qa-other", names, StringComparison.Ordinal);
            Assert.Contains(PublishLab.Keep, names, StringComparison.Ordinal);
            await _lab.InNs("virsh", "-c", _lab.Libvirtd.Uri, "net-destroy", "qa-other");
            await _lab.InNs("virsh", "-c", _lab.Libvirtd.Uri, "net-undefine", "qa-other");
        }
        finally
        {
            await Clean();
        }
    }

    [Fact]
    public async Task Gateway_mode_puts_the_table_on_the_bastion_and_an_isolated_network_on_the_virthost()
    {
        await _lab.ResetAsync();
        var bastionNs = _lab.Ns + "-gw";
        await Namespaces.CreateAsync(bastionNs);
        try
        {
            var policy = ExamplePolicies.Fedora();
            var network = policy.FindNetwork(Network)!;
            network.Mode = QaNetworkMode.Gateway;
            network.Gateway = "bastion";
            policy.FindEndpoint("bastion")!.Addresses.Add(new System.Net.IPNetwork(System.Net.IPAddress.Parse("192.168.150.99"), 32));
            PolicyValidator.ThrowIfInvalid(policy);
            var publisher = new PolicyPublisher(policy, transports: new[] { VirtHostTransport, QaHostTransport.InNamespace("bastion", bastionNs) });
            Assert.Equal(new[] { "bastion", VirtHost }, publisher.Render(new[] { "bastion", VirtHost }).Select(a => a.VirtHost));

            await PublishAndVerify(publisher, "bastion");
            await PublishAndVerify(publisher, VirtHost);
            var bastionTable = await (HostTarget.Namespace(bastionNs).CreateRunner().RunAsync(CommandSpec.Of("nft", "list", "table", "inet", "qanet")));
            Assert.True(bastionTable.Succeeded, bastionTable.Stderr);
            Assert.Contains("taskotron-koji", bastionTable.Stdout, StringComparison.Ordinal);
            // The virthost keeps no QaNet table in Gateway mode; its network has no <forward>.
            Assert.False((await _lab.InNs("nft", "list", "table", "inet", "qanet")).Succeeded);
            Assert.DoesNotContain("<forward", await _lab.Virsh("net-dumpxml", Network), StringComparison.Ordinal);
        }
        finally
        {
            await Clean();
            await ProcessRunner.Instance.RunAsync(CommandSpec.Of("rm", "-rf", HostTarget.Namespace(bastionNs).StateDirectory));
            await Namespaces.DeleteAsync(bastionNs);
        }
    }

    [Fact]
    public async Task Bridged_mode_filters_on_an_existing_bridge()
    {
        await _lab.ResetAsync();
        try
        {
            await _lab.Must("ip", "link", "add", "qn-br0", "type", "bridge");
            await _lab.Must("ip", "link", "set", "qn-br0", "up");
            var policy = ExamplePolicies.Fedora();
            var network = policy.FindNetwork(Network)!;
            network.Mode = QaNetworkMode.Bridged;
            network.Bridge = "qn-br0";
            PolicyValidator.ThrowIfInvalid(policy);
            await PublishAndVerify(new PolicyPublisher(policy, transports: new[] { VirtHostTransport }), VirtHost);
            var eb = await _lab.Must("ebtables-save");
            Assert.Contains("QN-", eb, StringComparison.Ordinal);
            Assert.Contains("-A HOST-OWN -p ARP -j ACCEPT", eb, StringComparison.Ordinal);
            Assert.Contains("<forward mode='bridge'", await _lab.Virsh("net-dumpxml", Network), StringComparison.Ordinal);
        }
        finally
        {
            await Clean();
        }
    }

    [Fact]
    public async Task Cutting_the_bastions_ssh_is_refused_unless_forced()
    {
        await _lab.ResetAsync();
        var before = await _lab.LiveStateAsync();
        var policy = ExamplePolicies.Fedora();
        policy.Rules.RemoveAll(r => r.Kind == QaRuleKind.Ingress);
        var publisher = new PolicyPublisher(policy, transports: new[] { VirtHostTransport });
        var refused = await publisher.PublishAsync(Assert.Single(publisher.Render(new[] { VirtHost })));
        Assert.Equal(QaPublishOutcome.Failed, refused.Outcome);
        Assert.Equal(QaErrorIds.ManagementPathCut, refused.Error!.Id);
        Assert.Equal(before, await _lab.LiveStateAsync());
    }
}
