using QaNet.Core.Access;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Access;

/// <summary>A directory given as a fixed table: what LdapDirectorySource would return.</summary>
public sealed class TableDirectory : IDirectorySource
{
    private readonly Dictionary<string, string[]> groups;

    public TableDirectory(Dictionary<string, string[]> groups)
    {
        this.groups = groups;
    }

    public int Lookups { get; private set; }

    public DirectoryGroup? GetGroup(string name)
    {
        Lookups++;
        return groups.TryGetValue(name, out var m) ? new DirectoryGroup(name, $"cn={name},cn=groups,cn=accounts,dc=qa,dc=lab", m, Array.Empty<string>()) : null;
    }
}

/// <summary>The policy's directory: section, source: ldap groups, and access decided on the directory's membership.</summary>
public sealed class DirectoryGroupTests
{
    private const string Directory = """
        directory:
          uri: ldaps://ipa.example.org
          base: dc=example,dc=org
          ca: /etc/ipa/ca.crt
          bindDn: uid=qanet,cn=sysaccounts,cn=etc,dc=example,dc=org
        groups:
          admins:
            source: ldap
            description: from FreeIPA

        """;

    [Fact]
    public void The_directory_section_reads_with_FreeIpa_defaults_and_round_trips()
    {
        var p = PolicyYaml.Parse(Minimal + Directory, Source);
        var d = p.Directory!;
        Assert.Equal(("ldaps://ipa.example.org", "dc=example,dc=org", "/etc/ipa/ca.crt"), (d.Uri, d.BaseDn, d.CaFile));
        Assert.Equal("cn=groups,cn=accounts,dc=example,dc=org", d.EffectiveGroupBaseDn);
        Assert.Equal(QaDirectoryTls.Ldaps, d.EffectiveTls);
        Assert.Equal(QaGroupSource.Ldap, p.FindGroup("admins")!.Source);
        var once = PolicyYaml.Serialize(p);
        Assert.Contains("    source: ldap\n", once, StringComparison.Ordinal);
        Assert.Contains("  uri: ldaps://ipa.example.org\n", once, StringComparison.Ordinal);
        Assert.DoesNotContain("memberAttribute", once, StringComparison.Ordinal);
        Assert.Equal(once, PolicyYaml.Serialize(PolicyYaml.Parse(once, "again.yaml")));
    }

    [Fact]
    public void Non_default_attributes_survive_the_round_trip()
    {
        var text = Minimal + "directory:\n  uri: ldap://ldap.example.org\n  base: dc=example,dc=org\n  groupBase: ou=Groups,dc=example,dc=org\n  memberAttribute: uniqueMember\n  nested: false\n  tls: starttls\n";
        var d = PolicyYaml.Parse(PolicyYaml.Serialize(PolicyYaml.Parse(text, Source)), "again.yaml").Directory!;
        Assert.Equal(("ou=Groups,dc=example,dc=org", "uniqueMember", false, QaDirectoryTls.StartTls), (d.EffectiveGroupBaseDn, d.MemberAttribute, d.NestedGroups, d.EffectiveTls));
    }

    [Fact]
    public void An_ldap_group_without_a_directory_is_InvalidDirectory()
    {
        var e = Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(Minimal + "groups:\n  admins:\n    source: ldap\n", Source));
        Assert.Contains(e.Errors, x => x.Id == QaErrorIds.InvalidDirectory);
    }

    [Fact]
    public void An_ldap_group_with_members_is_refused()
    {
        var e = Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(Minimal + Directory + "    members: [alice]\n", Source));
        Assert.Contains(e.Errors, x => x.Id == QaErrorIds.NssGroupWithMembers);
    }

    [Theory]
    [InlineData("qaadmin1", "taskotron-client01", QaAccessRight.Sudo)]
    [InlineData("qaadmin2", "bastion", QaAccessRight.Shell)]
    [InlineData("qabot", "taskotron-client01", QaAccessRight.Shell)]
    [InlineData("qabot", "bastion", QaAccessRight.Shell)]
    [InlineData("admin1", "bastion", QaAccessRight.Sudo)]
    [InlineData("outsider", "bastion", QaAccessRight.Shell)]
    public void Access_decides_on_the_directory_exactly_as_on_the_policy(string user, string host, QaAccessRight right)
    {
        // The same memberships, once listed in the policy and once read from the directory.
        var listed = ExamplePolicies.Fedora();
        var fromDirectory = ExamplePolicies.Fedora();
        fromDirectory.Directory = new QaDirectory { Uri = "ldap://ipa.example.org", BaseDn = "dc=qa,dc=lab" };
        var table = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var g in fromDirectory.Groups)
        {
            table[g.Name] = g.Members.ToArray();
            g.Members.Clear();
            g.Source = QaGroupSource.Ldap;
        }

        var now = DateTimeOffset.UtcNow;
        var expected = AccessChecker.Create(listed, now).Test(user, host, right);
        var actual = AccessChecker.Create(fromDirectory, now, null, new TableDirectory(table)).Test(user, host, right);
        Assert.Equal(expected.Allowed, actual.Allowed);
        Assert.Equal(expected.Groups, actual.Groups);
        Assert.Equal(expected.Hops.Select(h => (h.Kind, h.Name, h.Allowed, h.DecidedBy)), actual.Hops.Select(h => (h.Kind, h.Name, h.Allowed, h.DecidedBy)));
    }

    [Fact]
    public void A_group_the_directory_lacks_grants_nothing_and_each_group_is_read_once()
    {
        var p = ExamplePolicies.Fedora();
        p.Directory = new QaDirectory { Uri = "ldap://ipa.example.org", BaseDn = "dc=qa,dc=lab" };
        foreach (var g in p.Groups)
        {
            g.Members.Clear();
            g.Source = QaGroupSource.Ldap;
        }

        var table = new TableDirectory(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["sysadmin-qa"] = new[] { "qaadmin1" } });
        var checker = AccessChecker.Create(p, DateTimeOffset.UtcNow, null, table);
        Assert.False(checker.Test("admin1", "bastion").Allowed);
        Assert.True(checker.Test("qaadmin1", "bastion").Allowed);
        Assert.Equal(p.Groups.Count, table.Lookups);
        var e = Assert.Throws<QaValidationException>(() => AccessMembership.LookUpDirectoryGroup(p, "sysadmin-main", table));
        Assert.Equal(QaErrorIds.NotFound, e.ErrorId);
    }
}

/// <summary>Compare-QaGroup's core: members only one side has.</summary>
public sealed class GroupDifferenceTests
{
    [Fact]
    public void Directory_only_first_then_policy_only_each_in_name_order()
    {
        var p = new QaPolicy("p");
        var g = new QaGroup(p, "qa");
        g.Members.AddRange(new[] { "carol", "alice", "bob" });
        var d = QaGroupDifference.Compare(g, new[] { "zed", "alice", "dave" });
        Assert.Equal(new[] { ("dave", QaGroupSide.DirectoryOnly, "=>"), ("zed", QaGroupSide.DirectoryOnly, "=>"), ("bob", QaGroupSide.PolicyOnly, "<="), ("carol", QaGroupSide.PolicyOnly, "<=") },
            d.Select(x => (x.User, x.Side, x.SideIndicator)));
    }

    [Fact]
    public void A_group_the_directory_lacks_makes_every_member_policy_only_and_agreement_is_empty()
    {
        var p = new QaPolicy("p");
        var g = new QaGroup(p, "qa");
        g.Members.Add("alice");
        Assert.Equal(QaGroupSide.PolicyOnly, Assert.Single(QaGroupDifference.Compare(g, null)).Side);
        Assert.Empty(QaGroupDifference.Compare(g, new[] { "alice" }));
    }
}

/// <summary>The directory cmdlets' argument errors, before any connection.</summary>
public sealed class DirectoryCmdletTests
{
    [Theory]
    [InlineData("Get-QaGroup -Source Ldap")]
    [InlineData("Get-QaGroup -Source Ldap -Uri http://ipa.example.org -BaseDn 'dc=example,dc=org'")]
    [InlineData("Get-QaGroup -Source Ldap -Uri ldap://ipa.example.org")]
    [InlineData("Compare-QaGroup")]
    [InlineData("Compare-QaGroup -Uri ldap://ipa.example.org -BaseDn 'not a dn'")]
    [InlineData("Get-QaGroup -Source Ldap -Uri ldap://ipa.example.org -BaseDn 'dc=example,dc=org' -CaFile /nonexistent/ca.crt")]
    public void Bad_directory_settings_are_InvalidDirectory(string script)
    {
        using var s = QaNet.Tests.Support.PowerShellSession.WithQaPolicy();
        var error = Assert.Single(s.Errors(script));
        Assert.True(error.FullyQualifiedErrorId.StartsWith(QaErrorIds.InvalidDirectory + ",", StringComparison.Ordinal), error.FullyQualifiedErrorId + ": " + error.Exception.Message);
    }
}
