using System.Net;
using System.Net.Sockets;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

/// <summary>A point-to-point lab link: the router's end gets the first host address, the other end the second (in both families).</summary>
public sealed record QaLabLink(string RouterInterface, string Peer, string PeerInterface, IPNetwork Subnet, IPNetwork Subnet6)
{
    public IPAddress RouterAddress => IpMath.Offset(Subnet, 1);

    public IPAddress PeerAddress => IpMath.Offset(Subnet, 2);

    public IPAddress RouterAddress6 => IpMath.Offset(Subnet6, 1);

    public IPAddress PeerAddress6 => IpMath.Offset(Subnet6, 2);
}

/// <summary>
/// Where a policy's hosts go in the lab, computed from the policy alone (no side effects):
/// namespace names, which segment an endpoint lives in, the lab addresses of every endpoint,
/// and the lab's own link subnets, taken from 198.18.0.0/15 around whatever the policy uses.
/// </summary>
public sealed class QaLabPlan
{
    /// <summary>Lab links come from here (RFC 2544 benchmark range), skipping what the policy uses.</summary>
    public static readonly IPNetwork LinkRange = IPNetwork.Parse("198.18.0.0/15");

    /// <summary>The links' IPv6 halves: one /64 each from this unique-local prefix, which never leaves the lab's namespaces.</summary>
    public static readonly IPNetwork LinkRange6 = IPNetwork.Parse("fd0d:1ab::/48");

    public const string ManagementSegment = "management";
    public const string PublicSegment = "public";
    public const string QaLanSegment = "qa-lan";

    // A few host addresses inside a CIDR endpoint stand for "other hosts on that network".
    private static readonly int[] CidrHostOffsets = { 1, 25, 200 };

    private QaLabPlan(QaPolicy policy, string prefix, QaLabHostAccess hostAccess)
    {
        Policy = policy;
        Prefix = prefix;
        HostAccess = hostAccess;
    }

    /// <summary>How the lab's virthosts and gateways are reached (Ssh: from <see cref="OperatorNamespace"/>).</summary>
    public QaLabHostAccess HostAccess { get; }

    /// <summary>With Ssh host access: the operator's namespace, linked to the router only; else null.</summary>
    public string? OperatorNamespace => HostAccess == QaLabHostAccess.Ssh ? Prefix + "op" : null;

    public QaPolicy Policy { get; }

    public string Prefix { get; }

    public string RouterNamespace => Prefix + "up";

    /// <summary>Virthost name → namespace.</summary>
    public Dictionary<string, string> VirtHostNamespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Client name → namespace.</summary>
    public Dictionary<string, string> ClientNamespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Gateway endpoint name → namespace.</summary>
    public Dictionary<string, string> GatewayNamespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Segment name → namespace (only segments that hold an endpoint).</summary>
    public Dictionary<string, string> SegmentNamespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Endpoint name → its namespace.</summary>
    public Dictionary<string, string> EndpointNamespaces { get; } = new(StringComparer.Ordinal);

    /// <summary>Endpoint name → lab addresses (IPv4 and IPv6; CIDRs as a few hosts inside).</summary>
    public Dictionary<string, List<IPAddress>> EndpointAddresses { get; } = new(StringComparer.Ordinal);

    /// <summary>Router ↔ virthost / segment / gateway links, by peer namespace.</summary>
    public Dictionary<string, QaLabLink> Links { get; } = new(StringComparer.Ordinal);

    /// <summary>Ports every lab host listens on and the matrix probes (no icmp).</summary>
    public IReadOnlyList<QaPortRange> ListenPorts { get; private set; } = Array.Empty<QaPortRange>();

    public List<string> Warnings { get; } = new();

    public static QaLabPlan Create(QaPolicy policy, string prefix = Namespaces.DefaultPrefix, QaLabHostAccess hostAccess = QaLabHostAccess.Namespace)
    {
        ArgumentNullException.ThrowIfNull(policy);
        CheckPrefix(prefix);
        var plan = new QaLabPlan(policy, prefix, hostAccess);
        plan.Build(ResolvedPolicy.Create(policy));
        return plan;
    }

    /// <summary>Prefixes are short QaNet names ending in '-': every lab name starts with one.</summary>
    public static void CheckPrefix(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 12 || !prefix.EndsWith('-') || !Names.IsValid(prefix + "x") || prefix.Contains('.', StringComparison.Ordinal))
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidName, "lab prefix", null,
                $"'{prefix}' is not a lab prefix.", "Use up to 12 lowercase letters, digits and '-', ending in '-' (e.g. qn- or qn-demo-)."));
        }
    }

    /// <summary>The segment an endpoint lives in: management hosts connect into clients, CIDRs are "the rest of the LAN".</summary>
    public static string SegmentOf(ResolvedPolicy policy, QaEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(endpoint);
        var ingressSource = policy.Policy.Rules.Any(r => r.Kind == QaRuleKind.Ingress &&
            r.From.Any(s => s.Kind == QaSelectorKind.Endpoint && s.Value == endpoint.Name));
        if (ingressSource)
        {
            return ManagementSegment;
        }

        return policy.EndpointAddresses(endpoint.Name).Any(a => a.PrefixLength < IpMath.Bits(a.BaseAddress.AddressFamily))
            ? QaLanSegment
            : PublicSegment;
    }

    private string Name(string kind, string name, int index)
    {
        var full = Prefix + kind + "-" + name;
        return Names.IsValid(full) && full.Length <= 40 ? full : Prefix + kind + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Build(ResolvedPolicy resolved)
    {
        var used = new List<IPNetwork>();
        foreach (var n in Policy.Networks)
        {
            used.Add(n.Subnet);
        }

        used.AddRange(resolved.Policy.Endpoints.SelectMany(e => resolved.EndpointAddresses(e.Name)).Where(a => a.BaseAddress.AddressFamily == AddressFamily.InterNetwork));
        used.AddRange(Policy.Hosts.Values.SelectMany(v => v).Where(IpMath.IsV4).Select(a => new IPNetwork(a, 32)));
        used.AddRange(UnderlayAddresses().Select(u => new IPNetwork(u.Address, IpMath.Bits(u.Address.AddressFamily))));
        var used6 = Policy.Networks.Where(n => n.Subnet6 is not null).Select(n => n.Subnet6!.Value)
            .Concat(resolved.Policy.Endpoints.SelectMany(e => resolved.EndpointAddresses(e.Name)).Where(a => a.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6))
            .Concat(Policy.Hosts.Values.SelectMany(v => v).Where(a => !IpMath.IsV4(a)).Select(a => new IPNetwork(a, 128)));
        if (used6.Any(u => IpMath.Overlaps(u, LinkRange6)))
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.AddressPoolExhausted, "lab links", null,
                $"The policy uses addresses in {LinkRange6}, the lab's IPv6 link range.", $"Use other IPv6 addresses than {LinkRange6} in the policy."));
        }

        var nextLink = IpMath.ToNumber(LinkRange.BaseAddress);
        QaLabLink NewLink(string peer, string routerInterface)
        {
            while (true)
            {
                var subnet = new IPNetwork(IpMath.FromNumber(nextLink, AddressFamily.InterNetwork), 30);
                nextLink += 4;
                if (!IpMath.Covers(LinkRange, subnet))
                {
                    throw new QaValidationException(new QaValidationError(QaErrorIds.AddressPoolExhausted, "lab links", null,
                        "The policy leaves no room in 198.18.0.0/15 for the lab's links.", "Use fewer addresses from 198.18.0.0/15 in the policy."));
                }

                if (!used.Any(u => IpMath.Overlaps(u, subnet)))
                {
                    var link = new QaLabLink(routerInterface, peer, "up0", subnet,
                        new IPNetwork(IpMath.Offset(LinkRange6, (UInt128)Links.Count << 64), 64));
                    Links[peer] = link;
                    return link;
                }
            }
        }

        var topology = Resolution.HostTopology.Of(Policy);
        var virtHosts = topology.VirtHosts;
        for (var i = 0; i < virtHosts.Count; i++)
        {
            VirtHostNamespaces[virtHosts[i]] = Name("vh", virtHosts[i], i);
            NewLink(VirtHostNamespaces[virtHosts[i]], "v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var gateways = topology.Gateways;
        for (var i = 0; i < gateways.Count; i++)
        {
            GatewayNamespaces[gateways[i]] = Name("gw", gateways[i], i);
            NewLink(GatewayNamespaces[gateways[i]], "g" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var clientSubnets = Policy.Networks.SelectMany(n => n.Subnet6 is { } s6 ? new[] { n.Subnet, s6 } : new[] { n.Subnet }).ToList();
        var placed = new HashSet<IPAddress>();
        var segmentIndex = 0;
        foreach (var e in Policy.Endpoints)
        {
            var addresses = new List<IPAddress>();
            foreach (var prefix in resolved.EndpointAddresses(e.Name))
            {
                var hosts = prefix.PrefixLength >= IpMath.Bits(prefix.BaseAddress.AddressFamily) - 1
                    ? new[] { prefix.BaseAddress }
                    : CidrHostOffsets.Where(o => (ulong)o < IpMath.Size(prefix) - 1).Select(o => IpMath.Offset(prefix, (UInt128)o)).ToArray();
                foreach (var a in hosts)
                {
                    var inClientNet = clientSubnets.Exists(s => IpMath.Contains(s, a));
                    if (inClientNet && !GatewayNamespaces.ContainsKey(e.Name))
                    {
                        Warnings.Add($"Endpoint {e.Name}: {a} lies in a client network; only a gateway gets an address there in the lab.");
                        continue;
                    }

                    if (placed.Add(a))
                    {
                        addresses.Add(a);
                    }
                    else
                    {
                        Warnings.Add($"Endpoint {e.Name}: {a} belongs to another endpoint too; the lab host of the first one answers.");
                    }
                }
            }

            EndpointAddresses[e.Name] = addresses;
            if (GatewayNamespaces.TryGetValue(e.Name, out var gwNs))
            {
                EndpointNamespaces[e.Name] = gwNs;
                continue;
            }

            if (addresses.Count == 0)
            {
                Warnings.Add($"Endpoint {e.Name} has no address the lab can build; its cells are left out.");
                continue;
            }

            var segment = SegmentOf(resolved, e);
            if (!SegmentNamespaces.TryGetValue(segment, out var ns))
            {
                SegmentNamespaces[segment] = ns = Prefix + segment switch { ManagementSegment => "mgmt", PublicSegment => "pub", _ => "lan" };
                NewLink(ns, "s" + segmentIndex++.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            EndpointNamespaces[e.Name] = ns;
        }

        var clients = Policy.Clients.ToList();
        for (var i = 0; i < clients.Count; i++)
        {
            ClientNamespaces[clients[i].Name] = Name("c", clients[i].Name, i);
        }

        ListenPorts = QaReachabilityMatrix.PolicyPorts(Policy).Where(p => !p.IsIcmp).ToList();

        // Last, so the other links keep the addresses they have without an operator.
        if (OperatorNamespace is { } op)
        {
            NewLink(op, "o0");
        }
    }

    /// <summary>
    /// The policy's VXLAN underlay addresses: each goes on its virthost's link to the router, which
    /// routes them, so the tunnels between virthost namespaces run over the lab's own links.
    /// </summary>
    public IEnumerable<(string VirtHost, IPAddress Address)> UnderlayAddresses() =>
        Policy.Networks.Where(n => n.Uplink is { Kind: QaUplinkKind.Vxlan })
            .SelectMany(n => n.Uplink!.Underlay.Select(u => (u.Key, u.Value)))
            .Distinct();

    /// <summary>
    /// The virthost where a lab host's leg meets a network: every virthost, or — when an uplink
    /// joins the bridges into one segment — only the serving one (one gateway/router leg per segment).
    /// </summary>
    public static IReadOnlyList<string> LegVirtHosts(QaNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Uplink is { } u ? new[] { network.ServingVirtHost ?? u.Gateway ?? network.VirtHosts[0] } : network.VirtHosts;
    }

        /// <summary>Every namespace of the plan in creation order: router, virthosts, gateways, segments, operator, clients.</summary>
    public IEnumerable<string> AllNamespaces() =>
        new[] { RouterNamespace }
            .Concat(VirtHostNamespaces.Values)
            .Concat(GatewayNamespaces.Values)
            .Concat(SegmentNamespaces.Values)
            .Concat(OperatorNamespace is { } op ? new[] { op } : Array.Empty<string>())
            .Concat(ClientNamespaces.Values);
}
