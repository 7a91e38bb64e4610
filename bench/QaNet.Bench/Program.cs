using System.Diagnostics;
using System.Globalization;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Resolution;
using QaNet.Tests.Engine;

// The engine side by side with its linear reference and a Dictionary floor, on generated
// policies at two sizes, and the renderers' compile cost, so that one run gives the tables of
// docs/performance.md.
// Usage: dotnet run -c Release --project bench/QaNet.Bench -- [all|decide|matrix|analyze|compare|render|publish] [--scale N]
// 'publish' (not part of 'all': it needs root) publishes into lab namespaces; see PublishBench and MultiHostPublishBench.
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
if (what == "publish")
{
    await PublishBench.RunAsync();
    await MultiHostPublishBench.RunAsync();
    return;
}

var scales = args.SkipWhile(a => a != "--scale").Skip(1).Take(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
if (scales.Length == 0)
{
    scales = new[] { 1, 2 };
}

Console.WriteLine($"QaNet engine benchmark — {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, " +
                  $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, single-threaded");
foreach (var scale in scales)
{
    if (what != "render")
    {
        Bench.Run(what, scale);
    }

    if (what is "all" or "render")
    {
        RenderBench.Run(scale);
    }
}

internal static class Bench
{
    // 20 ports: the probe set, the generator's service ports and both ends of its ranges.
    private static readonly int[] TcpPorts = { 22, 80, 443, 8080, 9989, 5432, 53, 7080, 7099, 1024, 2048, 3306, 8000, 8443 };
    private static readonly int[] UdpPorts = { 53, 69, 123, 60000, 61000 };

    public static void Run(string what, int scale)
    {
        var options = GeneratorOptions.Large(scale);
        var sw = Stopwatch.StartNew();
        var policy = PolicyGenerator.Generate(options);
        var resolved = ResolvedPolicy.Create(policy);
        var resolveMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var q = new QaReachability(resolved, PolicyGenerator.Now);
        var compileMs = sw.Elapsed.TotalMilliseconds;
        var e = q.Engine;
        Console.WriteLine();
        Console.WriteLine($"## scale {scale}: {policy.Rules.Count} rules, {policy.Clients.Count()} clients, {policy.Endpoints.Count} endpoints, {policy.Roles.Count} roles");
        Console.WriteLine($"generate+resolve {resolveMs:F0} ms; compile {compileMs:F0} ms: {e.SlotCount} slots, classes src {e.SourceClassCount} / dst {e.DestinationClassCount} / port {e.PortClassCount}; " +
                          $"walk tables {e.WalkBytes / 1e6:F2} MB ({e.SourceColumnCount} source columns, {e.ListEntryCount} list entries)");

        if (what is "all" or "decide")
        {
            Decide(policy, q);
        }

        if (what is "all" or "matrix")
        {
            Matrix(q);
        }

        if (what is "all" or "analyze")
        {
            Time("analysis (Test-QaPolicy)", () => $"{q.Analyze().Count} findings");
        }

        if (what is "all" or "compare")
        {
            var after = PolicyGenerator.Generate(options);
            var random = new Random(7);
            for (var i = 0; i < 50 * scale; i++)
            {
                after.Rules.RemoveAt(random.Next(after.Rules.Count));
                var r = after.Rules[random.Next(after.Rules.Count)];
                r.Priority = r.Priority == 1000 ? 100 : 1000;
            }

            PolicyGenerator.AddRules(after, 99, 50 * scale);
            var resolvedAfter = ResolvedPolicy.Create(after);
            Time($"compare (Compare-QaPolicy, {150 * scale} rule edits)", () =>
            {
                var changes = QaReachability.Compare(resolved, resolvedAfter, PolicyGenerator.Now);
                return $"{changes.Count} regions";
            });
        }

        Console.WriteLine($"process peak working set so far: {Environment.WorkingSet / 1048576} MB now, {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB peak");
    }

    private static void Decide(QaPolicy policy, QaReachability q)
    {
        var flows = PolicyGenerator.Flows(1, 1 << 20, policy).ToArray();
        var engine = q.Engine;
        var allowed = 0;
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            allowed = 0;
            foreach (ref readonly var f in flows.AsSpan())
            {
                var d = engine.Decide(f);
                allowed += d.Allowed ? 1 : 0;
            }

            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }

        var engineRate = flows.Length / best;
        var map = new Dictionary<QaFlow, int>(flows.Length);
        foreach (var f in flows)
        {
            map.TryAdd(f, 1);
        }

        var bestMap = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            var hits = 0;
            foreach (ref readonly var f in flows.AsSpan())
            {
                hits += map.TryGetValue(f, out var v) ? v : 0;
            }

            bestMap = Math.Min(bestMap, sw.Elapsed.TotalSeconds);
            GC.KeepAlive(hits);
        }

        var mapRate = flows.Length / bestMap;
        var reference = new ReferenceEngine(q.Resolved, q.Now);
        var sample = flows.Take(300).Select(f => (S: f.Source.ToIPAddress(), D: f.Destination.ToIPAddress(), f.Protocol, f.Port)).ToArray();
        var rsw = Stopwatch.StartNew();
        foreach (var (s, d, p, port) in sample)
        {
            reference.Decide(s, d, p, port);
        }

        var referenceRate = sample.Length / rsw.Elapsed.TotalSeconds;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        foreach (ref readonly var f in flows.AsSpan(0, 100_000))
        {
            engine.Decide(f);
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine($"decide: engine {engineRate / 1e6:F2} M/s ({allowed * 100.0 / flows.Length:F0}% allowed, {allocated} bytes allocated per 100k); " +
                          $"reference {referenceRate:F0} /s (×{engineRate / referenceRate:F0}); Dictionary floor {mapRate / 1e6:F2} M/s (engine at {engineRate / mapRate:F2}× of it)");

        // The same measurement on only the flows whose port some rule names: those cannot be
        // denied by the port lookup alone and walk the rule lists (the engine's slow path).
        var named = policy.Rules.SelectMany(r => r.Ports).Distinct().ToArray();
        var walked = flows.Where(f => named.Any(r => r.Contains(f.Protocol, f.Port))).ToArray();
        var bestWalked = double.MaxValue;
        var bestWalkedMap = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            var n = 0;
            foreach (ref readonly var f in walked.AsSpan())
            {
                n += engine.Decide(f).Allowed ? 1 : 0;
            }

            bestWalked = Math.Min(bestWalked, sw.Elapsed.TotalSeconds);
            sw.Restart();
            foreach (ref readonly var f in walked.AsSpan())
            {
                n += map.TryGetValue(f, out var v) ? v : 0;
            }

            bestWalkedMap = Math.Min(bestWalkedMap, sw.Elapsed.TotalSeconds);
            GC.KeepAlive(n);
        }

        Console.WriteLine($"decide, only flows on ports a rule names ({walked.Length * 100.0 / flows.Length:F0}% of them): engine {walked.Length / bestWalked / 1e6:F2} M/s; " +
                          $"Dictionary floor {walked.Length / bestWalkedMap / 1e6:F2} M/s (engine at {bestWalkedMap / bestWalked:F2}× of it)");
    }

    private static void Matrix(QaReachability q)
    {
        var ports = TcpPorts.Select(p => new QaPortRange(QaProtocol.Tcp, p, p))
            .Concat(UdpPorts.Select(p => new QaPortRange(QaProtocol.Udp, p, p)))
            .Append(QaPortRange.Icmp)
            .ToList();
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        var matrix = q.Matrix(new QaMatrixOptions { Ports = ports });
        var buildMs = sw.Elapsed.TotalMilliseconds;
        var retained = GC.GetTotalMemory(false) - before;
        sw.Restart();
        long cells = 0, allowed = 0;
        foreach (var c in matrix.Cells())
        {
            cells++;
            allowed += c.Allowed ? 1 : 0;
        }

        var enumerateMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var roleRows = matrix.ByRole().Count();
        var byRoleMs = sw.Elapsed.TotalMilliseconds;
        var allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        Console.WriteLine($"matrix: {matrix.Clients.Count} clients × {matrix.Endpoints.Count} endpoints × {matrix.Ports.Count} ports = {matrix.CellCount:N0} cells; " +
                          $"{matrix.ComputedCount:N0} class triples computed in {buildMs:F0} ms; {cells:N0} results enumerated in {enumerateMs:F0} ms " +
                          $"(total {buildMs + enumerateMs:F0} ms, {allowed * 100.0 / cells:F1}% allowed); ByRole {roleRows:N0} rows in {byRoleMs:F0} ms; " +
                          $"matrix retains {retained / 1048576.0:F1} MB, {allocated / 1048576.0:F0} MB allocated in all");
        GC.KeepAlive(matrix);
    }

    private static void Time(string label, Func<string> action)
    {
        GC.Collect();
        var sw = Stopwatch.StartNew();
        var result = action();
        Console.WriteLine($"{label}: {sw.Elapsed.TotalMilliseconds:F0} ms, {result}");
    }
}
