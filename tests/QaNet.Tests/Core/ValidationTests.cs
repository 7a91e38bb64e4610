using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Tests.Core;

/// <summary>One test (at least) per error id that the model and editor can raise.</summary>
public class ValidationTests
{
    private static QaValidationError Expect(string id, Action change)
    {
        var ex = Assert.Throws<QaValidationException>(change);
        var error = Assert.Single(ex.Errors, e => e.Id == id);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.False(string.IsNullOrWhiteSpace(error.Fix));
        return error;
    }

    private static NetworkSpec Net(string name, string subnet, QaNetworkMode mode = QaNetworkMode.Nat) =>
        new(name, subnet, mode, new[] { "virthost-comm01" });

    [Fact]
    public void InvalidName_network_with_uppercase_or_underscore()
    {
        var p = new QaPolicy("qa");
        var e = Expect(QaErrorIds.InvalidName, () => PolicyEditor.AddNetwork(p, Net("QA_Clients", "192.168.150.0/24")));
        Assert.Equal("networks[QA_Clients].name", e.Path);
        Assert.Empty(p.Networks);
    }

    [Fact]
    public void InvalidName_role_of_a_client()
    {
        var p = CoreTestPolicies.WithNetwork();
        Expect(QaErrorIds.InvalidName, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Roles = new[] { "Task Otron" } }));
        Assert.Empty(p.Clients);
    }

    [Fact]
    public void InvalidHostName_on_endpoint()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.InvalidHostName, () => PolicyEditor.AddEndpoint(p, new EndpointSpec("koji") { HostNames = new[] { "koji fedora" } }));
        Assert.Empty(p.Endpoints);
    }

    [Theory]
    [InlineData("koji")]
    [InlineData("service:koji")]
    [InlineData("role:Bad Name")]
    public void InvalidSelector_or_name_in_selector(string text)
    {
        var ex = Assert.Throws<QaValidationException>(() => QaSelector.Parse(text));
        Assert.Contains(ex.ErrorId, new[] { QaErrorIds.InvalidSelector, QaErrorIds.InvalidName });
    }

    [Theory]
    [InlineData("role:taskotron", QaSelectorKind.Role, "taskotron")]
    [InlineData("cidr:10.0.0.0/8", QaSelectorKind.Cidr, "10.0.0.0/8")]
    [InlineData("cidr:2001:db8::/32", QaSelectorKind.Cidr, "2001:db8::/32")]
    [InlineData("CIDR:192.0.2.7", QaSelectorKind.Cidr, "192.0.2.7/32")]
    public void Selectors_parse(string text, QaSelectorKind kind, string value)
    {
        var s = QaSelector.Parse(text);
        Assert.Equal(kind, s.Kind);
        Assert.Equal(value, s.Value);
    }

    [Fact]
    public void UnknownReference_rule_naming_a_missing_role()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        var e = Expect(QaErrorIds.UnknownReference, () => PolicyEditor.AddRule(p,
            new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotorn") }, new[] { QaSelector.Endpoint("koji") })));
        Assert.StartsWith("rules[", e.Path, StringComparison.Ordinal);
        Assert.Empty(p.Rules);
    }

    [Fact]
    public void UnknownReference_gateway_endpoint_missing()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.UnknownReference, () => PolicyEditor.AddNetwork(p,
            Net("qa-clients", "192.168.150.0/24", QaNetworkMode.Gateway) with { Gateway = "bastion" }));
    }

    [Fact]
    public void DuplicateNetwork()
    {
        var p = CoreTestPolicies.WithNetwork();
        Expect(QaErrorIds.DuplicateNetwork, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.151.0/24")));
        Assert.Single(p.Networks);
    }

    [Fact]
    public void DuplicateClientName_across_networks()
    {
        var p = CoreTestPolicies.WithNetwork();
        PolicyEditor.AddNetwork(p, Net("other", "192.168.151.0/24"));
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1"));
        Expect(QaErrorIds.DuplicateClientName, () => PolicyEditor.AddClient(p, "other", new ClientSpec("c1")));
        Assert.Single(p.Clients);
    }

    [Fact]
    public void DuplicateEndpoint()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        Expect(QaErrorIds.DuplicateEndpoint, () => PolicyEditor.AddEndpoint(p, new EndpointSpec("koji") { Addresses = new[] { "192.0.2.1" } }));
    }

    [Fact]
    public void DuplicateRuleId()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        var spec = new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("koji") }) { Id = "koji" };
        PolicyEditor.AddRule(p, spec);
        Expect(QaErrorIds.DuplicateRuleId, () => PolicyEditor.AddRule(p, spec));
        Assert.Single(p.Rules);
    }

    [Fact]
    public void NameConflict_endpoint_named_like_a_client()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        Expect(QaErrorIds.NameConflict, () => PolicyEditor.AddEndpoint(p, new EndpointSpec("beaker-client01") { Addresses = new[] { "192.0.2.1" } }));
    }

    [Theory]
    [InlineData("300.1.1.0/24")]
    [InlineData("192.168.150.1/24")]
    [InlineData("not-a-subnet")]
    [InlineData("fd00::/64")]
    public void InvalidSubnet(string subnet)
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.InvalidSubnet, () => PolicyEditor.AddNetwork(p, Net("qa-clients", subnet)));
        Assert.Empty(p.Networks);
    }

    [Fact]
    public void InvalidSubnet_subnet6_must_be_ipv6()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.InvalidSubnet, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/24") with { Subnet6 = "10.0.0.0/24" }));
    }

    [Fact]
    public void SubnetTooSmall()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.SubnetTooSmall, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/31")));
    }

    [Fact]
    public void SubnetOverlap()
    {
        var p = CoreTestPolicies.WithNetwork();
        Expect(QaErrorIds.SubnetOverlap, () => PolicyEditor.AddNetwork(p, Net("wide", "192.168.0.0/16")));
    }

    [Fact]
    public void InvalidBridgeName_longer_than_fifteen()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.InvalidBridgeName, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/24") with { Bridge = "bridge-name-too-long" }));
    }

    [Fact]
    public void VirtHostRequired()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.VirtHostRequired, () => PolicyEditor.AddNetwork(p, new NetworkSpec("qa-clients", "192.168.150.0/24", QaNetworkMode.Nat, Array.Empty<string>())));
    }

    [Fact]
    public void GatewayRequired_in_gateway_mode_and_refused_in_nat_mode()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.GatewayRequired, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/24", QaNetworkMode.Gateway)));
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = new[] { "192.168.150.2" } });
        Expect(QaErrorIds.GatewayRequired, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/24") with { Gateway = "bastion" }));
        Assert.Empty(p.Networks);
    }

    [Fact]
    public void GatewayAddressOutsideSubnet()
    {
        var p = new QaPolicy("qa");
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = new[] { "192.0.2.5" } });
        Expect(QaErrorIds.GatewayAddressOutsideSubnet, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/24", QaNetworkMode.Gateway) with { Gateway = "bastion" }));
    }

    [Fact]
    public void Gateway_mode_with_gateway_inside_subnet_is_valid_and_clients_avoid_its_address()
    {
        var p = new QaPolicy("qa");
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = new[] { "192.168.150.2", "192.0.2.5" } });
        var n = PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/24", QaNetworkMode.Gateway) with { Gateway = "bastion" });
        var c = PolicyEditor.AddClient(p, n.Name, new ClientSpec("c1"));
        Assert.Equal("192.168.150.3", c.Address.ToString());
        Expect(QaErrorIds.AddressReserved, () => PolicyEditor.AddClient(p, n.Name, new ClientSpec("c2") { Address = "192.168.150.2" }));
    }

    [Theory]
    [InlineData("192.168.150.200", null)]
    [InlineData("192.168.150.200", "192.168.150.100")]
    [InlineData("192.168.150.10", "192.168.151.20")]
    [InlineData("::ffff:192.168.150.10", "::ffff:192.168.150.20")]   // IPv4-mapped IPv6 is IPv6 (IpMath.Contains)
    [InlineData("192.168.150.10", "::ffff:192.168.150.20")]
    public void DhcpRangeInvalid(string start, string? end)
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.DhcpRangeInvalid, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/24") with { DhcpStart = start, DhcpEnd = end }));
    }

    [Fact]
    public void DhcpRangeCollision_range_covers_virthost_address()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.DhcpRangeCollision, () => PolicyEditor.AddNetwork(p, Net("qa-clients", "192.168.150.0/24") with { DhcpStart = "192.168.150.1", DhcpEnd = "192.168.150.50" }));
    }

    [Fact]
    public void DhcpRangeCollision_client_address_inside_dynamic_range()
    {
        var p = CoreTestPolicies.WithNetwork();
        Expect(QaErrorIds.DhcpRangeCollision, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Address = "192.168.150.200" }));
    }

    [Theory]
    [InlineData("52:54:00:zz:00:01")]
    [InlineData("52:54:00:00:01")]
    [InlineData("01:00:5e:00:00:01")]
    public void InvalidMacAddress(string mac)
    {
        var p = CoreTestPolicies.WithNetwork();
        Expect(QaErrorIds.InvalidMacAddress, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { MacAddress = mac }));
    }

    [Fact]
    public void DuplicateMacAddress_normalises_case_and_dashes()
    {
        var p = CoreTestPolicies.WithNetwork();
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { MacAddress = "52:54:00:AA:BB:CC" });
        Expect(QaErrorIds.DuplicateMacAddress, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c2") { MacAddress = "52-54-00-aa-bb-cc" }));
        Assert.Equal("52:54:00:aa:bb:cc", p.FindClient("c1")!.MacAddress);
    }

    [Fact]
    public void InvalidAddress()
    {
        var p = CoreTestPolicies.WithNetwork();
        Expect(QaErrorIds.InvalidAddress, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Address = "192.168.150.10/24" }));
        Expect(QaErrorIds.InvalidAddress, () => PolicyEditor.SetHost(p, "koji.fedoraproject.org", Array.Empty<string>()));
        Assert.Empty(p.Hosts);
    }

    [Fact]
    public void DuplicateAddress()
    {
        var p = CoreTestPolicies.WithNetwork();
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Address = "192.168.150.10" });
        Expect(QaErrorIds.DuplicateAddress, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c2") { Address = "192.168.150.10" }));
    }

    [Fact]
    public void AddressOutsideSubnet()
    {
        var p = CoreTestPolicies.WithNetwork();
        var e = Expect(QaErrorIds.AddressOutsideSubnet, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Address = "10.0.0.5" }));
        Assert.Equal("networks[qa-clients].clients[c1].address", e.Path);
    }

    [Theory]
    [InlineData("192.168.150.0")]
    [InlineData("192.168.150.1")]
    [InlineData("192.168.150.255")]
    public void AddressReserved(string address)
    {
        var p = CoreTestPolicies.WithNetwork();
        p.Networks[0].DhcpStart = null;
        p.Networks[0].DhcpEnd = null;
        Expect(QaErrorIds.AddressReserved, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Address = address }));
    }

    [Fact]
    public void AddressPoolExhausted_small_subnet()
    {
        var p = new QaPolicy("qa");
        // /29: .0 network, .1 virthost, .7 broadcast; DHCP .4-.6 leaves .2 and .3.
        PolicyEditor.AddNetwork(p, Net("tiny", "192.168.150.0/29") with { DhcpStart = "192.168.150.4", DhcpEnd = "192.168.150.6" });
        Assert.Equal("192.168.150.2", PolicyEditor.AddClient(p, "tiny", new ClientSpec("c1")).Address.ToString());
        Assert.Equal("192.168.150.3", PolicyEditor.AddClient(p, "tiny", new ClientSpec("c2")).Address.ToString());
        Expect(QaErrorIds.AddressPoolExhausted, () => PolicyEditor.AddClient(p, "tiny", new ClientSpec("c3")));
    }

    [Fact]
    public void UnknownVirtHost()
    {
        var p = CoreTestPolicies.WithNetwork();
        Expect(QaErrorIds.UnknownVirtHost, () => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { VirtHost = "virthost-other" }));
    }

    [Fact]
    public void EndpointWithoutTarget()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.EndpointWithoutTarget, () => PolicyEditor.AddEndpoint(p, new EndpointSpec("koji") { Ports = new[] { "443/tcp" } }));
    }

    [Theory]
    [InlineData("70000/tcp")]
    [InlineData("0/tcp")]
    [InlineData("https")]
    [InlineData("80/sctp")]
    public void InvalidPort(string port)
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.InvalidPort, () => PolicyEditor.AddEndpoint(p, new EndpointSpec("koji") { Addresses = new[] { "192.0.2.1" }, Ports = new[] { port } }));
        Assert.Empty(p.Endpoints);
    }

    [Fact]
    public void PortRangeReversed()
    {
        var p = new QaPolicy("qa");
        Expect(QaErrorIds.PortRangeReversed, () => PolicyEditor.AddEndpoint(p, new EndpointSpec("beah") { Addresses = new[] { "192.0.2.1" }, Ports = new[] { "7099-7080/tcp" } }));
    }

    [Theory]
    [InlineData("443/tcp", QaProtocol.Tcp, 443, 443, "443/tcp")]
    [InlineData("7080-7099/TCP", QaProtocol.Tcp, 7080, 7099, "7080-7099/tcp")]
    [InlineData("69/udp", QaProtocol.Udp, 69, 69, "69/udp")]
    [InlineData("22", QaProtocol.Tcp, 22, 22, "22/tcp")]
    [InlineData("icmp", QaProtocol.Icmp, 0, 0, "icmp")]
    public void Ports_parse_and_print(string text, QaProtocol protocol, int from, int to, string printed)
    {
        var r = QaPortRange.Parse(text);
        Assert.Equal(new QaPortRange(protocol, from, to), r);
        Assert.Equal(printed, r.ToString());
    }

    [Theory]
    [InlineData("53", QaProtocol.Udp, "53/udp")]
    [InlineData("7080-7099", QaProtocol.Udp, "7080-7099/udp")]
    [InlineData("443/tcp", QaProtocol.Udp, "443/tcp")]
    [InlineData("0", QaProtocol.Icmp, "icmp")]
    [InlineData("443", QaProtocol.Icmp, "icmp")]
    [InlineData("69/udp", QaProtocol.Icmp, "69/udp")]
    public void A_bare_port_takes_the_given_protocol_and_a_written_one_keeps_its_own(string text, QaProtocol bareProtocol, string printed) =>
        Assert.Equal(printed, QaPortRange.Parse(text, bareProtocol).ToString());

    [Theory]
    [InlineData("443/tpc", QaProtocol.Tcp)]
    [InlineData("0", QaProtocol.Tcp)]
    [InlineData("70000", QaProtocol.Icmp)]
    [InlineData("22-23", QaProtocol.Icmp)]
    public void A_bad_port_is_InvalidPort_whatever_the_bare_protocol(string text, QaProtocol bareProtocol)
    {
        Assert.False(QaPortRange.TryParse(text, bareProtocol, out _, out var error));
        Assert.Equal(QaErrorIds.InvalidPort, error!.Id);
    }

    [Fact]
    public void Each_port_of_a_range_and_icmp_as_one_flow()
    {
        Assert.Equal([7080, 7081, 7082], QaPortRange.Parse("7080-7082/tcp").EachPort());
        Assert.Equal([0], QaPortRange.Icmp.EachPort());
    }

    [Fact]
    public void PortsRequired_for_a_cidr_destination_without_ports()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        Expect(QaErrorIds.PortsRequired, () => PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress,
            new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Parse("cidr:198.51.100.0/24") })));
    }

    [Fact]
    public void InvalidRuleSide_egress_from_an_endpoint_and_ingress_from_a_client()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        Expect(QaErrorIds.InvalidRuleSide, () => PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress,
            new[] { QaSelector.Endpoint("koji") }, new[] { QaSelector.Role("taskotron") }) { Ports = new[] { "22/tcp" } }));
        Expect(QaErrorIds.InvalidRuleSide, () => PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Ingress,
            new[] { QaSelector.Role("beaker") }, new[] { QaSelector.Role("taskotron") }) { Ports = new[] { "22/tcp" } }));
        Expect(QaErrorIds.InvalidRuleSide, () => PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress,
            Array.Empty<QaSelector>(), new[] { QaSelector.Endpoint("koji") })));
        Assert.Empty(p.Rules);
    }

    [Fact]
    public void EgressToAnyAddress_refused_unless_allowed()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        var spec = new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Parse("cidr:0.0.0.0/0") }) { Ports = new[] { "443/tcp" } };
        Expect(QaErrorIds.EgressToAnyAddress, () => PolicyEditor.AddRule(p, spec));
        Expect(QaErrorIds.EgressToAnyAddress, () => PolicyEditor.AddRule(p, spec with { To = new[] { QaSelector.Parse("cidr:::/0") } }));
        var rule = PolicyEditor.AddRule(p, spec with { AllowAnyDestination = true });
        Assert.True(rule.AllowAnyDestination);
    }

    [Fact]
    public void InvalidPriority()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        Expect(QaErrorIds.InvalidPriority, () => PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress,
            new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("koji") }) { Priority = -5 }));
    }

    [Fact]
    public void InUse_refuses_to_orphan_rules_and_Force_removes_them_too()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        var rule = PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Client("taskotron-client01") }, new[] { QaSelector.Endpoint("koji") }));
        Expect(QaErrorIds.InUse, () => PolicyEditor.RemoveClient(p, "taskotron-client01", force: false));
        Assert.NotNull(p.FindClient("taskotron-client01"));
        var removed = PolicyEditor.RemoveClient(p, "taskotron-client01", force: true);
        Assert.Same(rule, Assert.Single(removed.Rules));
        Assert.Null(p.FindClient("taskotron-client01"));
        Assert.Empty(p.Rules);
    }

    [Fact]
    public void InUse_removing_the_last_client_of_a_role_named_by_a_rule_is_refused_and_Force_takes_the_rule()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        var rule = PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("beaker") }, new[] { QaSelector.Endpoint("koji") }));
        // The role would name nothing afterwards, so the rule counts as naming the client.
        Expect(QaErrorIds.InUse, () => PolicyEditor.RemoveClient(p, "beaker-client01", force: false));
        Assert.NotNull(p.FindClient("beaker-client01"));
        Assert.Same(rule, Assert.Single(PolicyEditor.RemoveClient(p, "beaker-client01", force: true).Rules));
        Assert.Empty(p.Rules);
    }

    [Fact]
    public void A_role_that_other_clients_still_have_keeps_its_rules()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("beaker-client02") { Roles = new[] { "beaker" } });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("beaker") }, new[] { QaSelector.Endpoint("koji") }));
        Assert.Empty(PolicyEditor.RemoveClient(p, "beaker-client01", force: false).Rules);
        Assert.Single(p.Rules);
    }

    [Fact]
    public void InUse_counts_access_grants_and_Force_revokes_them_too()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = new[] { "192.0.2.10" } });
        p.Groups.Add(new QaGroup(p, "sysadmin-qa"));
        var grant = new QaAccessGrant(p, "sysadmin-qa-client", "sysadmin-qa");
        grant.Hosts.Add(QaAccessTarget.Host("taskotron-client01"));
        grant.Rights.Add(QaAccessRight.Shell);
        p.AccessGrants.Add(grant);
        var onBastion = new QaAccessGrant(p, "sysadmin-qa-bastion", "sysadmin-qa");
        onBastion.Hosts.Add(QaAccessTarget.Host("bastion"));
        onBastion.Rights.Add(QaAccessRight.Shell);
        p.AccessGrants.Add(onBastion);

        var e = Expect(QaErrorIds.InUse, () => PolicyEditor.RemoveClient(p, "taskotron-client01", force: false));
        Assert.Contains("sysadmin-qa-client", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, p.AccessGrants.Count);

        var removal = PolicyEditor.RemoveClient(p, "taskotron-client01", force: true);
        Assert.Same(grant, Assert.Single(removal.Grants));
        Assert.Empty(removal.Rules);
        Assert.Same(onBastion, Assert.Single(p.AccessGrants));

        Expect(QaErrorIds.InUse, () => PolicyEditor.RemoveEndpoint(p, "bastion", force: false));
        Assert.Same(onBastion, Assert.Single(PolicyEditor.RemoveEndpoint(p, "bastion", force: true).Grants));
        Assert.Empty(p.AccessGrants);
    }

    [Fact]
    public void InUse_counts_assertions_naming_the_client_or_endpoint_and_Force_removes_them_too()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        var toKoji = PolicyEditor.AddAssertion(p, new AssertionSpec("taskotron-client01", "koji", "443/tcp", ExpectAllowed: true));
        var fromKoji = PolicyEditor.AddAssertion(p, new AssertionSpec("koji", "taskotron-client01", "22/tcp", ExpectAllowed: false));
        var other = PolicyEditor.AddAssertion(p, new AssertionSpec("beaker-client01", "203.0.113.10", "443/tcp", ExpectAllowed: false));

        var e = Expect(QaErrorIds.InUse, () => PolicyEditor.RemoveClient(p, "taskotron-client01", force: false));
        Assert.Contains(toKoji.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(fromKoji.ToString(), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(other.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Equal(3, p.Assertions.Count);

        var removal = PolicyEditor.RemoveClient(p, "taskotron-client01", force: true);
        Assert.Equal([toKoji, fromKoji], removal.Assertions);
        Assert.Null(p.FindClient("taskotron-client01"));
        Assert.Same(other, Assert.Single(p.Assertions));

        Expect(QaErrorIds.InUse, () => PolicyEditor.RemoveClient(p, "beaker-client01", force: false));
        var toKojiAgain = PolicyEditor.AddAssertion(p, new AssertionSpec("beaker-client01", "koji", "80/tcp", ExpectAllowed: false));
        Assert.Same(toKojiAgain, Assert.Single(PolicyEditor.RemoveEndpoint(p, "koji", force: true).Assertions));
        Assert.Same(other, Assert.Single(p.Assertions));
    }

    [Fact]
    public void A_removal_tried_with_whatIf_gives_the_real_result_or_error_and_changes_nothing()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        var rule = PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("beaker") }, new[] { QaSelector.Endpoint("koji") }));
        var assertion = PolicyEditor.AddAssertion(p, new AssertionSpec("beaker-client01", "koji", "443/tcp", ExpectAllowed: true));
        PolicyEditor.AddAssertion(p, new AssertionSpec("taskotron-client01", "koji", "443/tcp", ExpectAllowed: false));
        string State() => string.Join("|", p.Clients.Select(c => c.Name)) + "/" + string.Join("|", p.Rules.Select(r => r.Id)) + "/" +
                          string.Join("|", p.Assertions.Select(a => a.ToString()));
        var before = State();

        Expect(QaErrorIds.InUse, () => PolicyEditor.RemoveClient(p, "beaker-client01", force: false, whatIf: true));
        Expect(QaErrorIds.InUse, () => PolicyEditor.RemoveNetwork(p, "qa-clients", force: false, whatIf: true));
        var tried = PolicyEditor.RemoveClient(p, "beaker-client01", force: true, whatIf: true);
        Assert.Equal(before, State());
        Assert.Equal("1 rule(s) and 1 assertion(s)", tried.ToString());

        var removed = PolicyEditor.RemoveClient(p, "beaker-client01", force: true);
        Assert.Equal((rule, assertion), (Assert.Single(removed.Rules), Assert.Single(removed.Assertions)));
        Assert.Empty(PolicyEditor.RemoveNetwork(p, "qa-clients", force: true, whatIf: true).Rules);
        Assert.Single(p.Networks);
    }

    [Fact]
    public void NotFound()
    {
        var p = CoreTestPolicies.WithClientsAndKoji();
        Expect(QaErrorIds.NotFound, () => PolicyEditor.RemoveRule(p, "no-such-rule"));
        Expect(QaErrorIds.NotFound, () => PolicyEditor.AddClient(p, "no-such-network", new ClientSpec("c9")));
    }

    [Fact]
    public void Every_error_id_constant_is_unique_and_pascal_case()
    {
        var ids = typeof(QaErrorIds).GetFields().Select(f => (string)f.GetValue(null)!).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.Matches("^[A-Z][A-Za-z0-9]+$", id));
    }
}
