namespace QaNet.Core.Engine;

/// <summary>
/// The IPv4 class lookup as a 16-8-8 trie (the DIR-24-8 idea of routers): a /16 (then a /24)
/// that lies inside one interval holds its class directly, one that does not points to a
/// 256-entry chunk for the next 8 bits. At most three dependent loads and no search — the
/// binary search over the interval starts it replaces was most of a decision's time
/// (~12 mispredicted steps per address; docs/performance.md). Entry encoding: a class is
/// &gt;= 0; a negative entry is the complement of the next level's chunk number.
/// </summary>
internal sealed class Trie4
{
    private readonly int[] top = new int[1 << 16];
    private readonly int[] mid;
    private readonly int[] low;

    public Trie4(uint[] starts, int[] classes)
    {
        var mids = new List<int>();
        var lows = new List<int>();
        for (var hi = 0; hi < 1 << 16; hi++)
        {
            top[hi] = Level(starts, classes, (uint)hi << 16, 16, mids, m =>
                Level(starts, classes, m, 8, lows, l => Level(starts, classes, l, 0, null, null)));
        }

        mid = mids.ToArray();
        low = lows.ToArray();
    }

    public int ClassOf(uint x)
    {
        var e = top[(int)(x >> 16)];
        if (e < 0)
        {
            e = mid[(~e << 8) | (int)((x >> 8) & 0xFF)];
            if (e < 0)
            {
                e = low[(~e << 8) | (int)(x & 0xFF)];
            }
        }

        return e;
    }

    /// <summary>
    /// The entry for the block of 2^<paramref name="bits"/> addresses at <paramref name="first"/>:
    /// its class when one interval covers it, else a new chunk of 256 sub-blocks appended to <paramref name="chunks"/>.
    /// </summary>
    private static int Level(uint[] starts, int[] classes, uint first, int bits, List<int>? chunks, Func<uint, int>? sub)
    {
        var i = AddressPartition.Find(starts, first);
        var last = first + ((1u << bits) - 1);
        if (chunks is null || sub is null || i + 1 >= starts.Length || starts[i + 1] > last)
        {
            return classes[i];
        }

        var chunk = chunks.Count >> 8;
        chunks.AddRange(new int[256]);
        var step = 1u << (bits - 8);
        for (var j = 0; j < 256; j++)
        {
            chunks[(chunk << 8) + j] = sub(first + ((uint)j * step));
        }

        return ~chunk;
    }
}
