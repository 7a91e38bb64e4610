using QaNet.Core.Editing;
using QaNet.Core.Engine;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;
using QaNet.Core.Publish;

namespace QaNet.Tests.Lab;

/// <summary>
/// A small Nat network on two virthosts: c1 and c2 on vh1, c3 on vh2; Taskotron clients reach
/// koji, Beaker clients bodhi, the bastion reaches every client over ssh.
/// </summary>
public sealed class MoveLab : LabFixture
{
    public override string Prefix => "qn-mv-";

    public override QaPolicy CreatePolicy()
    {
        var p = new QaPolicy("move");
        PolicyEditor.AddNetwork(p, new NetworkSpec("qa-clients", "192.168.150.0/24", QaNetworkMode.Nat, new[] { "vh1", "vh2" }));
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Address = "192.168.150.10", Roles = new[] { "taskotron" }, VirtHost = "vh1" });
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c2") { Address = "192.168.150.11", Roles = new[] { "beaker" }, VirtHost = "vh1" });
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c3") { Address = "192.168.150.12", Roles = new[] { "beaker" }, VirtHost = "vh2" });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("koji") { Addresses = new[] { "203.0.113.10" }, Ports = new[] { "443/tcp" } });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bodhi") { Addresses = new[] { "203.0.113.20" }, Ports = new[] { "443/tcp" } });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = new[] { "192.0.2.10" }, Ports = new[] { "22/tcp" } });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("koji") }));
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("beaker") }, new[] { QaSelector.Endpoint("bodhi") }));
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Ingress, new[] { QaSelector.Endpoint("bastion") }, new[] { QaSelector.Network("qa-clients") })
        {
            Ports = new[] { "22/tcp" },
        });
        return p;
    }
}

/// <summary>Set-QaClient -VirtHost, then one publish to every host, in a lab with a libvirtd per virthost.</summary>
[Trait("Needs", "Root")]
public sealed class ClientMoveLabTests : IClassFixture<MoveLab>
{
    private readonly MoveLab _lab;

    public ClientMoveLabTests(MoveLab lab)
    {
        _lab = lab;
    }

    private string VirtHostNamespace(string vh) => _lab.Lab.State.Libvirtd.Single(l => l.VirtHost == vh).Namespace;

    private static async Task<string> Run(params string[] argv)
    {
        var r = await ProcessRunner.Instance.RunAsync(new CommandSpec(argv[0], argv[1..]) { Timeout = TimeSpan.FromSeconds(20) });
        Assert.True(r.Succeeded, string.Join(' ', argv) + ": " + r.Stderr);
        return r.Stdout;
    }

    /// <summary>How many client veth peers (the lab names them c…, m… for re-plugged ones) a virthost's bridge holds.</summary>
    private async Task<int> ClientPortsOn(string vh)
    {
        var bridge = _lab.Lab.Networks.Single().Bridges[vh];
        var links = await Run("ip", "-n", VirtHostNamespace(vh), "-o", "link", "show", "master", bridge);
        return links.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[1].Trim().Split('@')[0])
            .Count(name => name.Length > 1 && name[0] is 'c' or 'm' && char.IsAsciiHexDigit(name[1]));
    }

    private async Task<IReadOnlyList<QaLiveResult>> LiveCellsOf(string client)
    {
        var flows = QaLiveMatrix.Flows(_lab.Lab.State, _lab.Policy, new QaLiveOptions { ClientToClient = false })
            .Where(f => f.From == client || f.To == client).ToList();
        Assert.NotEmpty(flows);
        return await QaLiveMatrix.RunAsync(QaReachability.Create(_lab.Policy, DateTimeOffset.UtcNow), flows);
    }

    [Fact]
    public async Task A_moved_client_is_enforced_on_its_new_host_only_with_the_same_verdicts()
    {
        var policy = _lab.Policy;
        var mac = policy.FindClient("c1")!.MacAddress;
        var (vh1, vh2) = (VirtHostNamespace("vh1"), VirtHostNamespace("vh2"));
        var before = await LiveCellsOf("c1");
        LabFixture.AssertConforms(before);
        Assert.Contains(mac, await Run("ip", "netns", "exec", vh1, "ebtables-save"), StringComparison.OrdinalIgnoreCase);

        var change = PolicyEditor.SetClient(policy, new ClientChangeSpec("c1") { VirtHost = "vh2" });
        Assert.Equal("vh1", change.FromVirtHost);

        // Until the old host is published it still carries the client, and Test-QaNetwork's drift says so.
        var publisher = new PolicyPublisher(policy, transports: _lab.Lab.Transports());
        var oldHost = Assert.Single(publisher.Render(new[] { "vh1" }));
        var drift = await publisher.TestAsync(oldHost);
        Assert.Contains(drift, d => d.Kind == QaDriftKind.EbtablesChanged && d.Detail.Contains(mac, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(drift, d => (d.Kind is QaDriftKind.DhcpReservationChanged or QaDriftKind.LibvirtNetworkChanged) &&
                                    (d.Target + d.Detail).Contains("c1", StringComparison.Ordinal));

        // Publish-QaNetwork's path with its default hosts (every host of the policy): both hosts change.
        var results = new List<QaPublishResult>();
        foreach (var artifacts in publisher.Render())
        {
            results.Add(await publisher.PublishAsync(artifacts));
        }

        Assert.Equal(["vh1", "vh2"], results.Select(r => r.VirtHost));
        Assert.All(results, r => Assert.True(r.Outcome == QaPublishOutcome.Applied, r + " " + r.Error?.Detail));
        Assert.Contains(results[0].Changes, c => c.Kind == QaPublishChangeKind.DhcpHostRemove);
        Assert.Contains(results[1].Changes, c => c.Kind == QaPublishChangeKind.DhcpHostAdd);
        Assert.Empty(await publisher.TestAsync(oldHost));
        Assert.DoesNotContain(results.SelectMany(r => r.Changes), c => c.Kind == QaPublishChangeKind.LibvirtNetworkRedefine);
        Assert.DoesNotContain(mac, await Run("ip", "netns", "exec", vh1, "ebtables-save"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(mac, await Run("ip", "netns", "exec", vh2, "ebtables-save"), StringComparison.OrdinalIgnoreCase);

        // The lab follows: the hosts are already published (Unchanged); c1 is re-plugged into vh2's bridge and leases again.
        var again = await _lab.Lab.PublishAsync(policy);
        Assert.All(again, r => Assert.Equal(QaPublishOutcome.Unchanged, r.Outcome));
        var host = _lab.Lab.State.FindHost("c1")!;
        Assert.Equal(("vh2", "dhcp"), (host.VirtHost, host.AddressSource));
        Assert.Equal(["192.168.150.10"], host.Addresses);
        Assert.Equal("vh2", QaLab.Get(_lab.Prefix)!.State.FindHost("c1")!.VirtHost); // saved in the state file
        Assert.Equal(1, await ClientPortsOn("vh1"));
        Assert.Equal(2, await ClientPortsOn("vh2"));

        // Same verdicts from the new host: the live cells of c1 conform, as before the move.
        var after = await LiveCellsOf("c1");
        LabFixture.AssertConforms(after);
        Assert.Equal(before.Select(r => (r.To, r.From, r.Port, r.Allowed)), after.Select(r => (r.To, r.From, r.Port, r.Allowed)));
        Assert.Contains(after, r => r.From == "c1" && r.To == "koji" && r.Observed);
        Assert.Contains(after, r => r.From == "c1" && r.To == "bodhi" && !r.Observed);
        Assert.Contains(after, r => r.To == "c1" && r.Port == 22 && r.Observed);

        // A second lab publish finds nothing to re-plug.
        await _lab.Lab.PublishAsync(policy);
        Assert.Same(host, _lab.Lab.State.FindHost("c1"));
    }

    [Fact]
    public async Task A_client_with_a_new_mac_and_address_is_replugged_and_leases_the_new_address()
    {
        var policy = _lab.Policy;
        var oldMac = policy.FindClient("c2")!.MacAddress;
        PolicyEditor.SetClient(policy, new ClientChangeSpec("c2") { MacAddress = "52:54:00:aa:00:30", Address = "192.168.150.30" });

        await _lab.Lab.PublishAsync(policy);
        var host = _lab.Lab.State.FindHost("c2")!;
        Assert.Equal(("vh1", "dhcp"), (host.VirtHost, host.AddressSource));
        Assert.Equal(["192.168.150.30"], host.Addresses);
        Assert.Contains("link/ether 52:54:00:aa:00:30 ", await Run("ip", "-n", host.Namespace, "-o", "link", "show", "dev", "eth0"), StringComparison.Ordinal);
        var ebtables = await Run("ip", "netns", "exec", VirtHostNamespace("vh1"), "ebtables-save");
        Assert.Contains("52:54:00:aa:00:30", ebtables, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(oldMac, ebtables, StringComparison.OrdinalIgnoreCase);

        var cells = await LiveCellsOf("c2");
        LabFixture.AssertConforms(cells);
        Assert.Contains(cells, r => r.From == "c2" && r.To == "bodhi" && r.SourceAddress.ToString() == "192.168.150.30" && r.Observed);
        Assert.Contains(cells, r => r.To == "c2" && r.Port == 22 && r.DestinationAddress.ToString() == "192.168.150.30" && r.Observed);
    }
}
