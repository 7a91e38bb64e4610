using System.Diagnostics;
using System.Globalization;
using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Resolution;
using Xunit.Abstractions;

namespace QaNet.Tests.Render;

/// <summary>Compile cost at 1,000 clients × 200 grants (docs/performance.md, "Rendering"), next to a naive one-rule-per-pair count.</summary>
public sealed class CompileCostTests(ITestOutputHelper output)
{
    [Fact]
    public void Thousand_clients_by_two_hundred_grants()
    {
        var resolved = ResolvedPolicy.Create(LargeRenderPolicy.Build());
        var options = new QaRenderOptions { Now = RenderPolicies.Now };
        QaRenderer.Render(resolved, "bench", "vh1", QaBackend.Nftables, options); // warm-up (JIT)
        QaRenderer.Render(resolved, "bench", "vh1", QaBackend.Ebtables, options);
        var naive = resolved.Rules.Sum(r => r.Sources.Count * r.Targets.Sum(t => t.Destinations.Count));
        foreach (var backend in new[] { QaBackend.LibvirtXml, QaBackend.Nftables, QaBackend.Ebtables })
        {
            var watch = Stopwatch.StartNew();
            var ruleset = QaRenderer.Render(resolved, "bench", "vh1", backend, options);
            watch.Stop();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{backend}: {watch.Elapsed.TotalMilliseconds:F1} ms, {ruleset.RuleCount} rules, {ruleset.ElementCount} elements, {ruleset.Text.Length / 1024} KiB; naive one rule per (client, grant destination) pair: {naive} rules"));
        }

        // What the numbers above rest on (issue 14: this test used to assert nothing).
        var half = ResolvedPolicy.Create(LargeRenderPolicy.Build(clients: 500));
        int Rules(ResolvedPolicy p, QaBackend b) => QaRenderer.Render(p, "bench", "vh1", b, options).RuleCount;

        // libvirt: one DHCP reservation per client.
        Assert.Equal(1000, Rules(resolved, QaBackend.LibvirtXml));
        // nft: clients go into sets, so the rule count follows the grants, not the clients, and stays far under the naive count.
        var nft = Rules(resolved, QaBackend.Nftables);
        Assert.Equal(Rules(half, QaBackend.Nftables), nft);
        Assert.True(nft * 10 < naive, $"nft has {nft} rules for {naive} naive pairs");
        // ebtables: per-client chains, growing at most linearly with the clients.
        var ebt = Rules(resolved, QaBackend.Ebtables);
        Assert.InRange(ebt, Rules(half, QaBackend.Ebtables) + 1, 2 * Rules(half, QaBackend.Ebtables) + 100);
    }
}
