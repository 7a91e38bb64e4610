using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Tests.Policy;

/// <summary>
/// Renames (issue 17): a renamed policy is, reference for reference, the policy written with the
/// new name from the start — its export is the same text. The fixture names each renamed object
/// everywhere the format lets a name be referenced; values that are not references (rule and grant
/// ids, the bridge, MACs, the ssh destination) are written out, so both files state the same ones.
/// </summary>
public sealed class RenameTests
{
    /// <summary>{C} a client, {E} an endpoint (a gateway, the jump host, with a transport), {N} a network, {G} a group.</summary>
    private const string Template = """
        version: 1
        name: t
        jumpHost: {E}
        networks:
          - name: {N}
            mode: nat
            subnet: 192.168.150.0/24
            bridge: br-keep
            virthosts: [vh1]
            clients:
              - name: {C}
                mac: 52:54:00:00:00:10
                address: 192.168.150.10
                roles: [r1]
              - name: other
                mac: 52:54:00:00:00:11
                address: 192.168.150.11
                roles: [r1]
          - name: gw-net
            mode: gateway
            subnet: 192.168.160.0/24
            bridge: br-gw
            gateway: {E}
            virthosts: [vh1]
        endpoints:
          - name: koji
            addresses: [203.0.113.10]
            ports: [443/tcp]
          - name: {E}
            addresses: [192.0.2.10, 192.168.160.2]
        rules:
          - id: r-client
            kind: egress
            from: [client:{C}, role:r1]
            to: [endpoint:koji, client:other]
            ports: [443/tcp]
          - id: r-to-client
            kind: egress
            from: client:other
            to: client:{C}
            ports: [8080/tcp]
          - id: r-network
            kind: egress
            from: network:{N}
            to: endpoint:koji
          - id: r-ingress
            kind: ingress
            from: endpoint:{E}
            to: [network:{N}, client:{C}]
            ports: [22/tcp]
        tests:
          - from: {C}
            to: koji
            port: 443/tcp
            expect: allow
          - from: {E}
            to: {C}
            port: 22/tcp
            expect: allow
        groups:
          {G}: [u1]
          other-group: [u2]
        access:
          - id: g-client
            group: {G}
            hosts: [host:{C}, network:{N}, host:{E}]
            rights: [shell]
          - id: g-other
            group: other-group
            hosts: host:{E}
            rights: [shell, sudo]
        transports:
          vh1: local
          {E}: {ssh: {host: bastion.example.org, user: root}}

        """;

    private static string Fixture(string client = "c1", string endpoint = "bastion", string network = "n1", string group = "admins") =>
        Template.Replace("{C}", client, StringComparison.Ordinal).Replace("{E}", endpoint, StringComparison.Ordinal)
            .Replace("{N}", network, StringComparison.Ordinal).Replace("{G}", group, StringComparison.Ordinal);

    private static QaPolicy Read(string yaml) => PolicyYaml.Parse(yaml, "t.yaml");

    public static TheoryData<string, string, string> Renames() => new()
    {
        { "client", "c1", "c1-renamed" },
        { "endpoint", "bastion", "jump01" },
        { "network", "n1", "qa-clients2" },
        { "group", "admins", "sysadmin-qa" },
    };

    private static QaRenaming Rename(QaPolicy p, string kind, string name, string newName, bool whatIf = false) => kind switch
    {
        "client" => PolicyEditor.RenameClient(p, name, newName, whatIf),
        "endpoint" => PolicyEditor.RenameEndpoint(p, name, newName, whatIf),
        "network" => PolicyEditor.RenameNetwork(p, name, newName, whatIf),
        _ => AccessEditor.RenameGroup(p, name, newName, whatIf),
    };

    private static string FixtureWith(string kind, string name) => kind switch
    {
        "client" => Fixture(client: name),
        "endpoint" => Fixture(endpoint: name),
        "network" => Fixture(network: name),
        _ => Fixture(group: name),
    };

    [Theory]
    [MemberData(nameof(Renames))]
    public void A_renamed_policy_exports_as_the_one_written_with_the_new_name(string kind, string name, string newName)
    {
        var p = Read(FixtureWith(kind, name));
        var renaming = Rename(p, kind, name, newName);
        Assert.Equal((name, newName), (renaming.OldName, renaming.NewName));
        Assert.NotEmpty(renaming.References);

        var expected = PolicyYaml.Serialize(Read(FixtureWith(kind, newName)));
        Assert.Equal(expected, PolicyYaml.Serialize(p));
        Assert.DoesNotContain(name + "\n", PolicyYaml.Serialize(p), StringComparison.Ordinal);
        Assert.Empty(QaNet.Core.Checking.PolicyValidator.Validate(p));
    }

    [Theory]
    [MemberData(nameof(Renames))]
    public void A_trial_rename_gives_the_same_result_and_changes_nothing(string kind, string name, string newName)
    {
        var p = Read(FixtureWith(kind, name));
        var before = PolicyYaml.Serialize(p);
        var trial = Rename(p, kind, name.ToUpperInvariant(), newName, whatIf: true);
        Assert.Equal(before, PolicyYaml.Serialize(p));
        var real = Rename(p, kind, name, newName);
        Assert.Equal(trial.References, real.References);
    }

    [Theory]
    [InlineData("client", "c1", "other", QaErrorIds.DuplicateClientName)]
    [InlineData("client", "c1", "koji", QaErrorIds.NameConflict)]
    [InlineData("client", "c1", "C1-New", QaErrorIds.InvalidName)]
    [InlineData("client", "nobody", "x", QaErrorIds.NotFound)]
    [InlineData("endpoint", "bastion", "koji", QaErrorIds.DuplicateEndpoint)]
    [InlineData("endpoint", "bastion", "other", QaErrorIds.NameConflict)]
    [InlineData("endpoint", "bastion", "bad name", QaErrorIds.InvalidName)]
    [InlineData("network", "n1", "gw-net", QaErrorIds.DuplicateNetwork)]
    [InlineData("network", "n1", "N2", QaErrorIds.InvalidName)]
    [InlineData("group", "admins", "other-group", QaErrorIds.DuplicateGroup)]
    [InlineData("group", "admins", "Admins2", QaErrorIds.InvalidName)]
    public void A_refused_rename_changes_nothing_and_says_why(string kind, string name, string newName, string id)
    {
        var p = Read(Fixture());
        var before = PolicyYaml.Serialize(p);
        foreach (var whatIf in new[] { true, false })
        {
            var ex = Assert.Throws<QaValidationException>(() => Rename(p, kind, name, newName, whatIf));
            Assert.Equal(id, Assert.Single(ex.Errors).Id);
            Assert.Equal(before, PolicyYaml.Serialize(p));
        }
    }

    [Fact]
    public void Renaming_to_the_same_name_changes_nothing()
    {
        var p = Read(Fixture());
        var before = PolicyYaml.Serialize(p);
        PolicyEditor.RenameClient(p, "C1", "c1");
        Assert.Equal(before, PolicyYaml.Serialize(p));
    }

    [Fact]
    public void An_ssh_transport_that_reached_the_endpoint_by_its_name_still_reaches_that_machine()
    {
        var p = Read(Fixture().Replace("{ssh: {host: bastion.example.org, user: root}}", "ssh", StringComparison.Ordinal));
        PolicyEditor.RenameEndpoint(p, "bastion", "jump01");
        var transport = p.Transports["jump01"];
        Assert.Equal(("jump01", "bastion"), (transport.Host, transport.SshHost));
        Assert.False(p.Transports.ContainsKey("bastion"));
    }

    [Fact]
    public void An_endpoint_that_is_also_a_virthost_is_not_renamed_alone()
    {
        var p = Read(Fixture().Replace("virthosts: [vh1]\n    clients", "virthosts: [vh1, bastion]\n    clients", StringComparison.Ordinal));
        Assert.Contains("bastion", p.Networks[0].VirtHosts);
        var ex = Assert.Throws<QaValidationException>(() => PolicyEditor.RenameEndpoint(p, "bastion", "jump01"));
        Assert.Equal(QaErrorIds.NameConflict, Assert.Single(ex.Errors).Id);
    }

    [Fact]
    public void Set_network_moves_the_subnet_and_its_default_dhcp_range_while_every_client_fits()
    {
        var p = Read("""
            version: 1
            name: t
            networks:
              - name: n1
                mode: nat
                subnet: 192.168.150.0/24
                virthosts: [vh1]
                clients:
                  - name: c1
                    address: 192.168.150.10

            """);
        var changes = PolicyEditor.SetNetwork(p, new NetworkChangeSpec("n1") { Subnet = "192.168.150.0/23" });
        var n = p.Networks[0];
        Assert.Equal("192.168.150.0/23", n.Subnet.ToString());
        Assert.Equal(("192.168.151.0", "192.168.151.254"), (n.DhcpStart!.ToString(), n.DhcpEnd!.ToString()));
        Assert.Contains(changes, c => c.Property == "Subnet");

        var before = PolicyYaml.Serialize(p);
        var ex = Assert.Throws<QaValidationException>(() => PolicyEditor.SetNetwork(p, new NetworkChangeSpec("n1") { Subnet = "10.9.0.0/24" }, whatIf: true));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(QaErrorIds.AddressOutsideSubnet, error.Id);
        Assert.Contains("c1 (192.168.150.10)", error.Message, StringComparison.Ordinal);
        Assert.Throws<QaValidationException>(() => PolicyEditor.SetNetwork(p, new NetworkChangeSpec("n1") { Subnet = "10.9.0.0/24" }));
        Assert.Equal(before, PolicyYaml.Serialize(p));
    }
}
