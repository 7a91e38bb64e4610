using System.Net;
using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Probes;

namespace QaNet.Tests.Lab;

/// <summary>
/// Compare-QaPolicy -Mode checked live (issue 16): every TCP cell the comparisons Nat/Bridged,
/// Nat/Gateway and Gateway/Bridged name for fedora-qa, probed in the Nat, Gateway and Bridged labs
/// the mode tests already run (one test per mode, on that class's fixture: no lab of its own). A
/// cell the mode allows reaches the virthost's address (connected where dnsmasq listens, refused
/// where nothing does); a cell it denies times out (filtered).
/// </summary>
internal static class ModeDifferences
{
    /// <summary>The TCP cells (IPv4: the comparison's reference is fedora-qa as written) any of the three comparisons names, with the engine of that reference.</summary>
    public static (IReadOnlyList<(string From, IPAddress To, int Port)> Cells, QaReachability Engine) Cells(DateTimeOffset now)
    {
        var reference = ExamplePolicies.AsGateway(ExamplePolicies.Fedora());
        var differences = new[] { (QaNetworkMode.Nat, QaNetworkMode.Bridged), (QaNetworkMode.Nat, QaNetworkMode.Gateway), (QaNetworkMode.Gateway, QaNetworkMode.Bridged) }
            .SelectMany(m => ModeComparer.Compare(reference, m.Item1, m.Item2, now)).ToList();
        Assert.Contains(differences, d => d.Port == "53/tcp" && d.ReferenceMode == QaNetworkMode.Nat && d.DifferenceMode == QaNetworkMode.Bridged);
        Assert.Contains(differences, d => d.Port == "22/tcp" && d.DifferenceMode == QaNetworkMode.Gateway);

        // ssh to the virthost differs only towards Gateway, so Nat and Bridged must both filter it.
        var cells = differences.Where(d => d.PortRange.Protocol == QaProtocol.Tcp).Select(d => (d.From, d.DestinationAddress, d.PortRange.From)).Distinct().ToList();
        return (cells, QaReachability.Create(reference, now));
    }

    /// <summary>Probes every cell from the lab of <paramref name="mode"/> and fails with each one whose live answer is not the mode's.</summary>
    public static async Task AssertLiveAsync(LabFixture lab, QaNetworkMode mode)
    {
        Assert.All(lab.Policy.Networks, n => Assert.Equal(mode, n.Mode));
        var (cells, engine) = Cells(DateTimeOffset.UtcNow);
        var prober = new QaProber();
        var wrong = new List<string>();
        using var gate = new SemaphoreSlim(16);
        await Task.WhenAll(cells.Select(async cell =>
        {
            var (from, to, port) = cell;
            var host = lab.Lab.State.FindHost(from)!;
            var source = host.Addresses.Select(IPAddress.Parse).First(a => a.AddressFamily == to.AddressFamily);
            var expected = ModeComparer.Verdict(mode, QaProtocol.Tcp, port, engine.Test(source, to, port)).Allowed;
            await gate.WaitAsync();
            try
            {
                QaProbeResult probe;
                var attempt = 0;
                do
                {
                    attempt++;
                    probe = await prober.ProbeAsync(host.Namespace, source, to, port, QaProtocol.Tcp, attempt);
                }
                while (Reached(probe) != expected && attempt < 3);

                if (Reached(probe) != expected)
                {
                    lock (wrong)
                    {
                        wrong.Add($"{mode}: {from} -> {to} {port}/tcp: expected {(expected ? "reached" : "filtered")}, probe {probe.Detail}");
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    private static bool Reached(QaProbeResult probe) => probe.Detail is QaProbeResult.Connected or QaProbeResult.Refused;
}

public sealed partial class NatLabTests
{
    [Fact]
    public Task The_cells_that_differ_between_modes_answer_live_as_Nat_enforces_them() => ModeDifferences.AssertLiveAsync(_lab, QaNetworkMode.Nat);
}

public sealed partial class GatewayLabTests
{
    [Fact]
    public Task The_cells_that_differ_between_modes_answer_live_as_Gateway_enforces_them() => ModeDifferences.AssertLiveAsync(_lab, QaNetworkMode.Gateway);
}

public sealed partial class BridgedLabTests
{
    [Fact]
    public Task The_cells_that_differ_between_modes_answer_live_as_Bridged_enforces_them() => ModeDifferences.AssertLiveAsync(_lab, QaNetworkMode.Bridged);
}
