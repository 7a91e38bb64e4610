using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>The access sections: <c>jumpHost:</c>, <c>groups:</c> and <c>access:</c> (docs/policy-format.md).</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] GroupKeys = { "members", "source", "description" };
    private static readonly string[] DirectoryKeys = { "uri", "base", "groupBase", "groupAttribute", "memberAttribute", "userAttribute", "nested", "tls", "ca", "bindDn" };
    private static readonly string[] AccessKeys = { "id", "group", "hosts", "rights", "description" };

    private readonly List<PendingGrant> grants = new();

    private void ReadAccessSections(QaPolicy policy, Fields fields)
    {
        policy.JumpHost = ReadString(fields, "jumpHost");
        ReadDirectory(policy, fields);
        ReadGroups(policy, fields);
        ForEach(fields, "access", (node, i) => ReadGrant(node, i));
    }

    /// <summary><c>directory: {uri, base, ...}</c>: the LDAP server groups with <c>source: ldap</c> come from (FreeIPA defaults).</summary>
    private void ReadDirectory(QaPolicy policy, Fields fields)
    {
        if (fields["directory"] is not { } node || ReadMapping(node, "directory", DirectoryKeys) is not { } f)
        {
            return;
        }

        var defaults = new QaDirectory { Uri = string.Empty, BaseDn = string.Empty };
        policy.Directory = new QaDirectory
        {
            Uri = ReadString(f, "uri", required: true) ?? string.Empty,
            BaseDn = ReadString(f, "base", required: true) ?? string.Empty,
            GroupBaseDn = ReadString(f, "groupBase"),
            GroupNameAttribute = ReadString(f, "groupAttribute") ?? defaults.GroupNameAttribute,
            MemberAttribute = ReadString(f, "memberAttribute") ?? defaults.MemberAttribute,
            UserNameAttribute = ReadString(f, "userAttribute") ?? defaults.UserNameAttribute,
            NestedGroups = ReadBool(f, "nested") ?? true,
            Tls = ReadChoice(f, "tls", required: false, ("none", QaDirectoryTls.None), ("starttls", QaDirectoryTls.StartTls), ("ldaps", QaDirectoryTls.Ldaps)),
            CaFile = ReadString(f, "ca"),
            BindDn = ReadString(f, "bindDn"),
        };
        Mark("directory", f);
    }

    /// <summary><c>name: [members]</c>, or <c>name: {members, source, description}</c>.</summary>
    private void ReadGroups(QaPolicy policy, Fields fields)
    {
        var node = fields["groups"];
        if (node is null)
        {
            return;
        }

        if (node is not YamlMapping map)
        {
            WrongType(node, "groups", "a mapping of group names to member lists");
            return;
        }

        foreach (var (key, value) in map.Entries)
        {
            var path = $"groups[{key.Value}]";
            var group = new QaGroup(policy, key.Value);
            if (value is YamlMapping && ReadMapping(value, path, GroupKeys) is { } f)
            {
                group.Source = ReadChoice(f, "source", required: false, ("policy", QaGroupSource.Policy), ("nss", QaGroupSource.Nss), ("ldap", QaGroupSource.Ldap)) ?? QaGroupSource.Policy;
                group.Description = ReadString(f, "description");
                group.Members.AddRange(ReadStrings(f, "members").Select(m => m.Text.Trim()).Distinct(StringComparer.Ordinal));
                Mark(path, f);
            }
            else if (value is YamlSequence sequence)
            {
                foreach (var item in sequence.Items)
                {
                    if (ScalarText(item, path + ".members") is { } text && !group.Members.Contains(text.Trim(), StringComparer.Ordinal))
                    {
                        group.Members.Add(text.Trim());
                    }
                }

                AddMark(path + ".members", value);
            }
            else if (!(value is YamlScalar { IsNull: true }) && value is not YamlMapping)
            {
                WrongType(value, path, "a list of user names ([alice, bob]) or a mapping with members, source, description");
            }

            policy.Groups.Add(group);
            AddMark(path, key);
        }
    }

    private void ReadGrant(YamlNode node, int index)
    {
        var path = EntityPath("access", PeekKey(node, "id"), index);
        if (ReadMapping(node, path, AccessKeys) is not { } f)
        {
            return;
        }

        var grant = new PendingGrant(f, ReadString(f, "id"), ReadString(f, "group", required: true) ?? string.Empty)
        {
            Description = ReadString(f, "description"),
        };
        foreach (var (text, item) in ReadStrings(f, "hosts", allowSingle: true, required: true))
        {
            if (QaAccessTarget.TryParse(text, out var target, out var error))
            {
                if (!grant.Hosts.Contains(target!))
                {
                    grant.Hosts.Add(target!);
                }
            }
            else
            {
                errors.Add(item, error! with { Target = path + ".hosts", Path = path + ".hosts" });
            }
        }

        foreach (var (text, item) in ReadStrings(f, "rights", allowSingle: true, required: true))
        {
            QaAccessRight? right = text.Trim().ToLowerInvariant() switch
            {
                "shell" => QaAccessRight.Shell,
                "sudo" => QaAccessRight.Sudo,
                _ => null,
            };
            if (right is null)
            {
                errors.Add(item, QaErrorIds.PolicyWrongType, path + ".rights",
                    $"'{text}' is not a valid right at {path}.rights.", "Use one of: shell, sudo.");
            }
            else if (!grant.Rights.Contains(right.Value))
            {
                grant.Rights.Add(right.Value);
            }
        }

        grants.Add(grant);
    }

    private sealed record PendingGrant(Fields Fields, string? Id, string Group) : IPendingEntry<QaAccessGrant>
    {
        public List<QaAccessTarget> Hosts { get; } = new();

        public List<QaAccessRight> Rights { get; } = new();

        public string? Description { get; init; }

        public string DeriveId(QaPolicy policy) => AccessEditor.DeriveGrantId(policy, Group, Hosts, Rights);

        public QaAccessGrant Build(QaPolicy policy, string id) =>
            PolicyParts.NewGrant(policy, id, new AccessGrantSpec(Group, Hosts, Rights) { Description = Description });
    }
}
