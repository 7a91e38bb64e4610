using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;

namespace QaNet.Tests.Lab;

public sealed class NatLab : LabFixture
{
    public override string Prefix => "qn-ltn-";

    public override QaPolicy CreatePolicy() => ExamplePolicies.AsDualStack(ExamplePolicies.Fedora());
}

/// <summary>fedora-qa.yaml as written (a Nat network on two virthosts), replayed on real kernels.</summary>
[Trait("Needs", "Root")]
public sealed partial class NatLabTests : IClassFixture<NatLab>
{
    private readonly NatLab _lab;

    public NatLabTests(NatLab lab)
    {
        _lab = lab;
    }

    [Fact]
    public void The_lab_has_a_namespace_per_virthost_and_client_and_clients_leased_their_reserved_addresses()
    {
        var s = _lab.Lab.State;
        Assert.Equal(QaLabState.Running, s.Status);
        Assert.Equal(2, s.Hosts.Count(h => h.Kind == QaLabHostKind.VirtHost));
        Assert.Equal(2, s.Libvirtd.Count);
        foreach (var c in _lab.Policy.Clients)
        {
            var host = s.FindHost(c.Name)!;
            Assert.Equal(QaLabHostKind.Client, host.Kind);
            Assert.Equal(new[] { c.Address.ToString(), c.Address6!.ToString() }, host.Addresses);
            Assert.Equal("dhcp", host.AddressSource);
        }

        Assert.Equal(new[] { "198.18.0.1", "198.18.0.25", "198.18.0.200", "2001:db8:12::1", "2001:db8:12::19", "2001:db8:12::c8" }, s.EndpointAddresses["qa-lan"]);
        Assert.Equal(s.Hosts.Count, QaLab.Get(_lab.Prefix)!.State.Hosts.Count);
    }

    [Fact]
    public Task After_a_libvirtd_restart_nothing_drifts_and_the_live_matrix_still_conforms() => LifecycleEvents.LibvirtdRestartAsync(_lab);

    [Fact]
    public Task A_network_destroyed_cuts_its_clients_off_and_once_started_again_the_matrix_conforms() => LifecycleEvents.NetworkRestartAsync(_lab);

    [Fact]
    public Task A_client_stopped_and_started_with_a_new_port_and_the_same_mac_conforms_again() => LifecycleEvents.ClientRestartAsync(_lab);

    [Fact]
    public Task After_a_reboot_the_boot_copy_is_loaded_before_the_networks_start_and_the_matrix_conforms_without_a_publish() => LifecycleEvents.RebootAsync(_lab);

    [Fact]
    public Task A_reboot_with_a_boot_copy_that_does_not_load_keeps_the_networks_down_and_the_clients_cut_off() => LifecycleEvents.RebootWithBrokenCopyFailsClosedAsync(_lab);

    [Fact]
    public async Task The_full_live_matrix_conforms_including_the_negative_cells()
    {
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);

        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "koji" && r.Port == 443 && r.Observed && r.RuleId == "taskotron-koji");
        Assert.Contains(results, r => r.From == "beaker-client01" && r.To == "beaker-lab" && r.Port == 69 && r.Protocol == QaProtocol.Udp && r.Observed);
        Assert.Contains(results, r => r.From == "bastion" && r.To == "taskotron-client03" && r.Port == 22 && r.Observed && r.RuleId == "bastion-ssh");
        Assert.Contains(results, r => r.From == "beaker-lab" && r.To == "beaker-client02" && r.Port == 7099 && r.Observed);

        // Negative cells: services never connect in, the QA LAN and other clients stay out of reach,
        // ports not granted stay closed on granted hosts — each filtered, not merely unanswered.
        Assert.Contains(results, r => r.From == "koji" && r.To == "taskotron-client01" && r.Port == 22 && !r.Observed && r.ObservedDetail == QaProbeResult.TimedOut);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "qa-lan" && r.Port == 22 && !r.Observed && r.ObservedDetail == QaProbeResult.TimedOut);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "taskotron-client02" && r.Port == 22 && !r.Observed);
        Assert.Contains(results, r => r.From == "taskotron-client01" && r.To == "koji" && r.Port == 8000 && !r.Observed && r.ObservedDetail == QaProbeResult.TimedOut);
        Assert.Contains(results, r => r.From == "beaker-client01" && r.To == "koji" && r.Port == 443 && !r.Observed);
        Assert.True(results.Count(r => !r.Allowed) > results.Count(r => r.Allowed));
    }
}
