using System.Net;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Resolution;
using QaNet.Tests.Core;

namespace QaNet.Tests.Engine;

/// <summary>
/// One address semantics: IPv4 and IPv6 are separate spaces everywhere, so an IPv4-mapped IPv6
/// address (<c>::ffff:a.b.c.d</c>) is matched by no IPv4 prefix, in the engine, the reference,
/// the explanations and the renderers' helpers alike (as nft's <c>ip saddr</c> in an inet table
/// matches only IPv4 packets).
/// </summary>
public sealed class AddressSemanticsTests
{
    [Fact]
    public void No_IPv4_prefix_contains_an_IPv4_mapped_IPv6_address()
    {
        var v4 = IPNetwork.Parse("10.0.0.0/8");
        Assert.True(IpMath.Contains(v4, IPAddress.Parse("10.1.2.3")));
        Assert.False(IpMath.Contains(v4, IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.True(IpMath.Contains(IPNetwork.Parse("::ffff:10.0.0.0/104"), IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.False(IpMath.Contains(IPNetwork.Parse("::ffff:10.0.0.0/104"), IPAddress.Parse("10.1.2.3")));
        // What .NET does on its own, and why QaNet does not ask it directly.
        Assert.True(v4.Contains(IPAddress.Parse("::ffff:10.1.2.3")));
    }

    [Fact]
    public void QaNet_Core_asks_no_prefix_for_an_address_except_through_IpMath()
    {
        var raw = FolderDependencyTests.Graph.Value.RawPrefixContains;
        Assert.True(raw.Count == 0, "IPNetwork.Contains called directly (use IpMath.Contains, which keeps IPv4 and IPv6 apart):\n" + string.Join("\n", raw));
    }

    [Fact]
    public void The_reference_asks_through_IpMath_too()
    {
        var text = File.ReadAllText(Path.Combine(Support.ExamplePolicies.RepoRoot, "tests", "QaNet.Tests", "Engine", "ReferenceEngine.cs"));
        Assert.DoesNotContain(".Contains(source)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(".Contains(destination)", text, StringComparison.Ordinal);
    }

    public static TheoryData<int, double> Policies => new() { { 21, 0.0 }, { 22, 0.4 }, { 23, 0.8 } };

    [Theory]
    [MemberData(nameof(Policies))]
    public void Flows_from_or_to_IPv4_mapped_addresses_are_decided_alike_by_engine_and_reference_and_never_by_an_IPv4_rule(int seed, double v6)
    {
        var policy = PolicyGenerator.Generate(new GeneratorOptions(seed, 2, 15, 5, 25, 120) { V6 = v6, Expiring = 0.15 });
        var resolved = ResolvedPolicy.Create(policy);
        var engine = QaRuleEngine.Compile(resolved, PolicyGenerator.Now);
        var reference = new ReferenceEngine(resolved, PolicyGenerator.Now);
        var mapped = 0;
        var v4Allowed = 0;
        foreach (var flow in PolicyGenerator.Flows(seed * 31, 8_000, policy).Where(f => !f.Source.IsV6 || !f.Destination.IsV6))
        {
            // The v4 flow as it is (to know the mapping matters), then with either end mapped, then both.
            v4Allowed += engine.Decide(flow).Allowed && !flow.Source.IsV6 && !flow.Destination.IsV6 ? 1 : 0;
            foreach (var (s, d) in new[] { (true, false), (false, true), (true, true) })
            {
                var src = s ? Map(flow.Source) : flow.Source;
                var dst = d ? Map(flow.Destination) : flow.Destination;
                var f = flow with { Source = src, Destination = dst };
                var expected = reference.Decide(src.ToIPAddress(), dst.ToIPAddress(), f.Protocol, f.Port);
                var actual = engine.Decide(f);
                Assert.True(ReferenceEquals(expected, actual.Rule.Resolved), $"{f}: reference {expected?.Rule.Id ?? "default deny"}, engine {actual.RuleId ?? "default deny"}");
                if (actual.Rule.Resolved is { } rule && (s && !flow.Source.IsV6 || d && !flow.Destination.IsV6))
                {
                    // A mapped end can only be matched by an IPv6 prefix (which the generator's v4 rules are not).
                    var end = s && !flow.Source.IsV6 ? src.ToIPAddress() : dst.ToIPAddress();
                    var prefixes = s && !flow.Source.IsV6 ? rule.Sources : rule.Targets.SelectMany(t => t.Destinations).ToList();
                    Assert.Contains(prefixes, p => p.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && IpMath.Contains(p, end));
                }

                mapped++;
            }
        }

        Assert.True(mapped > 3_000, $"only {mapped} mapped flows");
        Assert.True(v4Allowed > 100, $"only {v4Allowed} of the v4 flows allowed: the mapping would prove little");
    }

    private static QaAddress Map(QaAddress a) => a.IsV6 ? a : QaAddress.From(a.ToIPAddress().MapToIPv6());
}
