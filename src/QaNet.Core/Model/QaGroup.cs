using Newtonsoft.Json;

namespace QaNet.Core.Model;

/// <summary>Where a group's members come from.</summary>
public enum QaGroupSource
{
    /// <summary>The policy lists the members (YAML <c>groups:</c>, <c>Add-QaGroup -Member</c>).</summary>
    Policy,
    /// <summary>The system's NSS (<c>getent group</c>: what sssd/FreeIPA or FAS feed on a real host).</summary>
    Nss,
    /// <summary>The policy's directory (<c>directory:</c>, FreeIPA's LDAP tree): members read from the group entry, nested groups followed.</summary>
    Ldap,
}

/// <summary>
/// An account-system group (a FAS group such as <c>sysadmin-qa</c>): access grants name
/// groups, never users, as fas_client_groups, sudoers and HBAC rules do.
/// </summary>
public sealed class QaGroup
{
    public QaGroup(QaPolicy policy, string name, QaGroupSource source = QaGroupSource.Policy)
    {
        Policy = policy;
        Name = name;
        Source = source;
    }

    [JsonIgnore]
    public QaPolicy Policy { get; internal set; }

    /// <summary>Renamed only through AccessEditor.RenameGroup, which renames every grant with it.</summary>
    public string Name { get; internal set; }

    [JsonIgnore]
    public QaGroupSource Source { get; set; }

    /// <summary>User names; empty for an NSS or LDAP group (its members are looked up when asked).</summary>
    public QaList<string> Members { get; } = new();

    public string? Description { get; set; }

    public override string ToString() => Name;
}
