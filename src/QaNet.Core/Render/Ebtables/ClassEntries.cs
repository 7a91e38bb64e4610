namespace QaNet.Core.Render.Ebtables;

/// <summary>A class chain's entries (chain name left empty) compared by value: equal entries, one shared chain.</summary>
internal sealed class ClassEntries : IEquatable<ClassEntries>
{
    private readonly bool outbound;
    private readonly List<EbtRule> entries;
    private readonly int hash;

    public ClassEntries(bool outbound, List<EbtRule> entries)
    {
        this.outbound = outbound;
        this.entries = entries;
        hash = entries.Aggregate(outbound ? 1 : 0, (h, e) => HashCode.Combine(h, e));
    }

    public bool Equals(ClassEntries? other) =>
        other is not null && other.hash == hash && other.outbound == outbound && other.entries.SequenceEqual(entries);

    public override bool Equals(object? obj) => Equals(obj as ClassEntries);

    public override int GetHashCode() => hash;
}
