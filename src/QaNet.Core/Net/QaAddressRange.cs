using System.Net;
using System.Net.Sockets;

namespace QaNet.Core.Net;

/// <summary>
/// An inclusive range of addresses of one family, as numbers; printed as an address, a prefix
/// or first-last. The engine's partitions report their classes in it, the nftables and
/// ebtables compilers build their matches from it.
/// </summary>
public readonly record struct QaAddressRange(UInt128 First, UInt128 Last, bool IsV6)
{
    public static QaAddressRange From(IPNetwork network)
    {
        var (first, last) = IpMath.Bounds(network);
        return new QaAddressRange(first, last, network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6);
    }

    /// <summary>The range of one address (a /32 or /128).</summary>
    public static QaAddressRange Host(IPAddress address) =>
        From(new IPNetwork(address, IpMath.Bits(address.AddressFamily)));

    /// <summary>
    /// Reads the text <see cref="ToString"/> writes (an address, a prefix or first-last), as
    /// PowerShell shows a range: <c>[QaNet.Core.Net.QaAddressRange]::Parse($change.Sources[0])</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is none of the three forms, or first-last mixes families or runs backwards.</exception>
    public static QaAddressRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            var first = Host(ParseAddress(text[..dash], text));
            var last = Host(ParseAddress(text[(dash + 1)..], text));
            if (first.IsV6 != last.IsV6 || last.First < first.First)
            {
                throw new FormatException($"'{text}' is not an address range: first-last of one family, first not after last.");
            }

            return new QaAddressRange(first.First, last.Last, first.IsV6);
        }

        return text.Contains('/', StringComparison.Ordinal)
            ? IPNetwork.TryParse(text, out var network) ? From(network) : throw new FormatException($"'{text}' is not a prefix such as 192.168.150.0/24.")
            : Host(ParseAddress(text, text));
    }

    private static IPAddress ParseAddress(string part, string text) =>
        IPAddress.TryParse(part, out var address) && (address.AddressFamily != AddressFamily.InterNetworkV6 || address.ScopeId == 0) && !part.Contains('%', StringComparison.Ordinal)
            ? address
            : throw new FormatException($"'{text}' is not an address, a prefix or first-last.");

    /// <summary>The first address of the range.</summary>
    public IPAddress FirstAddress => IpMath.FromNumber(First, Family);

    /// <summary>The last address of the range.</summary>
    public IPAddress LastAddress => IpMath.FromNumber(Last, Family);

    /// <summary>Number of addresses, saturating at <see cref="UInt128.MaxValue"/>.</summary>
    public UInt128 Size => Last - First == UInt128.MaxValue ? UInt128.MaxValue : Last - First + 1;

    private AddressFamily Family => IsV6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    public bool Contains(IPAddress address) =>
        Contains(IpMath.ToNumber(address), address.AddressFamily == AddressFamily.InterNetworkV6);

    /// <summary>Whether the address <paramref name="value"/> of the given family lies in the range.</summary>
    public bool Contains(UInt128 value, bool isV6) => isV6 == IsV6 && value >= First && value <= Last;

    public bool Overlaps(QaAddressRange other) => other.IsV6 == IsV6 && other.First <= Last && First <= other.Last;

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

            // A prefix: its size a power of two and its first address aligned to it.
            if (((size + 1) & size) != 0 || (First & size) != 0)
            {
                return null;
            }

            return bits - (int)UInt128.PopCount(size);
        }
    }

    /// <summary>As nft and ebtables print it: an address, a prefix, or (nft only) first-last.</summary>
    public override string ToString()
    {
        var first = FirstAddress.ToString();
        var bits = IsV6 ? 128 : 32;
        return PrefixLength switch
        {
            { } p when p == bits => first,
            { } p => $"{first}/{p}",
            _ => $"{first}-{LastAddress}",
        };
    }

    /// <summary>Sorted, with overlapping and adjacent ranges merged: the form nft lists interval sets in.</summary>
    public static List<QaAddressRange> Merge(IEnumerable<QaAddressRange> ranges)
    {
        var sorted = ranges.OrderBy(r => r.IsV6).ThenBy(r => r.First).ToList();
        var result = new List<QaAddressRange>(sorted.Count);
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

    public static List<QaAddressRange> Merge(IEnumerable<IPNetwork> networks) => Merge(networks.Select(From));

    /// <summary>The parts of <paramref name="ranges"/> outside <paramref name="remove"/>; both merged.</summary>
    public static List<QaAddressRange> Subtract(IReadOnlyList<QaAddressRange> ranges, IReadOnlyList<QaAddressRange> remove)
    {
        var result = new List<QaAddressRange>();
        foreach (var r in ranges)
        {
            var pieces = new List<QaAddressRange> { r };
            foreach (var x in remove.Where(x => x.Overlaps(r)))
            {
                var next = new List<QaAddressRange>();
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
    public IEnumerable<QaAddressRange> ToPrefixes()
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
            yield return new QaAddressRange(start, end, IsV6);
            if (end >= Last)
            {
                yield break;
            }

            start = end + 1;
        }
    }
}
