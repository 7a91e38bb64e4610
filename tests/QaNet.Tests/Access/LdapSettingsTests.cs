using QaNet.Core.Access;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Tests.Access;

/// <summary>The directory settings LdapDirectorySource refuses before it opens any connection.</summary>
public sealed class LdapSettingsTests
{
    private static readonly QaDirectory Good = new() { Uri = "ldap://ipa.example.org", BaseDn = "dc=example,dc=org" };

    [Theory]
    [InlineData("http://ipa.example.org")]
    [InlineData("ldap://")]
    [InlineData("ldap://ipa.example.org/dc=example,dc=org")]
    [InlineData("ldap://user@ipa.example.org")]
    [InlineData("ipa.example.org")]
    public void A_uri_that_is_not_ldap_or_ldaps_is_InvalidDirectory(string uri)
    {
        var e = Assert.Throws<QaValidationException>(() => new LdapDirectorySource(Good with { Uri = uri }));
        Assert.Equal(QaErrorIds.InvalidDirectory, e.ErrorId);
    }

    [Fact]
    public void Ports_default_to_389_and_636()
    {
        Assert.Equal(("ipa.example.org", 389, false), LdapDirectorySource.ParseUri("ldap://ipa.example.org"));
        Assert.Equal(("ipa.example.org", 636, true), LdapDirectorySource.ParseUri("ldaps://ipa.example.org/"));
        Assert.Equal(("10.0.0.1", 3389, false), LdapDirectorySource.ParseUri("ldap://10.0.0.1:3389"));
    }

    [Fact]
    public void FreeIpa_defaults()
    {
        Assert.Equal("cn=groups,cn=accounts,dc=example,dc=org", Good.EffectiveGroupBaseDn);
        Assert.Equal(("member", "cn", "uid", "memberOf"), (Good.MemberAttribute, Good.GroupNameAttribute, Good.UserNameAttribute, Good.MemberOfAttribute));
        Assert.Equal(QaDirectoryTls.None, Good.EffectiveTls);
        Assert.Equal(QaDirectoryTls.Ldaps, (Good with { Uri = "ldaps://ipa.example.org" }).EffectiveTls);
    }

    [Theory]
    [InlineData("ldap://ipa.example.org", QaDirectoryTls.Ldaps, null, null)]
    [InlineData("ldaps://ipa.example.org", QaDirectoryTls.StartTls, null, null)]
    [InlineData("ldap://ipa.example.org", null, "/nonexistent/ca.crt", null)]
    [InlineData("ldap://ipa.example.org", null, null, "not a dn")]
    public void Contradicting_or_missing_settings_are_InvalidDirectory(string uri, QaDirectoryTls? tls, string? ca, string? bindDn)
    {
        var e = Assert.Throws<QaValidationException>(() => new LdapDirectorySource(Good with { Uri = uri, Tls = tls, CaFile = ca, BindDn = bindDn }));
        Assert.Equal(QaErrorIds.InvalidDirectory, e.ErrorId);
    }

    [Fact]
    public void OpenLdaps_libldap_loads_without_any_connection()
    {
        // System.DirectoryServices.Protocols P/Invokes libldap (Debian: libldap-2.5-0); ldap_initialize connects nothing.
        using var c = new System.DirectoryServices.Protocols.LdapConnection(new System.DirectoryServices.Protocols.LdapDirectoryIdentifier("ipa.example.org", 389));
        c.SessionOptions.ProtocolVersion = 3;
        Assert.Equal(3, c.SessionOptions.ProtocolVersion);
    }

    [Fact]
    public void Filter_values_are_escaped()
    {
        Assert.Equal(@"a\2a\28b\29\5c", LdapDirectorySource.EscapeFilter(@"a*(b)\"));
    }
}
