using System.Net;
using System.Net.Sockets;
using System.Numerics;
using QaNet.Core.Model;
using QaNet.Core.Net;

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

/// <summary>Source or destination addresses, IPv4 and IPv6, partitioned into classes.</summary>
internal sealed class AddressPartition
{
    private readonly uint[] starts4;
    private readonly int[] classes4;
    private readonly Trie4 trie4;
    private readonly UInt128[] starts6;
    private readonly int[] classes6;
    private readonly Table6 table6;
    private readonly Lazy<QaAddressRange[]> first;

    private AddressPartition(BitRows rows, uint[] starts4, int[] classes4, UInt128[] starts6, int[] classes6)
    {
        Rows = rows;
        this.starts4 = starts4;
        this.classes4 = classes4;
        trie4 = new Trie4(starts4, classes4);
        this.starts6 = starts6;
        this.classes6 = classes6;
        table6 = new Table6(starts6, classes6);
        first = new Lazy<QaAddressRange[]>(() =>
        {
            var firsts = new QaAddressRange[rows.Count];
            var seen = new bool[rows.Count];
            foreach (var (cls, ranges) in RangesOf(Enumerable.Range(0, rows.Count)))
            {
                if (ranges.Count > 0 && !seen[cls])
                {
                    (firsts[cls], seen[cls]) = (ranges[0], true);
                }
            }

            return firsts;
        });
    }

    public BitRows Rows { get; }

    public int IntervalCount => starts4.Length + starts6.Length;

    public static AddressPartition Build(BitRows rows, Sweep sweep, IEnumerable<(IPNetwork Prefix, int Item)> prefixes)
    {
        var v4 = new List<(UInt128, UInt128, int)>();
        var v6 = new List<(UInt128, UInt128, int)>();
        foreach (var (prefix, item) in prefixes)
        {
            var (first, last) = IpMath.Bounds(prefix);
            (prefix.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? v4 : v6).Add((first, last, item));
        }

        var (s4, c4) = sweep.Run(v4, uint.MaxValue);
        var (s6, c6) = sweep.Run(v6, UInt128.MaxValue);
        return new AddressPartition(rows, s4.Select(s => (uint)s).ToArray(), c4, s6, c6);
    }

    public int ClassOf(QaAddress address) =>
        address.IsV6 ? table6.ClassOf(address.Upper, address.Lower) : trie4.ClassOf((uint)address.Lower);

    /// <summary>The first address range of a class (for examples in messages).</summary>
    public QaAddressRange FirstRange(int cls) => first.Value[cls];

    /// <summary>The ranges of several classes at once, in one pass over the intervals.</summary>
    public Dictionary<int, List<QaAddressRange>> RangesOf(IEnumerable<int> classes)
    {
        var map = classes.Distinct().ToDictionary(c => c, _ => new List<QaAddressRange>());
        for (var i = 0; i < starts4.Length; i++)
        {
            if (map.TryGetValue(classes4[i], out var list))
            {
                var last = i + 1 < starts4.Length ? starts4[i + 1] - 1 : uint.MaxValue;
                list.Add(new QaAddressRange(starts4[i], last, false));
            }
        }

        for (var i = 0; i < starts6.Length; i++)
        {
            if (map.TryGetValue(classes6[i], out var list))
            {
                var last = i + 1 < starts6.Length ? starts6[i + 1] - 1 : UInt128.MaxValue;
                list.Add(new QaAddressRange(starts6[i], last, true));
            }
        }

        return map;
    }

    /// <summary>Index of the last start not above <paramref name="x"/>; starts[0] is 0.</summary>
    internal static int Find<T>(T[] starts, T x)
        where T : IComparisonOperators<T, T, bool>
    {
        var lo = 0;
        var hi = starts.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= x)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }
}

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

/// <summary>Protocol and destination port partitioned into classes; a direct table per protocol.</summary>
internal sealed class PortPartition
{
    private const int PortCount = 65536;
    private readonly int[] tcp;
    private readonly int[] udp;
    private readonly int icmp;
    private readonly Lazy<List<QaPortRange>[]> ranges;

    private PortPartition(BitRows rows, int[] tcp, int[] udp, int icmp)
    {
        Rows = rows;
        this.tcp = tcp;
        this.udp = udp;
        this.icmp = icmp;
        ranges = new Lazy<List<QaPortRange>[]>(AllRanges);
    }

    public BitRows Rows { get; }

    public static PortPartition Build(BitRows rows, Sweep sweep, IEnumerable<(QaPortRange Range, int Item)> ports)
    {
        var tcpSpans = new List<(UInt128, UInt128, int)>();
        var udpSpans = new List<(UInt128, UInt128, int)>();
        var icmpSpans = new List<(UInt128, UInt128, int)>();
        foreach (var (range, item) in ports)
        {
            switch (range.Protocol)
            {
                case QaProtocol.Tcp: tcpSpans.Add(((UInt128)range.From, (UInt128)range.To, item)); break;
                case QaProtocol.Udp: udpSpans.Add(((UInt128)range.From, (UInt128)range.To, item)); break;
                default: icmpSpans.Add((0, 0, item)); break;
            }
        }

        var (_, icmpClasses) = sweep.Run(icmpSpans, 0);
        return new PortPartition(rows, Table(sweep.Run(tcpSpans, PortCount - 1)), Table(sweep.Run(udpSpans, PortCount - 1)), icmpClasses[0]);
    }

    public int ClassOf(QaProtocol protocol, int port) => protocol switch
    {
        QaProtocol.Icmp => icmp,
        _ when (uint)port >= PortCount => 0,
        QaProtocol.Tcp => tcp[port],
        _ => udp[port],
    };

    /// <summary>The port ranges that make up a class.</summary>
    public IReadOnlyList<QaPortRange> Ranges(int cls) => ranges.Value[cls];

    private List<QaPortRange>[] AllRanges()
    {
        var all = new List<QaPortRange>[Rows.Count];
        for (var c = 0; c < all.Length; c++)
        {
            all[c] = new List<QaPortRange>();
        }

        all[icmp].Add(QaPortRange.Icmp);
        foreach (var (protocol, table) in new[] { (QaProtocol.Tcp, tcp), (QaProtocol.Udp, udp) })
        {
            for (var p = 0; p < PortCount; p++)
            {
                var cls = table[p];
                var start = p;
                while (p + 1 < PortCount && table[p + 1] == cls)
                {
                    p++;
                }

                all[cls].Add(new QaPortRange(protocol, start, p));
            }
        }

        return all;
    }

    private static int[] Table((UInt128[] Starts, int[] Classes) runs)
    {
        var table = new int[PortCount];
        for (var i = 0; i < runs.Starts.Length; i++)
        {
            var from = (int)runs.Starts[i];
            var to = i + 1 < runs.Starts.Length ? (int)runs.Starts[i + 1] : PortCount;
            table.AsSpan(from, to - from).Fill(runs.Classes[i]);
        }

        return table;
    }
}
