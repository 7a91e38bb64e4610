using System.Net;
using System.Numerics;
using QaNet.Core.Net;

namespace QaNet.Core.Engine;

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
            var (first, last, isV6) = QaAddressRange.From(prefix);
            (isV6 ? v6 : v4).Add((first, last, item));
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
