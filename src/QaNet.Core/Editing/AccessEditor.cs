using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>What <c>Grant-QaAccess</c> asks for; <see cref="AccessEditor"/> derives the id and validates.</summary>
public sealed record AccessGrantSpec(string Group, IReadOnlyList<QaAccessTarget> Hosts, IReadOnlyList<QaAccessRight> Rights)
{
    public string? Id { get; init; }
    public string? Description { get; init; }
}

/// <summary>
/// Changes to groups, grants and the jump host, through <see cref="PolicyEditor"/>'s
/// change-validate-or-undo: bad input changes nothing.
/// </summary>
public static class AccessEditor
{
    /// <summary>
    /// Creates the group, or adds members to it when it exists (adding a member twice is a
    /// no-op), as <c>Add-QaGroup</c> does.
    /// </summary>
    /// <param name="whatIf">Only try: the same group or error, and no change.</param>
    public static QaGroup AddGroup(QaPolicy policy, string name, IEnumerable<string> members, QaGroupSource? source = null, string? description = null,
        bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(members);
        var list = members.Select(m => m.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (policy.FindGroup(name) is { } existing)
        {
            var added = list.Where(m => !existing.Members.Contains(m, StringComparer.Ordinal)).ToList();
            var (oldSource, oldDescription) = (existing.Source, existing.Description);
            return PolicyEditor.Apply(policy,
                () =>
                {
                    existing.Members.AddRange(added);
                    existing.Source = source ?? existing.Source;
                    existing.Description = description ?? existing.Description;
                },
                () =>
                {
                    existing.Members.RemoveRange(existing.Members.Count - added.Count, added.Count);
                    (existing.Source, existing.Description) = (oldSource, oldDescription);
                },
                existing,
                whatIf);
        }

        var group = new QaGroup(policy, name, source ?? QaGroupSource.Policy) { Description = description };
        group.Members.AddRange(list);
        return PolicyEditor.Apply(policy, () => policy.Groups.Add(group), () => policy.Groups.Remove(group), group, whatIf);
    }

    /// <summary>
    /// Removes a group. Grants to it would name nothing, so that is refused (InUse) unless
    /// <paramref name="force"/>; then they are revoked with it.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error as the removal, and no change.</param>
    public static QaRemoval RemoveGroup(QaPolicy policy, string name, bool force, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var group = policy.FindGroup(name) ?? throw PolicyEditor.NotFound("group", name, "Get-QaGroup");
        var index = policy.Groups.IndexOf(group);
        return PolicyEditor.RemoveWithDependents(policy, $"group '{group.Name}'", new List<QaRule>(),
            policy.AccessGrants.Where(g => string.Equals(g.Group, group.Name, StringComparison.Ordinal)).ToList(),
            new HashSet<string>(StringComparer.Ordinal), force, whatIf,
            () => policy.Groups.Remove(group), () => policy.Groups.Insert(index, group));
    }

    /// <summary>
    /// Renames a group and every grant to it (grant ids stay: FreeIPA rule names carry them).
    /// The new name follows the name rule (InvalidName); another group's name is DuplicateGroup.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error, and no change.</param>
    public static QaRenaming RenameGroup(QaPolicy policy, string name, string newName, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var group = policy.FindGroup(name) ?? throw PolicyEditor.NotFound("group", name, "Get-QaGroup");
        var old = group.Name;
        var target = $"group '{old}'";
        PolicyEditor.CheckNewName(target, newName);
        if (policy.FindGroup(newName) is { } other && other != group)
        {
            throw PolicyEditor.Duplicate(QaErrorIds.DuplicateGroup, target, $"There is already a group named '{other.Name}'.");
        }

        var edits = new PolicyEditor.RenameEdits();
        edits.Add(null, () => group.Name = newName, () => group.Name = old);
        foreach (var grant in policy.AccessGrants.Where(g => g.Group == old))
        {
            edits.Add($"access grant '{grant.Id}'", () => grant.Group = newName, () => grant.Group = old);
        }

        return edits.Apply(policy, group, old, newName, whatIf);
    }

    /// <param name="whatIf">Only try: the same grant (id derived as for real) or error, and no change.</param>
    public static QaAccessGrant AddGrant(QaPolicy policy, AccessGrantSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec with
        {
            Group = policy.FindGroup(spec.Group)?.Name ?? spec.Group,
            Hosts = spec.Hosts.Select(t => Canonical(policy, t)).ToList(),
        };
        var grant = PolicyParts.NewGrant(policy, spec.Id ?? DeriveGrantId(policy, spec.Group, spec.Hosts, spec.Rights), spec);
        return PolicyEditor.Apply(policy, () => policy.AccessGrants.Add(grant), () => policy.AccessGrants.Remove(grant), grant, whatIf);
    }

    /// <param name="whatIf">Only try: the same result or error as the removal, and no change.</param>
    public static QaAccessGrant RemoveGrant(QaPolicy policy, string id, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var grant = policy.FindAccessGrant(id) ?? throw PolicyEditor.NotFound("access grant", id, "Get-QaAccess");
        var index = policy.AccessGrants.IndexOf(grant);
        return PolicyEditor.Apply(policy, () => policy.AccessGrants.Remove(grant), () => policy.AccessGrants.Insert(index, grant), grant, whatIf);
    }

    /// <summary>
    /// An access target as the policy spells what it names (a host, role, virthost or network
    /// given in any case); a name that matches nothing stays as given.
    /// </summary>
    public static QaAccessTarget Canonical(QaPolicy policy, QaAccessTarget target)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(target);
        var value = target.Kind switch
        {
            QaAccessTargetKind.Host => new AccessHosts(policy).Find(target.Value)?.Name,
            QaAccessTargetKind.Role => Names.Canonical(target.Value, policy.Roles),
            QaAccessTargetKind.VirtHost => Names.Canonical(target.Value, PolicyEditor.VirtHostsOf(policy).ToList()),
            _ => policy.FindNetwork(target.Value)?.Name,
        };
        return value is null || value == target.Value ? target : new QaAccessTarget(target.Kind, value);
    }

    /// <summary>Sets (or, with null, clears) the host users reach clients through.</summary>
    public static void SetJumpHost(QaPolicy policy, string? host, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var old = policy.JumpHost;
        host = host is null ? null : new AccessHosts(policy).Find(host)?.Name ?? host;
        PolicyEditor.Apply(policy, () => policy.JumpHost = host, () => policy.JumpHost = old, 0, whatIf);
    }

    /// <summary>A readable id from group, rights and hosts (<c>sysadmin-qa-shell-sudo-network-qa-clients</c>), unique in the policy.</summary>
    public static string DeriveGrantId(QaPolicy policy, string group, IEnumerable<QaAccessTarget> hosts, IEnumerable<QaAccessRight> rights)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var raw = $"{group}-{string.Join("-", rights.Distinct().Order())}-{string.Join("-", hosts.Select(h => h.Kind == QaAccessTargetKind.Host ? h.Value : $"{h.Kind}-{h.Value}"))}";
        return PolicyEditor.UniqueId(raw, id => policy.FindAccessGrant(id) is not null);
    }

    /// <summary>Parses <c>kind:value</c> targets, throwing the first error located at <paramref name="path"/>.</summary>
    public static QaAccessTarget ParseTarget(string text, string? path = null) =>
        QaAccessTarget.TryParse(text, out var t, out var e) ? t! : throw new QaValidationException(e! with { Path = path });
}
