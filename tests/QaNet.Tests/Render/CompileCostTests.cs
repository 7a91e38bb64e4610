using System.Diagnostics;
using System.Globalization;
using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Resolution;
using Xunit.Abstractions;

namespace QaNet.Tests.Render;

/// <summary>Compile cost at 1,000 clients × 200 grants (docs/rendering.md), next to a naive one-rule-per-pair count.</summary>
public sealed class CompileCostTests(ITestOutputHelper output)
{
    /// <summary>Built directly (not through the editor, whose per-change validation would dominate the set-up).</summary>
    public static QaPolicy Large(int clients = 1000, int grants = 200, int roles = 20)
    {
        var p = new QaPolicy("bench");
        var n = new QaNetwork(p, "bench", IPNetwork.Parse("10.64.0.0/16"), QaNetworkMode.Nat) { Bridge = "br-bench" };
        n.VirtHosts.Add("vh1");
        p.Networks.Add(n);
        for (var i = 0; i < clients; i++)
        {
            var c = new QaClient(n, $"c{i}", string.Create(CultureInfo.InvariantCulture, $"52:54:00:00:{i / 256:x2}:{i % 256:x2}"),
                IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.64.{2 + (i / 250)}.{1 + (i % 250)}")), "vh1");
            c.Roles.Add($"role{i % roles}");
            if (i % 10 == 0)
            {
                c.Roles.Add($"role{(i / 10) % roles}");
            }

            n.Clients.Add(c);
        }

        for (var j = 0; j < grants; j++)
        {
            var e = new QaEndpoint(p, $"svc{j}");
            e.Addresses.Add(IPNetwork.Parse(string.Create(CultureInfo.InvariantCulture, $"198.18.{j / 250}.{1 + (j % 250)}/32")));
            e.Ports.Add(QaPortRange.Parse("443/tcp"));
            e.Ports.Add(QaPortRange.Parse("8000-8010/tcp"));
            p.Endpoints.Add(e);
            var r = new QaRule(p, $"grant{j}", QaRuleKind.Egress);
            r.From.Add(QaSelector.Role($"role{j % roles}"));
            r.To.Add(QaSelector.Endpoint(e.Name));
            p.Rules.Add(r);
        }

        return p;
    }

    [Fact]
    public void Thousand_clients_by_two_hundred_grants()
    {
        var resolved = ResolvedPolicy.Create(Large());
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
    }
}
