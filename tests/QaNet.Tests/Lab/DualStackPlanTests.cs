using System.Net;
using QaNet.Core.Lab;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Tests.Lab;

/// <summary>Where a dual-stack policy's IPv6 addresses go in the lab, computed without building it.</summary>
public class DualStackPlanTests
{
    [Fact]
    public void Endpoints_get_their_ipv6_addresses_and_a_cidr_a_few_hosts_inside_as_for_ipv4()
    {
        var plan = QaLabPlan.Create(ExamplePolicies.AsDualStack(ExamplePolicies.Fedora()));
        Assert.DoesNotContain(plan.Warnings, w => w.Contains("IPv6", StringComparison.Ordinal));
        Assert.Equal(new[] { "203.0.113.10", "2001:db8:71::a" }, plan.EndpointAddresses["koji"].Select(a => a.ToString()));
        Assert.Equal(new[] { "198.18.0.1", "198.18.0.25", "198.18.0.200", "2001:db8:12::1", "2001:db8:12::19", "2001:db8:12::c8" },
            plan.EndpointAddresses["qa-lan"].Select(a => a.ToString()));
    }

    [Fact]
    public void A_gateways_address_on_the_client_prefix_is_planned_for_its_legs()
    {
        var plan = QaLabPlan.Create(ExamplePolicies.AsDualStack(ExamplePolicies.AsGateway(ExamplePolicies.Fedora())));
        Assert.Contains(IPAddress.Parse("fd00:150::64"), plan.EndpointAddresses["bastion"]);
        Assert.Equal(plan.GatewayNamespaces["bastion"], plan.EndpointNamespaces["bastion"]);
    }

    [Fact]
    public void Every_link_has_its_own_ipv6_prefix_from_the_lab_range()
    {
        var plan = QaLabPlan.Create(ExamplePolicies.AsDualStack(ExamplePolicies.Fedora()));
        var links = plan.Links.Values.ToList();
        Assert.All(links, l => Assert.True(IpMath.Covers(QaLabPlan.LinkRange6, l.Subnet6), l.Subnet6.ToString()));
        Assert.Equal(links.Count, links.Select(l => l.Subnet6).Distinct().Count());
        Assert.All(links, l => Assert.Equal(64, l.Subnet6.PrefixLength));
        Assert.All(links, l => Assert.NotEqual(l.RouterAddress6, l.PeerAddress6));
    }

    [Fact]
    public void A_policy_using_the_labs_ipv6_link_range_is_refused()
    {
        var policy = ExamplePolicies.Fedora();
        policy.FindEndpoint("qa-lan")!.Addresses.Add(IPNetwork.Parse("fd0d:1ab:0:1::/64"));
        var ex = Assert.Throws<QaValidationException>(() => QaLabPlan.Create(policy));
        Assert.Equal(QaErrorIds.AddressPoolExhausted, ex.ErrorId);
    }
}
