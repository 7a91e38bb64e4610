using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Tests.Core;

/// <summary>PolicyEditor.SetClient: every property, validated as a whole, nothing changed on error.</summary>
public sealed class SetClientTests
{
    /// <summary>qa-clients on vh1 and vh2; c1 and c2 on vh1, c3 on vh2; a rule names role beaker (only c2 has it).</summary>
    private static QaPolicy TwoHosts()
    {
        var p = new QaPolicy("qa");
        PolicyEditor.AddNetwork(p, new NetworkSpec("qa-clients", "192.168.150.0/24", QaNetworkMode.Nat, new[] { "vh1", "vh2" })
        {
            Subnet6 = "fd00:150::/64",
        });
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c1") { Roles = new[] { "taskotron" } });
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c2") { Roles = new[] { "beaker", "taskotron" } });
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c3") { VirtHost = "vh2" });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("koji") { Addresses = new[] { "203.0.113.10" }, Ports = new[] { "443/tcp" } });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("beaker") }, new[] { QaSelector.Endpoint("koji") }));
        return p;
    }

    private static string State(QaPolicy p) =>
        string.Join(";", p.Networks.Select(n => n.Name + "@" + string.Join(",", n.VirtHosts))) + "|" +
        string.Join(";", p.Clients.Select(c => $"{c.Name},{c.VirtHost},{c.MacAddress},{c.Address},{c.Address6},{string.Join("+", c.Roles)}"));

    [Fact]
    public void Moving_a_client_changes_only_its_virthost_and_reports_the_move()
    {
        var p = TwoHosts();
        var before = p.FindClient("c1")!;
        var (mac, address) = (before.MacAddress, before.Address);
        var change = PolicyEditor.SetClient(p, new ClientChangeSpec("c1") { VirtHost = "vh2" });
        Assert.Same(before, change.Client);
        Assert.Equal("vh2", before.VirtHost);
        Assert.Equal((mac, address), (before.MacAddress, before.Address));
        Assert.True(change.IsMove);
        Assert.Equal("vh1", change.FromVirtHost);
        Assert.Null(change.AddedNetworkVirtHost);
        Assert.Equal([new QaPropertyChange("VirtHost", "vh1", "vh2")], change.Changes);
    }

    [Fact]
    public void Setting_the_same_values_changes_nothing_and_is_no_move()
    {
        var p = TwoHosts();
        var c1 = p.FindClient("c1")!;
        var change = PolicyEditor.SetClient(p, new ClientChangeSpec("c1") { VirtHost = "vh1", Address = c1.Address.ToString(), Roles = new[] { "taskotron" } });
        Assert.Empty(change.Changes);
        Assert.False(change.IsMove);
    }

    [Fact]
    public void Mac_addresses_and_roles_change_together()
    {
        var p = TwoHosts();
        var change = PolicyEditor.SetClient(p, new ClientChangeSpec("c1")
        {
            MacAddress = "52-54-00-AA-BB-01",
            Address = "192.168.150.40",
            Address6 = "fd00:150::40",
            AddRoles = new[] { "x86", "taskotron" },
        });
        var c1 = p.FindClient("c1")!;
        Assert.Equal(("52:54:00:aa:bb:01", "192.168.150.40", "fd00:150::40"), (c1.MacAddress, c1.Address.ToString(), c1.Address6!.ToString()));
        Assert.Equal(["taskotron", "x86"], c1.Roles);
        Assert.Equal(["MacAddress", "Address", "Address6", "Roles"], change.Changes.Select(c => c.Property));
        Assert.Equal("taskotron, x86", change.Changes[^1].NewValue);
    }

    [Fact]
    public void Role_replaces_then_AddRole_and_RemoveRole_apply()
    {
        var p = TwoHosts();
        PolicyEditor.SetClient(p, new ClientChangeSpec("c2") { Roles = new[] { "beaker", "a", "b" }, AddRoles = new[] { "c" }, RemoveRoles = new[] { "a" } });
        Assert.Equal(["beaker", "b", "c"], p.FindClient("c2")!.Roles);
        PolicyEditor.SetClient(p, new ClientChangeSpec("c1") { Roles = Array.Empty<string>() });
        Assert.Empty(p.FindClient("c1")!.Roles);
    }

    [Theory]
    [InlineData("c1", "VirtHost", "vh9", QaErrorIds.UnknownVirtHost)]
    [InlineData("c1", "MacAddress", "", QaErrorIds.DuplicateMacAddress)] // c2's MAC, filled in below
    [InlineData("c1", "MacAddress", "53:54:00:00:00:01", QaErrorIds.InvalidMacAddress)]
    [InlineData("c1", "Address", "", QaErrorIds.DuplicateAddress)] // c3's address, filled in below
    [InlineData("c1", "Address", "10.0.0.5", QaErrorIds.AddressOutsideSubnet)]
    [InlineData("c1", "Address", "192.168.150.1", QaErrorIds.AddressReserved)]
    [InlineData("c1", "Address", "192.168.150.x", QaErrorIds.InvalidAddress)]
    [InlineData("c1", "Address6", "fd00:999::1", QaErrorIds.AddressOutsideSubnet)]
    [InlineData("c1", "Roles", "Not A Role", QaErrorIds.InvalidName)]
    [InlineData("c2", "RemoveRoles", "beaker", QaErrorIds.InUse)]
    [InlineData("nope", "VirtHost", "vh2", QaErrorIds.NotFound)]
    public void Bad_values_are_refused_with_their_id_and_change_nothing(string name, string property, string value, string id)
    {
        var p = TwoHosts();
        if (value.Length == 0)
        {
            value = property == "MacAddress" ? p.FindClient("c2")!.MacAddress : p.FindClient("c3")!.Address.ToString();
        }

        var spec = property switch
        {
            "VirtHost" => new ClientChangeSpec(name) { VirtHost = value, Address = "192.168.150.41" },
            "MacAddress" => new ClientChangeSpec(name) { MacAddress = value, VirtHost = "vh2" },
            "Address" => new ClientChangeSpec(name) { Address = value, VirtHost = "vh2", AddRoles = new[] { "x" } },
            "Address6" => new ClientChangeSpec(name) { Address6 = value, VirtHost = "vh2" },
            "Roles" => new ClientChangeSpec(name) { Roles = new[] { value }, VirtHost = "vh2" },
            _ => new ClientChangeSpec(name) { RemoveRoles = new[] { value }, VirtHost = "vh2" },
        };
        var before = State(p);
        var e = Assert.Throws<QaValidationException>(() => PolicyEditor.SetClient(p, spec));
        Assert.Contains(e.Errors, x => x.Id == id);
        Assert.Equal(before, State(p));
    }

    [Fact]
    public void A_host_the_network_does_not_span_is_refused_with_a_hint_unless_ExtendNetwork()
    {
        var p = TwoHosts();
        var e = Assert.Throws<QaValidationException>(() => PolicyEditor.SetClient(p, new ClientChangeSpec("c1") { VirtHost = "vh3" }));
        var error = Assert.Single(e.Errors);
        Assert.Equal((QaErrorIds.UnknownVirtHost, "networks[qa-clients].clients[c1].virthost"), (error.Id, error.Path));
        Assert.Contains("-ExtendNetwork", error.Fix, StringComparison.Ordinal);

        var change = PolicyEditor.SetClient(p, new ClientChangeSpec("c1") { VirtHost = "vh3", ExtendNetwork = true });
        Assert.Equal(("vh3", "vh1"), (change.AddedNetworkVirtHost, change.FromVirtHost));
        Assert.Equal(["vh1", "vh2", "vh3"], p.Networks[0].VirtHosts);
    }

    [Fact]
    public void ExtendNetwork_is_undone_with_the_rest_when_another_value_is_bad()
    {
        var p = TwoHosts();
        var before = State(p);
        Assert.Throws<QaValidationException>(() =>
            PolicyEditor.SetClient(p, new ClientChangeSpec("c1") { VirtHost = "vh3", ExtendNetwork = true, Address = p.FindClient("c3")!.Address.ToString() }));
        Assert.Equal(before, State(p));
    }

    [Fact]
    public void Giving_up_a_role_others_still_have_is_fine()
    {
        var p = TwoHosts();
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c4") { Roles = new[] { "beaker" } });
        PolicyEditor.SetClient(p, new ClientChangeSpec("c2") { RemoveRoles = new[] { "beaker" } });
        Assert.Equal(["taskotron"], p.FindClient("c2")!.Roles);
    }
}
