using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Core.Resolution;

/// <summary>One destination of a rule with the ports that apply to it.</summary>
public sealed record RuleTarget(QaSelector Selector, IReadOnlyList<IPNetwork> Destinations, IReadOnlyList<QaPortRange> Ports);

/// <summary>
/// A rule with every selector turned into address prefixes. When the rule gives no ports,
/// each destination endpoint brings its own, so a rule has one <see cref="RuleTarget"/> per
/// destination selector.
/// </summary>
public sealed record ResolvedRule(QaRule Rule, int Order, IReadOnlyList<IPNetwork> Sources, IReadOnlyList<RuleTarget> Targets)
{
    /// <summary>Selectors that resolved to no address (a role without clients, an unknown host name).</summary>
    public IReadOnlyList<QaSelector> Empty { get; init; } = Array.Empty<QaSelector>();
}

/// <summary>
/// The policy reduced to addresses: what the engine and the renderers both work from, so
/// they cannot disagree about what a name means.
/// </summary>
public sealed class ResolvedPolicy
{
    private readonly Dictionary<string, IReadOnlyList<IPNetwork>> endpointAddresses = new(StringComparer.Ordinal);
    // A role asked about (Test-QaReachability -From BEAKER) folds case, as every name does.
    private readonly Dictionary<string, List<QaClient>> roleMembers = new(QaNet.Core.Validation.Names.Comparer);

    private ResolvedPolicy(QaPolicy policy, IHostResolver resolver)
    {
        Policy = policy;
        Resolver = resolver;
        Topology = HostTopology.Of(policy);
        var unresolved = new List<(QaEndpoint, string)>();
        foreach (var e in policy.Endpoints)
        {
            var list = new List<IPNetwork>(e.Addresses);
            foreach (var h in e.HostNames)
            {
                var addresses = resolver.Resolve(h);
                if (addresses.Count == 0)
                {
                    unresolved.Add((e, h));
                }

                foreach (var a in addresses)
                {
                    var host = new IPNetwork(a, IpMath.Bits(a.AddressFamily));
                    if (!list.Contains(host))
                    {
                        list.Add(host);
                    }
                }
            }

            endpointAddresses[e.Name] = list;
        }

        foreach (var c in policy.Clients)
        {
            foreach (var r in c.Roles)
            {
                if (!roleMembers.TryGetValue(r, out var members))
                {
                    roleMembers[r] = members = new List<QaClient>();
                }

                members.Add(c);
            }
        }

        Unresolved = unresolved;
        Rules = policy.Rules.Select((r, i) => ResolveRule(r, i)).ToList();
    }

    public QaPolicy Policy { get; }

    public IHostResolver Resolver { get; }

    /// <summary>Which hosts the policy reaches and what each carries.</summary>
    public HostTopology Topology { get; }

    /// <summary>Rules in policy order, resolved.</summary>
    public IReadOnlyList<ResolvedRule> Rules { get; }

    /// <summary>Endpoint host names the resolver did not know.</summary>
    public IReadOnlyList<(QaEndpoint Endpoint, string HostName)> Unresolved { get; }

    public static ResolvedPolicy Create(QaPolicy policy, IHostResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ResolvedPolicy(policy, resolver ?? new StaticNameMapResolver(policy));
    }

    /// <summary>A client's own addresses as host prefixes (IPv4, and IPv6 when it has one).</summary>
    public static IReadOnlyList<IPNetwork> ClientAddresses(QaClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var list = new List<IPNetwork>(2) { new(client.Address, IpMath.Bits(client.Address.AddressFamily)) };
        if (client.Address6 is { } a6)
        {
            list.Add(new IPNetwork(a6, 128));
        }

        return list;
    }

    public IReadOnlyList<IPNetwork> EndpointAddresses(string endpointName) =>
        endpointAddresses.TryGetValue(endpointName, out var list) ? list : Array.Empty<IPNetwork>();

    /// <summary>Every role some client has, as the policy spells it.</summary>
    public IEnumerable<string> Roles => roleMembers.Keys;

    public IReadOnlyList<QaClient> RoleMembers(string role) =>
        roleMembers.TryGetValue(role, out var list) ? list : (IReadOnlyList<QaClient>)Array.Empty<QaClient>();

    /// <summary>The prefixes a selector stands for. A network selector stands for its whole subnet(s).</summary>
    public IReadOnlyList<IPNetwork> Addresses(QaSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        switch (selector.Kind)
        {
            case QaSelectorKind.Client:
                return Policy.FindClient(selector.Value) is { } c ? ClientAddresses(c) : Array.Empty<IPNetwork>();
            case QaSelectorKind.Role:
                return RoleMembers(selector.Value).SelectMany(ClientAddresses).ToList();
            case QaSelectorKind.Endpoint:
                return EndpointAddresses(selector.Value);
            case QaSelectorKind.Network:
                if (Policy.FindNetwork(selector.Value) is not { } n)
                {
                    return Array.Empty<IPNetwork>();
                }

                return n.Subnet6 is { } s6 ? new[] { n.Subnet, s6 } : new[] { n.Subnet };
            default:
                return new[] { selector.Network4Or6 };
        }
    }

    /// <summary>The ports a rule applies to for one destination: its own, else the endpoint's.</summary>
    public IReadOnlyList<QaPortRange> Ports(QaRule rule, QaSelector destination)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(destination);
        if (rule.Ports.Count > 0)
        {
            return rule.Ports;
        }

        return destination.Kind == QaSelectorKind.Endpoint && Policy.FindEndpoint(destination.Value) is { } e
            ? e.Ports
            : Array.Empty<QaPortRange>();
    }

    private ResolvedRule ResolveRule(QaRule rule, int order)
    {
        var empty = new List<QaSelector>();
        var sources = new List<IPNetwork>();
        foreach (var s in rule.From)
        {
            var a = Addresses(s);
            if (a.Count == 0)
            {
                empty.Add(s);
            }

            sources.AddRange(a);
        }

        var targets = new List<RuleTarget>(rule.To.Count);
        foreach (var d in rule.To)
        {
            var a = Addresses(d);
            if (a.Count == 0)
            {
                empty.Add(d);
            }

            targets.Add(new RuleTarget(d, a, Ports(rule, d)));
        }

        return new ResolvedRule(rule, order, sources.Distinct().ToList(), targets) { Empty = empty };
    }
}
