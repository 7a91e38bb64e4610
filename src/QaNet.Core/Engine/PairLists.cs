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
/// rules with the same sources), so the source rows become ~2.4 times narrower; columns are
/// numbered most-listed first, which puts the bits most walks test in the first words of a row.</item>
/// <item>Entries are 16-bit when the counts allow (they do up to 65,536 slots and columns),
/// and the slot of an entry is only read when its column matches.</item>
/// </list>
/// </remarks>
internal sealed class PairLists
{
    private readonly int portClasses;
    private readonly long[] pairs;
    private readonly ushort[]? columns16;
    private readonly int[]? columns32;
    private readonly ushort[]? slots16;
    private readonly int[]? slots32;
    private readonly ulong[] columnRows;
    private readonly int columnWords;

    private PairLists(int portClasses, long[] pairs, List<int> slots, int[] columnOfSlot, ulong[] columnRows, int columnWords, int columns)
    {
        this.portClasses = portClasses;
        this.pairs = pairs;
        this.columnRows = columnRows;
        this.columnWords = columnWords;
        if (columns <= 1 << 16)
        {
            columns16 = slots.Select(s => (ushort)columnOfSlot[s]).ToArray();
        }
        else
        {
            columns32 = slots.Select(s => columnOfSlot[s]).ToArray();
        }

        if (columnOfSlot.Length <= 1 << 16)
        {
            slots16 = slots.Select(s => (ushort)s).ToArray();
        }
        else
        {
            slots32 = slots.ToArray();
        }
    }

    /// <summary>Distinct lists' entries in all (for the performance notes).</summary>
    public int EntryCount => columns16?.Length ?? columns32!.Length;

    /// <summary>Distinct source columns.</summary>
    public int ColumnCount { get; private init; }

    /// <summary>Bytes of the tables a decision reads from here.</summary>
    public long Bytes => (pairs.Length * 8L) + (columnRows.Length * 8L) +
                         (EntryCount * (long)((columns16 is null ? 4 : 2) + (slots16 is null ? 4 : 2)));

    public static PairLists Build(BitRows source, BitRows destination, BitRows port)
    {
        var slotCount = source.Bits;
        var pairs = new long[destination.Count * port.Count];
        var slots = new List<int>();
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
                    continue;
                }

                var begin = Find(listsByHash, hash, slots, scratch);
                if (begin < 0)
                {
                    begin = slots.Count;
                    slots.AddRange(scratch);
                    (listsByHash.TryGetValue(hash, out var same) ? same : listsByHash[hash] = new List<int>()).Add(begin);
                }

                pairs[(d * port.Count) + p] = ((long)(begin + scratch.Count) << 32) | (uint)begin;
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

        return new PairLists(port.Count, pairs, slots, columnOfSlot, rows, words, columns) { ColumnCount = columns };
    }

    /// <summary>The first slot listed for the pair whose column holds source class <paramref name="s"/>, or -1.</summary>
    public int First(int s, int d, int p) => First(s, Pair(d, p));

    /// <summary>The pair's list as (end &lt;&lt; 32 | begin), to read it once per decision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Pair(int d, int p) => pairs[(d * portClasses) + p];

    public static bool IsEmpty(long pair) => (int)pair == (int)(pair >> 32);

    /// <summary>As <see cref="First(int,int,int)"/> for a pair read with <see cref="Pair"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int First(int s, long pair)
    {
        var (begin, end) = ((int)pair, (int)(pair >> 32));
        return columns16 is not null
            ? Walk(columns16, slots16, slots32, s * columnWords, begin, end)
            : Walk(columns32!, slots16, slots32, s * columnWords, begin, end);
    }

    /// <summary>As <see cref="First(int,int,int)"/>, among the slots in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public int First(int s, int d, int p, int from, int to)
    {
        var pair = pairs[(d * portClasses) + p];
        var (begin, end) = ((int)pair, (int)(pair >> 32));
        var (lo, hi) = (begin, end);
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (SlotAt(mid) < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var row = s * columnWords;
        for (var i = lo; i < end; i++)
        {
            var slot = SlotAt(i);
            if (slot >= to)
            {
                break;
            }

            var c = columns16 is not null ? columns16[i] : columns32![i];
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
        var pair = pairs[(d * portClasses) + p];
        for (var i = (int)pair; i < (int)(pair >> 32); i++)
        {
            yield return SlotAt(i);
        }
    }

    private int SlotAt(int i) => slots16 is not null ? slots16[i] : slots32![i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Walk<TColumn>(TColumn[] columns, ushort[]? narrow, int[]? wide, int row, int begin, int end)
        where TColumn : unmanaged, IBinaryInteger<TColumn>
    {
        // Indices come from the compiled tables and are in range; the checks cost ~10 % of a walk.
        ref var rows = ref MemoryMarshal.GetArrayDataReference(columnRows);
        ref var first = ref MemoryMarshal.GetArrayDataReference(columns);
        for (var i = begin; i < end; i++)
        {
            var c = int.CreateTruncating(Unsafe.Add(ref first, i));
            if (((Unsafe.Add(ref rows, row + (c >> 6)) >> c) & 1) != 0)
            {
                return narrow is not null ? narrow[i] : wide![i];
            }
        }

        return -1;
    }

    private static int Find(Dictionary<ulong, List<int>> byHash, ulong hash, List<int> slots, List<int> list)
    {
        if (!byHash.TryGetValue(hash, out var begins))
        {
            return -1;
        }

        var span = CollectionsMarshal.AsSpan(slots);
        var wanted = CollectionsMarshal.AsSpan(list);
        foreach (var begin in begins)
        {
            if (begin + wanted.Length <= span.Length && span.Slice(begin, wanted.Length).SequenceEqual(wanted))
            {
                return begin;
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
