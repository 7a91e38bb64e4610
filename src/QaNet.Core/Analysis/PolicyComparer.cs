using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;

namespace QaNet.Core.Analysis;

/// <summary>
/// The flows whose verdict changes between two policies. Both rule lists are compiled into
/// one joint engine (the reference's slots first), so every class triple knows both deciders.
/// Only triples inside a changed rule's region can change: outside them both policies see the
/// same matching rules in the same order. Changed triples are then merged into product regions.
/// </summary>
public static class PolicyComparer
{
    public static IReadOnlyList<QaFlowChange> Compare(ResolvedPolicy reference, ResolvedPolicy difference, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        var a = QaRuleEngine.Rank(reference.Rules, now);
        var b = QaRuleEngine.Rank(difference.Rules, now);
        var joint = QaRuleEngine.CompileRanked(a.Concat(b).ToList());
        var all = joint.SlotCount;
        var boundary = b.Count > 0 ? joint.FirstSlotOfRank(a.Count) : all;

        var changedSlots = new List<int>();
        foreach (var rank in ChangedRanks(a, b))
        {
            for (var s = joint.FirstSlotOfRank(rank); s < joint.EndSlotOfRank(rank); s++)
            {
                changedSlots.Add(s);
            }
        }

        var srcOf = joint.Source.Rows.ClassesPerBit();
        var dstOf = joint.Destination.Rows.ClassesPerBit();
        var portOf = joint.Port.Rows.ClassesPerBit();
        var seen = new HashSet<(int, int, int)>();
        var changes = new List<(int S, int D, int P, int Before, int After)>();
        foreach (var c in changedSlots)
        {
            // Sources that agree on every slot this slot's pairs list decide alike: evaluate one of each.
            foreach (var group in joint.SourceGroups(srcOf[c], dstOf[c], portOf[c]))
            {
                var s0 = group[0];
                foreach (var p in portOf[c])
                {
                    foreach (var d in dstOf[c])
                    {
                        var before = joint.FirstSlot(s0, d, p, 0, boundary);
                        var after = joint.FirstSlot(s0, d, p, boundary, all);
                        var rb = before < 0 ? -1 : joint.RankOfSlot(before);
                        var ra = after < 0 ? -1 : joint.RankOfSlot(after);
                        if (Allows(joint, rb) == Allows(joint, ra))
                        {
                            continue;
                        }

                        foreach (var s in group)
                        {
                            if (seen.Add((s, d, p)))
                            {
                                changes.Add((s, d, p, rb, ra));
                            }
                        }
                    }
                }
            }
        }

        return Regions(joint, changes, NameLookup(reference, difference));
    }

    private static bool Allows(QaRuleEngine engine, int rank) => rank >= 0 && engine.Rules[rank].Rule.Kind != QaRuleKind.Block;

    /// <summary>
    /// Joint ranks of rules that are not the same in both lists: new, removed, changed content,
    /// or moved relative to the rules that stayed (those outside a longest increasing run).
    /// </summary>
    private static IEnumerable<int> ChangedRanks(List<ResolvedRule> a, List<ResolvedRule> b)
    {
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < a.Count; i++)
        {
            byId[a[i].Rule.Id] = i;
        }

        var pairs = new List<(int A, int B)>();
        for (var j = 0; j < b.Count; j++)
        {
            if (byId.TryGetValue(b[j].Rule.Id, out var i) && SameEffect(a[i], b[j]))
            {
                pairs.Add((i, j));
            }
        }

        pairs.Sort();
        var kept = LongestIncreasing(pairs);
        var keptA = new HashSet<int>(kept.Select(k => k.A));
        var keptB = new HashSet<int>(kept.Select(k => k.B));
        return Enumerable.Range(0, a.Count).Where(i => !keptA.Contains(i))
            .Concat(Enumerable.Range(0, b.Count).Where(j => !keptB.Contains(j)).Select(j => a.Count + j));
    }

    private static List<(int A, int B)> LongestIncreasing(List<(int A, int B)> pairs)
    {
        var tails = new List<int>();
        var prev = new int[pairs.Count];
        for (var i = 0; i < pairs.Count; i++)
        {
            int lo = 0, hi = tails.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (pairs[tails[mid]].B < pairs[i].B)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            prev[i] = lo > 0 ? tails[lo - 1] : -1;
            if (lo == tails.Count)
            {
                tails.Add(i);
            }
            else
            {
                tails[lo] = i;
            }
        }

        var result = new List<(int, int)>();
        for (var i = tails.Count > 0 ? tails[^1] : -1; i >= 0; i = prev[i])
        {
            result.Add(pairs[i]);
        }

        return result;
    }

    /// <summary>Same kind, priority, sources and targets (in the same order: a reordering counts as a change, which costs time, not correctness).</summary>
    private static bool SameEffect(ResolvedRule x, ResolvedRule y) =>
        x.Rule.Kind == y.Rule.Kind && x.Rule.Priority == y.Rule.Priority &&
        x.Sources.SequenceEqual(y.Sources) &&
        x.Targets.Count == y.Targets.Count &&
        x.Targets.Zip(y.Targets).All(t => t.First.Destinations.SequenceEqual(t.Second.Destinations) && t.First.Ports.SequenceEqual(t.Second.Ports));

    /// <summary>Merges changed class triples into product regions, dimension by dimension.</summary>
    private static List<QaFlowChange> Regions(QaRuleEngine joint, List<(int S, int D, int P, int Before, int After)> changes, Func<QaAddressRange, IEnumerable<string>> name)
    {
        var byDst = changes.GroupBy(c => (c.Before, c.After, c.S, c.P))
            .Select(g => (g.Key.Before, g.Key.After, S: new[] { g.Key.S }, D: g.Select(c => c.D).Order().ToArray(), P: new[] { g.Key.P }));
        var bySrc = byDst.GroupBy(x => (x.Before, x.After, P: x.P[0], D: string.Join(",", x.D)))
            .Select(g => (g.Key.Before, g.Key.After, S: g.Select(x => x.S[0]).Order().ToArray(), g.First().D, P: new[] { g.Key.P }));
        var byPort = bySrc.GroupBy(x => (x.Before, x.After, S: string.Join(",", x.S), D: string.Join(",", x.D)))
            .Select(g => (g.Key.Before, g.Key.After, g.First().S, g.First().D, P: g.Select(x => x.P[0]).Order().ToArray()))
            .ToList();

        var srcRanges = joint.Source.RangesOf(byPort.SelectMany(x => x.S));
        var dstRanges = joint.Destination.RangesOf(byPort.SelectMany(x => x.D));
        var result = new List<QaFlowChange>();
        foreach (var x in byPort)
        {
            result.Add(new QaFlowChange(
                QaAddressRange.Merge(x.S.SelectMany(s => srcRanges[s])),
                QaAddressRange.Merge(x.D.SelectMany(d => dstRanges[d])),
                x.P.SelectMany(joint.Port.Ranges).OrderBy(p => p.Protocol).ThenBy(p => p.From).ToList(),
                x.Before < 0 ? null : joint.Rules[x.Before].Rule,
                x.After < 0 ? null : joint.Rules[x.After].Rule,
                name));
        }

        return result;
    }

    private static Func<QaAddressRange, IEnumerable<string>> NameLookup(params ResolvedPolicy[] policies)
    {
        var names = new Dictionary<QaAddress, string>();
        foreach (var p in policies)
        {
            foreach (var c in p.Policy.Clients)
            {
                foreach (var a in ResolvedPolicy.ClientAddresses(c))
                {
                    names.TryAdd(QaAddress.From(a.BaseAddress), c.Name);
                }
            }

            foreach (var e in p.Policy.Endpoints)
            {
                foreach (var a in p.EndpointAddresses(e.Name).Where(a => a.PrefixLength == IpMath.Bits(a.BaseAddress.AddressFamily)))
                {
                    names.TryAdd(QaAddress.From(a.BaseAddress), e.Name);
                }
            }
        }

        // A range is its clients' and endpoints' names when every address in it has one (the
        // engine folds neighbouring clients with the same verdict into one prefix, such as
        // 192.168.150.2/31); otherwise, with other addresses in it, it stays a range.
        return r =>
        {
            var named = names.Where(n => r.Contains(n.Key.Value, n.Key.IsV6)).OrderBy(n => n.Key.Value).ToList();
            return (UInt128)named.Count == r.Size ? named.Select(n => n.Value) : new[] { r.ToString() };
        };
    }
}
