using System.Net;
using System.Net.Sockets;
using QaNet.Core.Net;

namespace QaNet.Core.Render;

/// <summary>An inclusive range of addresses of one family, as numbers.</summary>
public readonly record struct AddressRange(UInt128 First, UInt128 Last, bool IsV6)
{
    public static AddressRange From(IPNetwork network)
    {
        var (first, last) = IpMath.Bounds(network);
        return new AddressRange(first, last, network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);
    }

    public static AddressRange Host(IPAddress address) =>
        From(new IPNetwork(address, IpMath.Bits(address.AddressFamily)));

    public bool Contains(IPAddress address) =>
        (address.AddressFamily == AddressFamily.InterNetworkV6) == IsV6 && IpMath.ToNumber(address) is var n && n >= First && n <= Last;

    public bool Overlaps(AddressRange other) => other.IsV6 == IsV6 && other.First <= Last && First <= other.Last;

    private AddressFamily Family => IsV6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    /// <summary>The prefix length when the range is exactly one prefix, else null.</summary>
    public int? PrefixLength
    {
        get
        {
            var bits = IsV6 ? 128 : 32;
            var size = Last - First;
            if (size == UInt128.MaxValue)
            {
                return First == 0 ? 0 : null;
            }

            var count = size + 1;
            if ((count & size) != 0 || (First & size) != 0)
            {
                return null;
            }

            var hostBits = 0;
            while ((UInt128.One << hostBits) != count)
            {
                hostBits++;
            }

            return bits - hostBits;
        }
    }

    /// <summary>As nft and ebtables print it: an address, a prefix, or (nft only) first-last.</summary>
    public override string ToString()
    {
        var first = IpMath.FromNumber(First, Family).ToString();
        var bits = IsV6 ? 128 : 32;
        return PrefixLength switch
        {
            { } p when p == bits => first,
            { } p => $"{first}/{p}",
            _ => $"{first}-{IpMath.FromNumber(Last, Family)}",
        };
    }

    /// <summary>Sorted, with overlapping and adjacent ranges merged: the form nft lists interval sets in.</summary>
    public static List<AddressRange> Merge(IEnumerable<AddressRange> ranges)
    {
        var sorted = ranges.OrderBy(r => r.IsV6).ThenBy(r => r.First).ToList();
        var result = new List<AddressRange>(sorted.Count);
        foreach (var r in sorted)
        {
            if (result.Count > 0 && result[^1] is var last && last.IsV6 == r.IsV6 &&
                (r.First <= last.Last || (last.Last != UInt128.MaxValue && r.First == last.Last + 1)))
            {
                result[^1] = last with { Last = r.Last > last.Last ? r.Last : last.Last };
            }
            else
            {
                result.Add(r);
            }
        }

        return result;
    }

    public static List<AddressRange> Merge(IEnumerable<IPNetwork> networks) => Merge(networks.Select(From));

    /// <summary>The parts of <paramref name="ranges"/> outside <paramref name="remove"/>; both merged.</summary>
    public static List<AddressRange> Subtract(IReadOnlyList<AddressRange> ranges, IReadOnlyList<AddressRange> remove)
    {
        var result = new List<AddressRange>();
        foreach (var r in ranges)
        {
            var pieces = new List<AddressRange> { r };
            foreach (var x in remove.Where(x => x.Overlaps(r)))
            {
                var next = new List<AddressRange>();
                foreach (var p in pieces)
                {
                    if (!p.Overlaps(x))
                    {
                        next.Add(p);
                        continue;
                    }

                    if (p.First < x.First)
                    {
                        next.Add(p with { Last = x.First - 1 });
                    }

                    if (p.Last > x.Last)
                    {
                        next.Add(p with { First = x.Last + 1 });
                    }
                }

                pieces = next;
            }

            result.AddRange(pieces);
        }

        return Merge(result);
    }

    /// <summary>Splits a range into the fewest prefixes (ebtables takes prefixes only).</summary>
    public IEnumerable<AddressRange> ToPrefixes()
    {
        var bits = IsV6 ? 128 : 32;
        var start = First;
        while (true)
        {
            var hostBits = 0;
            while (hostBits < bits)
            {
                var size = UInt128.One << (hostBits + 1);
                if ((start & (size - 1)) != 0 || start + (size - 1) > Last || start + (size - 1) < start)
                {
                    break;
                }

                hostBits++;
            }

            var end = hostBits == 128 ? UInt128.MaxValue : start + ((UInt128.One << hostBits) - 1);
            yield return new AddressRange(start, end, IsV6);
            if (end >= Last)
            {
                yield break;
            }

            start = end + 1;
        }
    }
}
