using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace QaNet.Core.Net;

/// <summary>Address arithmetic on IPv4 and IPv6 as unsigned integers.</summary>
public static class IpMath
{
    /// <summary>Parses <c>10.0.0.0/8</c>, or a bare address as a host prefix (/32, /128). The host bits must be zero.</summary>
    public static bool TryParseCidr(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            if (!IPAddress.TryParse(s, out var address) || s.Contains('%', StringComparison.Ordinal))
            {
                return false;
            }

            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        if (!IPAddress.TryParse(s[..slash], out var baseAddress) ||
            !int.TryParse(s[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var max = baseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > max)
        {
            return false;
        }

        // Host bits set (192.168.150.1/24) is almost always a typo for the address or the
        // prefix; say so instead of silently masking them.
        var masked = new IPNetwork(MaskTo(baseAddress, prefix), prefix);
        if (!masked.BaseAddress.Equals(baseAddress))
        {
            return false;
        }

        network = masked;
        return true;
    }

    private static IPAddress MaskTo(IPAddress address, int prefix)
    {
        var bits = Bits(address.AddressFamily);
        var hostBits = bits - prefix;
        var value = ToNumber(address);
        var mask = hostBits == 128 ? UInt128.Zero : UInt128.MaxValue << hostBits;
        if (bits == 32)
        {
            mask &= 0xffffffff;
        }

        return FromNumber(value & mask, address.AddressFamily);
    }

    public static IPNetwork ParseCidr(string text) =>
        TryParseCidr(text, out var n) ? n : throw new FormatException($"'{text}' is not an address or CIDR.");

    public static int Bits(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;

    public static bool IsV4(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork;

    public static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        for (var i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    public static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }

    /// <summary>The first and last address of a prefix as numbers.</summary>
    public static (UInt128 First, UInt128 Last) Bounds(IPNetwork network)
    {
        var bits = Bits(network.BaseAddress.AddressFamily);
        var first = ToNumber(network.BaseAddress);
        var hostBits = bits - network.PrefixLength;
        var size = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return (first, first + size);
    }

    public static bool Overlaps(IPNetwork a, IPNetwork b)
    {
        if (a.BaseAddress.AddressFamily != b.BaseAddress.AddressFamily)
        {
            return false;
        }

        var (af, al) = Bounds(a);
        var (bf, bl) = Bounds(b);
        return af <= bl && bf <= al;
    }

    /// <summary>
    /// Whether <paramref name="address"/> lies in <paramref name="network"/>, IPv4 and IPv6 kept
    /// apart: an IPv4-mapped IPv6 address (<c>::ffff:10.1.2.3</c>) is an IPv6 address and no IPv4
    /// prefix contains it, as nftables has it in an <c>inet</c> table (<c>ip saddr</c> matches only
    /// IPv4 packets) and as the engine decides. <see cref="IPNetwork.Contains"/> itself maps such an
    /// address to IPv4 first; QaNet never calls it directly (AddressSemanticsTests keeps it so).
    /// </summary>
    public static bool Contains(IPNetwork network, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address);
    }

    /// <summary>True when <paramref name="inner"/> lies wholly inside <paramref name="outer"/>.</summary>
    public static bool Covers(IPNetwork outer, IPNetwork inner)
    {
        if (outer.BaseAddress.AddressFamily != inner.BaseAddress.AddressFamily)
        {
            return false;
        }

        var (of, ol) = Bounds(outer);
        var (inf, inl) = Bounds(inner);
        return of <= inf && inl <= ol;
    }

    /// <summary>The network address (IPv4: all host bits zero).</summary>
    public static IPAddress NetworkAddress(IPNetwork network) => network.BaseAddress;

    /// <summary>The IPv4 broadcast address, or the last address of an IPv6 prefix.</summary>
    public static IPAddress LastAddress(IPNetwork network) =>
        FromNumber(Bounds(network).Last, network.BaseAddress.AddressFamily);

    /// <summary>The n-th address after the network address (n = 1 is the first host).</summary>
    public static IPAddress Offset(IPNetwork network, UInt128 n) =>
        FromNumber(Bounds(network).First + n, network.BaseAddress.AddressFamily);

    /// <summary>Number of addresses in the prefix, capped at <see cref="ulong.MaxValue"/>.</summary>
    public static ulong Size(IPNetwork network)
    {
        var (f, l) = Bounds(network);
        var size = l - f;
        return size >= ulong.MaxValue ? ulong.MaxValue : (ulong)size + 1;
    }

    public static BigInteger Distance(IPAddress from, IPAddress to) =>
        (BigInteger)ToNumber(to) - (BigInteger)ToNumber(from);

    public static string Format(IPNetwork network) =>
        network.PrefixLength == Bits(network.BaseAddress.AddressFamily)
            ? network.BaseAddress.ToString()
            : network.ToString();
}
