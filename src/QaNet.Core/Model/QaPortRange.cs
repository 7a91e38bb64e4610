using System.Globalization;
using QaNet.Core.Validation;

namespace QaNet.Core.Model;

/// <summary>
/// A protocol and an inclusive port range: <c>443/tcp</c>, <c>7080-7099/tcp</c>, <c>69/udp</c>, or <c>icmp</c>.
/// </summary>
public readonly record struct QaPortRange(QaProtocol Protocol, int From, int To)
{
    public static QaPortRange Icmp => new(QaProtocol.Icmp, 0, 0);

    public bool IsIcmp => Protocol == QaProtocol.Icmp;

    public bool Contains(QaProtocol protocol, int port) =>
        protocol == Protocol && (IsIcmp || (port >= From && port <= To));

    public bool Overlaps(QaPortRange other) =>
        other.Protocol == Protocol && (IsIcmp || (other.From <= To && From <= other.To));

    public override string ToString()
    {
        if (IsIcmp)
        {
            return "icmp";
        }

        var proto = Protocol == QaProtocol.Tcp ? "tcp" : "udp";
        return From == To
            ? string.Create(CultureInfo.InvariantCulture, $"{From}/{proto}")
            : string.Create(CultureInfo.InvariantCulture, $"{From}-{To}/{proto}");
    }

    /// <summary>Each port of the range in order; icmp, which has no port, is one flow with port 0.</summary>
    public IEnumerable<int> EachPort() => IsIcmp ? new[] { 0 } : Enumerable.Range(From, To - From + 1);

    /// <summary>Parses <c>443/tcp</c>, <c>7080-7099/tcp</c>, <c>69/udp</c> or <c>icmp</c>; a bare port means tcp.</summary>
    public static QaPortRange Parse(string text) => Parse(text, QaProtocol.Tcp);

    /// <summary>As <see cref="Parse(string)"/>, a bare port taking <paramref name="bareProtocol"/>.</summary>
    public static QaPortRange Parse(string text, QaProtocol bareProtocol)
    {
        if (TryParse(text, bareProtocol, out var range, out var error))
        {
            return range;
        }

        throw new QaValidationException(error!);
    }

    public static bool TryParse(string? text, out QaPortRange range, out QaValidationError? error) =>
        TryParse(text, QaProtocol.Tcp, out range, out error);

    /// <summary>
    /// As <see cref="TryParse(string?, out QaPortRange, out QaValidationError?)"/>, a bare port
    /// (<c>443</c>, <c>7080-7099</c>) taking <paramref name="bareProtocol"/>. A bare number with
    /// icmp stands for icmp, which has no port (Test-QaReachability -Protocol Icmp -Port 0, and
    /// its piped icmp results, say so).
    /// </summary>
    public static bool TryParse(string? text, QaProtocol bareProtocol, out QaPortRange range, out QaValidationError? error)
    {
        range = default;
        error = null;
        var s = (text ?? string.Empty).Trim().ToLowerInvariant();
        if (s == "icmp")
        {
            range = Icmp;
            return true;
        }

        var protocol = bareProtocol;
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 && bareProtocol == QaProtocol.Icmp)
        {
            if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var ignored) && ignored <= PortNumber.Max)
            {
                range = Icmp;
                return true;
            }

            error = QaValidationError.Port(text, "not a port number");
            return false;
        }

        if (slash >= 0)
        {
            var p = s[(slash + 1)..];
            switch (p)
            {
                case "tcp": protocol = QaProtocol.Tcp; break;
                case "udp": protocol = QaProtocol.Udp; break;
                default:
                    error = QaValidationError.Port(text, $"unknown protocol '{p}'");
                    return false;
            }

            s = s[..slash];
        }

        var dash = s.IndexOf('-', StringComparison.Ordinal);
        var fromText = dash >= 0 ? s[..dash] : s;
        var toText = dash >= 0 ? s[(dash + 1)..] : s;
        if (!int.TryParse(fromText, NumberStyles.None, CultureInfo.InvariantCulture, out var from) ||
            !int.TryParse(toText, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
        {
            error = QaValidationError.Port(text, "not a port number");
            return false;
        }

        if (!PortNumber.IsValid(from) || !PortNumber.IsValid(to))
        {
            error = QaValidationError.Port(text, "ports run from 1 to 65535");
            return false;
        }

        if (from > to)
        {
            error = new QaValidationError(QaErrorIds.PortRangeReversed, "port", null,
                $"The port range '{text}' runs backwards.",
                $"Write the lower port first, e.g. '{to}-{from}/{(protocol == QaProtocol.Tcp ? "tcp" : "udp")}'.");
            return false;
        }

        range = new QaPortRange(protocol, from, to);
        return true;
    }
}
