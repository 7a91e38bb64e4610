using QaNet.Core.Hosts;
using QaNet.Core.Publish;
using QaNet.Core.Render;
using QaNet.Core.Resolution;
using QaNet.Tests.Support;

namespace QaNet.Tests.Publish;

/// <summary>Test-QaVirtHost says what stateless filtering leaves open, on the virthosts where it applies.</summary>
public class ReturnTrafficCheckTests
{
    private static readonly QaRenderOptions Pinned = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    private static async Task<IReadOnlyList<QaVirtHostCheck>> ChecksOf(HostArtifacts artifacts, bool all)
    {
        var host = new PublishHost(artifacts.VirtHost, new RecordingRunner(script: FakeHosts.EmptyHost), "/nonexistent/qanet-state");
        return await VirtHostChecks.RunAsync(host, VirtHostNeeds.Of(artifacts), all);
    }

    [Fact]
    public async Task A_virthost_with_a_bridged_network_is_warned_that_udp_replies_stay_accepted_by_source_port()
    {
        foreach (var artifacts in HostArtifactBuilder.Build(ResolvedPolicy.Create(ExamplePolicies.AsBridged(ExamplePolicies.Fedora())), Pinned))
        {
            foreach (var all in new[] { false, true })
            {
                var check = Assert.Single(await ChecksOf(artifacts, all), c => c.Check == VirtHostChecks.ReturnTraffic);
                Assert.Equal(QaCheckStatus.Warn, check.Status);
                Assert.False(check.Needed);
                Assert.Contains("UDP", check.Found, StringComparison.Ordinal);
                Assert.Contains("table bridge qanet", check.Found, StringComparison.Ordinal);
                Assert.Contains("Nat or Gateway", check.Fix, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_nat_virthost_gets_no_return_traffic_warning()
    {
        foreach (var artifacts in HostArtifactBuilder.Build(ResolvedPolicy.Create(ExamplePolicies.Fedora()), Pinned))
        {
            Assert.DoesNotContain(await ChecksOf(artifacts, all: true), c => c.Check == VirtHostChecks.ReturnTraffic);
        }
    }
}
