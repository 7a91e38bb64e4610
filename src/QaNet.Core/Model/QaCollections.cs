using System.Collections;

namespace QaNet.Core.Model;

/// <summary>
/// A list in the policy model: read-only to everyone outside QaNet's own assemblies (cmdlets,
/// scripts, PowerShell pipelines), so that every change of a policy goes through
/// <c>Editing/PolicyEditor</c> (validate, or undo) or the policy reader. The mutators are
/// internal: the editor, the reader (QaNet.Policy) and the tests use them.
/// </summary>
public sealed class QaList<T> : IReadOnlyList<T>
{
    private readonly List<T> _items = new();

    public int Count => _items.Count;

    public T this[int index]
    {
        get => _items[index];
        internal set => _items[index] = value;
    }

    public bool Contains(T item) => _items.Contains(item);

    public int IndexOf(T item) => _items.IndexOf(item);

    public T? Find(Predicate<T> match) => _items.Find(match);

    public int FindIndex(Predicate<T> match) => _items.FindIndex(match);

    public bool Exists(Predicate<T> match) => _items.Exists(match);

    public bool TrueForAll(Predicate<T> match) => _items.TrueForAll(match);

    public List<T>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    internal void Add(T item) => _items.Add(item);

    internal void AddRange(IEnumerable<T> items) => _items.AddRange(items);

    internal void Insert(int index, T item) => _items.Insert(index, item);

    internal bool Remove(T item) => _items.Remove(item);

    internal void RemoveAt(int index) => _items.RemoveAt(index);

    internal int RemoveAll(Predicate<T> match) => _items.RemoveAll(match);

    internal void RemoveRange(int index, int count) => _items.RemoveRange(index, count);

    internal void Reverse(int index, int count) => _items.Reverse(index, count);

    internal void Clear() => _items.Clear();

    public override string ToString() => $"{Count} item(s)";
}

/// <summary>
/// A map in the policy model (host names, transports, an uplink's underlay and NICs), sorted by
/// key: read-only outside QaNet's own assemblies, like <see cref="QaList{T}"/>.
/// </summary>
public sealed class QaDictionary<TValue> : IReadOnlyDictionary<string, TValue>
{
    private readonly SortedDictionary<string, TValue> _items;

    internal QaDictionary(StringComparer comparer)
    {
        _items = new SortedDictionary<string, TValue>(comparer);
    }

    public int Count => _items.Count;

    public TValue this[string key]
    {
        get => _items[key];
        internal set => _items[key] = value;
    }

    public IEnumerable<string> Keys => _items.Keys;

    public IEnumerable<TValue> Values => _items.Values;

    public bool ContainsKey(string key) => _items.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TValue value) => _items.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    internal void Add(string key, TValue value) => _items.Add(key, value);

    internal bool TryAdd(string key, TValue value) => _items.TryAdd(key, value);

    internal bool Remove(string key) => _items.Remove(key);

    internal void Clear() => _items.Clear();

    public override string ToString() => $"{Count} item(s)";
}
