using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Tests.Access;

internal static class AccessPolicies
{
    public static DateTimeOffset Now { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>One Nat network with two clients, a bastion allowed in on ssh, a lockbox that is not, and two groups.</summary>
    public static QaPolicy Small()
    {
        var p = new QaPolicy("small");
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = new[] { "192.0.2.10" } });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("lockbox") { Addresses = new[] { "192.0.2.20" } });
        PolicyEditor.AddNetwork(p, new NetworkSpec("qa", "192.168.150.0/24", QaNetworkMode.Nat, new[] { "vh1" }));
        PolicyEditor.AddClient(p, "qa", new ClientSpec("c1") { Roles = new[] { "taskotron" } });
        PolicyEditor.AddClient(p, "qa", new ClientSpec("c2") { Roles = new[] { "beaker" } });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Ingress, new[] { QaSelector.Endpoint("bastion") }, new[] { QaSelector.Role("taskotron") })
        {
            Ports = new[] { "22/tcp" },
        });
        AccessEditor.AddGroup(p, "admins", new[] { "alice" });
        AccessEditor.AddGroup(p, "bots", new[] { "bot" });
        return p;
    }
}
