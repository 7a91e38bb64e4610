using System.Net;
using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;

namespace QaNet.Tests.Lab;

/// <summary>
/// Compare-QaPolicy -Mode checked live (issue 16): fedora-qa built in Nat, Gateway and Bridged
/// mode, one lab after the other, and every TCP cell the comparison names probed in each. A
/// cell the mode allows reaches the virthost's address (connected where dnsmasq listens, refused
/// where nothing does); a cell it denies times out (filtered).
/// </summary>
[Trait("Needs", "Root")]
public sealed class ModeDifferenceLabTests
{
    private const string Prefix = "qn-lmd-";

    [Fact]
    public async Task The_cells_that_differ_between_modes_differ_live_and_the_others_do_not()
    {
        var now = DateTimeOffset.UtcNow;
        var reference = ExamplePolicies.AsGateway(ExamplePolicies.Fedora());
        var differences = new[] { (QaNetworkMode.Nat, QaNetworkMode.Bridged), (QaNetworkMode.Nat, QaNetworkMode.Gateway), (QaNetworkMode.Gateway, QaNetworkMode.Bridged) }
            .SelectMany(m => ModeComparer.Compare(reference, m.Item1, m.Item2, now)).ToList();
        Assert.Contains(differences, d => d.Port == "53/tcp" && d.ReferenceMode == QaNetworkMode.Nat && d.DifferenceMode == QaNetworkMode.Bridged);
        Assert.Contains(differences, d => d.Port == "22/tcp" && d.DifferenceMode == QaNetworkMode.Gateway);

        // Every TCP cell named in any comparison, each probed in all three modes: ssh to the
        // virthost differs only towards Gateway, so Nat and Bridged must both filter it.
        var cells = differences.Where(d => d.PortRange.Protocol == QaProtocol.Tcp).Select(d => (d.From, d.DestinationAddress, d.PortRange.From)).Distinct().ToList();
        var engine = QaReachability.Create(reference, now);
        var policies = new Dictionary<QaNetworkMode, QaPolicy>
        {
            [QaNetworkMode.Nat] = ExamplePolicies.Fedora(),
            [QaNetworkMode.Gateway] = reference,
            [QaNetworkMode.Bridged] = ExamplePolicies.AsBridged(ExamplePolicies.Fedora()),
        };
        var prober = new QaProber();
        var wrong = new List<string>();
        foreach (var (mode, policy) in policies)
        {
            await QaLab.StopAsync(Prefix);
            var lab = await QaLab.StartAsync(policy, Prefix);
            try
            {
                foreach (var (from, to, port) in cells)
                {
                    var host = lab.State.FindHost(from)!;
                    var expected = ModeComparer.Verdict(mode, QaProtocol.Tcp, port, engine.Test(IPAddress.Parse(host.Addresses[0]), to, port)).Allowed;
                    QaProbeResult probe;
                    var attempt = 0;
                    do
                    {
                        attempt++;
                        probe = await prober.ProbeAsync(host.Namespace, IPAddress.Parse(host.Addresses[0]), to, port, QaProtocol.Tcp, attempt);
                    }
                    while (Reached(probe) != expected && attempt < 3);

                    if (Reached(probe) != expected)
                    {
                        wrong.Add($"{mode}: {from} -> {to} {port}/tcp: expected {(expected ? "reached" : "filtered")}, probe {probe.Detail}");
                    }
                }
            }
            finally
            {
                await QaLab.StopAsync(Prefix);
            }
        }

        Assert.Empty(await Namespaces.ListAsync(Prefix));
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }

    private static bool Reached(QaProbeResult probe) => probe.Detail is QaProbeResult.Connected or QaProbeResult.Refused;
}
