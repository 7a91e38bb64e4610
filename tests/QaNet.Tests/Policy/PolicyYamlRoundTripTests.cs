using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Policy;

public class PolicyYamlRoundTripTests
{
    [Fact]
    public void The_fedora_qa_example_exports_to_the_golden_file()
    {
        var policy = ExamplePolicies.Fedora();
        var exported = PolicyYaml.Serialize(policy);
        Golden.Check("fedora-qa.export.yaml", exported);
    }

    [Fact]
    public void Export_of_an_import_is_stable()
    {
        var once = PolicyYaml.Serialize(ExamplePolicies.Fedora());
        var twice = PolicyYaml.Serialize(PolicyYaml.Parse(once, "export.yaml"));
        Assert.Equal(once, twice);
    }

    [Fact]
    public void The_fedora_qa_example_models_the_qa_layout()
    {
        var policy = ExamplePolicies.Fedora();
        var network = Assert.Single(policy.Networks);
        Assert.Equal(QaNetworkMode.Nat, network.Mode);
        Assert.Equal(new[] { "virthost-comm01", "virthost-comm02" }, network.VirtHosts);
        Assert.Equal(new[] { "beaker", "taskotron" }, policy.Roles);
        Assert.Contains(policy.Rules, r => r.Id == "taskotron-koji" && r.Kind == QaRuleKind.Egress);
        Assert.Contains(policy.Rules, r => r.Id == "bastion-ssh" && r.Kind == QaRuleKind.Ingress);
        var harness = Assert.Single(policy.Rules, r => r.Id == "beaker-harness");
        Assert.Equal(new[] { "8081/tcp", "7080-7099/tcp" }, harness.Ports.Select(p => p.ToString()));
        var lab = policy.FindEndpoint("beaker-lab")!;
        Assert.Equal(new[] { "80/tcp", "443/tcp", "8000/tcp", "69/udp" }, lab.Ports.Select(p => p.ToString()));

        // Every host name an endpoint uses is in the name map, so nothing ever asks DNS.
        Assert.All(policy.Endpoints.SelectMany(e => e.HostNames), h => Assert.True(policy.Hosts.ContainsKey(h), h));
        Assert.True(policy.Assertions.Count >= 4);
    }

    [Fact]
    public void A_policy_built_with_the_editor_round_trips()
    {
        var policy = new QaPolicy("qa") { Description = "built in a session" };
        PolicyEditor.AddEndpoint(policy, new EndpointSpec("bastion") { Addresses = new[] { "192.168.150.254" } });
        PolicyEditor.AddNetwork(policy, new NetworkSpec("qa-clients", "192.168.150.0/24", QaNetworkMode.Gateway, new[] { "vh1", "vh2" })
        {
            Subnet6 = "fd00:150::/64",
            Gateway = "bastion",
            DhcpStart = "192.168.150.200",
            DhcpEnd = "192.168.150.250",
        });
        PolicyEditor.AddClient(policy, "qa-clients", new ClientSpec("c1") { Roles = new[] { "taskotron", "beaker" }, VirtHost = "vh2" });
        PolicyEditor.AddEndpoint(policy, new EndpointSpec("koji") { HostNames = new[] { "koji.example.org" }, Ports = new[] { "443/tcp" } });
        PolicyEditor.SetHost(policy, "koji.example.org", new[] { "203.0.113.10", "2001:db8::10" });
        PolicyEditor.AddRule(policy, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("koji") })
        {
            ExpiresAt = new DateTimeOffset(2026, 12, 31, 12, 30, 0, TimeSpan.FromHours(2)),
            Priority = 10,
        });
        PolicyEditor.AddRule(policy, new RuleSpec(QaRuleKind.Ingress, new[] { QaSelector.Endpoint("bastion") }, new[] { QaSelector.Client("c1") })
        {
            Ports = new[] { "22/tcp" },
        });
        policy.Assertions.Add(new QaAssertion("c1", "koji", QaPortRange.Parse("443/tcp"), expectAllowed: true) { Description = "koji" });

        var yaml = PolicyYaml.Serialize(policy);
        var back = PolicyYaml.Parse(yaml, "back.yaml");
        Assert.Equal(yaml, PolicyYaml.Serialize(back));

        var client = back.FindClient("c1")!;
        var original = policy.FindClient("c1")!;
        Assert.Equal(original.MacAddress, client.MacAddress);
        Assert.Equal(original.Address, client.Address);
        Assert.Equal(original.Address6, client.Address6);
        Assert.Equal(new[] { "taskotron", "beaker" }, client.Roles);
        Assert.Equal("bastion", back.Networks[0].Gateway);
        Assert.Equal(policy.Rules[0].ExpiresAt, back.Rules[0].ExpiresAt);
        Assert.Contains("expires: 2026-12-31T10:30:00Z\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_with_enabled_false_is_read_disabled_written_back_and_a_non_boolean_is_refused()
    {
        // Minimal's last line is the rule's "to:"; the key goes after it (issue 17: Disable-QaRule).
        var lines = PolicyTestFiles.Minimal.TrimEnd('\n').Split('\n');
        var disabled = string.Join('\n', lines) + "\n    enabled: false\n";
        var policy = PolicyYaml.Parse(disabled, PolicyTestFiles.Source);
        Assert.False(Assert.Single(policy.Rules).Enabled);
        var text = PolicyYaml.Serialize(policy);
        Assert.Contains("enabled: false", text, StringComparison.Ordinal);
        Assert.False(Assert.Single(PolicyYaml.Parse(text, PolicyTestFiles.Source).Rules).Enabled);

        Assert.True(Assert.Single(PolicyYaml.Parse(PolicyTestFiles.Minimal, PolicyTestFiles.Source).Rules).Enabled);
        PolicyTestFiles.Single(string.Join('\n', lines) + "\n    enabled: maybe\n", QaErrorIds.PolicyWrongType);
    }

    [Fact]
    public void Strings_that_look_like_other_yaml_types_are_quoted_and_read_back_as_strings()
    {
        var policy = PolicyYaml.Parse(Minimal, Source);
        policy.Description = "true";
        var koji = policy.FindEndpoint("koji")!;
        koji.Environment = "1.0";
        koji.Description = "null";
        policy.Networks[0].Clients[0].MacAddress = "52:54:00:12:34:56";
        policy.Networks[0].Clients[0].Roles.Add("yes");

        var yaml = PolicyYaml.Serialize(policy);
        Assert.Contains("description: 'true'\n", yaml, StringComparison.Ordinal);
        Assert.Contains("mac: '52:54:00:12:34:56'\n", yaml, StringComparison.Ordinal);

        var back = PolicyYaml.Parse(yaml, Source);
        Assert.Equal("true", back.Description);
        Assert.Equal("1.0", back.FindEndpoint("koji")!.Environment);
        Assert.Equal("null", back.FindEndpoint("koji")!.Description);
        Assert.Equal("52:54:00:12:34:56", back.FindClient("c1")!.MacAddress);
        Assert.Equal(new[] { "r1", "yes" }, back.FindClient("c1")!.Roles);
    }

    [Fact]
    public void Export_writes_keys_in_the_documented_order_and_every_default()
    {
        var yaml = PolicyYaml.Serialize(PolicyYaml.Parse(Minimal, Source));
        var expected = """
            version: 1
            name: t
            networks:
              - name: n1
                mode: nat
                subnet: 192.168.150.0/24
                bridge: br-n1
                virthosts: [vh1]
                dhcp: {start: 192.168.150.128, end: 192.168.150.254}
                clients:
                  - name: c1
                    mac: {{MAC}}
                    address: 192.168.150.2
                    roles: [r1]
                    virthost: vh1
            endpoints:
              - name: koji
                addresses: [203.0.113.10]
                ports: [443/tcp]
            rules:
              - id: egress-r1-koji
                kind: egress
                from: role:r1
                to: endpoint:koji
                priority: 1000

            """.Replace("{{MAC}}", PolicyYaml.Parse(Minimal, Source).FindClient("c1")!.MacAddress, StringComparison.Ordinal);
        Assert.Equal(expected, yaml);
    }
}
