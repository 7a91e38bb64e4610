using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QaNet.Core.Engine;

/// <summary>
/// What a decision walks, laid out to stay in the cache: per (destination class, port
/// class) pair, the slots covering both, ascending, each with the source column it tests.
/// </summary>
/// <remarks>
/// On this machine a read that misses the ~2 MB the core can keep close costs ~180 ns,
/// about a whole decision (docs/performance.md), so the sizes matter more than the steps:
/// <list type="bullet">
/// <item>Pairs with the same slots share one list (half of all pairs at scale 1).</item>
/// <item>A slot's bit in the source class's row is replaced by its <em>column</em>: the set
/// of source classes its rule covers. Many slots share a column (every slot of a rule,
/// rules with the same sources), so the source rows become ~2.4 times narrower. Columns are
/// numbered most-listed first; walks still read nearly every line of the rows, since most of
/// the columns a walk tests do not hold its source.</item>
/// <item>A list is one block: its length, then its slots. A slot's column comes from a table
/// indexed by slot (21 KB at 10,000 rules, always close), which halved the lists against
/// storing each entry's column beside its slot. Entries are 16-bit when the counts allow
/// (fewer than 65,536 slots and columns), else 32-bit.</item>
/// </list>
/// </remarks>
internal sealed class PairLists
{
    private readonly int portClasses;
    private readonly int[] pairs;
    private readonly ushort[]? entries16;
    private readonly int[]? entries32;
    private readonly ulong[] columnRows;
    private readonly int columnWords;
    private readonly ushort[]? columns16;
    private readonly int[]? columns32;

    private PairLists(int portClasses, int[] pairs, ushort[]? entries16, int[]? entries32, ulong[] columnRows, int columnWords, int[] columnOfSlot)
    {
        if (entries16 is not null)
        {
            columns16 = Array.ConvertAll(columnOfSlot, c => (ushort)c);
        }
        else
        {
            columns32 = columnOfSlot;
        }

        this.portClasses = portClasses;
        this.pairs = pairs;
        this.entries16 = entries16;
        this.entries32 = entries32;
        this.columnRows = columnRows;
        this.columnWords = columnWords;
    }

    /// <summary>Distinct lists' entries in all (for the performance notes).</summary>
    public int EntryCount { get; private init; }

    /// <summary>Distinct source columns.</summary>
    public int ColumnCount { get; private init; }

    /// <summary>Bytes of the tables a decision reads from here.</summary>
    public long Bytes => (pairs.Length * 4L) + (columnRows.Length * 8L) +
                         (entries16 is not null ? (entries16.Length + columns16!.Length) * 2L : (entries32!.Length + columns32!.Length) * 4L);

    public static PairLists Build(BitRows source, BitRows destination, BitRows port, bool wide = false)
    {
        var slotCount = source.Bits;
        var pairList = new int[destination.Count * port.Count];
        var slots = new List<int>();
        var lists = new List<(int Begin, int Length)>();
        var listsByHash = new Dictionary<ulong, List<int>>();
        var scratch = new List<int>();
        for (var d = 0; d < destination.Count; d++)
        {
            var dr = destination.Row(d);
            for (var p = 0; p < port.Count; p++)
            {
                var pr = port.Row(p);
                scratch.Clear();
                var hash = 0xCBF29CE484222325UL;
                for (var w = 0; w < dr.Length; w++)
                {
                    var x = dr[w] & pr[w];
                    while (x != 0)
                    {
                        var slot = (w << 6) + BitOperations.TrailingZeroCount(x);
                        scratch.Add(slot);
                        hash = (hash ^ (ulong)slot) * 0x100000001B3UL;
                        x &= x - 1;
                    }
                }

                if (scratch.Count == 0)
                {
                    pairList[(d * port.Count) + p] = -1;
                    continue;
                }

                var list = Find(listsByHash, hash, lists, slots, scratch);
                if (list < 0)
                {
                    list = lists.Count;
                    lists.Add((slots.Count, scratch.Count));
                    slots.AddRange(scratch);
                    (listsByHash.TryGetValue(hash, out var same) ? same : listsByHash[hash] = new List<int>()).Add(list);
                }

                pairList[(d * port.Count) + p] = list;
            }
        }

        // Columns: the source classes of each slot (CSR), interned by content.
        var count = new int[slotCount + 1];
        for (var s = 1; s < source.Count; s++)
        {
            ForEachBit(source.Row(s), b => count[b + 1]++);
        }

        for (var b = 0; b < slotCount; b++)
        {
            count[b + 1] += count[b];
        }

        var members = new int[count[slotCount]];
        var fill = count[..slotCount];
        for (var s = 1; s < source.Count; s++)
        {
            ForEachBit(source.Row(s), b => members[fill[b]++] = s);
        }

        var columnOfSlot = new int[slotCount];
        var firstSlotOfColumn = new List<int>();
        var columnsByHash = new Dictionary<ulong, List<int>>();
        for (var b = 0; b < slotCount; b++)
        {
            var mine = members.AsSpan(count[b], count[b + 1] - count[b]);
            var hash = 0xCBF29CE484222325UL;
            foreach (var m in mine)
            {
                hash = (hash ^ (ulong)m) * 0x100000001B3UL;
            }

            var id = -1;
            if (columnsByHash.TryGetValue(hash, out var candidates))
            {
                foreach (var c in candidates)
                {
                    var other = firstSlotOfColumn[c];
                    if (members.AsSpan(count[other], count[other + 1] - count[other]).SequenceEqual(mine))
                    {
                        id = c;
                        break;
                    }
                }
            }

            if (id < 0)
            {
                id = firstSlotOfColumn.Count;
                firstSlotOfColumn.Add(b);
                (candidates ??= columnsByHash[hash] = new List<int>()).Add(id);
            }

            columnOfSlot[b] = id;
        }

        // Most-listed columns first.
        var columns = firstSlotOfColumn.Count;
        var uses = new int[columns];
        foreach (var slot in slots)
        {
            uses[columnOfSlot[slot]]++;
        }

        var order = Enumerable.Range(0, columns).OrderByDescending(c => uses[c]).ThenBy(c => c).ToArray();
        var renumber = new int[columns];
        for (var i = 0; i < columns; i++)
        {
            renumber[order[i]] = i;
        }

        for (var b = 0; b < slotCount; b++)
        {
            columnOfSlot[b] = renumber[columnOfSlot[b]];
        }

        var words = Math.Max(1, (columns + 63) >> 6);
        var rows = new ulong[source.Count * words];
        for (var c = 0; c < columns; c++)
        {
            var b = firstSlotOfColumn[c];
            var id = renumber[c];
            foreach (var s in members.AsSpan(count[b], count[b + 1] - count[b]))
            {
                rows[(s * words) + (id >> 6)] |= 1UL << id;
            }
        }

        // One block per list: its length, its columns, then its slots (read on a match, usually
        // in the same or the next cache line). Block 0 is the empty list.
        var blocks = new int[lists.Count];
        var size = 1;
        for (var l = 0; l < lists.Count; l++)
        {
            blocks[l] = size;
            size += 1 + lists[l].Length;
        }

        var entries = new int[size];
        for (var l = 0; l < lists.Count; l++)
        {
            var (begin, length) = lists[l];
            var at = blocks[l];
            entries[at] = length;
            for (var i = 0; i < length; i++)
            {
                entries[at + 1 + i] = slots[begin + i];
            }
        }

        var pairs = Array.ConvertAll(pairList, l => l < 0 ? 0 : blocks[l]);
        var narrow = !wide && slotCount < 1 << 16 && columns < 1 << 16;
        return new PairLists(port.Count, pairs, narrow ? Array.ConvertAll(entries, e => (ushort)e) : null, narrow ? null : entries, rows, words, columnOfSlot)
        {
            ColumnCount = columns,
            EntryCount = slots.Count,
        };
    }

    /// <summary>The first slot listed for the pair whose column holds source class <paramref name="s"/>, or -1.</summary>
    public int First(int s, int d, int p) => First(s, Pair(d, p));

    /// <summary>The pair's list (its block), to read it once per decision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Pair(int d, int p) => pairs[(d * portClasses) + p];

    /// <summary>Whether no slot is listed for the pair (then no source can match it).</summary>
    public static bool IsEmpty(int pair) => pair == 0;

    /// <summary>As <see cref="First(int,int,int)"/> for a pair read with <see cref="Pair"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int First(int s, int pair) =>
        entries16 is not null ? Walk(entries16, columns16!, s * columnWords, pair) : Walk(entries32!, columns32!, s * columnWords, pair);

    /// <summary>As <see cref="First(int,int,int)"/>, among the slots in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public int First(int s, int d, int p, int from, int to)
    {
        var block = Pair(d, p);
        var length = EntryAt(block);
        var (lo, hi) = (0, length);
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (EntryAt(block + 1 + mid) < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var row = s * columnWords;
        for (var i = lo; i < length; i++)
        {
            var slot = EntryAt(block + 1 + i);
            if (slot >= to)
            {
                break;
            }

            var c = ColumnOf(slot);
            if (((columnRows[row + (c >> 6)] >> c) & 1) != 0)
            {
                return slot;
            }
        }

        return -1;
    }

    /// <summary>The slots listed for the pair, ascending.</summary>
    public IEnumerable<int> Slots(int d, int p)
    {
        var block = Pair(d, p);
        var length = EntryAt(block);
        for (var i = 0; i < length; i++)
        {
            yield return EntryAt(block + 1 + i);
        }
    }

    private int ColumnOf(int slot) => columns16 is not null ? columns16[slot] : columns32![slot];

    private int EntryAt(int i) => entries16 is not null ? entries16[i] : entries32![i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Walk<T>(T[] entries, T[] columnsOf, int row, int block)
        where T : unmanaged, IBinaryInteger<T>
    {
        // Indices come from the compiled tables and are in range; the checks cost ~10 % of a walk.
        ref var rows = ref MemoryMarshal.GetArrayDataReference(columnRows);
        ref var list = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entries), block);
        var length = int.CreateTruncating(list);
        ref var columns = ref MemoryMarshal.GetArrayDataReference(columnsOf);
        for (var i = 1; i <= length; i++)
        {
            var slot = int.CreateTruncating(Unsafe.Add(ref list, i));
            var c = int.CreateTruncating(Unsafe.Add(ref columns, slot));
            if (((Unsafe.Add(ref rows, row + (c >> 6)) >> c) & 1) != 0)
            {
                return slot;
            }
        }

        return -1;
    }

    private static int Find(Dictionary<ulong, List<int>> byHash, ulong hash, List<(int Begin, int Length)> lists, List<int> slots, List<int> wanted)
    {
        if (!byHash.TryGetValue(hash, out var candidates))
        {
            return -1;
        }

        var all = CollectionsMarshal.AsSpan(slots);
        foreach (var l in candidates)
        {
            var (begin, length) = lists[l];
            if (length == wanted.Count && all.Slice(begin, length).SequenceEqual(CollectionsMarshal.AsSpan(wanted)))
            {
                return l;
            }
        }

        return -1;
    }

    private static void ForEachBit(ReadOnlySpan<ulong> row, Action<int> action)
    {
        for (var w = 0; w < row.Length; w++)
        {
            var x = row[w];
            while (x != 0)
            {
                action((w << 6) + BitOperations.TrailingZeroCount(x));
                x &= x - 1;
            }
        }
    }
}
