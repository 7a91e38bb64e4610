using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Tests.Commands;

/// <summary>New-QaIsolatedNetwork's uplink parameters.</summary>
public sealed class UplinkCommandTests
{
    [Fact]
    public void Vxlan_and_underlay_make_a_spanning_network_routed_by_the_gateway_virthost()
    {
        using var s = new PowerShellSession();
        s.Run("$null = New-QaPolicy -Name qa");
        var n = s.Single<QaNetwork>(
            "New-QaIsolatedNetwork -Name span -Subnet 192.168.170.0/24 -Mode Nat -VirtHost vh1, vh2 -Vxlan 170 -Underlay @{ vh1 = '198.18.1.11'; vh2 = '198.18.1.12' } -GatewayVirtHost vh2");
        var u = Assert.IsType<QaUplink>(n.Uplink);
        Assert.Equal((QaUplinkKind.Vxlan, 170, 4789, "vh2"), (u.Kind, u.Vni, u.Port, u.Gateway));
        Assert.Equal(IPAddress.Parse("198.18.1.11"), u.Underlay["vh1"]);
        Assert.Equal("vh2", n.ServingVirtHost);
        Assert.Equal("vxlan 170 via vh2", s.Run("(Get-QaNetwork -Name span).Uplink.ToString()")[0].ToString());
    }

    [Fact]
    public void A_nic_uplink_takes_one_name_or_one_per_virthost()
    {
        using var s = new PowerShellSession();
        s.Run("$null = New-QaPolicy -Name qa");
        var one = s.Single<QaNetwork>("New-QaIsolatedNetwork -Name a -Subnet 192.168.170.0/24 -Mode Nat -VirtHost vh1, vh2 -UplinkNic eno2");
        Assert.Equal(("eno2", "eno2", "vh1"), (one.Uplink!.DeviceOn("vh1"), one.Uplink.DeviceOn("vh2"), one.Uplink.Gateway));
        var map = s.Single<QaNetwork>("New-QaIsolatedNetwork -Name b -Subnet 192.168.171.0/24 -Mode Bridged -Bridge br0 -VirtHost vh1, vh2 -UplinkNic @{ vh1 = 'eno3'; vh2 = 'eno4' }");
        Assert.Equal(("eno3", "eno4"), (map.Uplink!.DeviceOn("vh1"), map.Uplink.DeviceOn("vh2")));
        Assert.Null(map.Uplink.Gateway);
    }

    [Theory]
    [InlineData("-Vxlan 170 -Underlay @{ vh1 = '198.18.1.11' }", QaErrorIds.UplinkUnderlayMismatch)]
    [InlineData("-Vxlan 170 -Underlay @{ vh1 = '198.18.1.11'; vh2 = '198.18.1.11' }", QaErrorIds.DuplicateUnderlayAddress)]
    [InlineData("-Vxlan 170 -Underlay @{ vh1 = '198.18.1.11'; vh2 = 'not-an-address' }", QaErrorIds.InvalidAddress)]
    [InlineData("-UplinkNic 'eth0;reboot'", QaErrorIds.InvalidUplinkInterface)]
    [InlineData("-UplinkNic eno2 -GatewayVirtHost vh9", QaErrorIds.UnknownUplinkGateway)]
    [InlineData("-Underlay @{ vh1 = '198.18.1.11' }", QaErrorIds.InvalidUplink)]
    [InlineData("-Vxlan 170 -UplinkNic eno2", QaErrorIds.InvalidUplink)]
    public void A_bad_uplink_is_refused_with_its_id_and_adds_nothing(string parameters, string id)
    {
        using var s = new PowerShellSession();
        s.Run("$null = New-QaPolicy -Name qa");
        // One record per problem: a bad NIC name is one on each virthost.
        var errors = s.Errors($"New-QaIsolatedNetwork -Name span -Subnet 192.168.170.0/24 -Mode Nat -VirtHost vh1, vh2 {parameters}");
        Assert.All(errors, e => Assert.StartsWith(id + ",", e.FullyQualifiedErrorId, StringComparison.Ordinal));
        Assert.Empty(s.Run("Get-QaNetwork"));
    }
}
