using QaNet.Core.Validation;
using Newtonsoft.Json;

namespace QaNet.Core.Model;

/// <summary>What a grant lets a group do on a host. Sudo implies nothing about Shell.</summary>
public enum QaAccessRight
{
    /// <summary>An account and an ssh login (fas_client_groups, sshd AllowGroups, an HBAC rule for sshd).</summary>
    Shell,
    /// <summary>sudo to root (a sudoers drop-in, a FreeIPA sudo rule).</summary>
    Sudo,
}

/// <summary>How an access grant names hosts.</summary>
public enum QaAccessTargetKind
{
    /// <summary>One host by name: a client, an endpoint (bastion, lockbox) or a virthost.</summary>
    Host,
    /// <summary>Every client with the role.</summary>
    Role,
    /// <summary>The virthost machine itself (not its clients).</summary>
    VirtHost,
    /// <summary>Every client of the network.</summary>
    Network,
}

/// <summary>One host side of a grant, written <c>kind:value</c> (<c>host:bastion</c>, <c>role:taskotron</c>).</summary>
public sealed record QaAccessTarget(QaAccessTargetKind Kind, string Value)
{
    public static QaAccessTarget Host(string name) => new(QaAccessTargetKind.Host, name);

    public static QaAccessTarget Role(string name) => new(QaAccessTargetKind.Role, name);

    public static QaAccessTarget VirtHost(string name) => new(QaAccessTargetKind.VirtHost, name);

    public static QaAccessTarget Network(string name) => new(QaAccessTargetKind.Network, name);

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{Value}";

    public static bool TryParse(string? text, out QaAccessTarget? target, out QaValidationError? error)
    {
        target = null;
        error = null;
        var s = (text ?? string.Empty).Trim();
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        QaAccessTargetKind? kind = colon <= 0 ? null : s[..colon].ToLowerInvariant() switch
        {
            "host" => QaAccessTargetKind.Host,
            "role" => QaAccessTargetKind.Role,
            "virthost" => QaAccessTargetKind.VirtHost,
            "network" => QaAccessTargetKind.Network,
            _ => null,
        };
        if (kind is null)
        {
            error = new QaValidationError(QaErrorIds.InvalidAccessTarget, "access target", null,
                $"'{text}' is not an access target.",
                "Write kind:value, where kind is host, role, virthost or network (e.g. 'host:bastion', 'virthost:virthost-comm01', 'network:qa-clients').");
            return false;
        }

        var value = s[(colon + 1)..].Trim();
        if (!Names.IsValid(value))
        {
            error = QaValidationError.Name("access target", value);
            return false;
        }

        target = new QaAccessTarget(kind.Value, value);
        return true;
    }
}

/// <summary>
/// Group → hosts → rights. Grants only allow (default deny): every mechanism QaNet renders to
/// (fas_client_groups, sshd AllowGroups, sudoers, FreeIPA HBAC since 3.0) is a union of
/// allows, so a deny grant could not be enforced as decided. See docs/access.md.
/// </summary>
public sealed class QaAccessGrant
{
    public QaAccessGrant(QaPolicy policy, string id, string group)
    {
        Policy = policy;
        Id = id;
        Group = group;
    }

    [JsonIgnore]
    public QaPolicy Policy { get; internal set; }

    /// <summary>Stable id; rendered files and FreeIPA rule names carry it.</summary>
    public string Id { get; }

    public string Group { get; internal set; }

    [JsonIgnore]
    public QaList<QaAccessTarget> Hosts { get; } = new();

    [JsonIgnore]
    public QaList<QaAccessRight> Rights { get; } = new();

    public string? Description { get; set; }

    public override string ToString() => Id;
}
