using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Render;
using QaNet.Core.Render.Ebtables;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Publish;

public class HostArtifactBuilderTests
{
    private static readonly QaRenderOptions Pinned = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    [Fact]
    public void Every_virthost_of_the_example_gets_its_networks_ebtables_and_nft_table()
    {
        var policy = ExamplePolicies.Fedora();
        var artifacts = HostArtifactBuilder.Build(ResolvedPolicy.Create(policy), Pinned);
        var virtHosts = policy.Networks.SelectMany(n => n.VirtHosts).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(virtHosts, artifacts.Select(a => a.VirtHost));
        foreach (var a in artifacts)
        {
            a.Validate();
            Assert.Equal(policy.Networks.Where(n => n.VirtHosts.Contains(a.VirtHost)).Select(n => n.Name), a.Networks.Select(n => n.Name));
            Assert.Equal(new[] { "inet qanet", "bridge qanet" }, a.NftTables.Select(t => t.Key));
            var table = a.NftTables[0];
            Assert.StartsWith("table inet qanet {", table.Definition, StringComparison.Ordinal);
            // No TCP between clients in the example's Nat network: no marked replies, so no reply guard; its
            // IPv6 clients still get the bridge table's neighbour-advertisement check.
            Assert.DoesNotContain("qanet:@reply-syn", a.NftTables[1].Definition, StringComparison.Ordinal);
            Assert.Contains("qanet:@nd-target", a.NftTables[1].Definition, StringComparison.Ordinal);
            Assert.NotNull(a.Ebtables);
            Assert.Equal("QN-", a.Ebtables!.ChainPrefix);
            // Each virthost's libvirt network reserves exactly the clients placed on it.
            var xml = a.Networks[0].Xml!;
            foreach (var c in policy.Clients)
            {
                Assert.Equal(c.VirtHost == a.VirtHost, xml.Contains(c.MacAddress, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Gateway_mode_puts_the_nft_table_on_the_gateway_and_removes_it_from_the_virthost()
    {
        var p = new QaPolicy("gw");
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = new[] { "192.168.150.2", "198.51.100.2" }, Ports = new[] { "22/tcp" } });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("koji") { Addresses = new[] { "203.0.113.10" }, Ports = new[] { "443/tcp" } });
        PolicyEditor.AddNetwork(p, new NetworkSpec("qa-clients", "192.168.150.0/24", QaNetworkMode.Gateway, new[] { "vh1" }) { Gateway = "bastion" });
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Roles = new[] { "taskotron" } });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("koji") }));

        var artifacts = HostArtifactBuilder.Build(ResolvedPolicy.Create(p), Pinned);
        Assert.Equal(new[] { "bastion", "vh1" }, artifacts.Select(a => a.VirtHost));
        var bastion = artifacts[0];
        Assert.Empty(bastion.Networks);
        Assert.Null(bastion.Ebtables);
        Assert.Contains("qanet:egress-taskotron-koji", Assert.Single(bastion.NftTables).Definition, StringComparison.Ordinal);
        var vh1 = artifacts[1];
        Assert.All(vh1.NftTables, t => Assert.Null(t.Definition));
        Assert.Equal(new[] { "inet qanet", "bridge qanet" }, vh1.NftTables.Select(t => t.Key));
        Assert.Single(vh1.Networks);

        Assert.Equal(new[] { "vh1" }, HostArtifactBuilder.Build(ResolvedPolicy.Create(p), Pinned, new[] { "vh1" }).Select(a => a.VirtHost));
    }

    private static EbtTable EbtablesOf(string virtHost) =>
        (EbtTable)QaRenderer.Render(ResolvedPolicy.Create(ExamplePolicies.AsBridged(ExamplePolicies.Fedora())), "qa-clients", virtHost, QaBackend.Ebtables, Pinned).Program!;

    [Fact]
    public void A_bridged_virthost_gets_the_reply_guard_beside_its_ebtables_and_no_routed_table()
    {
        var artifacts = HostArtifactBuilder.Build(ResolvedPolicy.Create(ExamplePolicies.AsBridged(ExamplePolicies.Fedora())), Pinned);
        foreach (var a in artifacts)
        {
            a.Validate();
            Assert.Equal(new[] { "inet qanet", "bridge qanet" }, a.NftTables.Select(t => t.Key));
            Assert.Null(a.NftTables[0].Definition);
            // fedora-qa's clients have IPv6 addresses: the guard also checks their neighbour advertisements.
            Assert.Equal(EbtReplyGuard.For(EbtablesOf(a.VirtHost)), a.NftTables[1].Definition);
            Assert.Contains("qanet:@reply-syn", a.NftTables[1].Definition, StringComparison.Ordinal);
            Assert.Contains("qanet:@nd-target", a.NftTables[1].Definition, StringComparison.Ordinal);
            Assert.Contains("--mark-or 0x100000 --mark-target ACCEPT", a.Ebtables!.Text, StringComparison.Ordinal);
            var needs = VirtHostNeeds.Of(a);
            Assert.True(needs.BridgedNetworks);
            Assert.True(needs.Nft);
            // The guard filters bridged frames; it does not make the virthost a router.
            Assert.False(needs.Forwarding);
            Assert.False(needs.IsGateway);
        }

        Assert.All(HostArtifactBuilder.Build(ResolvedPolicy.Create(ExamplePolicies.Fedora()), Pinned), a => Assert.False(VirtHostNeeds.Of(a).BridgedNetworks));
    }
}
