using System.Text;
using System.Text.RegularExpressions;

namespace QaNet.Core.Publish;

/// <summary>
/// nftables text: the replace transaction for a table QaNet owns, and the normal form of a
/// listing used to compare live state with what nft itself makes of the rendered text.
/// </summary>
internal static partial class NftText
{
    [GeneratedRegex(@"counter packets \d+ bytes \d+", RegexOptions.CultureInvariant)]
    private static partial Regex CounterRegex();

    [GeneratedRegex(@" expires [0-9a-z]+", RegexOptions.CultureInvariant)]
    private static partial Regex ExpiresRegex();

    /// <summary>
    /// One atomic batch: make sure the table exists, delete it, and (unless it must go) define it
    /// again. Deleting rather than flushing lets a set or chain change its type in the same batch.
    /// </summary>
    public static string ReplaceTransaction(string family, string name, string? definition)
    {
        var sb = new StringBuilder();
        sb.Append("table ").Append(family).Append(' ').Append(name).Append('\n');
        sb.Append("delete table ").Append(family).Append(' ').Append(name).Append('\n');
        if (definition is not null)
        {
            sb.Append(definition.TrimEnd()).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// The comparable form of a listing: comments and blank lines dropped, counter values and
    /// element expiry times (which change by themselves) zeroed.
    /// </summary>
    public static string Normalize(string listing)
    {
        var lines = listing.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n')
            .Select(l => l.TrimEnd())
            .Where(l => l.Length > 0 && !l.TrimStart().StartsWith('#'))
            .Select(l => ExpiresRegex().Replace(CounterRegex().Replace(l, "counter packets 0 bytes 0"), string.Empty));
        return string.Join('\n', lines);
    }

    /// <summary>A listing split into its objects (chains, sets, maps …) with chain rules one by one.</summary>
    public static Dictionary<string, NftObject> Parse(string listing)
    {
        var objects = new Dictionary<string, NftObject>(StringComparer.Ordinal);
        NftObject? current = null;
        var pending = new StringBuilder();
        var depth = 0;
        foreach (var raw in Normalize(listing).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var before = depth;
            depth += line.Count(c => c == '{') - line.Count(c => c == '}');
            if (before == 1 && line.EndsWith('{') && depth == 2)
            {
                current = new NftObject(line.TrimEnd('{').Trim());
                objects[current.Header] = current;
                continue;
            }

            if (current is null || (before == 2 && depth == 1 && line == "}"))
            {
                current = depth <= 1 ? null : current;
                continue;
            }

            // A statement can span lines (long anonymous sets); join until its braces balance.
            pending.Append(pending.Length > 0 ? " " : string.Empty).Append(line);
            if (depth > 2)
            {
                continue;
            }

            var statement = pending.ToString();
            pending.Clear();
            if (current.IsChain && !statement.StartsWith("type ", StringComparison.Ordinal) && !statement.StartsWith("policy ", StringComparison.Ordinal))
            {
                current.Rules.Add(statement);
            }
            else
            {
                current.Body.Add(statement);
            }
        }

        return objects;
    }

    /// <summary>
    /// When <paramref name="live"/> and <paramref name="expected"/> (both nft listings of the table)
    /// differ only in the elements of sets, the batch that makes it so without touching chains:
    /// per changed set <c>flush set</c> and <c>add element</c> with the wanted elements, in one
    /// transaction (whole element lists, because interval sets merge neighbours and a single
    /// element of a merged range cannot be deleted). Also the batch back to <paramref name="live"/>.
    /// Null when anything else differs.
    /// </summary>
    public static (string Apply, string Undo, IReadOnlyList<string> Sets)? SetElementDelta(string family, string table, string live, string expected)
    {
        var have = Parse(live);
        var want = Parse(expected);
        if (!have.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(want.Keys))
        {
            return null;
        }

        var changed = new List<string>();
        foreach (var (header, w) in want)
        {
            var h = have[header];
            if (!w.Rules.SequenceEqual(h.Rules, StringComparer.Ordinal)
                || !w.Body.Where(l => !IsElements(l)).SequenceEqual(h.Body.Where(l => !IsElements(l)), StringComparer.Ordinal))
            {
                return null;
            }

            if (!w.Body.Where(IsElements).SequenceEqual(h.Body.Where(IsElements), StringComparer.Ordinal))
            {
                if (!header.StartsWith("set ", StringComparison.Ordinal))
                {
                    return null;
                }

                changed.Add(header);
            }
        }

        if (changed.Count == 0)
        {
            return null;
        }

        string Batch(Dictionary<string, NftObject> source)
        {
            var sb = new StringBuilder();
            foreach (var header in changed)
            {
                var set = header["set ".Length..];
                sb.Append("flush set ").Append(family).Append(' ').Append(table).Append(' ').Append(set).Append('\n');
                if (source[header].Body.FirstOrDefault(IsElements) is { } line)
                {
                    var elements = line[(line.IndexOf('{', StringComparison.Ordinal) + 1)..line.LastIndexOf('}')].Trim();
                    if (elements.Length > 0)
                    {
                        sb.Append("add element ").Append(family).Append(' ').Append(table).Append(' ').Append(set)
                            .Append(" { ").Append(elements).Append(" }\n");
                    }
                }
            }

            return sb.ToString();
        }

        return (Batch(want), Batch(have), changed.Select(h => h["set ".Length..]).ToList());
    }

    private static bool IsElements(string statement) => statement.StartsWith("elements = ", StringComparison.Ordinal);

    internal sealed class NftObject
    {
        public NftObject(string header)
        {
            Header = header;
        }

        /// <summary>"chain forward", "set clients" …</summary>
        public string Header { get; }

        public bool IsChain => Header.StartsWith("chain ", StringComparison.Ordinal);

        /// <summary>Everything but chain rules: chain type/policy, set type, flags, elements.</summary>
        public List<string> Body { get; } = new();

        public List<string> Rules { get; } = new();
    }
}
