using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Analysis;

/// <summary>
/// Findings about a compiled policy. Shadowing and redundancy are decided exactly, on
/// equivalence classes: a rule decides a class triple when it matches it and no earlier
/// slot does; it is redundant when, on every triple it decides, the next matching rule
/// (or default deny) gives the same verdict.
/// </summary>
public static class PolicyAnalyzer
{
    public static IReadOnlyList<QaPolicyFinding> Analyze(QaReachability q)
    {
        var findings = new List<QaPolicyFinding>();
        var resolved = q.Resolved;
        foreach (var rr in resolved.Rules)
        {
            var id = rr.Rule.Id;
            if (!rr.Rule.Enabled)
            {
                findings.Add(new QaPolicyFinding(QaFindingKind.DisabledRule, QaFindingSeverity.Information, id, null,
                    $"Rule {id} is disabled; it decides nothing until Enable-QaRule {id}.") { Path = $"rules[{id}]" });
            }
            else if (rr.Rule.IsExpired(q.Now))
            {
                findings.Add(new QaPolicyFinding(QaFindingKind.ExpiredRule, QaFindingSeverity.Information, id, null,
                    $"Rule {id} expired at {rr.Rule.ExpiresAt:u}; it matches nothing any more.") { Path = $"rules[{id}]" });
            }

            foreach (var s in rr.Empty)
            {
                findings.Add(new QaPolicyFinding(QaFindingKind.NamesNothing, QaFindingSeverity.Warning, id, null,
                    $"Rule {id} names {s}, which resolves to no address.") { Path = $"rules[{id}]" });
            }
        }

        foreach (var (endpoint, host) in resolved.Unresolved)
        {
            findings.Add(new QaPolicyFinding(QaFindingKind.UnresolvedHostName, QaFindingSeverity.Warning, null, null,
                $"Host name {host} of endpoint {endpoint.Name} does not resolve; rules naming the endpoint do not cover it.")
            { Path = $"endpoints[{endpoint.Name}].hostnames" });
        }

        RuleEffects(q.Engine, findings);
        Conflicts(q.Engine, findings);
        Assertions(q, findings);
        return findings;
    }

    private static void RuleEffects(QaRuleEngine engine, List<QaPolicyFinding> findings)
    {
        var srcOf = engine.Source.Rows.ClassesPerBit();
        var dstOf = engine.Destination.Rows.ClassesPerBit();
        var portOf = engine.Port.Rows.ClassesPerBit();
        var slots = engine.SlotCount;
        var rules = engine.Rules;
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r].Rule;
            var (lo, hi) = (engine.FirstSlotOfRank(r), engine.EndSlotOfRank(r));
            if (lo == hi)
            {
                if (rules[r].Empty.Count == 0)
                {
                    findings.Add(new QaPolicyFinding(QaFindingKind.NamesNothing, QaFindingSeverity.Warning, rule.Id, null,
                        $"Rule {rule.Id} matches no flow: it has no source, destination or port.") { Path = $"rules[{rule.Id}]" });
                }

                continue;
            }

            var allowed = rule.Kind != QaRuleKind.Block;
            var decides = false;
            var redundant = true;
            var shadower = -1;
            var later = -1;
            for (var c = lo; c < hi && redundant; c++)
            {
                foreach (var s in srcOf[c])
                {
                    foreach (var p in portOf[c])
                    {
                        foreach (var d in dstOf[c])
                        {
                            var earlier = engine.FirstSlot(s, d, p, 0, lo);
                            if (earlier >= 0)
                            {
                                shadower = shadower < 0 ? earlier : shadower;
                                continue;
                            }

                            decides = true;
                            var next = engine.FirstSlot(s, d, p, hi, slots);
                            var nextAllowed = next >= 0 && rules[engine.RankOfSlot(next)].Rule.Kind != QaRuleKind.Block;
                            if (nextAllowed != allowed)
                            {
                                redundant = false;
                                goto Done;
                            }

                            later = later < 0 ? next : later;
                        }
                    }
                }
            }

        Done:
            if (!decides)
            {
                var other = rules[engine.RankOfSlot(shadower)].Rule.Id;
                findings.Add(new QaPolicyFinding(QaFindingKind.Shadowed, QaFindingSeverity.Warning, rule.Id, other,
                    $"Rule {rule.Id} never decides a flow: everything it matches is decided earlier (for instance by rule {other}).")
                { Path = $"rules[{rule.Id}]" });
            }
            else if (redundant)
            {
                var other = later >= 0 ? rules[engine.RankOfSlot(later)].Rule.Id : null;
                findings.Add(new QaPolicyFinding(QaFindingKind.Redundant, QaFindingSeverity.Information, rule.Id, other,
                    $"Removing rule {rule.Id} would change no verdict: the flows it decides are {(allowed ? "allowed" : "denied")} anyway by {(other is null ? "default deny" : "rule " + other)}" +
                    (later >= 0 && !allowed ? " or default deny." : ".")) { Path = $"rules[{rule.Id}]" });
            }
        }
    }

    /// <summary>Block and grant at one priority overlap when they overlap in every dimension (their regions are products).</summary>
    private static void Conflicts(QaRuleEngine engine, List<QaPolicyFinding> findings)
    {
        var rules = engine.Rules;
        var dims = new[] { engine.Source.Rows, engine.Destination.Rows, engine.Port.Rows };
        var perBit = dims.Select(d => d.ClassesPerBit()).ToArray();
        var reported = new HashSet<(int, int)>();
        var acc = dims.Select(d => new ulong[d.Words]).ToArray();
        for (var b = 0; b < rules.Count; b++)
        {
            if (rules[b].Rule.Kind != QaRuleKind.Block)
            {
                continue;
            }

            var priority = rules[b].Rule.Priority;
            var g0 = b;
            while (g0 < rules.Count && rules[g0].Rule.Priority == priority && rules[g0].Rule.Kind == QaRuleKind.Block)
            {
                g0++;
            }

            var g1 = g0;
            while (g1 < rules.Count && rules[g1].Rule.Priority == priority)
            {
                g1++;
            }

            if (g0 == g1)
            {
                continue;
            }

            var (lo, hi) = (engine.FirstSlotOfRank(g0), engine.EndSlotOfRank(g1 - 1));
            if (lo == hi)
            {
                continue;
            }

            var (w0, w1) = (lo >> 6, (hi - 1) >> 6);
            for (var c = engine.FirstSlotOfRank(b); c < engine.EndSlotOfRank(b); c++)
            {
                for (var k = 0; k < 3; k++)
                {
                    Array.Clear(acc[k]);
                    foreach (var cls in perBit[k][c])
                    {
                        var row = dims[k].Row(cls);
                        for (var w = w0; w <= w1; w++)
                        {
                            acc[k][w] |= row[w];
                        }
                    }
                }

                for (var w = w0; w <= w1; w++)
                {
                    var x = acc[0][w] & acc[1][w] & acc[2][w];
                    while (x != 0)
                    {
                        var slot = (w << 6) + System.Numerics.BitOperations.TrailingZeroCount(x);
                        x &= x - 1;
                        if (slot < lo || slot >= hi)
                        {
                            continue;
                        }

                        var g = engine.RankOfSlot(slot);
                        if (reported.Add((b, g)))
                        {
                            var (block, grant) = (rules[b].Rule, rules[g].Rule);
                            findings.Add(new QaPolicyFinding(QaFindingKind.Conflict, QaFindingSeverity.Warning, block.Id, grant.Id,
                                $"Block {block.Id} and {grant.Kind.ToString().ToLowerInvariant()} {grant.Id} overlap at priority {priority} " +
                                $"({Example(engine, perBit, c, slot)}); the block wins there.") { Path = $"rules[{grant.Id}]" });
                        }
                    }
                }
            }
        }
    }

    /// <summary>One flow in the overlap of two slots, for the message.</summary>
    private static string Example(QaRuleEngine engine, List<int>[][] perBit, int a, int b)
    {
        var s = perBit[0][a].First(cls => engine.Source.Rows.Has(cls, b));
        var d = perBit[1][a].First(cls => engine.Destination.Rows.Has(cls, b));
        var p = perBit[2][a].First(cls => engine.Port.Rows.Has(cls, b));
        var port = engine.Port.Ranges(p)[0];
        return $"e.g. {engine.Source.FirstRange(s).FirstAddress} → {engine.Destination.FirstRange(d).FirstAddress} {port}";
    }

    private static void Assertions(QaReachability q, List<QaPolicyFinding> findings)
    {
        var assertions = q.Policy.Assertions;
        for (var i = 0; i < assertions.Count; i++)
        {
            var a = assertions[i];
            var path = $"tests[#{i + 1}]";
            var expected = a.ExpectAllowed ? "allowed" : "denied";
            IReadOnlyList<QaReachabilityResult> results;
            try
            {
                results = q.Test(a.From, a.To, a.Port.From, a.Port.Protocol);
            }
            catch (QaValidationException e)
            {
                findings.Add(new QaPolicyFinding(QaFindingKind.AssertionFailed, QaFindingSeverity.Error, null, null,
                    $"Test {a} cannot be checked: {e.Errors[0].Message}") { Path = path });
                continue;
            }

            foreach (var r in results.Where(r => r.Allowed != a.ExpectAllowed))
            {
                findings.Add(new QaPolicyFinding(QaFindingKind.AssertionFailed, QaFindingSeverity.Error, r.RuleId, null,
                    $"Test {a} fails: expected {expected}, but {r.SourceAddress} → {r.DestinationAddress} is {(r.Allowed ? "allowed" : "denied")}: {r.Reason}")
                { Path = path });
            }
        }
    }
}
