using System.Text;

namespace QaNet.Core.Publish;

/// <summary>
/// ebtables-save / ebtables-restore text. ebtables-restore replaces every table it is given, so
/// QaNet builds its input from the live ebtables-save: the other chains and rules exactly as they
/// are, QaNet's chains (by prefix) and its jump rules in the built-in chains from the artifact.
/// </summary>
internal static class EbtablesText
{
    private static readonly HashSet<string> BuiltInChains = new(StringComparer.Ordinal)
    {
        "INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING", "BROUTING",
    };

    internal sealed class Table
    {
        public Table(string name)
        {
            Name = name;
        }

        public string Name { get; }

        /// <summary>Chain declarations in order: name and policy.</summary>
        public List<(string Name, string Policy)> Chains { get; } = new();

        /// <summary>Rules in order: chain and the whole "-A …" line.</summary>
        public List<(string Chain, string Line)> Rules { get; } = new();
    }

    public static List<Table> Parse(string text)
    {
        var tables = new List<Table>();
        Table? current = null;
        foreach (var raw in text.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line == "COMMIT")
            {
                continue;
            }

            if (line.StartsWith('*'))
            {
                current = tables.Find(t => t.Name == line[1..]) ?? new Table(line[1..]);
                if (!tables.Contains(current))
                {
                    tables.Add(current);
                }
            }
            else if (current is null)
            {
                throw new FormatException($"ebtables text has '{line}' before any '*table' line.");
            }
            else if (line.StartsWith(':'))
            {
                var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                current.Chains.Add((parts[0], parts.Length > 1 ? parts[1] : "ACCEPT"));
            }
            else if (line.StartsWith("-A ", StringComparison.Ordinal))
            {
                var chain = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
                current.Rules.Add((chain, string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
            }
            else
            {
                throw new FormatException($"ebtables text has a line ebtables-restore does not take: '{line}'.");
            }
        }

        return tables;
    }

    public static bool IsOwnedChain(string chain, string prefix) => chain.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>A rule is QaNet's when it lives in one of QaNet's chains or jumps into one.</summary>
    public static bool IsOwnedRule((string Chain, string Line) rule, string prefix)
    {
        if (IsOwnedChain(rule.Chain, prefix))
        {
            return true;
        }

        var words = rule.Line.Split(' ');
        var j = Array.IndexOf(words, "-j");
        return j >= 0 && j + 1 < words.Length && IsOwnedChain(words[j + 1], prefix);
    }

    /// <summary>QaNet's part of an ebtables-save text, one line per item, for comparison.</summary>
    public static string Owned(string text, string prefix)
    {
        var sb = new StringBuilder();
        foreach (var t in Parse(text))
        {
            var chains = t.Chains.Where(c => IsOwnedChain(c.Name, prefix)).ToList();
            var rules = t.Rules.Where(r => IsOwnedRule(r, prefix)).ToList();
            if (chains.Count == 0 && rules.Count == 0)
            {
                continue;
            }

            sb.Append('*').Append(t.Name).Append('\n');
            foreach (var c in chains)
            {
                sb.Append(':').Append(c.Name).Append(' ').Append(c.Policy).Append('\n');
            }

            foreach (var r in rules)
            {
                sb.Append(r.Line).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The ebtables-restore input that puts the artifact's chains in place of QaNet's live ones.
    /// Only tables that hold QaNet chains (live or wanted) are included; ebtables-restore leaves
    /// the others alone. QaNet's rules in built-in chains go first, the host's own rules follow
    /// in their order.
    /// </summary>
    public static (string Text, IReadOnlyList<string> Tables) Merge(string live, string artifact, string prefix)
    {
        var liveTables = Parse(live);
        var wanted = Parse(artifact);
        var names = liveTables.Where(t => t.Chains.Any(c => IsOwnedChain(c.Name, prefix)) || t.Rules.Any(r => IsOwnedRule(r, prefix)))
            .Select(t => t.Name)
            .Concat(wanted.Select(t => t.Name))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var sb = new StringBuilder();
        foreach (var name in names)
        {
            var l = liveTables.Find(t => t.Name == name) ?? new Table(name);
            var w = wanted.Find(t => t.Name == name) ?? new Table(name);
            var chains = l.Chains.Where(c => !IsOwnedChain(c.Name, prefix)).ToList();
            foreach (var c in w.Chains.Where(c => BuiltInChains.Contains(c.Name) && chains.All(k => k.Name != c.Name)))
            {
                chains.Add(c);
            }

            chains.AddRange(w.Chains.Where(c => IsOwnedChain(c.Name, prefix)));
            sb.Append('*').Append(name).Append('\n');
            foreach (var c in chains)
            {
                sb.Append(':').Append(c.Name).Append(' ').Append(c.Policy).Append('\n');
            }

            foreach (var c in chains)
            {
                var rules = IsOwnedChain(c.Name, prefix)
                    ? w.Rules.Where(r => r.Chain == c.Name)
                    : w.Rules.Where(r => r.Chain == c.Name && IsOwnedRule(r, prefix))
                        .Concat(l.Rules.Where(r => r.Chain == c.Name && !IsOwnedRule(r, prefix)));
                foreach (var r in rules)
                {
                    sb.Append(r.Line).Append('\n');
                }
            }
        }

        return (sb.ToString(), names);
    }

    /// <summary>The given tables of a saved text, as ebtables-restore input (tables it lacks come back empty).</summary>
    public static string Select(string saved, IEnumerable<string> tableNames)
    {
        var tables = Parse(saved);
        var sb = new StringBuilder();
        foreach (var name in tableNames)
        {
            var t = tables.Find(x => x.Name == name);
            sb.Append('*').Append(name).Append('\n');
            if (t is null)
            {
                continue;
            }

            foreach (var c in t.Chains)
            {
                sb.Append(':').Append(c.Name).Append(' ').Append(c.Policy).Append('\n');
            }

            foreach (var r in t.Rules)
            {
                sb.Append(r.Line).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>ebtables-save output without its time-stamped comments.</summary>
    public static string Normalize(string saved) =>
        string.Join('\n', saved.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n')
            .Select(l => l.TrimEnd()).Where(l => l.Length > 0 && !l.StartsWith('#')));
}
