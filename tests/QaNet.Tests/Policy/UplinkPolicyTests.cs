using System.Net;
using QaNet.Core.Checking;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Policy;

/// <summary>The <c>uplink:</c> of a network spanning virthosts: model, validation, YAML both ways.</summary>
public sealed class UplinkPolicyTests
{
    /// <summary>A two-virthost Nat network; line 8 onwards is the uplink (tests replace lines of it).</summary>
    private const string Spanning = """
        version: 1
        name: t
        networks:
          - name: n1
            mode: nat
            subnet: 192.168.150.0/24
            virthosts: [vh1, vh2]
            uplink:
              kind: vxlan
              vni: 150
              underlay:
                vh1: 198.18.1.11
                vh2: 198.18.1.12
            clients:
              - name: c1
                virthost: vh2

        """;

    private static string SpanningWith(int line, string? replacement)
    {
        var lines = Spanning.Split('\n').ToList();
        if (replacement is null)
        {
            lines.RemoveAt(line - 1);
        }
        else
        {
            lines[line - 1] = replacement;
        }

        return string.Join('\n', lines);
    }

    [Fact]
    public void The_spanning_example_reads_into_a_vxlan_uplink_with_its_gateway()
    {
        var policy = ExamplePolicies.SpanningVxlan();
        var n = Assert.Single(policy.Networks);
        var u = Assert.IsType<QaUplink>(n.Uplink);
        Assert.Equal((QaUplinkKind.Vxlan, 170, 4789, "virthost-comm01"), (u.Kind, u.Vni, u.Port, u.Gateway));
        Assert.Equal(IPAddress.Parse("198.18.1.12"), u.Underlay["virthost-comm02"]);
        Assert.Equal("qnvx170", u.DeviceOn("virthost-comm02"));
        Assert.Equal("virthost-comm01", n.ServingVirtHost);
        Assert.True(n.RoutesOn("virthost-comm01"));
        Assert.False(n.RoutesOn("virthost-comm02"));
    }

    [Fact]
    public void The_spanning_example_exports_to_its_golden_file_and_back()
    {
        var exported = PolicyYaml.Serialize(ExamplePolicies.SpanningVxlan());
        Golden.Check("spanning-vxlan.export.yaml", exported);
        Assert.Equal(exported, PolicyYaml.Serialize(PolicyYaml.Parse(exported, "export.yaml")));
    }

    [Fact]
    public void The_gateway_defaults_to_the_first_virthost_and_is_written_out()
    {
        var policy = PolicyYaml.Parse(Spanning, Source);
        Assert.Equal("vh1", policy.Networks[0].Uplink!.Gateway);
        var yaml = PolicyYaml.Serialize(policy);
        Assert.Contains("      gateway: vh1\n", yaml, StringComparison.Ordinal);
        Assert.Contains("      port: 4789\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nic_uplink_with_a_per_host_name_round_trips()
    {
        var yaml = SpanningWith(9, "      kind: nic\n      nic: eno2\n      nics:\n        vh2: enp3s0f1");
        yaml = yaml.Replace("      vni: 150\n      underlay:\n        vh1: 198.18.1.11\n        vh2: 198.18.1.12\n", string.Empty, StringComparison.Ordinal);
        var policy = PolicyYaml.Parse(yaml, Source);
        var u = policy.Networks[0].Uplink!;
        Assert.Equal(("eno2", "enp3s0f1"), (u.DeviceOn("vh1"), u.DeviceOn("vh2")));
        var once = PolicyYaml.Serialize(policy);
        Assert.Equal(once, PolicyYaml.Serialize(PolicyYaml.Parse(once, "again.yaml")));
        Assert.DoesNotContain("vni", once, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_underlay_host_points_at_the_underlay()
    {
        Assert.Equal(new[] { "UplinkUnderlayMismatch t.yaml:12:9" }, Rejected(SpanningWith(13, null)));
    }

    [Fact]
    public void An_extra_underlay_host_points_at_its_key()
    {
        Assert.Equal(new[] { "UplinkUnderlayMismatch t.yaml:14:9" }, Rejected(SpanningWith(13, "        vh2: 198.18.1.12\n        vh3: 198.18.1.13")));
    }

    [Fact]
    public void A_shared_underlay_address_points_at_the_second_host()
    {
        Assert.Equal(new[] { "DuplicateUnderlayAddress t.yaml:13:9" }, Rejected(SpanningWith(13, "        vh2: 198.18.1.11")));
    }

    [Theory]
    [InlineData("      vni: 0", "InvalidVni t.yaml:10:12")]
    [InlineData("      vni: 16777216", "InvalidVni t.yaml:10:12")]
    [InlineData("      vni: 150\n      port: 70000", "InvalidUplinkPort t.yaml:11:13")]
    [InlineData("      vni: many", "PolicyWrongType t.yaml:10:12")]
    public void Vni_and_port_out_of_range_point_at_the_value(string line, string expected)
    {
        Assert.Equal(new[] { expected }, Rejected(SpanningWith(10, line)));
    }

    [Fact]
    public void A_vxlan_uplink_without_a_vni_is_missing_a_key()
    {
        Assert.Equal("PolicyMissingKey", Assert.Single(Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(SpanningWith(10, null), Source)).Errors).Id);
    }

    [Fact]
    public void An_unknown_uplink_key_is_reported_with_a_suggestion()
    {
        var error = Single(SpanningWith(10, "      vnii: 150"), QaErrorIds.PolicyUnknownKey);
        Assert.Equal("t.yaml:10:7", error.Location);
        Assert.Contains("'vni'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_virthost_outside_the_network_points_at_the_gateway()
    {
        Assert.Equal(new[] { "UnknownUplinkGateway t.yaml:14:16" }, Rejected(SpanningWith(13, "        vh2: 198.18.1.12\n      gateway: vh9")));
    }

    [Fact]
    public void An_underlay_address_inside_the_client_subnet_is_refused()
    {
        Assert.Equal(new[] { "InvalidUplink t.yaml:13:9" }, Rejected(SpanningWith(13, "        vh2: 192.168.150.7")));
    }

    [Theory]
    [InlineData("      nic: eno2/0")]
    [InlineData("      nic: a-name-longer-than-15")]
    [InlineData("      nic: qnvx7")]
    public void Bad_nic_names_are_refused(string line)
    {
        var yaml = Spanning.Replace("      kind: vxlan\n      vni: 150\n      underlay:\n        vh1: 198.18.1.11\n        vh2: 198.18.1.12\n",
            "      kind: nic\n" + line + "\n", StringComparison.Ordinal);
        Assert.All(Rejected(yaml), e => Assert.Equal("InvalidUplinkInterface t.yaml:10:12", e));
    }

    [Fact]
    public void Two_networks_with_one_vni_are_refused_at_the_second()
    {
        var policy = PolicyYaml.Parse(Spanning, Source);
        var other = PolicyEditor.AddNetwork(policy, new NetworkSpec("n2", "192.168.151.0/24", QaNetworkMode.Nat, new[] { "vh1", "vh2" })
        {
            Uplink = new UplinkSpec(QaUplinkKind.Vxlan) { Vni = 151, Underlay = new Dictionary<string, string> { ["vh1"] = "198.18.1.11", ["vh2"] = "198.18.1.12" } },
        });
        other.Uplink!.Vni = 150;
        var error = Assert.Single(PolicyValidator.Validate(policy));
        Assert.Equal((QaErrorIds.DuplicateVni, "networks[n2].uplink.vni"), (error.Id, error.Path));
    }

    [Fact]
    public void One_nic_cannot_join_two_networks_on_a_virthost()
    {
        var policy = new QaPolicy("t");
        NetworkSpec Spec(string name, string subnet, string nic) => new(name, subnet, QaNetworkMode.Nat, new[] { "vh1", "vh2" })
        {
            Uplink = new UplinkSpec(QaUplinkKind.Nic) { Nic = "eno2", Nics = new Dictionary<string, string> { ["vh2"] = nic } },
        };
        PolicyEditor.AddNetwork(policy, Spec("n1", "192.168.150.0/24", "eno3"));
        var ex = Assert.Throws<QaValidationException>(() => PolicyEditor.AddNetwork(policy, Spec("n2", "192.168.151.0/24", "eno4")));
        var error = Assert.Single(ex.Errors);
        Assert.Equal((QaErrorIds.UplinkNicInUse, "networks[n2].uplink.nic"), (error.Id, error.Path));
        Assert.Single(policy.Networks);
    }
}
