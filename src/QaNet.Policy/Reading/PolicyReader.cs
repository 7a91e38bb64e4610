using System.Net;
using QaNet.Core.Checking;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>
/// Builds a <see cref="QaPolicy"/> from a policy file's node tree: every key checked, every
/// value parsed where it stands, defaults filled only once every explicit value is known, and
/// the whole model validated once, with each validator error pointed back at its line.
/// </summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] PolicyKeys = { "version", "name", "description", "hosts", "networks", "endpoints", "rules", "tests", "jumpHost", "directory", "groups", "access", "transports" };

    // A stand-in for values that failed to parse; the policy is never returned when there are errors.
    private static readonly IPNetwork Unparsed = new(IPAddress.Any, 0);

    private readonly PolicyErrors errors;
    private readonly YamlNode root;

    // PolicyValidator's paths → the nodes they came from. Several nodes share a path only when
    // names repeat, and then the validator's duplicate error belongs to the later one.
    private readonly Dictionary<string, List<YamlNode>> marks = new(StringComparer.Ordinal);

    private PolicyReader(PolicyErrors errors, YamlNode root)
    {
        this.errors = errors;
        this.root = root;
    }

    /// <summary>Parses and validates; throws one <see cref="QaValidationException"/> listing every problem found.</summary>
    public static QaPolicy Read(string text, string sourceName)
    {
        var errors = new PolicyErrors(sourceName);
        var root = YamlTreeReader.Read(text, errors);
        if (root is null)
        {
            if (!errors.Any)
            {
                errors.Add(1, 1, new QaValidationError(QaErrorIds.PolicyWrongType, "file", null,
                    "The file holds no policy.", "Write a policy: a mapping that starts with 'version: 1' (see docs/policy-format.md)."));
            }

            throw errors.ToException();
        }

        var reader = new PolicyReader(errors, root);
        var policy = reader.ReadPolicy();

        // Values that did not parse leave stand-ins behind; validating those would only add noise.
        if (policy is null || errors.Any)
        {
            throw errors.ToException();
        }

        reader.Validate(policy);
        if (errors.Any)
        {
            throw errors.ToException();
        }

        return policy;
    }

    private QaPolicy? ReadPolicy()
    {
        var fields = ReadMapping(root, string.Empty, PolicyKeys);
        if (fields is null || !ReadVersion(fields))
        {
            return null;
        }

        var policy = new QaPolicy(ReadString(fields, "name", required: true) ?? string.Empty)
        {
            Description = ReadString(fields, "description"),
        };
        Mark(string.Empty, fields);
        ReadHosts(policy, fields);
        ForEach(fields, "endpoints", (node, i) => ReadEndpoint(policy, node, i));
        ForEach(fields, "networks", (node, i) => ReadNetwork(policy, node, i));
        ForEach(fields, "rules", (node, i) => ReadRule(node, i));
        ForEach(fields, "tests", (node, i) => ReadTest(policy, node, i));
        ReadAccessSections(policy, fields);
        ReadTransports(policy, fields);
        if (errors.Any)
        {
            return policy;
        }

        FillClientDefaults(policy);
        if (!errors.Any)
        {
            BuildInFileOrder(policy, rules, policy.Rules, "rules");
            BuildInFileOrder(policy, grants, policy.AccessGrants, "access");
        }

        return policy;
    }

    private bool ReadVersion(Fields fields)
    {
        var node = fields["version"];
        if (node is null)
        {
            Missing(fields, "version");
            return false;
        }

        var text = ScalarText(node, "version");
        if (text is null)
        {
            return false;
        }

        if (text.Trim() == "1")
        {
            return true;
        }

        errors.Add(node, QaErrorIds.PolicyVersionUnsupported, "version",
            $"The policy format version '{text}' is not supported; this QaNet reads version 1.",
            "Write 'version: 1', or use the QaNet release that wrote this file.");
        return false;
    }

    private void ForEach(Fields fields, string key, Action<YamlNode, int> read)
    {
        var items = ReadList(fields, key);
        for (var i = 0; i < items.Count; i++)
        {
            read(items[i], i);
        }
    }

    /// <summary>
    /// Rules (and grants) keep file order; ids are derived only after every explicit id is taken, so a
    /// derived id never collides with an explicit one further down.
    /// </summary>
    private void BuildInFileOrder<T>(QaPolicy policy, IReadOnlyList<IPendingEntry<T>> pending, QaList<T> list, string section)
    {
        var built = new T[pending.Count];
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < pending.Count; i++)
            {
                var entry = pending[i];
                if ((pass == 0) != (entry.Id is not null))
                {
                    continue;
                }

                var id = entry.Id ?? entry.DeriveId(policy);
                built[i] = entry.Build(policy, id);
                list.Add(built[i]);
                Mark($"{section}[{id}]", entry.Fields);
            }
        }

        list.Clear();
        list.AddRange(built);
    }

    private void Validate(QaPolicy policy)
    {
        var duplicatesSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var error in PolicyValidator.Validate(policy))
        {
            var occurrence = 0;
            if (error.Id is QaErrorIds.DuplicateNetwork or QaErrorIds.DuplicateEndpoint or QaErrorIds.DuplicateClientName or QaErrorIds.DuplicateRuleId or
                QaErrorIds.DuplicateGrantId)
            {
                // The validator reports the second, third, … holder of a name; so do we.
                occurrence = duplicatesSeen[error.Path ?? string.Empty] = duplicatesSeen.GetValueOrDefault(error.Path ?? string.Empty) + 1;
            }

            errors.Add(Locate(error.Path ?? string.Empty, occurrence), error);
        }
    }

    /// <summary>The node a validator path came from, or the nearest enclosing one that is in the file.</summary>
    private YamlNode Locate(string path, int occurrence)
    {
        for (var p = path; ; p = Parent(p))
        {
            if (marks.TryGetValue(p, out var nodes))
            {
                return nodes[Math.Min(occurrence, nodes.Count - 1)];
            }

            if (p.Length == 0)
            {
                return root;
            }
        }
    }

    /// <summary><c>a[x.y].b</c> → <c>a[x.y]</c> → <c>a</c> → "" (names may hold dots, so brackets are respected).</summary>
    internal static string Parent(string path)
    {
        var depth = 0;
        for (var i = path.Length - 1; i >= 0; i--)
        {
            switch (path[i])
            {
                case ']':
                    depth++;
                    break;
                case '[':
                    if (--depth == 0)
                    {
                        return path[..i];
                    }

                    break;
                case '.' when depth == 0:
                    return path[..i];
            }
        }

        return string.Empty;
    }

    private void Mark(string path, Fields f)
    {
        AddMark(path, f.Node);
        foreach (var (key, value) in f.Present)
        {
            AddMark(Fields.Join(path, key.Value), value is YamlScalar { IsNull: true } ? key : value);
        }
    }

    private void AddMark(string path, YamlNode node)
    {
        if (!marks.TryGetValue(path, out var nodes))
        {
            marks[path] = nodes = new List<YamlNode>(1);
        }

        nodes.Add(node);
    }

    /// <summary>A mapping's name (or id) read ahead, so errors inside it can say which one it is.</summary>
    private static string? PeekKey(YamlNode node, string key) =>
        node is YamlMapping mapping &&
        mapping.Entries.FirstOrDefault(e => e.Key.Value == key).Value is YamlScalar { IsNull: false } scalar
            ? scalar.Value
            : null;

    private static string EntityPath(string list, string? name, int index) =>
        name is null ? $"{list}[#{index + 1}]" : $"{list}[{name}]";

    /// <summary>A rule or grant as read, built once its id is known (<see cref="BuildInFileOrder"/>).</summary>
    private interface IPendingEntry<out T>
    {
        Fields Fields { get; }

        /// <summary>The id the file gives, or null to derive one.</summary>
        string? Id { get; }

        string DeriveId(QaPolicy policy);

        T Build(QaPolicy policy, string id);
    }
}
