using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;

namespace QaNet.Tests.Engine;

/// <summary>
/// Compare-QaPolicy -Mode: one policy, two modes, the cells whose verdict differs. The rules mean
/// the same in every mode; only each mode's own cells at the virthost's address differ.
/// </summary>
public sealed class ModeComparerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nat_and_bridged_differ_in_the_virthosts_dhcp_and_dns_for_every_client()
    {
        var policy = ExamplePolicies.Fedora();
        var changes = ModeComparer.Compare(policy, QaNetworkMode.Nat, QaNetworkMode.Bridged, Now);
        var expected = policy.Clients.SelectMany(c => new[] { "53/tcp", "53/udp", "67/udp" }.Select(p => (c.Name, "192.168.150.1", p))).Order().ToList();
        Assert.Equal(expected, changes.Select(c => (c.From, c.To, c.Port)).Order());
        Assert.All(changes, c =>
        {
            Assert.Equal("qa-clients", c.Network);
            Assert.True(c.ReferenceAllowed);
            Assert.Equal(ModeComparer.HostServicesRule, c.ReferenceDecidedBy);
            Assert.False(c.DifferenceAllowed);
            Assert.Equal("default deny", c.DifferenceDecidedBy);
        });

        // The other way round: the same cells, the sides swapped.
        var back = ModeComparer.Compare(policy, QaNetworkMode.Bridged, QaNetworkMode.Nat, Now);
        Assert.Equal(changes.Select(c => (c.From, c.Port, c.ReferenceAllowed, c.DifferenceAllowed)), back.Select(c => (c.From, c.Port, c.DifferenceAllowed, c.ReferenceAllowed)));
    }

    [Fact]
    public void A_rule_that_grants_the_virthosts_address_is_no_difference_on_that_port()
    {
        var policy = ExamplePolicies.Fedora();
        var dns = new QaEndpoint(policy, "virthost-dns");
        dns.Addresses.Add(System.Net.IPNetwork.Parse("192.168.150.1/32"));
        dns.Ports.Add(QaPortRange.Parse("53/udp"));
        policy.Endpoints.Add(dns);
        var rule = new QaRule(policy, "dns", QaRuleKind.Egress);
        rule.From.Add(QaSelector.Role("taskotron"));
        rule.To.Add(QaSelector.Endpoint("virthost-dns"));
        policy.Rules.Add(rule);

        var changes = ModeComparer.Compare(policy, QaNetworkMode.Nat, QaNetworkMode.Bridged, Now);
        Assert.DoesNotContain(changes, c => c.Port == "53/udp" && c.From.StartsWith("taskotron", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.Port == "53/udp" && c.From == "beaker-client01");
        Assert.Contains(changes, c => c.Port == "53/tcp" && c.From == "taskotron-client01");
    }

    [Fact]
    public void Gateway_mode_leaves_the_virthosts_address_unfiltered_so_every_denied_port_there_differs()
    {
        var policy = ExamplePolicies.AsGateway(ExamplePolicies.Fedora());
        var engine = QaReachability.Create(policy, Now);
        var ports = QaReachabilityMatrix.PolicyPorts(policy).Where(p => !p.IsIcmp).Select(p => p.ToString())
            .Concat(ModeComparer.HostServices.Select(p => p.ToString())).Distinct().ToList();

        var changes = ModeComparer.Compare(policy, QaNetworkMode.Bridged, QaNetworkMode.Gateway, Now);
        Assert.Equal(policy.Clients.Count() * ports.Count, changes.Count);
        Assert.All(changes, c => Assert.Equal((false, true, ModeComparer.UnfilteredRule), (c.ReferenceAllowed, c.DifferenceAllowed, c.DifferenceDecidedBy)));
        Assert.Contains(changes, c => c.From == "taskotron-client01" && c.Port == "22/tcp");

        // Nat keeps DHCP and DNS open too: only the other ports differ from Gateway.
        var nat = ModeComparer.Compare(policy, QaNetworkMode.Nat, QaNetworkMode.Gateway, Now);
        Assert.Equal(changes.Where(c => !ModeComparer.HostServices.Any(s => s.ToString() == c.Port)).Select(c => (c.From, c.Port)), nat.Select(c => (c.From, c.Port)));
    }

    [Fact]
    public void The_same_mode_twice_has_no_difference_and_gateway_mode_needs_no_gateway_named_yet()
    {
        var policy = ExamplePolicies.Fedora();
        Assert.Empty(ModeComparer.Compare(policy, QaNetworkMode.Nat, QaNetworkMode.Nat, Now));
        var withGateway = ModeComparer.Compare(ExamplePolicies.AsGateway(ExamplePolicies.Fedora()), QaNetworkMode.Nat, QaNetworkMode.Gateway, Now);
        Assert.Equal(withGateway.Select(c => (c.From, c.Port)), ModeComparer.Compare(policy, QaNetworkMode.Nat, QaNetworkMode.Gateway, Now).Select(c => (c.From, c.Port)));
        Assert.NotEmpty(withGateway);
    }

    [Fact]
    public void Compare_QaPolicy_Mode_writes_the_differences_of_the_current_or_a_given_policy()
    {
        using var s = PowerShellSession.WithExample();
        var current = s.Run("Compare-QaPolicy -Mode Nat, Bridged").Select(o => (QaModeDifference)o.BaseObject).ToList();
        Assert.Equal(15, current.Count);
        var byPath = s.Run($"Compare-QaPolicy '{ExamplePolicies.FedoraQaPath}' -Mode Bridged, Nat").Select(o => (QaModeDifference)o.BaseObject).ToList();
        Assert.Equal(current.Select(c => (c.From, c.Port)), byPath.Select(c => (c.From, c.Port)));
        Assert.All(byPath, c => Assert.Equal((QaNetworkMode.Bridged, QaNetworkMode.Nat), (c.ReferenceMode, c.DifferenceMode)));

        // A difference pipes into Test-QaReachability by property name (From, To, Port): the rules' own verdict.
        var rules = s.Run("Compare-QaPolicy -Mode Nat, Bridged | Test-QaReachability").Select(o => (QaReachabilityResult)o.BaseObject).ToList();
        Assert.Equal(15, rules.Count);
        Assert.All(rules, r => Assert.False(r.Allowed));

        Assert.Equal("InvalidPolicyArgument,QaNet.Commands.CompareQaPolicyCommand", s.ErrorId("Compare-QaPolicy 42 -Mode Nat, Gateway"));
        Assert.Equal("ParameterArgumentValidationError,QaNet.Commands.CompareQaPolicyCommand", s.ErrorId("Compare-QaPolicy -Mode Nat"));
    }
}
