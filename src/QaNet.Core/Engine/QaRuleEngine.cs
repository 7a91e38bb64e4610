using System.Net;
using System.Numerics;
using QaNet.Core.Model;
using QaNet.Core.Resolution;

namespace QaNet.Core.Engine;

/// <summary>
/// The fast engine, compiled once per (policy, now). Semantics are those of
/// the linear ReferenceEngine of the tests: precedence is priority ascending, then a block before
/// grants, then policy order; the first matching rule decides (block → denied, egress or
/// ingress → allowed); no match is default deny; expired rules never match.
/// </summary>
/// <remarks>
/// Each rule becomes one "slot" per group of destinations that share a port list, slots
/// numbered in precedence order. Source addresses, destination addresses and
/// (protocol, port) are each cut into equivalence classes; a class holds the bitset of
/// slots covering it. Destination rows are sparse (an endpoint is named by few rules) and
/// port classes are few, so the engine keeps, per (destination class, port class), the
/// sorted list of slots in both. A decision is three class lookups (ports by a table first,
/// IPv4 addresses through a 16-8-8 trie, IPv6 through a /64 block table) and a walk down that list testing
/// each slot's bit in the source row: the first hit is the deciding slot. Nothing is
/// allocated per decision.
/// </remarks>
public sealed class QaRuleEngine
{
    private readonly ResolvedRule[] ranked;
    private static readonly QaDecision DefaultDeny = new(ResolvedRuleRef.None);
    private readonly int[] slotRank;
    private readonly QaDecision[] slotDecisions;
    private readonly int[] rankFirstSlot;
    private readonly int[] rankEndSlot;
    private readonly ulong[] srcRows;
    private readonly int words;
    private readonly PairLists lists;

    private QaRuleEngine(IReadOnlyList<ResolvedRule> rules, bool wideLists = false)
    {
        ranked = rules.ToArray();
        rankFirstSlot = new int[ranked.Length];
        rankEndSlot = new int[ranked.Length];
        var slotRanks = new List<int>();
        var slotDestinations = new List<List<IPNetwork>>();
        var slotPorts = new List<IReadOnlyList<QaPortRange>>();
        for (var r = 0; r < ranked.Length; r++)
        {
            rankFirstSlot[r] = slotRanks.Count;
            var rule = ranked[r];
            if (rule.Sources.Count > 0)
            {
                var first = slotRanks.Count;
                foreach (var t in rule.Targets)
                {
                    if (t.Destinations.Count == 0 || t.Ports.Count == 0)
                    {
                        continue;
                    }

                    var g = first;
                    while (g < slotRanks.Count && !SamePorts(slotPorts[g], t.Ports))
                    {
                        g++;
                    }

                    if (g == slotRanks.Count)
                    {
                        slotRanks.Add(r);
                        slotDestinations.Add(new List<IPNetwork>());
                        slotPorts.Add(t.Ports);
                    }

                    slotDestinations[g].AddRange(t.Destinations);
                }
            }

            rankEndSlot[r] = slotRanks.Count;
        }

        slotRank = slotRanks.ToArray();
        slotDecisions = Array.ConvertAll(slotRank, r => new QaDecision(new ResolvedRuleRef(ranked[r], r)));
        var slots = slotRank.Length;
        var keys = new ulong[slots];
        var seed = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < slots; i++)
        {
            keys[i] = SplitMix(ref seed);
        }

        // Destination and port items are single slots; a source item is a rule's run of slots.
        var slotItems = Enumerable.Range(0, slots).ToArray();
        var ruleHash = new ulong[ranked.Length];
        var ruleHi = new int[ranked.Length];
        for (var r = 0; r < ranked.Length; r++)
        {
            ruleHi[r] = rankEndSlot[r] - 1;
            for (var s = rankFirstSlot[r]; s < rankEndSlot[r]; s++)
            {
                ruleHash[r] ^= keys[s];
            }
        }

        var srcBits = new BitRows(slots);
        Source = AddressPartition.Build(srcBits, new Sweep(srcBits, rankFirstSlot, ruleHi, ruleHash),
            Enumerable.Range(0, ranked.Length)
                .Where(r => rankEndSlot[r] > rankFirstSlot[r])
                .SelectMany(r => ranked[r].Sources.Select(p => (p, r))));
        var dstBits = new BitRows(slots);
        Destination = AddressPartition.Build(dstBits, new Sweep(dstBits, slotItems, slotItems, keys),
            Enumerable.Range(0, slots).SelectMany(s => slotDestinations[s].Select(p => (p, s))));
        var portBits = new BitRows(slots);
        Port = PortPartition.Build(portBits, new Sweep(portBits, slotItems, slotItems, keys),
            Enumerable.Range(0, slots).SelectMany(s => slotPorts[s].Select(p => (p, s))));
        foreach (var b in new[] { srcBits, dstBits, portBits })
        {
            b.Seal();
        }

        words = srcBits.Words;
        srcRows = srcBits.Rows;
        lists = PairLists.Build(srcBits, dstBits, portBits, wideLists);
    }

    /// <summary>Rules that can match at the compile time's <c>now</c>, in precedence order.</summary>
    public IReadOnlyList<ResolvedRule> Rules => ranked;

    public int SlotCount => slotRank.Length;

    public int SourceClassCount => Source.Rows.Count;

    public int DestinationClassCount => Destination.Rows.Count;

    public int PortClassCount => Port.Rows.Count;

    /// <summary>Distinct source columns the decision walks test (see <see cref="PairLists"/>).</summary>
    public int SourceColumnCount => lists.ColumnCount;

    /// <summary>Entries of the distinct (destination, port) lists.</summary>
    public int ListEntryCount => lists.EntryCount;

    /// <summary>Bytes of the tables a decision's walk reads.</summary>
    public long WalkBytes => lists.Bytes;

    internal AddressPartition Source { get; }

    internal AddressPartition Destination { get; }

    internal PortPartition Port { get; }

    /// <summary>Compiles the rules of <paramref name="policy"/> that have not expired at <paramref name="now"/>.</summary>
    public static QaRuleEngine Compile(ResolvedPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new QaRuleEngine(Rank(policy.Rules, now));
    }

    /// <summary>As <see cref="Compile"/> with 32-bit list entries, which only policies with 65,536 slots or more need otherwise (for tests).</summary>
    internal static QaRuleEngine CompileWide(ResolvedPolicy policy, DateTimeOffset now) => new(Rank(policy.Rules, now), wideLists: true);

    /// <summary>Compiles rules already in precedence order (the joint engine of a policy comparison).</summary>
    internal static QaRuleEngine CompileRanked(IReadOnlyList<ResolvedRule> ranked) => new(ranked);

    /// <summary>The rules live at <paramref name="now"/> (enabled, not expired), in precedence order.</summary>
    internal static List<ResolvedRule> Rank(IEnumerable<ResolvedRule> rules, DateTimeOffset now)
    {
        var list = rules.Where(r => r.Rule.IsActive(now)).ToList();
        list.Sort(ComparePrecedence);
        return list;
    }

    internal static int ComparePrecedence(ResolvedRule a, ResolvedRule b)
    {
        var c = a.Rule.Priority.CompareTo(b.Rule.Priority);
        if (c != 0)
        {
            return c;
        }

        c = IsBlock(b).CompareTo(IsBlock(a));
        return c != 0 ? c : a.Order.CompareTo(b.Order);
    }

    public QaDecision Decide(in QaFlow flow) => ToDecision(FirstSlot(flow));

    public QaDecision Decide(IPAddress source, IPAddress destination, QaProtocol protocol, int port) =>
        Decide(QaFlow.Create(source, destination, protocol, port));

    public bool IsAllowed(in QaFlow flow) => Decide(flow).Allowed;

    internal QaDecision ToDecision(int slot) => slot < 0 ? DefaultDeny : slotDecisions[slot];

    internal int RankOfSlot(int slot) => slotRank[slot];

    internal int FirstSlotOfRank(int rank) => rankFirstSlot[rank];

    internal int EndSlotOfRank(int rank) => rankEndSlot[rank];

    /// <remarks>
    /// Cheapest and most selective first: the port table is one load and most ports no rule
    /// names; the source lookup is skipped when no slot has both the destination and the port.
    /// </remarks>
    internal int FirstSlot(in QaFlow flow)
    {
        var p = Port.ClassOf(flow.Protocol, flow.Port);
        if (p == 0)
        {
            return -1;
        }

        var d = Destination.ClassOf(flow.Destination);
        if (d == 0)
        {
            return -1;
        }

        var pair = lists.Pair(d, p);
        if (PairLists.IsEmpty(pair))
        {
            return -1;
        }

        var s = Source.ClassOf(flow.Source);
        return s == 0 ? -1 : lists.First(s, pair);
    }

    /// <summary>The first slot set in all three class rows, or -1.</summary>
    internal int FirstSlot(int s, int d, int p) => lists.First(s, d, p);

    /// <summary>The first slot in [<paramref name="from"/>, <paramref name="to"/>) set in all three rows, or -1.</summary>
    internal int FirstSlot(int s, int d, int p, int from, int to) => lists.First(s, d, p, from, to);

    /// <summary>
    /// Source classes grouped so that no walk over the given (destination, port) pairs can tell
    /// the members of a group apart: they agree on every slot those pairs list.
    /// </summary>
    internal IEnumerable<List<int>> SourceGroups(List<int> sources, List<int> destinations, List<int> ports)
    {
        var relevant = new SortedSet<int>();
        foreach (var d in destinations)
        {
            foreach (var p in ports)
            {
                relevant.UnionWith(lists.Slots(d, p));
            }
        }

        var bits = relevant.ToArray();
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var key = new char[bits.Length];
        foreach (var s in sources)
        {
            var row = s * words;
            for (var j = 0; j < bits.Length; j++)
            {
                key[j] = ((srcRows[row + (bits[j] >> 6)] >> bits[j]) & 1) != 0 ? '1' : '0';
            }

            var k = new string(key);
            if (!groups.TryGetValue(k, out var members))
            {
                groups[k] = members = new List<int>();
            }

            members.Add(s);
        }

        return groups.Values;
    }

    private static bool IsBlock(ResolvedRule r) => r.Rule.Kind == QaRuleKind.Block;

    private static bool SamePorts(IReadOnlyList<QaPortRange> a, IReadOnlyList<QaPortRange> b) =>
        ReferenceEquals(a, b) || a.SequenceEqual(b);

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
