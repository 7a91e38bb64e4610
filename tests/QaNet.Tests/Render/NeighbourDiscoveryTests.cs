using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Ebtables;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Render;

/// <summary>
/// What a client with an IPv6 address may send of neighbour discovery on a bridge (the lab's
/// bridged IPv6 attacks, BridgedLabTests.Ipv6.cs, prove it on a kernel): no router
/// advertisement or redirect, neighbour discovery only from its link-local, the unspecified or
/// its own address, and a neighbour advertisement only for its own address.
/// </summary>
public class NeighbourDiscoveryTests
{
    private static EbtTable Render(QaPolicy policy, string virtHost = "virthost-comm01") =>
        (EbtTable)QaRenderer.Render(ResolvedPolicy.Create(policy), "qa-clients", virtHost, QaBackend.Ebtables, RenderPolicies.Options).Program!;

    private static string ChainText(QaPolicy policy, string chain) =>
        string.Join('\n', QaRenderer.Render(ResolvedPolicy.Create(policy), "qa-clients", "virthost-comm01", QaBackend.Ebtables, RenderPolicies.Options).Text
            .Split('\n').Where(l => l.StartsWith("-A " + chain + " ", StringComparison.Ordinal)));

    [Theory]
    [InlineData(QaNetworkMode.Nat)]
    [InlineData(QaNetworkMode.Bridged)]
    public void A_client_sends_no_router_advertisement_or_redirect_and_neighbour_discovery_only_from_its_own_sources(QaNetworkMode mode)
    {
        var policy = ExamplePolicies.Fedora();
        policy.FindNetwork("qa-clients")!.Mode = mode;
        var lines = ChainText(policy, "QN-O-taskotron-client01").Split('\n').Where(l => l.Contains("-p IPv6", StringComparison.Ordinal)).ToList();
        Assert.Equal(new[]
        {
            "-A QN-O-taskotron-client01 -p IPv6 --ip6-proto ipv6-icmp --ip6-icmp-type router-advertisement -j DROP",
            "-A QN-O-taskotron-client01 -p IPv6 --ip6-proto ipv6-icmp --ip6-icmp-type redirect -j DROP",
            "-A QN-O-taskotron-client01 -p IPv6 --ip6-src fe80::/10 --ip6-proto ipv6-icmp --ip6-icmp-type 133:136/0:255 -j ACCEPT",
            "-A QN-O-taskotron-client01 -p IPv6 --ip6-src :: --ip6-proto ipv6-icmp --ip6-icmp-type 133:136/0:255 -j ACCEPT",
            "-A QN-O-taskotron-client01 -p IPv6 --ip6-src fd00:150::a --ip6-proto ipv6-icmp --ip6-icmp-type 133:136/0:255 -j ACCEPT",
            "-A QN-O-taskotron-client01 -p IPv6 --ip6-src ! fd00:150::a -j DROP",
        }, lines.Take(6));

        // What a client receives keeps all of neighbour discovery: the LAN's router advertises to it.
        Assert.Contains("-A QN-I-taskotron-client01 -p IPv6 --ip6-proto ipv6-icmp --ip6-icmp-type 133:136/0:255 -j ACCEPT", ChainText(policy, "QN-I-taskotron-client01"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_clients_ipv6_address_from_another_mac_is_dropped_like_its_ipv4_address()
    {
        var antispoof = ChainText(ExamplePolicies.AsBridged(ExamplePolicies.Fedora()), "QN-ANTISPOOF");
        Assert.Contains("-A QN-ANTISPOOF -p IPv4 --ip-src 192.168.150.10 -j DROP", antispoof, StringComparison.Ordinal);
        Assert.Contains("-A QN-ANTISPOOF -p IPv6 --ip6-src fd00:150::a -j DROP", antispoof, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bridge_table_lets_each_ipv6_client_advertise_only_its_own_address()
    {
        var policy = ExamplePolicies.AsBridged(ExamplePolicies.Fedora());
        var table = Render(policy);
        var clients = policy.Clients.Where(c => c.VirtHost == "virthost-comm01").ToList();
        Assert.Equal(clients.SelectMany(c => new[] { (c.MacAddress, c.Address6!), (c.MacAddress, Ipv6Frames.LinkLocal(c.MacAddress)) }), table.NeighbourTargets);
        var guard = EbtReplyGuard.For(table)!;
        foreach (var c in clients)
        {
            Assert.Contains(c.MacAddress + " . 0x" + Convert.ToHexString(c.Address6!.GetAddressBytes()).ToLowerInvariant(), guard, StringComparison.Ordinal);
        }

        Assert.Contains("0xfd00015000000000000000000000000a", guard, StringComparison.Ordinal); // taskotron-client01
        var mac = policy.FindClient("taskotron-client01")!.MacAddress;
        Assert.Contains(mac + " . 0x" + Convert.ToHexString(Ipv6Frames.LinkLocal(mac).GetAddressBytes()).ToLowerInvariant(), guard, StringComparison.Ordinal);
        Assert.StartsWith("fe80::", Ipv6Frames.LinkLocal(mac).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(policy.Clients.Where(c => c.VirtHost != "virthost-comm01"), c => guard.Contains(c.MacAddress, StringComparison.Ordinal));
        Assert.Equal(2, guard.Split("ether saddr @nd-clients icmpv6 type nd-neighbor-advert ether saddr . @th,64,128 != @nd-targets counter drop comment \"qanet:@nd-target\"").Length - 1);
        Assert.Contains("qanet:@reply-syn", guard, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_ipv6_clients_the_bridge_table_is_the_reply_guard_alone_or_nothing()
    {
        var bridged = ExamplePolicies.AsBridged(ExamplePolicies.Fedora());
        var nat = ExamplePolicies.Fedora();
        foreach (var p in new[] { bridged, nat })
        {
            p.FindNetwork("qa-clients")!.Subnet6 = null;
            foreach (var c in p.Clients)
            {
                c.Address6 = null;
            }
        }

        Assert.Equal(EbtReplyGuard.Definition, EbtReplyGuard.For(Render(bridged)));
        Assert.Null(EbtReplyGuard.For(Render(nat)));
        Assert.NotNull(EbtReplyGuard.For(Render(ExamplePolicies.Fedora())));
        Assert.DoesNotContain("ipv6-icmp", ChainText(nat, "QN-O-taskotron-client01"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_answers_its_clients_neighbour_solicitations_before_its_output_chain_decides()
    {
        // Found by the dual-stack Gateway lab: the bastion's neighbour advertisements to its clients
        // met decide's default deny, so a client that had not been solicited first could not reach it.
        var text = RenderPolicies.AllRenderings().Single(r => r.Name == "fedora-qa-gateway.bastion.nft").Ruleset.Text;
        var output = text[text.IndexOf("\tchain output {", StringComparison.Ordinal)..];
        output = output[..output.IndexOf("\t}", StringComparison.Ordinal)];
        var nd = output.IndexOf("icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept comment \"qanet:@neighbour-discovery\"", StringComparison.Ordinal);
        Assert.True(nd >= 0, output);
        Assert.True(nd < output.IndexOf("ip6 daddr fd00:150::/64 jump decide", StringComparison.Ordinal), output);
    }
}
