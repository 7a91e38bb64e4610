using System.Text.RegularExpressions;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Checking;

/// <summary>
/// The access part of <see cref="PolicyValidator"/>: groups, grants and the jump host, with
/// paths in the policy file's layout (<c>groups[sysadmin-qa].members</c>, <c>access[id].hosts</c>).
/// </summary>
public static partial class AccessValidator
{
    /// <summary>Linux user names as useradd accepts them by default (and FAS account names).</summary>
    public const string UserNamePattern = "^[a-z_][a-z0-9_.-]{0,31}\\z";

    [GeneratedRegex(UserNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex UserNameRegex();

    public static bool IsValidUserName(string? name) => name is not null && UserNameRegex().IsMatch(name);

    public static List<QaValidationError> Validate(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<QaValidationError>();
        if (policy.Groups.Count == 0 && policy.AccessGrants.Count == 0 && policy.JumpHost is null)
        {
            return errors;
        }

        var hosts = new AccessHosts(policy);
        ValidateGroups(policy, errors);
        ValidateGrants(policy, hosts, errors);
        if (policy.JumpHost is { } jump && hosts.Find(jump)?.Name != jump)
        {
            errors.Add(new QaValidationError(QaErrorIds.UnknownReference, $"jump host '{jump}'", "jumpHost",
                $"The jump host '{jump}' is not a host of the policy.",
                "Name an endpoint (e.g. the bastion) or a virthost, or remove jumpHost."));
        }

        return errors;
    }

    private static void ValidateGroups(QaPolicy policy, List<QaValidationError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in policy.Groups)
        {
            var path = $"groups[{g.Name}]";
            var target = $"group '{g.Name}'";
            if (!Names.IsValid(g.Name))
            {
                errors.Add(QaValidationError.Name(target, g.Name) with { Path = path });
            }

            if (!seen.Add(g.Name))
            {
                errors.Add(new QaValidationError(QaErrorIds.DuplicateGroup, target, path,
                    $"There are two groups named '{g.Name}'.", "List each group once, with all its members."));
            }

            foreach (var m in g.Members.Where(m => !IsValidUserName(m)))
            {
                errors.Add(new QaValidationError(QaErrorIds.InvalidUserName, target, path + ".members",
                    $"'{m}' in {target} is not a user name.",
                    $"User names are 1 to 32 lowercase letters, digits, '_', '.' and '-', starting with a letter or '_' (pattern {UserNamePattern})."));
            }

            if (g.Source == QaGroupSource.Nss && g.Members.Count > 0)
            {
                errors.Add(new QaValidationError(QaErrorIds.NssGroupWithMembers, target, path + ".members",
                    $"{char.ToUpperInvariant(target[0])}{target[1..]} takes its members from NSS but also lists members.",
                    "Either list the members (source: policy) or let getent supply them (source: nss), not both."));
            }

            if (g.Source == QaGroupSource.Ldap && g.Members.Count > 0)
            {
                errors.Add(new QaValidationError(QaErrorIds.NssGroupWithMembers, target, path + ".members",
                    $"{char.ToUpperInvariant(target[0])}{target[1..]} takes its members from the directory but also lists members.",
                    "Either list the members (source: policy) or let the directory supply them (source: ldap), not both."));
            }

            if (g.Source == QaGroupSource.Ldap && policy.Directory is null)
            {
                errors.Add(new QaValidationError(QaErrorIds.InvalidDirectory, target, path + ".source",
                    $"{char.ToUpperInvariant(target[0])}{target[1..]} takes its members from the directory, but the policy has no directory.",
                    "Add a directory: section (uri, base) that says which LDAP server to read."));
            }
        }
    }

    private static void ValidateGrants(QaPolicy policy, AccessHosts hosts, List<QaValidationError> errors)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in policy.AccessGrants)
        {
            var path = $"access[{a.Id}]";
            var target = $"access grant '{a.Id}'";
            if (!Names.IsValid(a.Id))
            {
                errors.Add(QaValidationError.Name(target, a.Id) with { Path = path + ".id" });
            }

            if (!ids.Add(a.Id))
            {
                errors.Add(new QaValidationError(QaErrorIds.DuplicateGrantId, target, path + ".id",
                    $"There are two access grants with id '{a.Id}'.", "Give every grant its own id, or omit ids to have them derived."));
            }

            if (policy.FindGroup(a.Group)?.Name != a.Group)
            {
                errors.Add(new QaValidationError(QaErrorIds.UnknownReference, target, path + ".group",
                    $"{Cap(target)} names group '{a.Group}', which the policy does not define.",
                    $"Add the group first (Add-QaGroup -Name {a.Group} -Member <user>, or -Source Nss), or fix the name."));
            }

            if (a.Rights.Count == 0)
            {
                errors.Add(new QaValidationError(QaErrorIds.AccessRightRequired, target, path + ".rights",
                    $"{Cap(target)} grants no right.", "Give it Shell, Sudo or both (-Right Shell,Sudo)."));
            }

            if (a.Hosts.Count == 0)
            {
                errors.Add(new QaValidationError(QaErrorIds.InvalidAccessTarget, target, path + ".hosts",
                    $"{Cap(target)} names no host.", "Name hosts, roles, virthosts or networks (-Host, -Role, -VirtHost, -Network)."));
            }

            foreach (var t in a.Hosts.Where(t => !hosts.Exists(policy, t)))
            {
                errors.Add(new QaValidationError(QaErrorIds.UnknownReference, target, path + ".hosts",
                    $"{Cap(target)} names {t}, which does not exist.",
                    t.Kind == QaAccessTargetKind.Host
                        ? "Name a client, an endpoint or a virthost of the policy."
                        : $"Add the {t.Kind.ToString().ToLowerInvariant()} first, or fix the name."));
            }
        }
    }

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
