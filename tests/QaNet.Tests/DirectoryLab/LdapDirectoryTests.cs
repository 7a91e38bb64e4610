using QaNet.Core.Access;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Tests.Support;

namespace QaNet.Tests.DirectoryLab;

/// <summary>One real slapd for the directory tests: the fedora-qa groups, a nested group, a reader account.</summary>
public sealed class SlapdFixture : IAsyncLifetime
{
    public LabSlapd Slapd { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var groups = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["sysadmin-main"] = 47100, ["sysadmin-qa"] = 47101, ["qa-automation-shell"] = 47102, ["qa-interns"] = 47103,
        };
        var accounts = new[]
        {
            new DirectoryAccount("admin1", 47001, new[] { "sysadmin-main" }),
            new DirectoryAccount("qaadmin1", 47002, new[] { "sysadmin-qa" }),
            new DirectoryAccount("qaadmin2", 47003, new[] { "sysadmin-qa" }),
            new DirectoryAccount("qabot", 47004, new[] { "qa-automation-shell" }),
            new DirectoryAccount("intern1", 47005, new[] { "qa-interns" }),
        };
        // FreeIPA nests groups: qa-interns is a member of sysadmin-qa.
        Slapd = await LabSlapd.StartAsync("qn-ldt-dir", groups, accounts, new Dictionary<string, string[]> { ["sysadmin-qa"] = new[] { "qa-interns" } });
    }

    public async Task DisposeAsync() => await Slapd.DisposeAsync();
}

/// <summary>
/// Get-QaGroup -Source Ldap's reader against a real slapd: FreeIPA's tree, nested groups, StartTLS
/// and ldaps with a CA file, simple and anonymous binds; and each way it can fail, with its id.
/// </summary>
[Trait("Needs", "Root")]
public sealed class LdapDirectoryTests : IClassFixture<SlapdFixture>
{
    private readonly LabSlapd _slapd;

    public LdapDirectoryTests(SlapdFixture fixture)
    {
        _slapd = fixture.Slapd;
    }

    private DirectoryGroup? Read(QaDirectory directory, string group, string? password = null) =>
        _slapd.InNamespace(() =>
        {
            using var source = new LdapDirectorySource(directory, password, TimeSpan.FromSeconds(3));
            return source.GetGroup(group);
        });

    [Fact]
    public void Reads_a_group_anonymously_with_nested_groups_followed()
    {
        var g = Read(LabSlapd.Directory389(), "sysadmin-qa");
        Assert.NotNull(g);
        Assert.Equal(new[] { "intern1", "qaadmin1", "qaadmin2" }, g.Members);
        Assert.Equal(new[] { "qa-interns" }, g.NestedGroups);
        Assert.Equal(LabSlapd.GroupDn("sysadmin-qa"), g.Dn);
    }

    [Fact]
    public void A_group_the_directory_lacks_is_null()
    {
        Assert.Null(Read(LabSlapd.Directory389(), "no-such-group"));
    }

    [Theory]
    [InlineData("starttls")]
    [InlineData("ldaps")]
    [InlineData("bind")]
    public void Reads_over_tls_with_the_ca_and_with_a_simple_bind(string how)
    {
        var d = how switch
        {
            "starttls" => LabSlapd.Directory389(QaDirectoryTls.StartTls, _slapd.CaFile),
            "ldaps" => LabSlapd.Directory389(QaDirectoryTls.Ldaps, _slapd.CaFile) with { Uri = $"ldaps://127.0.0.1:{LabSlapd.LdapsPort}" },
            _ => LabSlapd.Directory389(QaDirectoryTls.StartTls, _slapd.CaFile, LabSlapd.Reader),
        };
        Assert.Equal(new[] { "admin1" }, Read(d, "sysadmin-main", how == "bind" ? LabSlapd.ReaderPassword : null)!.Members);
    }

    [Theory]
    [InlineData("unreachable", QaErrorIds.LdapServerUnreachable)]
    [InlineData("wrong-base", QaErrorIds.LdapBaseNotFound)]
    [InlineData("wrong-group-base", QaErrorIds.LdapBaseNotFound)]
    [InlineData("bad-password", QaErrorIds.LdapBindFailed)]
    [InlineData("unknown-bind-dn", QaErrorIds.LdapBindFailed)]
    [InlineData("ldaps-other-ca", QaErrorIds.LdapTlsFailed)]
    [InlineData("starttls-other-ca", QaErrorIds.LdapTlsFailed)]
    [InlineData("ldaps-to-plain-port", QaErrorIds.LdapTlsFailed)]
    public void Each_failure_has_its_id(string how, string id)
    {
        var good = LabSlapd.Directory389();
        var (d, password) = how switch
        {
            // Nothing listens on 127.0.0.1:1 in the directory's namespace.
            "unreachable" => (good with { Uri = "ldap://127.0.0.1:1" }, null),
            "wrong-base" => (good with { BaseDn = "dc=wrong,dc=lab" }, null),
            "wrong-group-base" => (good with { GroupBaseDn = "cn=groups,cn=compat," + LabSlapd.Base }, null),
            "bad-password" => (good with { BindDn = LabSlapd.Reader }, "not-the-password"),
            "unknown-bind-dn" => (good with { BindDn = "uid=nobody,cn=users,cn=accounts," + LabSlapd.Base }, "x"),
            "ldaps-other-ca" => (good with { Uri = $"ldaps://127.0.0.1:{LabSlapd.LdapsPort}", Tls = QaDirectoryTls.Ldaps, CaFile = _slapd.OtherCaFile }, null),
            "starttls-other-ca" => (good with { Tls = QaDirectoryTls.StartTls, CaFile = _slapd.OtherCaFile }, null),
            _ => (good with { Uri = $"ldaps://127.0.0.1:{LabSlapd.LdapPort}", Tls = QaDirectoryTls.Ldaps, CaFile = _slapd.CaFile }, (string?)null),
        };
        var e = Assert.Throws<AggregateException>(() => Read(d, "sysadmin-qa", password));
        var v = Assert.IsType<QaValidationException>(e.InnerException);
        Assert.Equal(id, v.ErrorId);
    }

    private static QaPolicy FedoraFromDirectory()
    {
        var p = ExamplePolicies.Fedora();
        p.Directory = LabSlapd.Directory389(QaDirectoryTls.StartTls, null);
        foreach (var g in p.Groups)
        {
            g.Members.Clear();
            g.Source = QaGroupSource.Ldap;
        }

        return p;
    }

    private QaAccessResult Predict(QaPolicy policy, string user, string host, QaAccessRight right)
    {
        var directory = policy.Directory! with { CaFile = _slapd.CaFile };
        return _slapd.InNamespace(() =>
        {
            using var source = new LdapDirectorySource(directory);
            return AccessChecker.Create(policy, DateTimeOffset.UtcNow, null, source).Test(user, host, right);
        });
    }

    [Fact]
    public async Task Test_QaAccess_follows_the_directory_through_ldapmodify()
    {
        var p = FedoraFromDirectory();
        // qabot: sudo nowhere while only in qa-automation-shell; on the client once in sysadmin-qa.
        Assert.Equal("taskotron-client01", Predict(p, "qabot", "taskotron-client01", QaAccessRight.Sudo).FailingHop);
        Assert.True(Predict(p, "intern1", "taskotron-client01", QaAccessRight.Sudo).Allowed); // through the nested qa-interns
        await _slapd.AddMemberAsync("sysadmin-qa", "qabot");
        try
        {
            var r = Predict(p, "qabot", "taskotron-client01", QaAccessRight.Sudo);
            Assert.True(r.Allowed, string.Join("; ", r.Hops.Select(h => h.Reason)));
            Assert.Equal(new[] { "sysadmin-qa", "qa-automation-shell" }, r.Groups);
        }
        finally
        {
            await _slapd.RemoveMemberAsync("sysadmin-qa", "qabot");
        }

        Assert.False(Predict(p, "qabot", "taskotron-client01", QaAccessRight.Sudo).Allowed);
    }

    [Fact]
    public void Compare_finds_who_only_the_directory_or_only_the_policy_has()
    {
        var policy = ExamplePolicies.Fedora();
        policy.FindGroup("sysadmin-main")!.Members.Add("former-admin");
        var d = LabSlapd.Directory389();
        var differences = _slapd.InNamespace(() =>
        {
            using var source = new LdapDirectorySource(d);
            return policy.Groups.SelectMany(g => QaGroupDifference.Compare(g, source.GetGroup(g.Name)?.Members)).ToList();
        });
        Assert.Equal(new[] { new QaGroupDifference("sysadmin-main", "former-admin", QaGroupSide.PolicyOnly), new QaGroupDifference("sysadmin-qa", "intern1", QaGroupSide.DirectoryOnly) }, differences);
    }
}
