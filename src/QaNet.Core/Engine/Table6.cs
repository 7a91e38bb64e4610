using System.Numerics;

namespace QaNet.Core.Engine;

/// <summary>
/// The IPv6 class lookup by /64 block. Policies name /64 networks and addresses or small
/// prefixes inside them, so the interval starts cluster in few blocks. A block that holds
/// starts is found by hashing its upper 64 bits and holds its own short list of (lower 64
/// bits, class); any other block lies inside one interval, found by binary search over the
/// 64-bit starts of a coarse partition that has a start only where a block boundary is an
/// interval boundary. Replaces a binary search over all 128-bit starts (~88 ns a lookup at
/// scale 1, 4–5 times an IPv4 lookup through <see cref="Trie4"/>).
/// </summary>
internal sealed class Table6
{
    private readonly int[] blockOfSlot;
    private readonly ulong[] keyOfSlot;
    private readonly int shift;
    private readonly int[] blockFirst;
    private readonly ulong[] lows;
    private readonly int[] lowClasses;
    private readonly ulong[] coarse;
    private readonly int[] coarseClasses;

    public Table6(UInt128[] starts, int[] classes)
    {
        int ClassAt(UInt128 x) => classes[AddressPartition.Find(starts, x)];

        // Blocks with a start strictly inside: each gets (0, class at its first address) and its inner starts.
        var blocks = new List<ulong>();
        var first = new List<int>();
        var lowList = new List<ulong>();
        var classList = new List<int>();
        var points = new SortedSet<ulong> { 0 };
        for (var i = 1; i < starts.Length; i++)
        {
            var (hi, lo) = ((ulong)(starts[i] >> 64), (ulong)starts[i]);
            if (lo == 0)
            {
                points.Add(hi);
                continue;
            }

            if (blocks.Count == 0 || blocks[^1] != hi)
            {
                blocks.Add(hi);
                first.Add(lowList.Count);
                lowList.Add(0);
                classList.Add(ClassAt((UInt128)hi << 64));
                if (hi != ulong.MaxValue)
                {
                    points.Add(hi + 1);
                }
            }

            lowList.Add(lo);
            classList.Add(classes[i]);
        }

        first.Add(lowList.Count);
        blockFirst = first.ToArray();
        lows = lowList.ToArray();
        lowClasses = classList.ToArray();
        coarse = points.ToArray();
        coarseClasses = Array.ConvertAll(coarse, hi => ClassAt((UInt128)hi << 64));

        var size = 2;
        while (size < blocks.Count * 2)
        {
            size <<= 1;
        }

        shift = 64 - BitOperations.Log2((uint)size);
        blockOfSlot = new int[size];
        keyOfSlot = new ulong[size];
        Array.Fill(blockOfSlot, -1);
        for (var b = 0; b < blocks.Count; b++)
        {
            var at = Slot(blocks[b]);
            while (blockOfSlot[at] >= 0)
            {
                at = (at + 1) & (size - 1);
            }

            (blockOfSlot[at], keyOfSlot[at]) = (b, blocks[b]);
        }
    }

    public int ClassOf(UInt128 x) => ClassOf((ulong)(x >> 64), (ulong)x);

    public int ClassOf(ulong hi, ulong lo)
    {
        var mask = blockOfSlot.Length - 1;
        for (var at = Slot(hi); ; at = (at + 1) & mask)
        {
            var b = blockOfSlot[at];
            if (b < 0)
            {
                return coarseClasses[AddressPartition.Find(coarse, hi)];
            }

            if (keyOfSlot[at] == hi)
            {
                // The last inner start not above the address; the block's list begins with 0.
                var (i, last) = (blockFirst[b], blockFirst[b + 1] - 1);
                while (i < last)
                {
                    var mid = (i + last + 1) >> 1;
                    if (lows[mid] <= lo)
                    {
                        i = mid;
                    }
                    else
                    {
                        last = mid - 1;
                    }
                }

                return lowClasses[i];
            }
        }
    }

    private int Slot(ulong hi) => (int)((hi * 0x9E3779B97F4A7C15UL) >> shift);
}
