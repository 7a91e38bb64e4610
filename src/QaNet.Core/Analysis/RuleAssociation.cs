using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Core.Analysis;

/// <summary>
/// Which rules are associated with a client, role, endpoint or port (Get-QaRule -Client/-Role/
/// -Endpoint/-Port, in the style of Get-NetFirewallRule -Association*). A rule is associated with
/// a client when either side selects it: <c>client:</c> its name, <c>role:</c> one of its roles,
/// <c>network:</c> its network, or <c>cidr:</c> a prefix holding its address; with a role or an
/// endpoint when either side names it; with a port when the ports it applies to (its own, else
/// its destination endpoints') overlap it. Disabled and expired rules count too: they are in the policy.
/// </summary>
public static class RuleAssociation
{
    public static bool SelectsClient(QaRule rule, QaClient client)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(client);
        return rule.From.Concat(rule.To).Any(s => Selects(s, client));
    }

    public static bool Selects(QaSelector selector, QaClient client)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(client);
        return selector.Kind switch
        {
            QaSelectorKind.Client => selector.Value == client.Name,
            QaSelectorKind.Role => client.Roles.Contains(selector.Value, StringComparer.Ordinal),
            QaSelectorKind.Network => selector.Value == client.Network,
            QaSelectorKind.Cidr => IpMath.Contains(selector.Network4Or6, client.Address) ||
                                   (client.Address6 is { } a6 && IpMath.Contains(selector.Network4Or6, a6)),
            _ => false,
        };
    }

    public static bool NamesRole(QaRule rule, string role)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.From.Concat(rule.To).Any(s => s.Kind == QaSelectorKind.Role && s.Value == role);
    }

    public static bool NamesEndpoint(QaRule rule, QaEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(endpoint);
        return rule.From.Concat(rule.To).Any(s => s.Kind == QaSelectorKind.Endpoint && s.Value == endpoint.Name);
    }

    /// <summary>The ports a rule applies to: its own, else those of its destination endpoints.</summary>
    public static IEnumerable<QaPortRange> PortsOf(QaRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Ports.Count > 0
            ? rule.Ports
            : rule.To.Where(s => s.Kind == QaSelectorKind.Endpoint)
                .Select(s => rule.Policy.FindEndpoint(s.Value)).OfType<QaEndpoint>().SelectMany(e => e.Ports);
    }

    public static bool CoversPort(QaRule rule, QaPortRange port) => PortsOf(rule).Any(p => p.Overlaps(port));
}
