using System.Net;
using System.Security.Cryptography;
using System.Text;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;

namespace QaNet.Core.Render.Ebtables;

/// <summary>
/// Compiles the layer-2 rules of one virthost. Each client gets a chain for what it sends
/// (anti-spoofing, then its class) and one for what it receives; clients that the same
/// rules cover share a class chain, so the table grows with clients + classes × grants.
/// Bridged networks are decided here entirely; on Nat and Gateway networks only traffic
/// between two addresses of the client subnet is (it never reaches the routed table), the
/// rest is passed on to the gateway's nft table.
/// </summary>
internal sealed class EbtCompiler
{
    private static readonly string[] BuiltinChains = { "INPUT", "FORWARD", "OUTPUT" };

    private readonly IReadOnlyList<QaNetwork> networks;
    private readonly string virtHost;
    private readonly List<ResolvedRule> active;
    private readonly Dictionary<string, List<EbtRule>> rulesByChain = new(StringComparer.Ordinal);
    private readonly List<string> chains = new();
    private readonly Dictionary<ClassEntries, string> classChains = new();
    private readonly Dictionary<string, string> classByCoverage = new(StringComparer.Ordinal);

    // Every target of every active rule, in the engine's order; an index into it names a target.
    private readonly List<(ResolvedRule Rule, RuleTarget Target)> targets;
    private readonly AddressIndex sourcesOf = new();
    private readonly AddressIndex destinationsOf = new();

    public EbtCompiler(ResolvedPolicy policy, IReadOnlyList<QaNetwork> networks, string virtHost, DateTimeOffset now)
    {
        this.networks = networks;
        this.virtHost = virtHost;
        active = Precedence.Active(policy, now);
        targets = active.SelectMany(r => r.Targets.Select(t => (r, t))).ToList();
        for (var i = 0; i < active.Count; i++)
        {
            sourcesOf.Add(active[i].Sources, i);
        }

        for (var i = 0; i < targets.Count; i++)
        {
            destinationsOf.Add(targets[i].Target.Destinations, i);
        }
    }

    public EbtTable Compile()
    {
        var clients = networks.SelectMany(n => n.Clients.Where(c => c.VirtHost == virtHost).Select(c => (Network: n, Client: c))).ToList();
        foreach (var builtin in new[] { "INPUT", "FORWARD" })
        {
            foreach (var (_, c) in clients)
            {
                Add(new EbtRule(builtin, OutChain(c)) { SourceMac = c.MacAddress });
            }

            // A client's own frames never come back from its chain; a frame still carrying a
            // client's address here comes from another MAC (a client that changed its MAC).
            if (clients.Count > 0)
            {
                Add(new EbtRule(builtin, AntiSpoofChain));
            }

            if (builtin == "FORWARD")
            {
                foreach (var (_, c) in clients)
                {
                    Add(new EbtRule(builtin, InChain(c)) { DestinationMac = c.MacAddress });
                }
            }
        }

        if (clients.Count > 0)
        {
            chains.Add(AntiSpoofChain);
            foreach (var (_, c) in clients)
            {
                Add(new EbtRule(AntiSpoofChain, "DROP") { Id = "@antispoof", Protocol = "IPv4", IpSource = QaAddressRange.Host(c.Address) });
            }
        }

        foreach (var (n, c) in clients)
        {
            ClientOut(n, c);
            ClientIn(n, c);
        }

        // ebtables-save prints rules chain by chain: built-ins first, then user chains by name.
        chains.Sort(StringComparer.Ordinal);
        var ordered = BuiltinChains.Concat(chains)
            .SelectMany(c => rulesByChain.TryGetValue(c, out var list) ? list : Enumerable.Empty<EbtRule>())
            .ToList();
        return new EbtTable(chains, ordered, Frame);
    }

    private static string ChainName(string prefix, string name)
    {
        // ebtables chain names hold at most 31 characters.
        if (prefix.Length + name.Length <= 31)
        {
            return prefix + name;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..6].ToLowerInvariant();
        return prefix + name[..(31 - prefix.Length - 7)] + "-" + hash;
    }

    /// <summary>Every chain QaNet renders starts with this; the publisher replaces exactly those.</summary>
    public const string ChainPrefix = "QN-";

    /// <summary>Frames from a MAC that is no client's, claiming a client's address.</summary>
    private const string AntiSpoofChain = "QN-ANTISPOOF";

    private static string OutChain(QaClient c) => ChainName("QN-O-", c.Name);

    private static string InChain(QaClient c) => ChainName("QN-I-", c.Name);

    private static bool Peer(QaNetwork n) => n.Mode != QaNetworkMode.Bridged;

    private void ClientOut(QaNetwork n, QaClient c)
    {
        var chain = OutChain(c);
        chains.Add(chain);
        var ip = QaAddressRange.Host(c.Address);
        Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "ARP", NotArpMacSource = c.MacAddress });
        Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "ARP", NotArpIpSource = ip });
        Add(new EbtRule(chain, "ACCEPT") { Id = "@arp", Protocol = "ARP" });
        Add(new EbtRule(chain, "ACCEPT")
        {
            Id = "@dhcp", Protocol = "IPv4", IpSource = QaAddressRange.Host(IPAddress.Any), IpProtocol = QaProtocol.Udp,
            SourcePorts = (68, 68), DestinationPorts = (67, 67),
        });
        Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "IPv4", IpSource = ip, NotIpSource = true });
        if (c.Address6 is { } a6)
        {
            Add(new EbtRule(chain, "ACCEPT") { Id = "@neighbour-discovery", Protocol = "IPv6", NeighbourDiscovery = true });
            Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "IPv6", IpSource = QaAddressRange.Host(a6), NotIpSource = true });
        }
        else
        {
            Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "IPv6" });
        }

        foreach (var (proto, subnet, host) in PeerScopes(n))
        {
            // Off-subnet traffic is routed: the gateway's nft table decides it (statefully).
            Add(new EbtRule(chain, "ACCEPT") { Id = "@l3", Protocol = proto, IpDestination = subnet, NotIpDestination = true });
            Add(new EbtRule(chain, "ACCEPT") { Id = "@l3", Protocol = proto, IpDestination = host });
        }

        foreach (var v6 in Families(c))
        {
            var address = v6 ? c.Address6! : c.Address;
            var key = ClassChain(n, true, address, v6);
            Add(new EbtRule(chain, key) { Id = "@class", Protocol = v6 ? "IPv6" : "IPv4" });
        }

        DefaultDrop(chain);
    }

    private void ClientIn(QaNetwork n, QaClient c)
    {
        var chain = InChain(c);
        chains.Add(chain);
        Add(new EbtRule(chain, "ACCEPT") { Id = "@arp", Protocol = "ARP" });
        Add(new EbtRule(chain, "ACCEPT")
        {
            Id = "@dhcp", Protocol = "IPv4", IpProtocol = QaProtocol.Udp, SourcePorts = (67, 67), DestinationPorts = (68, 68),
        });
        if (c.Address6 is not null)
        {
            Add(new EbtRule(chain, "ACCEPT") { Id = "@neighbour-discovery", Protocol = "IPv6", NeighbourDiscovery = true });
        }

        foreach (var (proto, subnet, _) in PeerScopes(n))
        {
            Add(new EbtRule(chain, "ACCEPT") { Id = "@l3", Protocol = proto, IpSource = subnet, NotIpSource = true });
        }

        foreach (var v6 in Families(c))
        {
            var address = v6 ? c.Address6! : c.Address;
            var key = ClassChain(n, false, address, v6);
            Add(new EbtRule(chain, key) { Id = "@class", Protocol = v6 ? "IPv6" : "IPv4", IpDestination = QaAddressRange.Host(address) });
        }

        DefaultDrop(chain);
    }

    private static bool[] Families(QaClient c) => c.Address6 is null ? new[] { false } : new[] { false, true };

    private static IEnumerable<(string Protocol, QaAddressRange Subnet, QaAddressRange Host)> PeerScopes(QaNetwork n)
    {
        if (!Peer(n))
        {
            yield break;
        }

        yield return ("IPv4", QaAddressRange.From(n.Subnet), QaAddressRange.Host(n.HostAddress));
        if (n.Subnet6 is { } s6)
        {
            yield return ("IPv6", QaAddressRange.From(s6), QaAddressRange.Host(n.HostAddress6!));
        }
    }

    private void DefaultDrop(string chain)
    {
        Add(new EbtRule(chain, "CONTINUE") { Id = "@default-deny", Log = true });
        Add(new EbtRule(chain, "DROP") { Id = "@default-deny" });
    }

    private void Add(EbtRule rule)
    {
        if (!rulesByChain.TryGetValue(rule.Chain, out var list))
        {
            rulesByChain[rule.Chain] = list = new List<EbtRule>();
        }

        list.Add(rule);
    }

    /// <summary>
    /// The class chain for a client address: what it may send (outbound) or receive
    /// (inbound), in the engine's order, replies first. Clients with the same entries share it.
    /// The entries depend only on which rules' sources and which targets' destinations hold the
    /// address, so they are built once per such coverage (a class of clients), not per client.
    /// </summary>
    private string ClassChain(QaNetwork n, bool outbound, IPAddress address, bool v6)
    {
        var asSource = sourcesOf.Covering(address);
        var asDestination = destinationsOf.Covering(address);
        var coverage = $"{n.Name}|{(outbound ? 'O' : 'I')}|{(v6 ? 6 : 4)}|{string.Join(',', asSource)}|{string.Join(',', asDestination)}";
        if (classByCoverage.TryGetValue(coverage, out var known))
        {
            return known;
        }

        var clip = Peer(n) ? new[] { QaAddressRange.From(v6 ? n.Subnet6!.Value : n.Subnet) } : null;
        var entries = new List<EbtRule>();
        var proto = v6 ? "IPv6" : "IPv4";
        void Emit(ResolvedRule r, IEnumerable<IPNetwork> peers, IReadOnlyList<QaPortRange> ports, bool reply)
        {
            foreach (var peer in Clip(peers, v6, clip))
            {
                foreach (var port in ports)
                {
                    entries.Add(Entry(r, proto, peer, outbound, port, reply));
                }
            }
        }

        // Return traffic first (ebtables has no conntrack): replies to connections the peer opened.
        if (outbound)
        {
            foreach (var (r, t) in asDestination.Select(i => targets[i]).Where(x => Precedence.Accepts(x.Rule)))
            {
                Emit(r, r.Sources, t.Ports, reply: true);
            }

            foreach (var r in asSource.Select(i => active[i]))
            {
                foreach (var t in r.Targets)
                {
                    Emit(r, t.Destinations, t.Ports, reply: false);
                }
            }
        }
        else
        {
            foreach (var r in asSource.Select(i => active[i]).Where(Precedence.Accepts))
            {
                foreach (var t in r.Targets)
                {
                    Emit(r, t.Destinations, t.Ports, reply: true);
                }
            }

            foreach (var (r, t) in asDestination.Select(i => targets[i]))
            {
                Emit(r, r.Sources, t.Ports, reply: false);
            }
        }

        var signature = new ClassEntries(outbound, entries);
        if (!classChains.TryGetValue(signature, out var name))
        {
            name = (outbound ? "QN-OUT-" : "QN-IN-") + (classChains.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            classChains[signature] = name;
            chains.Add(name);
            foreach (var e in entries)
            {
                Add(e with { Chain = name });
            }

            DefaultDrop(name);
        }

        classByCoverage[coverage] = name;
        return name;
    }

    private static IEnumerable<QaAddressRange> Clip(IEnumerable<IPNetwork> prefixes, bool v6, QaAddressRange[]? clip)
    {
        var ranges = QaAddressRange.Merge(prefixes.Where(p => IpMath.IsV4(p.BaseAddress) != v6));
        if (clip is not null)
        {
            var outside = QaAddressRange.Subtract(ranges, clip);
            ranges = QaAddressRange.Subtract(ranges, outside);
        }

        return ranges.SelectMany(r => r.ToPrefixes());
    }

    private static EbtRule Entry(ResolvedRule r, string proto, QaAddressRange peer, bool outbound, QaPortRange port, bool reply)
    {
        // Outbound: the peer is the destination, inbound the source; a reply swaps both and matches the source port.
        var peerIsDestination = outbound;
        var rule = new EbtRule(string.Empty, reply || Precedence.Accepts(r) ? "ACCEPT" : "DROP")
        {
            Id = r.Rule.Id,
            IsReply = reply,
            Protocol = proto,
            IpSource = peerIsDestination ? null : peer,
            IpDestination = peerIsDestination ? peer : null,
            IpProtocol = port.Protocol,
        };
        if (port.IsIcmp)
        {
            return reply ? rule with { IcmpEchoReply = true } : rule with { IcmpEcho = true };
        }

        return reply ? rule with { SourcePorts = (port.From, port.To) } : rule with { DestinationPorts = (port.From, port.To) };
    }

    /// <summary>Where a flow's first frame meets this virthost's bridges (see docs/rendering.md).</summary>
    private EbtFrame? Frame(PacketFlow flow)
    {
        // Clients whose frames meet this virthost's bridges: its own, and — through an uplink —
        // those of the same segment running on other virthosts (Local false).
        (QaNetwork Network, QaClient Client, bool Local)? Find(IPAddress a)
        {
            foreach (var n in networks)
            {
                foreach (var c in n.Clients.Where(c => c.VirtHost == virtHost || n.Uplink is not null))
                {
                    if (c.Address.Equals(a) || (c.Address6?.Equals(a) ?? false))
                    {
                        return (n, c, c.VirtHost == virtHost);
                    }
                }
            }

            return null;
        }

        var source = Find(flow.Source);
        var destination = Find(flow.Destination);
        if (source is { Local: true } s)
        {
            if (destination is { } d && d.Network.Bridge == s.Network.Bridge)
            {
                // The same segment: another port of this bridge, or the uplink towards the client's virthost.
                return new EbtFrame("FORWARD", s.Client.MacAddress, d.Client.MacAddress);
            }

            // Off-bridge: a virthost that routes the network takes it itself (INPUT); elsewhere the
            // router is another port (the gateway endpoint's, or the uplink to the routing virthost).
            return new EbtFrame(s.Network.RoutesOn(virtHost) ? "INPUT" : "FORWARD", s.Client.MacAddress, null);
        }

        if (destination is { Local: true } dst)
        {
            if (source is { } remote && remote.Network.Bridge == dst.Network.Bridge)
            {
                // A client of the segment on another virthost: its frame comes in through the uplink.
                return new EbtFrame("FORWARD", remote.Client.MacAddress, dst.Client.MacAddress);
            }

            // A routing virthost sends routed frames from its own bridge port (OUTPUT), which QaNet leaves alone.
            return dst.Network.RoutesOn(virtHost) ? null : new EbtFrame("FORWARD", null, dst.Client.MacAddress);
        }

        return null;
    }
}

/// <summary>
/// Which items (rules, targets) hold an address among their prefixes: host prefixes — the
/// clients and endpoints most selectors resolve to — by hash, only wider ones by a scan.
/// </summary>
internal sealed class AddressIndex
{
    private readonly Dictionary<IPAddress, List<int>> hosts = new();
    private readonly List<(IPNetwork Prefix, int Item)> wide = new();

    public void Add(IEnumerable<IPNetwork> prefixes, int item)
    {
        foreach (var p in prefixes)
        {
            if (p.PrefixLength == IpMath.Bits(p.BaseAddress.AddressFamily))
            {
                if (!hosts.TryGetValue(p.BaseAddress, out var items))
                {
                    hosts[p.BaseAddress] = items = new List<int>();
                }

                items.Add(item);
            }
            else
            {
                wide.Add((p, item));
            }
        }
    }

    /// <summary>The items holding <paramref name="address"/>, ascending, each once.</summary>
    public List<int> Covering(IPAddress address)
    {
        var result = new List<int>();
        if (hosts.TryGetValue(address, out var items))
        {
            result.AddRange(items);
        }

        result.AddRange(wide.Where(w => w.Prefix.Contains(address)).Select(w => w.Item));
        result.Sort();
        return result.Distinct().ToList();
    }
}

/// <summary>A class chain's entries (chain name left empty) compared by value: equal entries, one shared chain.</summary>
internal sealed class ClassEntries : IEquatable<ClassEntries>
{
    private readonly bool outbound;
    private readonly List<EbtRule> entries;
    private readonly int hash;

    public ClassEntries(bool outbound, List<EbtRule> entries)
    {
        this.outbound = outbound;
        this.entries = entries;
        hash = entries.Aggregate(outbound ? 1 : 0, (h, e) => HashCode.Combine(h, e));
    }

    public bool Equals(ClassEntries? other) =>
        other is not null && other.hash == hash && other.outbound == outbound && other.entries.SequenceEqual(entries);

    public override bool Equals(object? obj) => Equals(obj as ClassEntries);

    public override int GetHashCode() => hash;
}
