using System.Diagnostics;
using System.Globalization;
using System.Net;
using QaNet.Core.Engine;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Probes;
using QaNet.Tests.Engine;
using Xunit.Abstractions;

namespace QaNet.Tests.Lab;

/// <summary>
/// Random policies against the kernel (issue 16): the engine property tests' generator, scaled to
/// a lab (<see cref="GeneratorOptions.Lab"/>), built in Nat, Gateway or Bridged mode, and every cell
/// of the live matrix must conform. The same seed gives the same policy in every mode.
/// </summary>
internal static class RandomLabPolicies
{
    /// <summary>The endpoint that routes for the clients in Gateway mode (<c>.100</c> in every client network).</summary>
    public const string GatewayEndpoint = "gw";

    public static QaPolicy Create(int seed, QaNetworkMode mode)
    {
        var policy = PolicyGenerator.Generate(GeneratorOptions.Lab(seed));
        // Six clients may miss a role the rules name: the k-th client then holds role k as well.
        var clients = policy.Clients.ToList();
        for (var k = 0; k < GeneratorOptions.Lab(seed).Roles; k++)
        {
            var role = "role" + k.ToString(CultureInfo.InvariantCulture);
            if (!clients.Exists(c => c.Roles.Contains(role)))
            {
                clients[k].Roles.Add(role);
            }
        }

        var gateway = mode == QaNetworkMode.Gateway ? new QaEndpoint(policy, GatewayEndpoint) : null;
        foreach (var n in policy.Networks)
        {
            n.Mode = mode;
            if (gateway is not null)
            {
                n.Gateway = GatewayEndpoint;
                gateway.Addresses.Add(new IPNetwork(IpMath.Offset(n.Subnet, 100), 32));
            }
        }

        if (gateway is not null)
        {
            policy.Endpoints.Add(gateway);
        }

        return policy;
    }
}

/// <summary>
/// The seeds the tests run: <c>QANET_CONFORMANCE_SEED</c> (one seed, e.g. to replay a failure),
/// else <c>QANET_CONFORMANCE_SEEDS</c> (that many, from <c>QANET_CONFORMANCE_FIRST</c>, default 1),
/// else the CI seeds; <c>QANET_CONFORMANCE_MODE</c> narrows the modes. <c>./build.sh conformance</c>
/// sets them.
/// </summary>
public static class RandomLabSeeds
{
    /// <summary>CI: one seed, in all three modes at once (about a minute), plus seeds kept because they once failed.</summary>
    private static readonly int[] Ci = { 1, 25 };   // 25: cross-network client cells on one virthost (the anti-spoofing fix)

    public static IReadOnlyList<QaNetworkMode> Modes() =>
        Environment.GetEnvironmentVariable("QANET_CONFORMANCE_MODE") is { Length: > 0 } m
            ? m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => Enum.Parse<QaNetworkMode>(x, ignoreCase: true)).ToArray()
            : Enum.GetValues<QaNetworkMode>();

    public static IEnumerable<object[]> Cases()
    {
        IEnumerable<int> seeds = Ci;
        if (Environment.GetEnvironmentVariable("QANET_CONFORMANCE_SEED") is { Length: > 0 } one)
        {
            seeds = new[] { int.Parse(one, CultureInfo.InvariantCulture) };
        }
        else if (Environment.GetEnvironmentVariable("QANET_CONFORMANCE_SEEDS") is { Length: > 0 } count)
        {
            var first = Environment.GetEnvironmentVariable("QANET_CONFORMANCE_FIRST") is { Length: > 0 } f ? int.Parse(f, CultureInfo.InvariantCulture) : 1;
            seeds = Enumerable.Range(first, int.Parse(count, CultureInfo.InvariantCulture));
        }

        return seeds.Select(s => new object[] { s });
    }
}

[Trait("Needs", "Root")]
public sealed class RandomPolicyLabTests
{
    private readonly ITestOutputHelper _output;

    public RandomPolicyLabTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static IEnumerable<object[]> Cases() => RandomLabSeeds.Cases();

    /// <summary>One seed, a lab per mode, the modes at once (a probe mostly waits for its timeout).</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_random_policy_conforms_in_every_cell_of_the_live_matrix_in_every_mode(int seed)
    {
        var runs = await Task.WhenAll(RandomLabSeeds.Modes().Select(mode => RunAsync(seed, mode)));
        var failures = new List<string>();
        foreach (var (mode, cells) in runs)
        {
            var bad = cells.Where(r => !r.Conforms).ToList();
            if (cells.Count == 0)
            {
                failures.Add($"seed {seed} ({mode}): the lab built no cell");
            }
            else if (bad.Count > 0)
            {
                failures.Add($"seed {seed} ({mode}): {bad.Count} of {cells.Count} cells do not conform. Replay: ./build.sh conformance -Seed {seed} -Mode {mode}\n"
                    + string.Join('\n', bad.Take(40)));
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private async Task<(QaNetworkMode Mode, IReadOnlyList<QaLiveResult> Cells)> RunAsync(int seed, QaNetworkMode mode)
    {
        var prefix = "qn-r" + mode.ToString()[0].ToString().ToLowerInvariant() + "-";
        var policy = RandomLabPolicies.Create(seed, mode);
        await QaLab.StopAsync(prefix);
        var clock = Stopwatch.StartNew();
        var lab = await QaLab.StartAsync(policy, prefix);
        try
        {
            var start = clock.Elapsed;
            var engine = QaReachability.Create(policy, DateTimeOffset.UtcNow);
            var cells = await QaLiveMatrix.RunAsync(engine, QaLiveMatrix.Flows(lab.State, policy));
            var matrix = clock.Elapsed - start;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"seed {seed} {mode}: {cells.Count} cells, {cells.Count(c => c.Allowed)} allowed, {cells.Count(c => !c.Conforms)} not conforming, start {start.TotalSeconds:F1} s, matrix {matrix.TotalSeconds:F1} s");
            _output.WriteLine(line);
            if (Environment.GetEnvironmentVariable("QANET_CONFORMANCE_REPORT") is { Length: > 0 } report)
            {
                lock (ReportLock)
                {
                    File.AppendAllText(report, string.Create(CultureInfo.InvariantCulture,
                        $"{seed}\t{mode}\t{cells.Count}\t{cells.Count(c => c.Allowed)}\t{cells.Count(c => !c.Conforms)}\t{start.TotalSeconds:F1}\t{matrix.TotalSeconds:F1}\n"));
                }
            }

            return (mode, cells);
        }
        finally
        {
            await QaLab.StopAsync(prefix);
            Assert.Empty(await Namespaces.ListAsync(prefix));
        }
    }

    private static readonly object ReportLock = new();
}

/// <summary>The random lab policies themselves, without a lab: valid in every mode, and the lab can build every endpoint.</summary>
public sealed class RandomLabPolicyTests
{
    [Theory]
    [InlineData(QaNetworkMode.Nat)]
    [InlineData(QaNetworkMode.Gateway)]
    [InlineData(QaNetworkMode.Bridged)]
    public void Every_seed_gives_a_valid_policy_the_lab_can_plan(QaNetworkMode mode)
    {
        for (var seed = 1; seed <= 200; seed++)
        {
            var policy = RandomLabPolicies.Create(seed, mode);
            QaNet.Core.Checking.PolicyValidator.ThrowIfInvalid(policy);
            var plan = QaLabPlan.Create(policy, "qn-rx-");
            Assert.Equal(6, policy.Clients.Count());
            Assert.Equal(12, policy.Rules.Count);
            Assert.All(policy.Endpoints.Where(e => e.Name != RandomLabPolicies.GatewayEndpoint), e => Assert.NotEmpty(plan.EndpointAddresses[e.Name]));
            Assert.Equal(mode == QaNetworkMode.Gateway, plan.GatewayNamespaces.ContainsKey(RandomLabPolicies.GatewayEndpoint));
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_rules_in_every_mode()
    {
        var rules = Enum.GetValues<QaNetworkMode>()
            .Select(m => string.Join(';', RandomLabPolicies.Create(7, m).Rules.Select(r => $"{r.Id} {r.Kind} {r.Priority} {string.Join(',', r.From)} {string.Join(',', r.To)} {string.Join(',', r.Ports)}")))
            .Distinct().ToList();
        Assert.Single(rules);
    }
}
