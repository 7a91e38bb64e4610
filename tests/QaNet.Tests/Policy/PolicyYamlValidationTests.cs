using QaNet.Core.Validation;
using QaNet.Policy;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Policy;

/// <summary>Model errors from PolicyValidator, pointed back at the line that caused them.</summary>
public class PolicyYamlValidationTests
{
    [Fact]
    public void A_client_address_outside_the_subnet_points_at_the_address()
    {
        var yaml = MinimalWithLine(10, "        roles: [r1]\n        address: 10.0.0.5");
        Assert.Equal(new[] { "AddressOutsideSubnet t.yaml:11:18" }, Rejected(yaml));
    }

    [Fact]
    public void A_rule_naming_a_missing_endpoint_points_at_its_to()
    {
        var error = Single(MinimalWithLine(18, "    to: endpoint:kojii"), QaErrorIds.UnknownReference);
        Assert.Equal("t.yaml:18:9", error.Location);
        Assert.Equal("rules[egress-r1-kojii].to", error.Path);
    }

    [Fact]
    public void A_duplicate_client_points_at_the_second_one()
    {
        var yaml = MinimalWithLine(10, "        roles: [r1]\n      - name: c1");
        Assert.Equal(new[] { "DuplicateClientName t.yaml:11:15" }, Rejected(yaml));
    }

    [Fact]
    public void A_duplicate_network_points_at_the_second_one()
    {
        var yaml = MinimalWithLine(10, "        roles: [r1]\n  - name: n1\n    mode: nat\n    subnet: 192.168.151.0/24\n    virthosts: [vh1]");
        Assert.Equal(new[] { "DuplicateNetwork t.yaml:11:11" }, Rejected(yaml));
    }

    [Fact]
    public void A_missing_gateway_falls_back_to_the_network()
    {
        // networks[n1].gateway is not in the file, so the error points at the network itself.
        Assert.Equal(new[] { "GatewayRequired t.yaml:4:5" }, Rejected(MinimalWithLine(5, "    mode: gateway")));
    }

    [Fact]
    public void An_endpoint_without_a_target_points_at_the_endpoint()
    {
        Assert.Equal(new[] { "EndpointWithoutTarget t.yaml:12:5" }, Rejected(MinimalWithLine(13, null)));
    }

    [Fact]
    public void A_name_map_entry_without_addresses_points_at_its_key()
    {
        var yaml = MinimalWithLine(2, "name: t\nhosts:\n  koji.example.org: []");
        Assert.Equal(new[] { "InvalidAddress t.yaml:4:3" }, Rejected(yaml));
    }

    [Fact]
    public void An_invalid_policy_name_points_at_the_name()
    {
        Assert.Equal(new[] { "InvalidName t.yaml:2:7" }, Rejected(MinimalWithLine(2, "name: Fedora QA")));
    }

    [Fact]
    public void A_test_naming_nothing_known_points_at_the_name()
    {
        var yaml = Minimal + "tests:\n  - from: c1\n    to: kojj\n    port: 443/tcp\n    expect: allow\n";
        Assert.Equal(new[] { "UnknownReference t.yaml:21:9" }, Rejected(yaml));
    }

    [Fact]
    public void A_test_checks_a_single_port()
    {
        var yaml = Minimal + "tests:\n  - from: c1\n    to: koji\n    port: 7080-7099/tcp\n    expect: allow\n";
        Assert.Equal(new[] { "InvalidPort t.yaml:22:11" }, Rejected(yaml));
    }

    [Fact]
    public void Validation_and_test_errors_come_together_in_file_order()
    {
        var yaml = MinimalWithLine(18, "    to: endpoint:kojii") + "tests:\n  - from: c1\n    to: kojj\n    port: 443/tcp\n    expect: deny\n";
        Assert.Equal(new[] { "UnknownReference t.yaml:18:9", "UnknownReference t.yaml:21:9" }, Rejected(yaml));
    }
}
