using System.Net;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Policy;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Policy;

/// <summary>What the loader fills in, and that it never takes a value the file gives explicitly further down.</summary>
public class PolicyYamlDefaultsTests
{
    [Fact]
    public void Omitted_network_and_client_values_get_the_editor_defaults()
    {
        var policy = PolicyYaml.Parse(MinimalWithLine(6, "    subnet: 192.168.150.0/24\n    subnet6: fd00:150::/64"), Source);
        var network = Assert.Single(policy.Networks);
        Assert.Equal(PolicyEditor.DefaultBridgeName("n1"), network.Bridge);
        Assert.Equal(IPAddress.Parse("192.168.150.128"), network.DhcpStart);
        Assert.Equal(IPAddress.Parse("192.168.150.254"), network.DhcpEnd);

        var client = Assert.Single(network.Clients);
        Assert.Equal(IPAddress.Parse("192.168.150.2"), client.Address);
        Assert.Equal(IPAddress.Parse("fd00:150::2"), client.Address6);
        Assert.Equal("vh1", client.VirtHost);
        Assert.Matches("^52:54:00(:[0-9a-f]{2}){3}$", client.MacAddress);
        Assert.Same(policy, client.Policy);
    }

    [Fact]
    public void Bridged_networks_get_no_default_dhcp_range()
    {
        var network = Assert.Single(PolicyYaml.Parse(MinimalWithLine(5, "    mode: Bridged"), Source).Networks);
        Assert.Equal(QaNetworkMode.Bridged, network.Mode);
        Assert.Null(network.DhcpStart);
    }

    [Fact]
    public void An_allocated_address_avoids_an_explicit_address_later_in_the_file()
    {
        var yaml = MinimalWithLine(10, "        roles: [r1]\n      - name: c2\n        address: 192.168.150.2");
        var clients = Assert.Single(PolicyYaml.Parse(yaml, Source).Networks).Clients;
        Assert.Equal(IPAddress.Parse("192.168.150.3"), clients[0].Address);
        Assert.Equal(IPAddress.Parse("192.168.150.2"), clients[1].Address);
    }

    [Fact]
    public void An_allocated_mac_avoids_an_explicit_mac_later_in_the_file()
    {
        var wouldBe = PolicyEditor.AllocateMac(new QaPolicy("x"), "n1", "c1");
        var yaml = MinimalWithLine(10, $"        roles: [r1]\n      - name: c2\n        mac: {wouldBe.ToUpperInvariant()}");
        var clients = Assert.Single(PolicyYaml.Parse(yaml, Source).Networks).Clients;
        Assert.Equal(wouldBe, clients[1].MacAddress);
        Assert.NotEqual(wouldBe, clients[0].MacAddress);
    }

    [Fact]
    public void A_derived_rule_id_avoids_an_explicit_id_later_in_the_file_and_rules_keep_file_order()
    {
        var yaml = Minimal + "  - id: egress-r1-koji\n    kind: block\n    from: role:r1\n    to: endpoint:koji\n";
        var rules = PolicyYaml.Parse(yaml, Source).Rules;
        Assert.Equal(new[] { "egress-r1-koji-2", "egress-r1-koji" }, rules.Select(r => r.Id));
        Assert.Equal(QaRule.DefaultGrantPriority, rules[0].Priority);
        Assert.Equal(QaRule.DefaultBlockPriority, rules[1].Priority);
    }

    [Fact]
    public void Rule_values_are_read_into_the_model()
    {
        var yaml = MinimalWithLine(18,
            "    to: [endpoint:koji, cidr:198.51.100.0/24]\n    ports: [443/tcp, 7080-7099/tcp, icmp]\n    priority: 500\n" +
            "    expires: 2026-12-31\n    description: temporary\n    allowAnyDestination: true");
        var rule = Assert.Single(PolicyYaml.Parse(yaml, Source).Rules);
        Assert.Equal(new[] { QaSelector.Endpoint("koji"), new QaSelector(QaSelectorKind.Cidr, "198.51.100.0/24") }, rule.To);
        Assert.Equal(new[] { new QaPortRange(QaProtocol.Tcp, 443, 443), new QaPortRange(QaProtocol.Tcp, 7080, 7099), QaPortRange.Icmp }, rule.Ports);
        Assert.Equal(500, rule.Priority);
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero), rule.ExpiresAt);
        Assert.Equal("temporary", rule.Description);
        Assert.True(rule.AllowAnyDestination);
    }

    [Fact]
    public void Tests_become_assertions()
    {
        var yaml = Minimal + "tests:\n  - from: c1\n    to: 203.0.113.10\n    port: 443/tcp\n    expect: allow\n  - from: koji\n    to: c1\n    port: 22\n    expect: DENY\n";
        var assertions = PolicyYaml.Parse(yaml, Source).Assertions;
        Assert.Equal(new[] { "c1 -> 203.0.113.10 443/tcp: allow", "koji -> c1 22/tcp: deny" }, assertions.Select(a => a.ToString()));
    }

    [Fact]
    public void A_network_that_runs_out_of_addresses_is_reported_at_the_first_client_left_over()
    {
        // A /30 has one client address (.2); c1 takes it, c2 and c3 find none.
        var yaml = MinimalWithLine(6, "    subnet: 192.168.150.0/30")
            .Replace("        roles: [r1]\n", "        roles: [r1]\n      - name: c2\n      - name: c3\n", StringComparison.Ordinal);
        Assert.Equal(new[] { "AddressPoolExhausted t.yaml:11:9" }, Rejected(yaml));
    }

    [Fact]
    public void Loading_thousands_of_clients_with_default_addresses_stays_fast()
    {
        // One allocation pass per network: quadratic allocation took minutes for this.
        var text = new System.Text.StringBuilder("version: 1\nname: big\nnetworks:\n  - name: n\n    mode: nat\n    subnet: 10.0.0.0/16\n    virthosts: [v]\n    clients:\n");
        for (var i = 0; i < 10000; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"      - {{name: c{i}}}\n");
        }

        var clients = Assert.Single(PolicyYaml.Parse(text.ToString(), Source).Networks).Clients;
        Assert.Equal(10000, clients.Select(c => c.Address).Distinct().Count());
        Assert.Equal(10000, clients.Select(c => c.MacAddress).Distinct().Count());
        Assert.Equal(IPAddress.Parse("10.0.39.17"), clients[^1].Address);
    }
}
