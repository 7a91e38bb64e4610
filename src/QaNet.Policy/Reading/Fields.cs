using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>
/// One mapping of the policy file read against the keys it may have: unknown keys are
/// reported on construction (with a "did you mean" when one is close), the rest are looked up.
/// </summary>
internal sealed class Fields
{
    private readonly Dictionary<string, KeyValuePair<YamlScalar, YamlNode>> entries = new(StringComparer.Ordinal);

    /// <summary>The allowed keys an unknown key was taken for (<c>subnett</c> for <c>subnet</c>).</summary>
    private readonly HashSet<string> suggested = new(StringComparer.Ordinal);

    public Fields(PolicyErrors errors, YamlMapping node, string path, IReadOnlyList<string> allowed)
    {
        Node = node;
        Path = path;
        foreach (var entry in node.Entries)
        {
            var key = entry.Key.Value;
            if (allowed.Contains(key, StringComparer.Ordinal))
            {
                entries[key] = entry;
                continue;
            }

            var suggestion = Suggest(key, allowed);
            if (suggestion is not null)
            {
                suggested.Add(suggestion);
            }

            var where = path.Length == 0 ? "at the top level" : $"in {path}";
            errors.Add(entry.Key, QaErrorIds.PolicyUnknownKey, Join(path, key),
                $"Unknown key '{key}' {where}." + (suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?"),
                $"Use one of: {string.Join(", ", allowed)} (see docs/policy-format.md).");
        }
    }

    public YamlMapping Node { get; }

    /// <summary>Where this mapping sits, in PolicyValidator's path syntax (<c>networks[qa-clients]</c>).</summary>
    public string Path { get; }

    public IEnumerable<KeyValuePair<YamlScalar, YamlNode>> Present => entries.Values;

    /// <summary>The value of <paramref name="key"/>; null when the key is absent or has no value (<c>key:</c>, <c>~</c>).</summary>
    public YamlNode? this[string key] =>
        entries.TryGetValue(key, out var entry) && !(entry.Value is YamlScalar { IsNull: true }) ? entry.Value : null;

    /// <summary>
    /// Whether an unknown key of this mapping was reported as a likely misspelling of
    /// <paramref name="key"/>: then that report is the cause, and a missing <paramref name="key"/>
    /// is not a second problem.
    /// </summary>
    public bool Misspelled(string key) => suggested.Contains(key);

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string? Suggest(string key, IReadOnlyList<string> allowed)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in allowed)
        {
            var d = Distance(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                (best, bestDistance) = (candidate, d);
            }
        }

        // Close means a typo or two, and never most of the word.
        return bestDistance <= Math.Min(2, Math.Max(1, key.Length / 3)) ? best : null;
    }

    /// <summary>Levenshtein distance, capped for long keys so a hostile file cannot make it quadratic-expensive.</summary>
    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
