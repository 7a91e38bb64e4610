using System.Net;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Model;

/// <summary>
/// One side of a rule: a client, a role, an endpoint, every client of a network, or a CIDR.
/// Written as <c>kind:value</c> (<c>role:taskotron</c>, <c>endpoint:koji</c>, <c>cidr:10.0.0.0/8</c>).
/// </summary>
public sealed record QaSelector(QaSelectorKind Kind, string Value)
{
    public static QaSelector Client(string name) => new(QaSelectorKind.Client, name);

    public static QaSelector Role(string name) => new(QaSelectorKind.Role, name);

    public static QaSelector Endpoint(string name) => new(QaSelectorKind.Endpoint, name);

    public static QaSelector Network(string name) => new(QaSelectorKind.Network, name);

    public static QaSelector Cidr(IPNetwork cidr) => new(QaSelectorKind.Cidr, cidr.ToString());

    /// <summary>The CIDR of a <see cref="QaSelectorKind.Cidr"/> selector.</summary>
    public IPNetwork Network4Or6 => IpMath.ParseCidr(Value);

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{Value}";

    public static QaSelector Parse(string text)
    {
        if (TryParse(text, out var selector, out var error))
        {
            return selector!;
        }

        throw new QaValidationException(error!);
    }

    public static bool TryParse(string? text, out QaSelector? selector, out QaValidationError? error)
    {
        selector = null;
        error = null;
        var s = (text ?? string.Empty).Trim();
        var colon = s.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = new QaValidationError(QaErrorIds.InvalidSelector, "selector", null,
                $"'{text}' is not a selector.",
                "Write kind:value, where kind is client, role, endpoint, network or cidr (e.g. 'role:taskotron', 'endpoint:koji', 'cidr:10.0.0.0/8').");
            return false;
        }

        var kindText = s[..colon].ToLowerInvariant();
        var value = s[(colon + 1)..].Trim();
        QaSelectorKind kind;
        switch (kindText)
        {
            case "client": kind = QaSelectorKind.Client; break;
            case "role": kind = QaSelectorKind.Role; break;
            case "endpoint": kind = QaSelectorKind.Endpoint; break;
            case "network": kind = QaSelectorKind.Network; break;
            case "cidr": kind = QaSelectorKind.Cidr; break;
            default:
                error = new QaValidationError(QaErrorIds.InvalidSelector, "selector", null,
                    $"'{kindText}' in '{text}' is not a selector kind.",
                    "Use client, role, endpoint, network or cidr.");
                return false;
        }

        if (kind == QaSelectorKind.Cidr)
        {
            if (!IpMath.TryParseCidr(value, out var cidr))
            {
                error = new QaValidationError(QaErrorIds.InvalidSubnet, "selector", null,
                    $"'{value}' is not an address or CIDR.",
                    "Write an IPv4 or IPv6 address or prefix, e.g. 'cidr:10.0.0.0/8' or 'cidr:2001:db8::/32'.");
                return false;
            }

            value = cidr.ToString();
        }
        else if (!Names.IsValid(value))
        {
            error = QaValidationError.Name("selector", value);
            return false;
        }

        selector = new QaSelector(kind, value);
        return true;
    }
}
