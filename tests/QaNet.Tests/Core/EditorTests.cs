using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Core;

public class EditorTests
{
    [Fact]
    public void Defaults_bridge_dhcp_address_and_mac_are_filled_in_deterministically()
    {
        var a = CoreTestPolicies.WithNetwork();
        var b = CoreTestPolicies.WithNetwork();
        var n = a.Networks[0];
        Assert.Equal("br-qa-clients", n.Bridge);
        Assert.Equal("192.168.150.128", n.DhcpStart!.ToString());
        Assert.Equal("192.168.150.254", n.DhcpEnd!.ToString());

        var c1 = PolicyEditor.AddClient(a, "qa-clients", new ClientSpec("c1"));
        var c1Again = PolicyEditor.AddClient(b, "qa-clients", new ClientSpec("c1"));
        Assert.Equal("192.168.150.2", c1.Address.ToString());
        Assert.StartsWith("52:54:00:", c1.MacAddress, StringComparison.Ordinal);
        Assert.Equal(c1.MacAddress, c1Again.MacAddress);
        Assert.Equal("virthost-comm01", c1.VirtHost);
    }

    [Fact]
    public void Allocation_skips_addresses_already_taken()
    {
        var p = CoreTestPolicies.WithNetwork();
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Address = "192.168.150.2" });
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c2") { Address = "192.168.150.4" });
        Assert.Equal("192.168.150.3", PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c3")).Address.ToString());
        Assert.Equal("192.168.150.5", PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c4")).Address.ToString());
    }

    [Fact]
    public void Ipv6_address_follows_the_ipv4_host_number()
    {
        var p = new QaPolicy("qa");
        PolicyEditor.AddNetwork(p, new NetworkSpec("v6", "192.168.150.0/24", QaNetworkMode.Nat, new[] { "vh1" }) { Subnet6 = "fd00:150::/64" });
        var c = PolicyEditor.AddClient(p, "v6", new ClientSpec("c1") { Address = "192.168.150.20" });
        Assert.Equal("fd00:150::14", c.Address6!.ToString());
    }

    [Fact]
    public void Long_network_names_get_a_short_stable_bridge_name()
    {
        var name = PolicyEditor.DefaultBridgeName("taskotron-production-clients");
        Assert.True(name.Length <= 15, name);
        Assert.Equal(name, PolicyEditor.DefaultBridgeName("taskotron-production-clients"));
        Assert.NotEqual(name, PolicyEditor.DefaultBridgeName("taskotron-staging-clients"));
    }

    [Fact]
    public void Rule_ids_are_derived_readably_and_made_unique()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        var r1 = PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("koji") }) { Ports = new[] { "443/tcp" } });
        var r2 = PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("koji") }) { Ports = new[] { "80/tcp" } });
        Assert.Equal("egress-taskotron-koji", r1.Id);
        Assert.Equal("egress-taskotron-koji-2", r2.Id);
        Assert.Equal(QaRule.DefaultGrantPriority, r1.Priority);
    }

    [Fact]
    public void Removing_a_network_removes_its_clients_and_restores_everything_on_refusal()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Network("qa-clients") }, new[] { QaSelector.Endpoint("koji") }));
        Assert.Throws<QaNet.Core.Validation.QaValidationException>(() => PolicyEditor.RemoveNetwork(p, "qa-clients", force: false));
        Assert.Equal(2, p.Clients.Count());
        Assert.Single(p.Rules);
        var removed = PolicyEditor.RemoveNetwork(p, "qa-clients", force: true);
        Assert.Single(removed.Rules);
        Assert.Empty(p.Networks);
        Assert.Empty(p.Rules);
    }

    [Fact]
    public void Resolution_turns_names_into_prefixes_and_takes_endpoint_ports_when_rule_has_none()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("koji") }));
        var resolved = ResolvedPolicy.Create(p);
        var rule = Assert.Single(resolved.Rules);
        Assert.Equal("192.168.150.2/32", Assert.Single(rule.Sources).ToString());
        var target = Assert.Single(rule.Targets);
        Assert.Equal("203.0.113.10/32", Assert.Single(target.Destinations).ToString());
        Assert.Equal(new[] { "80/tcp", "443/tcp" }, target.Ports.Select(x => x.ToString()));
        Assert.Empty(resolved.Unresolved);
    }

    [Fact]
    public void Resolution_reports_unknown_host_names()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bodhi") { HostNames = new[] { "bodhi.fedoraproject.org" }, Ports = new[] { "443/tcp" } });
        var resolved = ResolvedPolicy.Create(p);
        var (endpoint, host) = Assert.Single(resolved.Unresolved);
        Assert.Equal("bodhi", endpoint.Name);
        Assert.Equal("bodhi.fedoraproject.org", host);
        Assert.Empty(resolved.EndpointAddresses("bodhi"));
    }
}
