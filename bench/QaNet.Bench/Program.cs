using System.Diagnostics;
using System.Globalization;
using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Resolution;
using QaNet.Tests.Engine;

// The engine side by side with its linear reference and a Dictionary floor, on generated
// policies at two sizes, and the renderers' compile cost, so that one run gives the tables of
// docs/performance.md.
// Usage: dotnet run -c Release --project bench/QaNet.Bench -- [all|decide|matrix|analyze|compare|render|publish] [--scale N]
// 'publish' (not part of 'all': it needs root) publishes into lab namespaces; see PublishBench and MultiHostPublishBench.
// 'publish --no-preflight' leaves out the host preflight (as commits before it had none), for side-by-side runs.
// 'publish --commands' also lists each command of the median runs with its time; '--one-host' leaves out the many-virthost part.
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
if (what == "publish")
{
    var preflight = !args.Contains("--no-preflight");
    await PublishBench.RunAsync(preflight, args.Contains("--commands"));
    if (!args.Contains("--one-host"))
    {
        await MultiHostPublishBench.RunAsync(preflight);
    }
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
            Time("analysis (Test-QaPolicy)", () => $"{PolicyAnalyzer.Analyze(q).Count} findings");
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
                var changes = PolicyComparer.Compare(resolved, resolvedAfter, PolicyGenerator.Now);
                return $"{changes.Count} regions";
            });
        }

        Console.WriteLine($"process peak working set so far: {Environment.WorkingSet / 1048576} MB now, {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB peak");
    }

    private static void Decide(QaPolicy policy, QaReachability q)
    {
        var flows = PolicyGenerator.Flows(1, 1 << 20, policy).ToArray();
        var engine = q.Engine;
        var map = new Dictionary<QaFlow, int>(flows.Length);
        foreach (var f in flows)
        {
            map.TryAdd(f, 1);
        }

        // The flows whose port some rule names: those cannot be denied by the port lookup alone
        // and walk the rule lists (the engine's slow path).
        var named = policy.Rules.SelectMany(r => r.Ports).Distinct().ToArray();
        var walked = flows.Where(f => named.Any(r => r.Contains(f.Protocol, f.Port))).ToArray();

        // Engine and floor alternate within each round, so that a slow moment of the (shared)
        // host slows both; the per-round ratio is the steadier figure. Round 0 is a warm-up.
        const int Rounds = 11;
        var whole = new Series();
        var walks = new Series();
        var allowed = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var (e, a) = TimeEngine(engine, flows);
            var m = TimeFloor(map, flows);
            var (ew, _) = TimeEngine(engine, walked);
            var mw = TimeFloor(map, walked);
            if (round > 0)
            {
                whole.Add(flows.Length / e, flows.Length / m);
                walks.Add(walked.Length / ew, walked.Length / mw);
            }

            allowed = a;
        }

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
        Console.WriteLine($"decide: engine {whole.Engine} ({allowed * 100.0 / flows.Length:F0}% allowed, {allocated} bytes allocated per 100k); " +
                          $"reference {referenceRate:F0} /s (×{whole.MedianEngine / referenceRate:F0}); Dictionary floor {whole.Floor}; engine at {whole.Ratio} of the floor " +
                          $"({Rounds - 1} rounds, median (min–max))");
        Console.WriteLine($"decide, only flows on ports a rule names ({walked.Length * 100.0 / flows.Length:F0}% of them): engine {walks.Engine}; " +
                          $"Dictionary floor {walks.Floor}; engine at {walks.Ratio} of the floor");
    }

    private static (double Seconds, int Allowed) TimeEngine(QaRuleEngine engine, QaFlow[] flows)
    {
        var sw = Stopwatch.StartNew();
        var n = 0;
        foreach (ref readonly var f in flows.AsSpan())
        {
            n += engine.Decide(f).Allowed ? 1 : 0;
        }

        return (sw.Elapsed.TotalSeconds, n);
    }

    private static double TimeFloor(Dictionary<QaFlow, int> map, QaFlow[] flows)
    {
        var sw = Stopwatch.StartNew();
        var hits = 0;
        foreach (ref readonly var f in flows.AsSpan())
        {
            hits += map.TryGetValue(f, out var v) ? v : 0;
        }

        GC.KeepAlive(hits);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Per-round rates of the engine and the floor.</summary>
    private sealed class Series
    {
        private readonly List<double> engine = new();
        private readonly List<double> floor = new();
        private readonly List<double> ratio = new();

        public double MedianEngine => Median(engine);

        public string Engine => Rates(engine);

        public string Floor => Rates(floor);

        public string Ratio => $"{Median(ratio):F2}× ({ratio.Min():F2}–{ratio.Max():F2})";

        public void Add(double engineRate, double floorRate)
        {
            engine.Add(engineRate);
            floor.Add(floorRate);
            ratio.Add(engineRate / floorRate);
        }

        private static string Rates(List<double> rates) => $"{Median(rates) / 1e6:F2} M/s ({rates.Min() / 1e6:F2}–{rates.Max() / 1e6:F2})";

        private static double Median(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }
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
