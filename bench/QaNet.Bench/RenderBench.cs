using System.Diagnostics;
using System.Globalization;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Resolution;
using QaNet.Tests.Render;

/// <summary>
/// Compile cost of the renderers (docs/performance.md, "Rendering"): 1,000 clients × 200 grants
/// per scale, every backend, best of 5 after a warm-up, next to a naive one-rule-per-pair count.
/// </summary>
internal static class RenderBench
{
    public static void Run(int scale)
    {
        var clients = 1000 * scale;
        var grants = 200 * scale;
        var resolved = ResolvedPolicy.Create(LargeRenderPolicy.Build(clients, grants));
        var options = new QaRenderOptions { Now = new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero) };
        var naive = resolved.Rules.Sum(r => r.Sources.Count * r.Targets.Sum(t => t.Destinations.Count));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## render, scale {scale}: {clients:N0} clients × {grants:N0} grants; naive one rule per (client, grant destination) pair: {naive:N0} rules"));
        // The network backends; access files are per host and come from grants, which this policy has none of.
        foreach (var backend in new[] { QaBackend.LibvirtXml, QaBackend.Nftables, QaBackend.Ebtables })
        {
            QaRenderer.Render(resolved, "bench", "vh1", backend, options); // warm-up (JIT)
            var best = double.MaxValue;
            var bestCpu = double.MaxValue;
            QaRuleset? ruleset = null;
            using var process = Process.GetCurrentProcess();
            for (var round = 0; round < 5; round++)
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                ruleset = QaRenderer.Render(resolved, "bench", "vh1", backend, options);
                best = Math.Min(best, sw.Elapsed.TotalMilliseconds);
                process.Refresh();
                bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalMilliseconds);
            }

            // CPU time next to wall time: on a shared machine the difference is time spent waiting for a core.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{backend}: {best:F1} ms (CPU {bestCpu:F0} ms), {ruleset!.RuleCount:N0} rules, {ruleset.ElementCount:N0} elements, {ruleset.Text.Length / 1024:N0} KiB"));
        }
    }
}
