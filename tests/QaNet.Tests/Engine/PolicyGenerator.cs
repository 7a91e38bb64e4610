using System.Globalization;
using System.Net;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Tests.Engine;

/// <summary>Shape of a generated policy.</summary>
internal sealed record GeneratorOptions(int Seed, int Networks, int ClientsPerNetwork, int Roles, int Endpoints, int Rules)
{
    /// <summary>Fraction of clients (and endpoint addresses) that also have IPv6.</summary>
    public double V6 { get; init; } = 0.3;

    /// <summary>Fraction of rules with an expiry; half of those lie before <see cref="PolicyGenerator.Now"/>.</summary>
    public double Expiring { get; init; } = 0.1;

    /// <summary>Engine-scale policy of the benchmarks: 1,000 clients, 500 endpoints, 10,000 rules.</summary>
    public static GeneratorOptions Large(int scale = 1) => new(42, 10 * scale, 100, 30 * scale, 500 * scale, 10_000 * scale);

    /// <summary>
    /// What a lab can probe in well under a minute: two networks of three clients on one virthost,
    /// six endpoints, twelve rules; IPv4 only (the lab builds no IPv6).
    /// </summary>
    public static GeneratorOptions Lab(int seed) => new(seed, 2, 3, 3, 6, 12) { V6 = 0 };
}

/// <summary>
/// Random but reproducible policies for the property tests and the benchmarks: overlapping
/// CIDRs, port ranges, roles with many members, IPv6, equal priorities and expiring rules.
/// Built on the model directly (the editor validates after every add, which is quadratic).
/// </summary>
internal sealed class PolicyGenerator
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly QaPortRange[] PortPool =
    {
        P(QaProtocol.Tcp, 22), P(QaProtocol.Tcp, 80), P(QaProtocol.Tcp, 443), P(QaProtocol.Tcp, 8080), P(QaProtocol.Tcp, 9989),
        P(QaProtocol.Udp, 69), P(QaProtocol.Tcp, 5432), new(QaProtocol.Tcp, 7080, 7099), new(QaProtocol.Udp, 60000, 61000),
        QaPortRange.Icmp, new(QaProtocol.Tcp, 1024, 2048), P(QaProtocol.Udp, 53), P(QaProtocol.Tcp, 53),
    };

    private static readonly int[] Priorities = { 50, 100, 100, 500, 1000, 1000, 2000 };

    private readonly Random random;
    private readonly GeneratorOptions options;
    private int ruleNumber;

    private PolicyGenerator(GeneratorOptions options)
    {
        this.options = options;
        random = new Random(options.Seed);
    }

    public static QaPolicy Generate(GeneratorOptions options)
    {
        var g = new PolicyGenerator(options);
        var policy = new QaPolicy("generated");
        g.AddNetworks(policy);
        g.AddEndpoints(policy);
        for (var i = 0; i < options.Rules; i++)
        {
            policy.Rules.Add(g.NewRule(policy));
        }

        return policy;
    }

    /// <summary>Adds <paramref name="count"/> more random rules (for policy comparisons).</summary>
    public static void AddRules(QaPolicy policy, int seed, int count)
    {
        var g = new PolicyGenerator(new GeneratorOptions(seed, 0, 0, 0, 0, 0)) { ruleNumber = policy.Rules.Count + 1_000_000 };
        for (var i = 0; i < count; i++)
        {
            policy.Rules.Insert(g.random.Next(policy.Rules.Count + 1), g.NewRule(policy));
        }
    }

    /// <summary>Random flows, biased to the edges of the policy's own prefixes and ports.</summary>
    public static IEnumerable<QaFlow> Flows(int seed, int count, params QaPolicy[] policies)
    {
        var random = new Random(seed);
        var rules = policies.SelectMany(p => QaNet.Core.Resolution.ResolvedPolicy.Create(p).Rules)
            .Where(r => r.Sources.Count > 0 && r.Targets.Any(t => t.Destinations.Count > 0 && t.Ports.Count > 0)).ToList();
        var prefixes = new List<IPNetwork>();
        var ports = new List<QaPortRange>(PortPool);
        foreach (var policy in policies)
        {
            foreach (var c in policy.Clients)
            {
                prefixes.Add(new IPNetwork(c.Address, 32));
                if (c.Address6 is { } a6)
                {
                    prefixes.Add(new IPNetwork(a6, 128));
                }
            }

            prefixes.AddRange(policy.Networks.Select(n => n.Subnet));
            prefixes.AddRange(policy.Endpoints.SelectMany(e => e.Addresses));
            prefixes.AddRange(policy.Rules.SelectMany(r => r.From.Concat(r.To)).Where(s => s.Kind == QaSelectorKind.Cidr).Select(s => s.Network4Or6));
            ports.AddRange(policy.Rules.SelectMany(r => r.Ports));
        }

        QaAddress Address(IReadOnlyList<IPNetwork> from)
        {
            var p = from[random.Next(from.Count)];
            var (first, last) = IpMath.Bounds(p);
            var isV6 = p.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            UInt128 value = random.Next(6) switch
            {
                0 => first,
                1 => last,
                2 => first == 0 ? first : first - 1,
                3 => last == (isV6 ? UInt128.MaxValue : uint.MaxValue) ? last : last + 1,
                _ => first + (UInt128)(ulong)random.NextInt64((long)Math.Min((ulong)(last - first), (ulong)long.MaxValue - 1) + 1),
            };
            return new QaAddress(value, isV6);
        }

        for (var i = 0; i < count; i++)
        {
            // Half the flows aim at one rule (its sources, a target, its ports) so both verdicts are common.
            var rule = rules.Count > 0 && random.Next(2) == 0 ? rules[random.Next(rules.Count)] : null;
            var target = rule?.Targets.Where(t => t.Destinations.Count > 0 && t.Ports.Count > 0).ElementAt(0);
            var src = Address(rule?.Sources ?? prefixes);
            var dst = Address(target?.Destinations ?? prefixes);
            var pool = target?.Ports ?? ports;
            var range = pool[random.Next(pool.Count)];
            var protocol = random.Next(10) switch { 0 => QaProtocol.Icmp, < 4 => QaProtocol.Udp, _ => QaProtocol.Tcp };
            var port = random.Next(5) switch
            {
                0 => range.From - 1,
                1 => range.To + 1,
                2 => random.Next(1, 65536),
                _ => range.From + random.Next(range.To - range.From + 1),
            };
            yield return new QaFlow(src, dst, range.IsIcmp ? protocol : random.Next(4) == 0 ? protocol : range.Protocol, port);
        }
    }

    private static QaPortRange P(QaProtocol protocol, int port) => new(protocol, port, port);

    private void AddNetworks(QaPolicy policy)
    {
        var mac = 0;
        for (var n = 0; n < options.Networks; n++)
        {
            var network = new QaNetwork(policy, $"net{n}", IpMath.ParseCidr($"10.{n + 1}.0.0/16"), QaNetworkMode.Nat)
            {
                Subnet6 = IpMath.ParseCidr(string.Create(CultureInfo.InvariantCulture, $"fd00:{n + 1:x}::/64")),
                Bridge = $"br-net{n}",
            };
            network.VirtHosts.Add("vh1");
            for (var c = 0; c < options.ClientsPerNetwork; c++)
            {
                var client = new QaClient(network, $"c{n}-{c}", $"52:54:00:{(mac >> 16) & 0xff:x2}:{(mac >> 8) & 0xff:x2}:{mac & 0xff:x2}",
                    IpMath.Offset(network.Subnet, (UInt128)(c + 2)), "vh1");
                mac++;
                if (random.NextDouble() < options.V6)
                {
                    client.Address6 = IpMath.Offset(network.Subnet6.Value, (UInt128)(c + 2));
                }

                client.Roles.Add(Role());
                if (random.Next(3) == 0)
                {
                    var second = Role();
                    if (!client.Roles.Contains(second))
                    {
                        client.Roles.Add(second);
                    }
                }

                network.Clients.Add(client);
            }

            policy.Networks.Add(network);
        }
    }

    private string Role() => $"role{random.Next(options.Roles)}";

    private void AddEndpoints(QaPolicy policy)
    {
        for (var e = 0; e < options.Endpoints; e++)
        {
            var endpoint = new QaEndpoint(policy, $"ep{e}");
            var (hi, lo) = (16 + (e / 256 % 16), e % 256);
            endpoint.Addresses.Add(IpMath.ParseCidr($"172.{hi}.{lo}.{1 + random.Next(3)}"));
            switch (random.Next(6))
            {
                case 0: endpoint.Addresses.Add(IpMath.ParseCidr($"172.{hi}.{lo}.{16 * random.Next(1, 15)}/28")); break;
                case 1: endpoint.Addresses.Add(IpMath.ParseCidr($"172.{hi}.{lo}.0/24")); break;
                case 2: endpoint.Addresses.Add(IpMath.ParseCidr($"172.{hi}.{lo}.{100 + random.Next(100)}")); break;
                default: break;
            }

            if (random.NextDouble() < options.V6)
            {
                endpoint.Addresses.Add(IpMath.ParseCidr(string.Create(CultureInfo.InvariantCulture, $"2001:db8:{e:x}::{1 + random.Next(3):x}")));
            }

            for (var p = random.Next(1, 4); p > 0; p--)
            {
                var port = PortPool[random.Next(PortPool.Length)];
                if (!endpoint.Ports.Contains(port))
                {
                    endpoint.Ports.Add(port);
                }
            }

            policy.Endpoints.Add(endpoint);
        }
    }

    private QaRule NewRule(QaPolicy policy)
    {
        var roll = random.Next(10);
        var kind = roll < 6 ? QaRuleKind.Egress : roll < 8 ? QaRuleKind.Ingress : QaRuleKind.Block;
        var rule = new QaRule(policy, $"r{ruleNumber++}", kind);
        if (random.Next(3) > 0)
        {
            rule.Priority = Priorities[random.Next(Priorities.Length)];
        }

        if (random.NextDouble() < options.Expiring)
        {
            rule.ExpiresAt = Now.AddDays(random.Next(2) == 0 ? -random.Next(1, 30) : random.Next(1, 30));
        }

        var count = random.Next(1, 3);
        for (var i = 0; i < count; i++)
        {
            switch (kind)
            {
                case QaRuleKind.Egress:
                    rule.From.Add(ClientSide(policy));
                    rule.To.Add(random.Next(5) == 0 ? Cidr() : Endpoint(policy));
                    break;
                case QaRuleKind.Ingress:
                    rule.From.Add(random.Next(3) == 0 ? Cidr() : Endpoint(policy));
                    rule.To.Add(ClientSide(policy));
                    break;
                default:
                    rule.From.Add(random.Next(4) == 0 ? Cidr() : ClientSide(policy));
                    rule.To.Add(random.Next(3) switch { 0 => Cidr(), 1 => ClientSide(policy), _ => Endpoint(policy) });
                    break;
            }
        }

        var needPorts = rule.To.Any(s => s.Kind != QaSelectorKind.Endpoint);
        if (needPorts || random.Next(2) == 0)
        {
            for (var p = random.Next(1, 3); p > 0; p--)
            {
                var port = PortPool[random.Next(PortPool.Length)];
                if (!rule.Ports.Contains(port))
                {
                    rule.Ports.Add(port);
                }
            }
        }

        return rule;
    }

    private QaSelector ClientSide(QaPolicy policy)
    {
        var roll = random.Next(10);
        if (roll < 7 || policy.Networks.Count == 0)
        {
            return QaSelector.Role(Role());
        }

        if (roll < 9)
        {
            var n = policy.Networks[random.Next(policy.Networks.Count)];
            return QaSelector.Client(n.Clients[random.Next(n.Clients.Count)].Name);
        }

        return QaSelector.Network(policy.Networks[random.Next(policy.Networks.Count)].Name);
    }

    private QaSelector Endpoint(QaPolicy policy) => QaSelector.Endpoint(policy.Endpoints[random.Next(policy.Endpoints.Count)].Name);

    private QaSelector Cidr()
    {
        var prefix = random.Next(5) switch
        {
            0 => $"172.{16 + random.Next(4)}.0.0/{14 + random.Next(3)}",
            1 => $"172.{16 + random.Next(2)}.{random.Next(256)}.0/{22 + random.Next(5)}",
            2 => $"10.{1 + random.Next(10)}.0.0/{16 + random.Next(2)}",
            3 => string.Create(CultureInfo.InvariantCulture, $"2001:db8:{random.Next(64):x}::/{48 - random.Next(3)}"),
            _ => $"172.{16 + random.Next(2)}.{random.Next(256)}.{random.Next(256)}",
        };
        return QaSelector.Cidr(MaskedCidr(prefix));
    }

    private static IPNetwork MaskedCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return IpMath.ParseCidr(text);
        }

        var address = IPAddress.Parse(text[..slash]);
        var length = int.Parse(text[(slash + 1)..], CultureInfo.InvariantCulture);
        var bits = IpMath.Bits(address.AddressFamily);
        var value = IpMath.ToNumber(address);
        var mask = length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length) >> (128 - bits);
        return new IPNetwork(IpMath.FromNumber(value & mask, address.AddressFamily), length);
    }
}
