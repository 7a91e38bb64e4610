using System.Net;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Tests.Policy;

/// <summary>
/// The editor (the cmdlets' path) and the policy file reader share one set of rules for a
/// policy's parts (PolicyParts): the same policy given either way comes out the same, defaults
/// included, and each keeps the wording of its own errors.
/// </summary>
public class EditorReaderAgreementTests
{
    private const string Yaml = """
        version: 1
        name: t
        networks:
          - name: n1
            mode: nat
            subnet: 192.168.150.0/24
            subnet6: fd00:150::/64
            virthosts: [vh1, vh1]
            clients:
              - name: c1
                address: 192.168.150.20
                roles: [web, web, db]
        endpoints:
          - name: koji
            hostnames: [koji.example, KOJI.example]
            addresses: [203.0.113.10, 203.0.113.10, 198.51.100.0/24]
            ports: [443/tcp, 443/tcp, 80/tcp]
        rules:
          - kind: egress
            from: [role:web, role:db]
            to: endpoint:koji
            ports: [443/tcp, 443/tcp]
            priority: 500
        groups:
          admins: [alice]
        access:
          - {group: admins, hosts: [network:n1], rights: [sudo, shell, sudo]}

        """;

    private static QaPolicy Edited()
    {
        var policy = new QaPolicy("t");
        PolicyEditor.AddNetwork(policy, new NetworkSpec("n1", "192.168.150.0/24", QaNetworkMode.Nat, new[] { "vh1", "vh1" }) { Subnet6 = "fd00:150::/64" });
        PolicyEditor.AddEndpoint(policy, new EndpointSpec("koji")
        {
            HostNames = new[] { "koji.example", "KOJI.example" },
            Addresses = new[] { "203.0.113.10", "203.0.113.10", "198.51.100.0/24" },
            Ports = new[] { "443/tcp", "443/tcp", "80/tcp" },
        });
        PolicyEditor.AddClient(policy, "n1", new ClientSpec("c1") { Address = "192.168.150.20", Roles = new[] { "web", "web", "db" } });
        // No selector (or grant host) twice: the editor derives a rule's (grant's) id before dropping
        // repeated ones, the reader after (egress-web-web-koji against egress-web-koji) — a
        // difference left as it was.
        PolicyEditor.AddRule(policy, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Parse("role:web"), QaSelector.Parse("role:db") },
            new[] { QaSelector.Parse("endpoint:koji") }) { Ports = new[] { "443/tcp", "443/tcp" }, Priority = 500 });
        AccessEditor.AddGroup(policy, "admins", new[] { "alice" });
        AccessEditor.AddGrant(policy, new AccessGrantSpec("admins",
            new[] { AccessEditor.ParseTarget("network:n1") },
            new[] { QaAccessRight.Sudo, QaAccessRight.Shell, QaAccessRight.Sudo }));
        return policy;
    }

    [Fact]
    public void The_same_client_from_yaml_and_from_the_editor_gets_the_same_derived_address6_and_defaults()
    {
        var read = Assert.Single(PolicyYaml.Parse(Yaml, "t.yaml").Clients);
        var edited = Assert.Single(Edited().Clients);

        Assert.Equal(IPAddress.Parse("fd00:150::14"), read.Address6);
        Assert.Equal(read.Address6, edited.Address6);
        Assert.Equal(read.MacAddress, edited.MacAddress);
        Assert.Equal("vh1", read.VirtHost);
        Assert.Equal(read.VirtHost, edited.VirtHost);
        Assert.Equal(new[] { "web", "db" }, read.Roles);
        Assert.Equal(read.Roles, edited.Roles);

        var (readNet, editedNet) = (read.NetworkObject, edited.NetworkObject);
        Assert.Equal(new[] { "vh1" }, readNet.VirtHosts);
        Assert.Equal(readNet.VirtHosts, editedNet.VirtHosts);
        Assert.Equal((readNet.Bridge, readNet.DhcpStart, readNet.DhcpEnd), (editedNet.Bridge, editedNet.DhcpStart, editedNet.DhcpEnd));
    }

    [Fact]
    public void The_same_rule_endpoint_and_grant_from_yaml_and_from_the_editor_are_built_alike()
    {
        var read = PolicyYaml.Parse(Yaml, "t.yaml");
        var edited = Edited();

        var (readRule, editedRule) = (Assert.Single(read.Rules), Assert.Single(edited.Rules));
        Assert.Equal(readRule.Id, editedRule.Id);
        Assert.Equal((readRule.Kind, readRule.Priority, readRule.ExpiresAt, readRule.AllowAnyDestination),
            (editedRule.Kind, editedRule.Priority, editedRule.ExpiresAt, editedRule.AllowAnyDestination));
        Assert.Equal(new[] { QaSelector.Parse("role:web"), QaSelector.Parse("role:db") }, readRule.From);
        Assert.Equal(readRule.From, editedRule.From);
        Assert.Equal(readRule.To, editedRule.To);
        Assert.Single(readRule.Ports);
        Assert.Equal(readRule.Ports, editedRule.Ports);

        var (readEndpoint, editedEndpoint) = (Assert.Single(read.Endpoints), Assert.Single(edited.Endpoints));
        Assert.Equal(new[] { "koji.example" }, readEndpoint.HostNames);
        Assert.Equal(readEndpoint.HostNames, editedEndpoint.HostNames);
        Assert.Equal(2, readEndpoint.Addresses.Count);
        Assert.Equal(readEndpoint.Addresses, editedEndpoint.Addresses);
        Assert.Equal(readEndpoint.Ports, editedEndpoint.Ports);

        var (readGrant, editedGrant) = (Assert.Single(read.AccessGrants), Assert.Single(edited.AccessGrants));
        Assert.Equal(readGrant.Id, editedGrant.Id);
        Assert.Single(readGrant.Hosts);
        Assert.Equal(readGrant.Hosts, editedGrant.Hosts);
        Assert.Equal(new[] { QaAccessRight.Shell, QaAccessRight.Sudo }, readGrant.Rights);
        Assert.Equal(readGrant.Rights, editedGrant.Rights);

        // Everything else too: both write the same file.
        Assert.Equal(PolicyYaml.Serialize(read), PolicyYaml.Serialize(edited));
    }

    [Fact]
    public void A_bad_address_is_the_same_error_in_each_callers_own_words()
    {
        var edited = new QaPolicy("t");
        PolicyEditor.AddNetwork(edited, new NetworkSpec("n1", "192.168.150.0/24", QaNetworkMode.Nat, new[] { "vh1" }));
        var editorError = Assert.Single(Assert.Throws<QaValidationException>(() =>
            PolicyEditor.AddClient(edited, "n1", new ClientSpec("c1") { Address = "192.168.150.20/24" })).Errors);
        var readerError = Assert.Single(Assert.Throws<QaValidationException>(() =>
            PolicyYaml.Parse(Yaml.Replace("address: 192.168.150.20", "address: 192.168.150.20/24", StringComparison.Ordinal), "t.yaml")).Errors);

        Assert.Equal(QaErrorIds.InvalidAddress, editorError.Id);
        Assert.Equal(editorError.Id, readerError.Id);
        Assert.Equal(editorError.Path, readerError.Path);
        Assert.Equal("'192.168.150.20/24' of client 'c1' is not an IP address.", editorError.Message);
        Assert.Equal("'192.168.150.20/24' at networks[n1].clients[c1].address is not an IP address.", readerError.Message);
    }
}
