using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Tests.Core;

/// <summary>Small valid policies built through the editor, as a user's cmdlets would.</summary>
internal static class CoreTestPolicies
{
    public static QaPolicy WithNetwork(QaNetworkMode mode = QaNetworkMode.Nat)
    {
        var p = new QaPolicy("qa");
        PolicyEditor.AddNetwork(p, new NetworkSpec("qa-clients", "192.168.150.0/24", mode, new[] { "virthost-comm01" }));
        return p;
    }

    public static QaPolicy WithClientsAndKoji()
    {
        var p = WithNetwork();
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("taskotron-client01") { Roles = new[] { "taskotron" } });
        PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("beaker-client01") { Roles = new[] { "beaker" } });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("koji")
        {
            HostNames = new[] { "koji.fedoraproject.org" },
            Ports = new[] { "80/tcp", "443/tcp" },
        });
        PolicyEditor.SetHost(p, "koji.fedoraproject.org", new[] { "203.0.113.10" });
        return p;
    }
}
