namespace QaNet.Core.Model;

/// <summary>How QaNet talks TLS to the directory.</summary>
public enum QaDirectoryTls
{
    /// <summary>Plain LDAP (ldap://): only for a directory on a trusted segment, or anonymous reads of public data.</summary>
    None,
    /// <summary>ldap:// upgraded with the StartTLS extended operation before the bind.</summary>
    StartTls,
    /// <summary>TLS from the first byte (ldaps://, port 636).</summary>
    Ldaps,
}

/// <summary>
/// A directory server that holds the account groups (the policy's <c>directory:</c>): FreeIPA by
/// default, whose groups live under <c>cn=groups,cn=accounts,&lt;base&gt;</c> as <c>cn=&lt;group&gt;</c>
/// with <c>member</c> DNs pointing at users (<c>uid=&lt;user&gt;,cn=users,cn=accounts,&lt;base&gt;</c>) and
/// at nested groups. QaNet only reads it.
/// </summary>
public sealed record QaDirectory
{
    /// <summary>FreeIPA's container of user groups, below the base DN.</summary>
    public const string FreeIpaGroupContainer = "cn=groups,cn=accounts";

    /// <summary>FreeIPA's container of users, below the base DN.</summary>
    public const string FreeIpaUserContainer = "cn=users,cn=accounts";

    /// <summary><c>ldap://host[:port]</c> or <c>ldaps://host[:port]</c>.</summary>
    public required string Uri { get; init; }

    /// <summary>The directory's base DN, e.g. <c>dc=fedoraproject,dc=org</c>.</summary>
    public required string BaseDn { get; init; }

    /// <summary>Where the groups are; default FreeIPA's <c>cn=groups,cn=accounts,&lt;base&gt;</c>.</summary>
    public string? GroupBaseDn { get; init; }

    /// <summary>The attribute naming a group (its RDN in FreeIPA): <c>cn</c>.</summary>
    public string GroupNameAttribute { get; init; } = "cn";

    /// <summary>The attribute of a group listing its members' DNs: <c>member</c>.</summary>
    public string MemberAttribute { get; init; } = "member";

    /// <summary>The attribute of a user entry holding the login name: <c>uid</c>.</summary>
    public string UserNameAttribute { get; init; } = "uid";

    /// <summary>The attribute of a user listing the groups it is in (FreeIPA keeps it, nested ones included): <c>memberOf</c>. Shown in docs; QaNet reads groups from <see cref="MemberAttribute"/>.</summary>
    public string MemberOfAttribute { get; init; } = "memberOf";

    /// <summary>Follow member DNs that are groups (FreeIPA nests groups), up to a depth of 16.</summary>
    public bool NestedGroups { get; init; } = true;

    /// <summary>StartTLS, ldaps or none; default: ldaps for an ldaps:// URI, else none.</summary>
    public QaDirectoryTls? Tls { get; init; }

    /// <summary>A PEM CA certificate the server's certificate must verify against (FreeIPA's /etc/ipa/ca.crt); null: the system's trust store.</summary>
    public string? CaFile { get; init; }

    /// <summary>The DN to bind as (simple bind); null binds anonymously. The password is never in the policy.</summary>
    public string? BindDn { get; init; }

    public string EffectiveGroupBaseDn => GroupBaseDn ?? $"{FreeIpaGroupContainer},{BaseDn}";

    public QaDirectoryTls EffectiveTls => Tls ?? (Uri.StartsWith("ldaps://", StringComparison.OrdinalIgnoreCase) ? QaDirectoryTls.Ldaps : QaDirectoryTls.None);

    public override string ToString() => $"{Uri} {EffectiveGroupBaseDn}";
}
