using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Engine;

/// <summary>The compiled engine, the matrix and the comparison against the linear reference, on random policies.</summary>
public sealed class EnginePropertyTests
{
    [Fact]
    public void The_oracle_lives_with_the_tests_not_in_the_module()
    {
        Assert.DoesNotContain(typeof(QaRuleEngine).Assembly.GetTypes(), t => t.Name == nameof(ReferenceEngine));
        Assert.Equal(typeof(EnginePropertyTests).Assembly, typeof(ReferenceEngine).Assembly);
    }

    public static TheoryData<int, double> Policies => new()
    {
        { 1, 0.3 }, { 2, 0.0 }, { 3, 0.6 }, { 4, 0.3 }, { 5, 1.0 },
    };

    private static QaPolicy Small(int seed, double v6, int rules = 120) =>
        PolicyGenerator.Generate(new GeneratorOptions(seed, 2, 15, 5, 25, rules) { V6 = v6, Expiring = 0.15 });

    [Theory]
    [MemberData(nameof(Policies))]
    public void Engine_agrees_with_reference_on_verdict_and_deciding_rule(int seed, double v6)
    {
        var policy = Small(seed, v6);
        var resolved = ResolvedPolicy.Create(policy);
        var engine = QaRuleEngine.Compile(resolved, PolicyGenerator.Now);
        var reference = new ReferenceEngine(resolved, PolicyGenerator.Now);
        var checkedFlows = 0;
        var allowed = 0;
        foreach (var flow in PolicyGenerator.Flows(seed * 7919, 22_000, policy))
        {
            var expected = reference.Decide(flow.Source.ToIPAddress(), flow.Destination.ToIPAddress(), flow.Protocol, flow.Port);
            var actual = engine.Decide(flow);
            if (!ReferenceEquals(expected, actual.Rule.Resolved))
            {
                Assert.Fail($"{flow}: reference {expected?.Rule.Id ?? "default deny"}, engine {actual.RuleId ?? "default deny"}");
            }

            // The verdict the decision carries (precomputed per slot) is the deciding rule's.
            if (actual.Allowed != (expected is not null && expected.Rule.Kind != QaRuleKind.Block) ||
                actual.IsDefaultDeny != expected is null || actual != new QaDecision(actual.Rule) ||
                (expected is not null && engine.Rules[actual.Rule.Rank] != expected))
            {
                Assert.Fail($"{flow}: decision {actual} does not match its rule {expected?.Rule.Id ?? "default deny"}");
            }

            checkedFlows++;
            allowed += actual.Allowed ? 1 : 0;
        }

        Assert.Equal(22_000, checkedFlows);
        // The flows must exercise both verdicts, or the agreement proves little.
        Assert.InRange(allowed, 500, checkedFlows - 500);
    }

    [Theory]
    [InlineData(21, 0.3)]
    [InlineData(22, 0.0)]
    [InlineData(23, 0.8)]
    public void Disabled_rules_decide_nothing_in_the_engine_as_in_the_reference(int seed, double v6)
    {
        var policy = Small(seed, v6);
        var flows = PolicyGenerator.Flows(seed * 104729, 12_000, policy).ToList();
        var before = QaRuleEngine.Compile(ResolvedPolicy.Create(policy), PolicyGenerator.Now);
        var decidedBefore = flows.Select(f => before.Decide(f).RuleId).ToList();
        var disabled = policy.Rules.Where((_, i) => i % 3 == 0).ToList();
        foreach (var r in disabled)
        {
            r.Enabled = false;
        }

        var resolved = ResolvedPolicy.Create(policy);
        var engine = QaRuleEngine.Compile(resolved, PolicyGenerator.Now);
        var reference = new ReferenceEngine(resolved, PolicyGenerator.Now);
        var ids = disabled.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var changed = 0;
        for (var i = 0; i < flows.Count; i++)
        {
            var flow = flows[i];
            var expected = reference.Decide(flow.Source.ToIPAddress(), flow.Destination.ToIPAddress(), flow.Protocol, flow.Port);
            var actual = engine.Decide(flow);
            if (!ReferenceEquals(expected, actual.Rule.Resolved))
            {
                Assert.Fail($"{flow}: reference {expected?.Rule.Id ?? "default deny"}, engine {actual.RuleId ?? "default deny"}");
            }

            Assert.False(actual.RuleId is { } id && ids.Contains(id), $"{flow}: disabled rule {actual.RuleId} decided");
            changed += decidedBefore[i] != actual.RuleId ? 1 : 0;
        }

        Assert.DoesNotContain(engine.Rules, r => !r.Rule.Enabled);
        // The disabled rules decided flows before, or disabling them proves nothing.
        Assert.InRange(changed, 100, flows.Count);
    }

    [Theory]
    [InlineData(11, 0.3)]
    [InlineData(12, 0.8)]
    public void Wide_list_entries_decide_as_the_narrow_ones_and_the_reference(int seed, double v6)
    {
        // 32-bit list entries are what a policy with 65,536 slots or more gets; forced here on a small one.
        var policy = Small(seed, v6, rules: 200);
        var resolved = ResolvedPolicy.Create(policy);
        var narrow = QaRuleEngine.Compile(resolved, PolicyGenerator.Now);
        var wide = QaRuleEngine.CompileWide(resolved, PolicyGenerator.Now);
        var reference = new ReferenceEngine(resolved, PolicyGenerator.Now);
        Assert.Equal(narrow.ListEntryCount, wide.ListEntryCount);
        Assert.True(wide.WalkBytes > narrow.WalkBytes, "wide entries take more room");
        var matched = 0;
        foreach (var flow in PolicyGenerator.Flows(seed, 10_000, policy))
        {
            var expected = reference.Decide(flow.Source.ToIPAddress(), flow.Destination.ToIPAddress(), flow.Protocol, flow.Port);
            var (w, n) = (wide.Decide(flow), narrow.Decide(flow));
            if (!ReferenceEquals(expected, w.Rule.Resolved) || w != n)
            {
                Assert.Fail($"{flow}: reference {expected?.Rule.Id ?? "default deny"}, wide {w.RuleId ?? "default deny"}, narrow {n.RuleId ?? "default deny"}");
            }

            matched += expected is null ? 0 : 1;
        }

        Assert.InRange(matched, 500, 9_500);
        // The ranged walk (analysis, comparison) reads the same blocks.
        var (s, d, p) = (wide.Source.ClassOf(QaAddress.Parse("10.1.0.2")), 1, 1);
        for (var from = 0; from < wide.SlotCount; from += 17)
        {
            Assert.Equal(narrow.FirstSlot(s, d, p, from, from + 40), wide.FirstSlot(s, d, p, from, from + 40));
        }
    }

    [Fact]
    public void Expiry_is_judged_at_the_given_moment()
    {
        var policy = Small(11, 0.3);
        var resolved = ResolvedPolicy.Create(policy);
        foreach (var now in new[] { PolicyGenerator.Now.AddDays(-40), PolicyGenerator.Now, PolicyGenerator.Now.AddDays(40) })
        {
            var engine = QaRuleEngine.Compile(resolved, now);
            var reference = new ReferenceEngine(resolved, now);
            Assert.Equal(reference.Rules.Count, engine.Rules.Count);
            foreach (var flow in PolicyGenerator.Flows(17, 3_000, policy))
            {
                var expected = reference.Decide(flow.Source.ToIPAddress(), flow.Destination.ToIPAddress(), flow.Protocol, flow.Port);
                Assert.Same(expected, engine.Decide(flow).Rule.Resolved);
            }
        }
    }

    [Fact]
    public void Decision_verdict_follows_its_rule_however_the_value_is_made()
    {
        var resolved = ResolvedPolicy.Create(Small(5, 0.3));
        var engine = QaRuleEngine.Compile(resolved, PolicyGenerator.Now);
        var block = engine.Rules.Select((r, i) => new ResolvedRuleRef(r, i)).First(r => r.Resolved!.Rule.Kind == QaRuleKind.Block);
        var grant = engine.Rules.Select((r, i) => new ResolvedRuleRef(r, i)).First(r => r.Resolved!.Rule.Kind != QaRuleKind.Block);
        var allowed = new QaDecision(grant);
        Assert.True(allowed.Allowed);
        Assert.Equal(grant, allowed.Rule);
        var denied = allowed with { Rule = block };
        Assert.False(denied.Allowed);
        Assert.Equal(new QaDecision(block), denied);
        Assert.Equal(block.Rank, denied.Rule.Rank);
        var none = denied with { Rule = ResolvedRuleRef.None };
        Assert.True(none.IsDefaultDeny);
        Assert.False(none.Allowed);
        Assert.Equal(-1, none.Rule.Rank);
        Assert.Equal(new QaDecision(ResolvedRuleRef.None), none);
        Assert.False(default(QaDecision).Allowed);
        allowed.Deconstruct(out var rule);
        Assert.Equal(grant, rule);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void Matrix_agrees_with_brute_force_cell_for_cell(int seed)
    {
        var policy = Small(seed, 0.5, rules: 80);
        var q = QaReachability.Create(policy, PolicyGenerator.Now);
        var reference = new ReferenceEngine(q.Resolved, PolicyGenerator.Now);
        var matrix = q.Matrix();
        var cells = matrix.Cells().GroupBy(r => (r.From, r.To, r.Port, r.Protocol)).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(matrix.CellCount, cells.Count);
        foreach (var client in matrix.Clients)
        {
            foreach (var endpoint in matrix.Endpoints)
            {
                var addresses = q.Resolved.EndpointAddresses(endpoint.Name).Select(a => a.BaseAddress).ToList();
                foreach (var port in matrix.Ports)
                {
                    var results = cells[(client.Name, endpoint.Name, port.From, port.Protocol)];
                    var expected = addresses
                        .Select(a => (Address: a, Source: a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? client.Address6 : client.Address))
                        .Where(x => x.Source is not null)
                        .Select(x => (x.Address, Rule: reference.Decide(x.Source!, x.Address, port.Protocol, port.From)))
                        .ToList();
                    if (expected.Count == 0)
                    {
                        Assert.False(Assert.Single(results).Allowed);
                        continue;
                    }

                    foreach (var r in results)
                    {
                        Assert.Same(reference.Decide(r.SourceAddress, r.DestinationAddress, r.Protocol, r.Port)?.Rule, r.Rule);
                    }

                    var distinct = expected.Select(e => e.Rule).Distinct().Count();
                    Assert.Equal(distinct == 1 ? 1 : expected.Count, results.Count);
                }
            }
        }

        foreach (var row in matrix.ByRole())
        {
            var members = policy.Clients.Where(c => row.Role == "(none)" ? c.Roles.Count == 0 : c.Roles.Contains(row.Role)).ToList();
            Assert.Equal(members.Count, row.Members);
            var allowed = members.Count(m => cells[(m.Name, row.To, row.Port, row.Protocol)].All(r => r.Allowed) &&
                                             cells[(m.Name, row.To, row.Port, row.Protocol)].Any(r => r.Rule is not null));
            Assert.Equal(allowed, row.AllowedMembers);
        }
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public void Compare_agrees_with_brute_force(int seed)
    {
        var before = Small(seed, 0.4);
        var after = Small(seed, 0.4);
        var random = new Random(seed);
        for (var i = 0; i < 15; i++)
        {
            after.Rules.RemoveAt(random.Next(after.Rules.Count));
        }

        for (var i = 0; i < 8; i++)
        {
            var r = after.Rules[random.Next(after.Rules.Count)];
            r.Priority = r.Priority == 1000 ? 100 : 1000;
        }

        after.Rules.Reverse(40, 20);
        PolicyGenerator.AddRules(after, seed + 100, 8);

        var (ra, rb) = (ResolvedPolicy.Create(before), ResolvedPolicy.Create(after));
        var changes = PolicyComparer.Compare(ra, rb, PolicyGenerator.Now);
        var (ea, eb) = (new ReferenceEngine(ra, PolicyGenerator.Now), new ReferenceEngine(rb, PolicyGenerator.Now));
        var changed = 0;
        foreach (var flow in PolicyGenerator.Flows(seed * 31, 12_000, before, after))
        {
            var (s, d) = (flow.Source.ToIPAddress(), flow.Destination.ToIPAddress());
            var (x, y) = (ea.Decide(s, d, flow.Protocol, flow.Port), eb.Decide(s, d, flow.Protocol, flow.Port));
            var (allowedBefore, allowedAfter) = (x is { Rule.Kind: not QaRuleKind.Block }, y is { Rule.Kind: not QaRuleKind.Block });
            var regions = changes.Where(c => c.Contains(flow)).ToList();
            if (allowedBefore == allowedAfter)
            {
                Assert.Empty(regions);
                continue;
            }

            changed++;
            var region = Assert.Single(regions);
            Assert.Equal(allowedBefore, region.Before);
            Assert.Equal(allowedAfter, region.After);
            Assert.Same(x?.Rule, region.RuleBeforeObject);
            Assert.Same(y?.Rule, region.RuleAfterObject);
        }

        Assert.True(changed > 20, $"only {changed} sampled flows changed verdict");

        // Every region holds only changed flows: probe its corners.
        Assert.NotEmpty(changes);
        foreach (var region in changes)
        {
            foreach (var (src, dst, port) in new[] { (region.Sources[0].FirstAddress, region.Destinations[0].FirstAddress, region.Ports[0]), (region.Sources[^1].LastAddress, region.Destinations[^1].LastAddress, region.Ports[^1]) })
            {
                                var p = port.IsIcmp ? 0 : port.To;
                Assert.Same(region.RuleBeforeObject, ea.Decide(src, dst, port.Protocol, p)?.Rule);
                Assert.Same(region.RuleAfterObject, eb.Decide(src, dst, port.Protocol, p)?.Rule);
            }
        }
        Assert.Empty(PolicyComparer.Compare(ra, ResolvedPolicy.Create(Small(seed, 0.4)), PolicyGenerator.Now));
    }

    [Fact]
    public void Analysis_findings_hold_when_checked_by_brute_force()
    {
        var policy = Small(41, 0.3, rules: 150);
        var q = QaReachability.Create(policy, PolicyGenerator.Now);
        var findings = PolicyAnalyzer.Analyze(q);
        var shadowed = findings.Where(f => f.Kind == QaFindingKind.Shadowed).Select(f => f.RuleId).ToHashSet();
        var redundant = findings.Where(f => f.Kind is QaFindingKind.Redundant or QaFindingKind.NamesNothing).Select(f => f.RuleId).ToHashSet();
        Assert.NotEmpty(shadowed);
        Assert.NotEmpty(redundant);

        // Removing a shadowed or redundant rule must leave every verdict as it was.
        foreach (var id in shadowed.Concat(redundant).Take(12))
        {
            var without = Small(41, 0.3, rules: 150);
            without.Rules.RemoveAll(r => r.Id == id);
            Assert.Empty(PolicyComparer.Compare(q.Resolved, ResolvedPolicy.Create(without), PolicyGenerator.Now));
        }

        // And removing a rule reported as neither must change something.
        foreach (var rule in q.Engine.Rules.Where(r => !shadowed.Contains(r.Rule.Id) && !redundant.Contains(r.Rule.Id) && r.Empty.Count == 0).Take(12))
        {
            var without = Small(41, 0.3, rules: 150);
            without.Rules.RemoveAll(r => r.Id == rule.Rule.Id);
            Assert.NotEmpty(PolicyComparer.Compare(q.Resolved, ResolvedPolicy.Create(without), PolicyGenerator.Now));
        }
    }
}
