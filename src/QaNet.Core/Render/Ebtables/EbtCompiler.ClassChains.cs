using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;

namespace QaNet.Core.Render.Ebtables;

/// <summary>The class chains: the rules' entries for a class of client addresses, shared by equal entries.</summary>
internal sealed partial class EbtCompiler
{
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

        // TCP replies carry the mark the reply guard looks for; UDP has no connection opening to tell apart.
        return reply ? rule with { SourcePorts = (port.From, port.To), ReplyMark = port.Protocol == QaProtocol.Tcp } : rule with { DestinationPorts = (port.From, port.To) };
    }
}
