namespace QaNet.Core.Engine;

/// <summary>
/// A sweep over one coordinate space: spans of items (an item sets a run of bits) become
/// elementary intervals, each mapped to the class of the set of items covering it.
/// Adjacent intervals of the same class merge.
/// </summary>
internal sealed class Sweep
{
    private readonly BitRows rows;
    private readonly int[] itemLo;
    private readonly int[] itemHi;
    private readonly ulong[] itemHash;
    private readonly int[] counts;
    private readonly ulong[] current;
    private ulong hash;

    public Sweep(BitRows rows, int[] itemLo, int[] itemHi, ulong[] itemHash)
    {
        this.rows = rows;
        this.itemLo = itemLo;
        this.itemHi = itemHi;
        this.itemHash = itemHash;
        counts = new int[itemLo.Length];
        current = new ulong[rows.Words];
    }

    public (UInt128[] Starts, int[] Classes) Run(List<(UInt128 First, UInt128 Last, int Item)> spans, UInt128 max)
    {
        Array.Clear(counts);
        Array.Clear(current);
        hash = 0;
        var n = 0;
        foreach (var s in spans)
        {
            n += s.Last == max ? 1 : 2;
        }

        var coords = new UInt128[n];
        var events = new int[n];
        var k = 0;
        foreach (var s in spans)
        {
            coords[k] = s.First;
            events[k++] = s.Item << 1;
            if (s.Last != max)
            {
                coords[k] = s.Last + 1;
                events[k++] = (s.Item << 1) | 1;
            }
        }

        Array.Sort(coords, events);
        var starts = new List<UInt128> { UInt128.Zero };
        var classes = new List<int> { 0 };
        var i = 0;
        while (i < n)
        {
            var at = coords[i];
            for (; i < n && coords[i] == at; i++)
            {
                Apply(events[i]);
            }

            var cls = rows.Intern(current, hash);
            if (cls == classes[^1])
            {
                continue;
            }

            if (starts[^1] == at)
            {
                classes[^1] = cls;
            }
            else
            {
                starts.Add(at);
                classes.Add(cls);
            }
        }

        return (starts.ToArray(), classes.ToArray());
    }

    private void Apply(int ev)
    {
        var item = ev >> 1;
        var end = (ev & 1) != 0;
        var before = counts[item];
        counts[item] = end ? before - 1 : before + 1;
        if (end ? before != 1 : before != 0)
        {
            return;
        }

        // The item's bits flip: 0 -> 1 on its first start, 1 -> 0 on its last end.
        for (var b = itemLo[item]; b <= itemHi[item]; b++)
        {
            current[b >> 6] ^= 1UL << b;
        }

        hash ^= itemHash[item];
    }
}
