using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;

namespace QaNet.Core.Engine;

/// <summary>One address a name stands for: <see cref="Name"/> is the client or endpoint it belongs to.</summary>
public readonly record struct QaNamedAddress(string Name, string Kind, QaAddress Address);

/// <summary>
/// The engine as the cmdlets use it: a policy compiled for one moment (<see cref="Now"/>),
/// answering by name or address. Create one per command invocation; it is immutable and
/// may be shared between threads.
/// </summary>
public sealed class QaReachability
{
    private readonly Dictionary<string, QaClient> clientsByName = new(Names.Comparer);

    public QaReachability(ResolvedPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Resolved = policy;
        Now = now;
        Engine = QaRuleEngine.Compile(policy, now);
        Explainer = new FlowExplainer(policy);
        foreach (var c in policy.Policy.Clients)
        {
            clientsByName.TryAdd(c.Name, c);
        }
    }

    public ResolvedPolicy Resolved { get; }

    public QaPolicy Policy => Resolved.Policy;

    /// <summary>The moment expiry is judged against; the engine never reads the clock itself.</summary>
    public DateTimeOffset Now { get; }

    public QaRuleEngine Engine { get; }

    internal FlowExplainer Explainer { get; }

    public static QaReachability Create(QaPolicy policy, DateTimeOffset now, IHostResolver? resolver = null) =>
        new(ResolvedPolicy.Create(policy, resolver), now);

    /// <summary>
    /// The addresses a query side stands for: an address literal; a client (its IPv4 and IPv6
    /// addresses); an endpoint (each address; a CIDR stands for its first address); a role
    /// (every member's addresses). <c>client:</c>, <c>endpoint:</c> and <c>role:</c> prefixes
    /// force the kind. Throws <see cref="QaValidationException"/> (<see cref="QaErrorIds.NotFound"/>)
    /// for a name the policy does not know.
    /// </summary>
    public IReadOnlyList<QaNamedAddress> ResolveName(string nameOrAddress)
    {
        ArgumentNullException.ThrowIfNull(nameOrAddress);
        var text = nameOrAddress.Trim();
        if ((text.Contains('.', StringComparison.Ordinal) || text.Contains(':', StringComparison.Ordinal)) &&
            !text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var literal))
        {
            return new[] { new QaNamedAddress(literal.ToString(), "address", QaAddress.From(literal)) };
        }

        string? kind = null;
        var name = text;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && text[..colon] is "client" or "endpoint" or "role")
        {
            kind = text[..colon];
            name = text[(colon + 1)..];
        }

        var list = new List<QaNamedAddress>();
        if (kind is null or "client" && clientsByName.TryGetValue(name, out var client))
        {
            AddClient(list, client);
        }
        else if (kind is null or "endpoint" && Policy.FindEndpoint(name) is { } endpoint)
        {
            foreach (var a in Resolved.EndpointAddresses(endpoint.Name))
            {
                list.Add(new QaNamedAddress(endpoint.Name, "endpoint", QaAddress.From(a.BaseAddress)));
            }

            if (list.Count == 0)
            {
                throw new QaValidationException(new QaValidationError(QaErrorIds.NotFound, $"endpoint '{name}'", null,
                    $"Endpoint '{name}' has no address: its host names are not in the name map.",
                    "Add the host names to the policy's hosts: map, or give the endpoint an address."));
            }
        }
        else if (kind is null or "role")
        {
            foreach (var member in Resolved.RoleMembers(name))
            {
                AddClient(list, member);
            }
        }

        if (list.Count == 0)
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.NotFound, $"'{text}'", null,
                $"'{text}' is not a client, endpoint, role or address of policy '{Policy.Name}'.",
                "Check the name with Get-QaClient or Get-QaEndpoint, or give an IPv4 or IPv6 address."));
        }

        return list;
    }

    /// <summary>
    /// Answers one query by name or address. Every source address is paired with every
    /// destination address of the same family; when all pairs agree (verdict and rule) one
    /// result stands for them, otherwise there is one result per pair.
    /// </summary>
    public IReadOnlyList<QaReachabilityResult> Test(string from, string to, int port, QaProtocol protocol = QaProtocol.Tcp)
    {
        from = Spelled(from);
        to = Spelled(to);
        return Test(from, to, ResolveName(from), ResolveName(to), port, protocol);
    }

    /// <summary>
    /// Every endpoint with an address → every client, on <paramref name="ports"/> (single ports
    /// or icmp): the connections into clients, folded per pair as <see cref="Test(string, string, int, QaProtocol)"/> does.
    /// </summary>
    public IEnumerable<QaReachabilityResult> Inbound(IReadOnlyList<QaPortRange> ports)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var clients = new List<(string Name, List<QaNamedAddress> Addresses)>();
        foreach (var c in Policy.Clients)
        {
            var addresses = new List<QaNamedAddress>();
            AddClient(addresses, c);
            if (addresses.Count > 0)
            {
                clients.Add((c.Name, addresses));
            }
        }

        foreach (var endpoint in Policy.Endpoints)
        {
            var sources = Resolved.EndpointAddresses(endpoint.Name)
                .Select(a => new QaNamedAddress(endpoint.Name, "endpoint", QaAddress.From(a.BaseAddress))).ToList();
            if (sources.Count == 0)
            {
                continue;
            }

            foreach (var (client, destinations) in clients)
            {
                foreach (var port in ports)
                {
                    foreach (var r in Test(endpoint.Name, client, sources, destinations, port.From, port.Protocol))
                    {
                        yield return r;
                    }
                }
            }
        }
    }

    private IReadOnlyList<QaReachabilityResult> Test(string from, string to, IReadOnlyList<QaNamedAddress> sources, IReadOnlyList<QaNamedAddress> destinations, int port, QaProtocol protocol)
    {
        var results = new List<QaReachabilityResult>();
        foreach (var s in sources)
        {
            foreach (var d in destinations)
            {
                if (s.Address.IsV6 == d.Address.IsV6)
                {
                    var flow = new QaFlow(s.Address, d.Address, protocol, port);
                    results.Add(new QaReachabilityResult(s.Name, d.Name, flow, Engine.Decide(flow), Explainer));
                }
            }
        }

        if (results.Count == 0)
        {
            var flow = new QaFlow(sources[0].Address, destinations[0].Address, protocol, port);
            return new[]
            {
                new QaReachabilityResult(from, to, flow,
                    $"{from} and {to} share no address family ({Family(sources)} vs {Family(destinations)}) → no connection is possible"),
            };
        }

        var first = results[0];
        if (results.TrueForAll(r => r.Allowed == first.Allowed && r.RuleId == first.RuleId))
        {
            return new[] { new QaReachabilityResult(from, to, first.Flow, first.Decision, Explainer) };
        }

        return results;
    }

    /// <summary>Answers one flow between two addresses.</summary>
    public QaReachabilityResult Test(IPAddress from, IPAddress to, int port, QaProtocol protocol = QaProtocol.Tcp)
    {
        var flow = QaFlow.Create(from, to, protocol, port);
        return new QaReachabilityResult(from.ToString(), to.ToString(), flow, Engine.Decide(flow), Explainer);
    }

    /// <summary>Every client × every endpoint × the port set, computed on equivalence classes.</summary>
    public QaReachabilityMatrix Matrix(QaMatrixOptions? options = null) => new(this, options ?? new QaMatrixOptions());

    /// <summary>A query side as the policy spells the name in it (names fold case); an address, or text that names nothing, as given.</summary>
    private string Spelled(string side)
    {
        var text = side.Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon > 0 && text[..colon] is "client" or "endpoint" or "role" ? text[..(colon + 1)] : string.Empty;
        var name = text[prefix.Length..];
        return prefix + (clientsByName.TryGetValue(name, out var client) ? client.Name
            : Policy.FindEndpoint(name)?.Name ?? Names.Canonical(name, Resolved.Roles));
    }

    private static void AddClient(List<QaNamedAddress> list, QaClient client)
    {
        foreach (var a in ResolvedPolicy.ClientAddresses(client))
        {
            list.Add(new QaNamedAddress(client.Name, "client", QaAddress.From(a.BaseAddress)));
        }
    }

    private static string Family(IReadOnlyList<QaNamedAddress> side) =>
        side.All(a => a.Address.IsV6) ? "IPv6 only" : "IPv4 only";
}
