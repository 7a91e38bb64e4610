using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;

namespace QaNet.Core.Render.Nftables;

/// <summary>
/// Compiles the policy into the table for one enforcing host (a virthost for its Nat
/// networks, a gateway for the Gateway networks naming it). Addresses live in one named set
/// per selector (<c>role-taskotron-v4</c>, <c>endpoint-koji-v4</c>), shared by every rule
/// naming it, so the table grows with clients + grants, not clients × grants.
/// </summary>
internal sealed class NftCompiler
{
    private const string Decide = "decide";
    private const string FromClients = "from-clients";

    private static readonly QaPortRange[] HostServices =
        new[] { "53/tcp", "53/udp", "67/udp", "547/udp" }.Select(QaPortRange.Parse).ToArray();

    private readonly ResolvedPolicy policy;
    private readonly IReadOnlyList<QaNetwork> networks;
    private readonly bool hostRunsDnsmasq;
    private readonly DateTimeOffset now;
    private readonly List<NftSet> sets = new();
    private readonly Dictionary<string, NftSet> setsByName = new(StringComparer.Ordinal);
    private readonly List<QaAddressRange> served;

    public NftCompiler(ResolvedPolicy policy, IReadOnlyList<QaNetwork> networks, bool hostRunsDnsmasq, DateTimeOffset now)
    {
        this.policy = policy;
        this.networks = networks;
        this.hostRunsDnsmasq = hostRunsDnsmasq;
        this.now = now;
        served = QaAddressRange.Merge(networks.SelectMany(Subnets));
    }

    public NftTable Compile(IReadOnlyList<IPAddress> localAddresses)
    {
        var forward = new NftChain("forward", "filter forward", "filter");
        var input = new NftChain("input", "filter input", "filter");

        // A gateway is an endpoint of the policy: its own connections into the clients are policy
        // flows too (a virthost's are not, and its dnsmasq must answer the clients).
        var output = hostRunsDnsmasq ? null : new NftChain("output", "filter output", "filter");
        if (output is not null && networks.Any(n => n.Subnet6 is not null))
        {
            // The gateway's own neighbour discovery on the client network: without it its answers to
            // the clients' solicitations met decide's default deny (conntrack tracks no ND), and a
            // client that had not been solicited by the gateway first could not reach it.
            output.Rules.Add(new NftRule("@neighbour-discovery", NftVerdict.Accept) { NeighbourDiscovery = true, AsRouter = true });
        }

        foreach (var n in networks)
        {
            foreach (var s in Subnets(n))
            {
                var family = FamilyOf(s);
                var subnet = new[] { QaAddressRange.From(s) };
                output?.Rules.Add(new NftRule("@scope", NftVerdict.Jump) { JumpTarget = Decide, Family = family, Destination = NftAddressMatch.Of(subnet) });
                forward.Rules.Add(new NftRule("@scope", NftVerdict.Jump) { JumpTarget = Decide, Family = family, Source = NftAddressMatch.Of(subnet) });
                forward.Rules.Add(new NftRule("@scope", NftVerdict.Jump) { JumpTarget = Decide, Family = family, Destination = NftAddressMatch.Of(subnet) });
                input.Rules.Add(new NftRule("@scope", NftVerdict.Jump) { JumpTarget = FromClients, Family = family, Source = NftAddressMatch.Of(subnet) });
            }
        }

        var fromClients = new NftChain(FromClients);
        if (networks.Any(n => n.Subnet6 is not null))
        {
            fromClients.Rules.Add(new NftRule("@neighbour-discovery", NftVerdict.Accept) { NeighbourDiscovery = true });
        }

        if (hostRunsDnsmasq)
        {
            // libvirt's dnsmasq on the virthost answers DHCP and DNS; without them no client starts.
            fromClients.Rules.Add(new NftRule("@host-services", NftVerdict.Accept) { Ports = HostServices });
        }

        fromClients.Rules.Add(new NftRule("@scope", NftVerdict.Jump) { JumpTarget = Decide });

        var decide = new NftChain(Decide);
        decide.Rules.Add(new NftRule("@established", NftVerdict.Accept) { Established = true });
        var masquerade = new List<QaAddressRange>();
        // Expired rules too: each carries `meta time <` its expiry, so the host retires it on time by
        // itself and the text does not change when it does (docs/rendering.md, "Expiry on the host").
        foreach (var rule in Precedence.Enabled(policy).Where(Relevant))
        {
            CompileRule(rule, decide.Rules);
            if (Precedence.Accepts(rule) && QaAddressRange.Merge(rule.Sources).Any(s => served.Any(s.Overlaps)))
            {
                masquerade.AddRange(rule.Targets.SelectMany(t => t.Destinations).Select(QaAddressRange.From));
            }
        }

        decide.Rules.Add(new NftRule("@default-deny", NftVerdict.Log));
        decide.Rules.Add(new NftRule("@default-deny", NftVerdict.Drop) { Counter = true });

        var postrouting = new NftChain("postrouting", "nat postrouting", "srcnat");
        var outside = QaAddressRange.Subtract(QaAddressRange.Merge(masquerade), served);
        foreach (var family in new[] { NftFamily.Ip, NftFamily.Ip6 })
        {
            var elements = outside.Where(r => r.IsV6 == (family == NftFamily.Ip6)).ToList();
            var subnets = served.Where(r => r.IsV6 == (family == NftFamily.Ip6)).ToList();
            if (elements.Count == 0 || subnets.Count == 0)
            {
                continue;
            }

            var name = family == NftFamily.Ip ? "masquerade-v4" : "masquerade-v6";
            AddSet(new NftSet(name, family, elements));
            postrouting.Rules.Add(new NftRule("@masquerade", NftVerdict.Masquerade)
            {
                Family = family,
                Source = NftAddressMatch.Of(subnets),
                Destination = NftAddressMatch.Set(name),
            });
        }

        var chains = new List<NftChain> { forward, input };
        if (output is not null)
        {
            chains.Add(output);
        }

        chains.AddRange(new[] { fromClients, decide });
        if (postrouting.Rules.Count > 0)
        {
            chains.Add(postrouting);
        }

        return new NftTable(sets, chains, localAddresses) { Now = now };
    }

    private static IEnumerable<IPNetwork> Subnets(QaNetwork n) =>
        n.Subnet6 is { } s6 ? new[] { n.Subnet, s6 } : new[] { n.Subnet };

    private static NftFamily FamilyOf(IPNetwork n) => IpMath.IsV4(n.BaseAddress) ? NftFamily.Ip : NftFamily.Ip6;

    /// <summary>Only rules that can match traffic to or from the host's client networks.</summary>
    private bool Relevant(ResolvedRule rule) =>
        rule.Sources.Concat(rule.Targets.SelectMany(t => t.Destinations)).Select(QaAddressRange.From).Any(a => served.Any(a.Overlaps));

    private void CompileRule(ResolvedRule rule, List<NftRule> output)
    {
        var verdict = Precedence.Accepts(rule) ? NftVerdict.Accept : NftVerdict.Drop;
        var sourceGroups = SourceGroups(rule);
        foreach (var target in rule.Targets)
        {
            foreach (var family in new[] { NftFamily.Ip, NftFamily.Ip6 })
            {
                var destination = Match(target.Selector, target.Destinations, family);
                if (destination is null)
                {
                    continue;
                }

                var icmp = target.Ports.Where(p => p.IsIcmp).Take(1).ToList();
                var transport = target.Ports.Where(p => !p.IsIcmp).OrderBy(p => p.Protocol).ThenBy(p => p.From).ThenBy(p => p.To).ToList();
                foreach (var source in sourceGroups(family))
                {
                    foreach (var ports in new[] { transport, icmp }.Where(p => p.Count > 0))
                    {
                        output.Add(new NftRule(rule.Rule.Id, verdict) { Family = family, Source = source, Destination = destination, Ports = ports, Until = rule.Rule.ExpiresAt });
                    }
                }
            }
        }
    }

    /// <summary>One match per source selector, each a shared set.</summary>
    private Func<NftFamily, IEnumerable<NftAddressMatch>> SourceGroups(ResolvedRule rule) =>
        family => rule.Rule.From
            .Select(s => Match(s, policy.Addresses(s), family))
            .Where(m => m is not null)
            .Select(m => m!)
            .Distinct();

    private NftAddressMatch? Match(QaSelector selector, IReadOnlyList<IPNetwork> addresses, NftFamily family)
    {
        var ranges = Family(QaAddressRange.Merge(addresses), family);
        if (ranges.Count == 0)
        {
            return null;
        }

        if (selector.Kind == QaSelectorKind.Cidr)
        {
            return NftAddressMatch.Of(ranges);
        }

        var name = $"{selector.Kind.ToString().ToLowerInvariant()}-{selector.Value}-{Suffix(family)}";
        AddSet(new NftSet(name, family, ranges));
        return NftAddressMatch.Set(name);
    }

    private void AddSet(NftSet set)
    {
        if (setsByName.TryAdd(set.Name, set))
        {
            sets.Add(set);
        }
    }

    private static List<QaAddressRange> Family(List<QaAddressRange> ranges, NftFamily family) =>
        ranges.Where(r => r.IsV6 == (family == NftFamily.Ip6)).ToList();

    private static string Suffix(NftFamily family) => family == NftFamily.Ip ? "v4" : "v6";
}
