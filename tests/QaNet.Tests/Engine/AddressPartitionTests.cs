using System.Net;
using System.Net.Sockets;
using QaNet.Core.Engine;
using QaNet.Core.Net;

namespace QaNet.Tests.Engine;

/// <summary>The address class lookups (IPv4 trie, IPv6 /64 table) against brute force over the prefixes.</summary>
public sealed class AddressPartitionTests
{
    [Theory]
    [InlineData(1, 40)]
    [InlineData(2, 300)]
    [InlineData(3, 2_000)]
    public void Two_addresses_share_a_class_exactly_when_the_same_prefixes_cover_them(int seed, int count)
    {
        var random = new Random(seed);
        var prefixes = Enumerable.Range(0, count).Select(_ => RandomPrefix(random)).ToList();
        var rows = new BitRows(count);
        var items = Enumerable.Range(0, count).ToArray();
        var keys = items.Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.NextInt64() << 32)).ToArray();
        var partition = AddressPartition.Build(rows, new Sweep(rows, items, items, keys), prefixes.Select((p, i) => (p, i)));
        var probes = new List<QaAddress> { new(0, true), new(UInt128.MaxValue, true), new(0, false), new(uint.MaxValue, false) };
        foreach (var p in prefixes)
        {
            var (first, last) = IpMath.Bounds(p);
            var v6 = p.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
            var max = v6 ? UInt128.MaxValue : uint.MaxValue;
            // The prefix's ends, their neighbours and the edges of the /64 blocks they lie in.
            foreach (var x in new[] { first, last, first - 1, last + 1, first & ~(UInt128)ulong.MaxValue, last | ulong.MaxValue, (last | ulong.MaxValue) + 1, first + ((last - first) / 2) })
            {
                if (x <= max)
                {
                    probes.Add(new QaAddress(x, v6));
                }
            }
        }

        var classOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new Dictionary<int, string>();
        foreach (var a in probes)
        {
            var ip = a.ToIPAddress();
            // By the numbers: IPNetwork.Contains on .NET 10 mixes the families for IPv4-mapped IPv6
            // addresses (::ffff:a.b.c.d), which the engine's separate spaces do not.
            var cover = string.Join(',', prefixes.Select((p, i) => (Range: QaAddressRange.From(p), i))
                .Where(x => x.Range.Contains(a.Value, a.IsV6)).Select(x => x.i));
            var cls = partition.ClassOf(a);
            if (classOf.TryGetValue(cover, out var expected))
            {
                Assert.True(expected == cls, $"{ip}: class {cls}, but {expected} for the same covering prefixes {{{cover}}}");
            }

            classOf[cover] = cls;
            if (seen.TryGetValue(cls, out var other))
            {
                Assert.True(other == cover, $"{ip}: class {cls} holds both {{{other}}} and {{{cover}}}");
            }

            seen[cls] = cover;
        }

        // The probes reach IPv6 blocks with and without inner boundaries, and both families.
        Assert.Contains(probes, a => a.IsV6 && (ulong)a.Value != 0);
        Assert.True(seen.Count > count / 4, $"only {seen.Count} classes seen");
    }

    [Theory]
    [InlineData(1, 3, 5)]
    [InlineData(2, 10, 40)]
    [InlineData(3, 30, 12)]
    public void Ipv4_trie_finds_the_interval_of_every_address(int seed, int blocks, int startsPerBlock)
    {
        // Interval starts clustered in a few /24s, so that the trie builds chunks at every level.
        var random = new Random(seed);
        var set = new SortedSet<uint> { 0 };
        var blockBases = Enumerable.Range(0, blocks).Select(_ => (uint)random.Next(1 << 24) << 8).ToList();
        foreach (var b in blockBases)
        {
            var n = random.Next(1, startsPerBlock * 2);
            for (var k = 0; k < n; k++)
            {
                set.Add(b + (uint)random.Next(256));
            }
        }

        var starts = set.ToArray();
        var classes = starts.Select(_ => random.Next(1, 100_000)).ToArray();
        var trie = new Trie4(starts, classes);

        var probes = blockBases.SelectMany(b => Enumerable.Range(-1, 258).Select(o => unchecked(b + (uint)o)))
            .Concat(Enumerable.Range(0, 10_000).Select(_ => (uint)random.NextInt64(0, 1L << 32)))
            .Append(0u).Append(uint.MaxValue);
        foreach (var x in probes)
        {
            Assert.Equal(classes[AddressPartition.Find(starts, x)], trie.ClassOf(x));
        }
    }

    /// <summary>Mostly IPv6, clustered in a few /48s so that /64 blocks hold many starts, all prefix lengths.</summary>
    private static IPNetwork RandomPrefix(Random random)
    {
        if (random.Next(5) == 0)
        {
            var length = random.Next(0, 33);
            var v4 = (uint)random.NextInt64(0, 1L << 32) & (length == 0 ? 0 : uint.MaxValue << (32 - length));
            return new IPNetwork(IpMath.FromNumber(v4, AddressFamily.InterNetwork), length);
        }

        var len = random.Next(10) switch
        {
            0 => random.Next(0, 64),
            1 => 64,
            2 => 128,
            _ => random.Next(65, 129),
        };
        var block = 0x20010db8_0000_0000UL | ((ulong)(uint)random.Next(4) << 16) | (uint)random.Next(3);
        var value = ((UInt128)block << 64) |
                    ((UInt128)(uint)random.Next(4) << 62) | (ulong)random.NextInt64();
        if (random.Next(20) == 0)
        {
            value = random.Next(2) == 0 ? UInt128.MaxValue : UInt128.Zero;
        }

        var mask = len == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - len);
        return new IPNetwork(IpMath.FromNumber(value & mask, AddressFamily.InterNetworkV6), len);
    }
}
