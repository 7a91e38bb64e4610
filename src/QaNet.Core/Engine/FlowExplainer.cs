using System.Globalization;
using System.Net;
using System.Text;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;

namespace QaNet.Core.Engine;

/// <summary>Turns a decision into the reason chain a person reads; only run when asked.</summary>
internal sealed class FlowExplainer
{
    private readonly ResolvedPolicy policy;
    private readonly Dictionary<QaAddress, QaClient> clients = new();
    private readonly List<(IPNetwork Prefix, QaEndpoint Endpoint)> endpoints = new();

    public FlowExplainer(ResolvedPolicy policy)
    {
        this.policy = policy;
        foreach (var c in policy.Policy.Clients)
        {
            foreach (var a in ResolvedPolicy.ClientAddresses(c))
            {
                clients.TryAdd(QaAddress.From(a.BaseAddress), c);
            }
        }

        foreach (var e in policy.Policy.Endpoints)
        {
            foreach (var a in policy.EndpointAddresses(e.Name))
            {
                endpoints.Add((a, e));
            }
        }

        // Most specific prefix first, so a host address names its endpoint before a CIDR does.
        endpoints.Sort((x, y) => y.Prefix.PrefixLength.CompareTo(x.Prefix.PrefixLength));
    }

    public static string PortText(QaProtocol protocol, int port) => protocol switch
    {
        QaProtocol.Icmp => "icmp",
        QaProtocol.Tcp => string.Create(CultureInfo.InvariantCulture, $"{port}/tcp"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{port}/udp"),
    };

    /// <summary>"client c1 (roles taskotron)", "endpoint koji", or "an address of no client or endpoint".</summary>
    public string Describe(QaAddress address)
    {
        if (clients.TryGetValue(address, out var c))
        {
            return c.Roles.Count == 0
                ? $"client {c.Name}"
                : $"client {c.Name} (role{(c.Roles.Count > 1 ? "s" : string.Empty)} {string.Join(", ", c.Roles)})";
        }

        var ip = address.ToIPAddress();
        foreach (var (prefix, e) in endpoints)
        {
            if (IpMath.Contains(prefix, ip))
            {
                return prefix.PrefixLength == IpMath.Bits(ip.AddressFamily) ? $"endpoint {e.Name}" : $"in endpoint {e.Name} ({prefix})";
            }
        }

        return "an address of no client or endpoint";
    }

    public string Explain(QaFlow flow, QaDecision decision)
    {
        var source = flow.Source.ToIPAddress();
        var destination = flow.Destination.ToIPAddress();
        var port = PortText(flow.Protocol, flow.Port);
        var sb = new StringBuilder();
        sb.Append("source ").Append(source).Append(" is ").Append(Describe(flow.Source)).Append(" → ");
        if (decision.Rule.Resolved is not { } resolved)
        {
            sb.Append("destination ").Append(destination).Append(" is ").Append(Describe(flow.Destination))
              .Append(" → no rule matches ").Append(port).Append(" → default deny");
            return sb.ToString();
        }

        var rule = resolved.Rule;
        sb.Append("matches rule ").Append(rule.Id).Append(" (").Append(rule.Kind.ToString().ToLowerInvariant())
          .Append(", priority ").Append(rule.Priority.ToString(CultureInfo.InvariantCulture)).Append(')');
        if (rule.From.Find(s => policy.Addresses(s).Any(p => IpMath.Contains(p, source))) is { } from)
        {
            sb.Append(" via ").Append(from);
        }

        sb.Append(": destination ");
        var target = resolved.Targets.FirstOrDefault(t =>
            t.Destinations.Any(d => IpMath.Contains(d, destination)) && t.Ports.Any(p => p.Contains(flow.Protocol, flow.Port)));
        if (target is not null)
        {
            sb.Append(target.Selector.Kind.ToString().ToLowerInvariant()).Append(' ').Append(target.Selector.Value).Append(' ');
        }

        sb.Append(destination).Append(", ").Append(port);
        var range = target?.Ports.FirstOrDefault(p => p.Contains(flow.Protocol, flow.Port));
        if (range is { } r && !r.IsIcmp && r.From != r.To)
        {
            sb.Append(" (in ").Append(r).Append(')');
        }

        sb.Append(rule.Kind == QaRuleKind.Block ? " → denied" : " → allowed");
        return sb.ToString();
    }
}
