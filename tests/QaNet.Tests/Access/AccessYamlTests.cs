using QaNet.Core.Access;
using QaNet.Core.Model;
using QaNet.Policy;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Access;

/// <summary>The policy file's jumpHost:, groups: and access: sections.</summary>
public sealed class AccessYamlTests
{
    private const string Access = """
        jumpHost: koji
        groups:
          admins: [alice, bob]
          ops:
            source: nss
            description: from sssd
        access:
          - group: admins
            hosts: [network:n1, host:koji]
            rights: [sudo, shell]
          - id: ops-koji
            group: ops
            hosts: host:koji
            rights: shell
            description: ops log in on koji

        """;

    [Fact]
    public void Access_sections_read_into_the_model()
    {
        var p = PolicyYaml.Parse(Minimal + Access, Source);
        Assert.Equal("koji", p.JumpHost);
        Assert.Equal(new[] { "alice", "bob" }, p.FindGroup("admins")!.Members);
        Assert.Equal((QaGroupSource.Nss, "from sssd"), (p.FindGroup("ops")!.Source, p.FindGroup("ops")!.Description));
        var derived = p.AccessGrants[0];
        Assert.Equal("admins-shell-sudo-network-n1-koji", derived.Id);
        Assert.Equal(new[] { QaAccessRight.Shell, QaAccessRight.Sudo }, derived.Rights);
        Assert.Equal(new[] { QaAccessTarget.Network("n1"), QaAccessTarget.Host("koji") }, derived.Hosts);
        Assert.Equal("ops-koji", p.AccessGrants[1].Id);
    }

    [Fact]
    public void Access_sections_round_trip_to_the_same_text()
    {
        var once = PolicyYaml.Serialize(PolicyYaml.Parse(Minimal + Access, Source));
        Assert.Contains("  admins: [alice, bob]\n", once, StringComparison.Ordinal);
        Assert.Contains("    source: nss\n", once, StringComparison.Ordinal);
        Assert.Equal(once, PolicyYaml.Serialize(PolicyYaml.Parse(once, "again.yaml")));
    }

    [Fact]
    public void The_fedora_example_round_trips_its_access_grants()
    {
        var p = PolicyYaml.Parse(PolicyYaml.Serialize(ExamplePolicies.Fedora()), "export.yaml");
        Assert.Equal("bastion", p.JumpHost);
        Assert.Equal(new[] { "sysadmin-main", "sysadmin-qa", "qa-automation-shell" }, p.Groups.Select(g => g.Name));
        Assert.Equal(new[] { "sysadmin-main", "sysadmin-qa", "sysadmin-qa-bastion", "qa-automation-shell" }, p.AccessGrants.Select(g => g.Id));
    }

    // The grant below starts at line 22: id 22, group 23, hosts 24, rights 25.
    [Theory]
    [InlineData(25, "    rights: [root]", "PolicyWrongType t.yaml:25:14")]
    [InlineData(24, "    hosts: [bastion]", "InvalidAccessTarget t.yaml:24:13")]
    [InlineData(24, "    hosts: [host:nowhere]", "UnknownReference t.yaml:24:12")]
    [InlineData(23, "    group: nobody", "UnknownReference t.yaml:23:12")]
    [InlineData(25, "    rights:", "PolicyMissingKey t.yaml:22:5")]
    [InlineData(25, "    rights: [shell]\n    right: shell", "PolicyUnknownKey t.yaml:26:5")]
    public void Bad_grants_are_rejected_at_their_line(int line, string replacement, string expected)
    {
        var text = Minimal + """
            groups:
              admins: [alice]
            access:
              - id: g1
                group: admins
                hosts: [host:koji]
                rights: [shell]

            """;
        var lines = text.Split('\n');
        lines[line - 1] = replacement.Replace("\\n", "\n", StringComparison.Ordinal);
        Assert.Equal(new[] { expected }, Rejected(string.Join('\n', lines)));
    }

    [Theory]
    [InlineData("  admins: [Alice]", "InvalidUserName t.yaml:20:11")]
    [InlineData("  admins: {members: [alice], source: nss}", "NssGroupWithMembers t.yaml:20:21")]
    [InlineData("  admins: {members: [alice], kind: posix}", "PolicyUnknownKey t.yaml:20:30")]
    [InlineData("  admins: alice", "PolicyWrongType t.yaml:20:11")]
    public void Bad_groups_are_rejected_at_their_line(string line, string expected)
    {
        var text = Minimal + "groups:\n" + line + "\n";
        Assert.Equal(new[] { expected }, Rejected(text));
    }

    [Fact]
    public void A_jump_host_that_is_no_host_is_rejected_where_it_stands()
    {
        Assert.Equal(new[] { "UnknownReference t.yaml:19:11" }, Rejected(Minimal + "jumpHost: nowhere\n"));
    }

    [Fact]
    public void A_duplicate_grant_id_is_reported_at_the_second_grant()
    {
        var text = Minimal + "groups:\n  admins: [alice]\naccess:\n  - {id: g1, group: admins, hosts: host:koji, rights: shell}\n  - {id: g1, group: admins, hosts: host:koji, rights: sudo}\n";
        Assert.Equal(new[] { "DuplicateGrantId t.yaml:23:10" }, Rejected(text));
    }
}
