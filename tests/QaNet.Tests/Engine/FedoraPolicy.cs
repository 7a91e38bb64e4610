using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Tests.Engine;

/// <summary>A small Fedora QA layout built in code: Taskotron and Beaker clients, their services, the bastion.</summary>
internal static class FedoraPolicy
{
    public static QaPolicy Build()
    {
        var policy = new QaPolicy("fedora-qa");
        var net = new QaNetwork(policy, "qa-clients", IpMath.ParseCidr("192.168.150.0/24"), QaNetworkMode.Nat)
        {
            Subnet6 = IpMath.ParseCidr("fd00:150::/64"),
            Bridge = "br-qa",
        };
        net.VirtHosts.Add("virthost-qa01");
        policy.Networks.Add(net);
        Client(net, "taskotron-client01", "192.168.150.10", "fd00:150::10", "taskotron");
        Client(net, "taskotron-client02", "192.168.150.11", null, "taskotron");
        Client(net, "beaker-client01", "192.168.150.20", null, "beaker");

        Endpoint(policy, "koji", new[] { "203.0.113.10" }, "443/tcp", "80/tcp");
        Endpoint(policy, "kojipkgs", new[] { "203.0.113.11", "2001:db8::11" }, "443/tcp");
        Endpoint(policy, "taskotron-master", new[] { "10.5.126.20" }, "9989/tcp", "22/tcp");
        Endpoint(policy, "beaker-server", new[] { "10.5.126.30" }, "80/tcp", "443/tcp", "8000/tcp", "69/udp");
        Endpoint(policy, "bastion", new[] { "10.5.126.2" }, "22/tcp");
        Endpoint(policy, "qa-host", new[] { "10.5.126.40" }, "22/tcp");
        Endpoint(policy, "mirrors", new[] { "198.51.100.10", "198.51.100.20" }, "443/tcp");

        Rule(policy, "taskotron-koji", QaRuleKind.Egress, "role:taskotron", "endpoint:koji", "Taskotron clients fetch builds from koji");
        Rule(policy, "taskotron-kojipkgs", QaRuleKind.Egress, "role:taskotron", "endpoint:kojipkgs");
        Rule(policy, "taskotron-master", QaRuleKind.Egress, "role:taskotron", "endpoint:taskotron-master");
        Rule(policy, "beaker-server", QaRuleKind.Egress, "role:beaker", "endpoint:beaker-server");
        Rule(policy, "bastion-ssh", QaRuleKind.Ingress, "endpoint:bastion", "network:qa-clients", "ssh from the bastion", "22/tcp");
        Rule(policy, "master-ssh", QaRuleKind.Ingress, "endpoint:taskotron-master", "role:taskotron", null, "22/tcp");
        Rule(policy, "mirror-primary", QaRuleKind.Egress, "network:qa-clients", "cidr:198.51.100.10/32", null, "443/tcp");
        return policy;
    }

    private static void Client(QaNetwork net, string name, string address, string? address6, string role)
    {
        var c = new QaClient(net, name, $"52:54:00:00:00:{net.Clients.Count + 1:x2}", IPAddress.Parse(address), "virthost-qa01")
        {
            Address6 = address6 is null ? null : IPAddress.Parse(address6),
        };
        c.Roles.Add(role);
        net.Clients.Add(c);
    }

    private static void Endpoint(QaPolicy policy, string name, string[] addresses, params string[] ports)
    {
        var e = new QaEndpoint(policy, name);
        e.Addresses.AddRange(addresses.Select(IpMath.ParseCidr));
        e.Ports.AddRange(ports.Select(QaPortRange.Parse));
        policy.Endpoints.Add(e);
    }

    public static QaRule Rule(QaPolicy policy, string id, QaRuleKind kind, string from, string to, string? description = null, params string[] ports)
    {
        var r = new QaRule(policy, id, kind) { Description = description };
        r.From.Add(QaSelector.Parse(from));
        r.To.Add(QaSelector.Parse(to));
        r.Ports.AddRange(ports.Select(QaPortRange.Parse));
        policy.Rules.Add(r);
        return r;
    }
}
