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
internal sealed partial class EbtCompiler
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
            void DropAddressesOf(string chain, IEnumerable<QaClient> of)
            {
                foreach (var c in of)
                {
                    Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "IPv4", IpSource = QaAddressRange.Host(c.Address) });
                    if (c.Address6 is { } a6)
                    {
                        Add(new EbtRule(chain, "DROP") { Id = "@antispoof", Protocol = "IPv6", IpSource = QaAddressRange.Host(a6) });
                    }
                }
            }

            // A frame from a non-client MAC (a router's, a gateway's, an uplink's) to a client may
            // carry a client of another network as its source: routed, not spoofed. Such a frame
            // is spoofed only when it claims an address of the receiving client's own network, so
            // where this virthost has clients of several networks, frames to a client check only
            // those (ebtables here cannot match the bridge a frame came in on: meta ibrname needs
            // nft_meta_bridge). Everything else (to the host, a router, broadcast) checks them all.
            var byNetwork = clients.GroupBy(x => x.Network.Name, StringComparer.Ordinal).ToList();
            if (byNetwork.Count > 1)
            {
                foreach (var g in byNetwork)
                {
                    var chain = ChainName("QN-AS-", g.Key);
                    chains.Add(chain);
                    DropAddressesOf(chain, g.Select(x => x.Client));   // then its policy, RETURN
                    foreach (var (_, c) in g)
                    {
                        // Checked against its own network, then done with the anti-spoofing check.
                        Add(new EbtRule(AntiSpoofChain, chain) { Id = "@antispoof", DestinationMac = c.MacAddress });
                        Add(new EbtRule(AntiSpoofChain, "RETURN") { Id = "@antispoof", DestinationMac = c.MacAddress });
                    }
                }
            }

            DropAddressesOf(AntiSpoofChain, clients.Select(x => x.Client));
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
        // A client advertises its own address and its MAC's link-local address (the EUI-64 one: a
        // guest using a stable-privacy link-local address cannot answer for it; docs/rendering.md).
        var targets6 = clients.Where(x => x.Client.Address6 is not null)
            .SelectMany(x => new[] { (x.Client.MacAddress, x.Client.Address6!), (x.Client.MacAddress, LinkLocalOf(x.Client.MacAddress)) })
            .ToList();
        return new EbtTable(chains, ordered, Frames, targets6);
    }

    /// <summary>The modified EUI-64 link-local address of a MAC (RFC 4291 appendix A).</summary>
    internal static IPAddress LinkLocalOf(string mac)
    {
        var m = mac.Split(':').Select(x => Convert.ToByte(x, 16)).ToArray();
        return new IPAddress(new byte[] { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, (byte)(m[0] ^ 0x02), m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5] });
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

    private void Add(EbtRule rule)
    {
        if (!rulesByChain.TryGetValue(rule.Chain, out var list))
        {
            rulesByChain[rule.Chain] = list = new List<EbtRule>();
        }

        list.Add(rule);
    }

    /// <summary>
    /// The frames of a flow's first packet on this virthost's bridges (see docs/rendering.md): one,
    /// or two when a client's packet to a client of another network on this virthost is routed by
    /// a router that is not this host (a Gateway network's gateway, a Bridged network's LAN router):
    /// out of the source's bridge to the router, then from the router into the destination's.
    /// </summary>
    private EbtFrame[] Frames(PacketFlow flow)
    {
        if (Frame(flow) is not { } first)
        {
            return Array.Empty<EbtFrame>();
        }

        var routed = first.DestinationMac is null && first.Chain == "FORWARD" ? FindLocal(flow.Destination) : null;
        return routed is { } d && !d.Network.RoutesOn(virtHost)
            ? new[] { first, new EbtFrame("FORWARD", null, d.Client.MacAddress) }
            : new[] { first };
    }

    private (QaNetwork Network, QaClient Client)? FindLocal(IPAddress a)
    {
        foreach (var n in networks)
        {
            foreach (var c in n.Clients.Where(c => c.VirtHost == virtHost))
            {
                if (c.Address.Equals(a) || (c.Address6?.Equals(a) ?? false))
                {
                    return (n, c);
                }
            }
        }

        return null;
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
