using QaNet.Core.Checking;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Render;

/// <summary>Small policies built in code whose renderings are pinned by golden files.</summary>
internal static class RenderPolicies
{
    /// <summary>The moment every golden rendering is made for.</summary>
    public static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    public static QaRenderOptions Options => new() { Now = Now };

    /// <summary>
    /// IPv6, a port range, an expiring and an expired rule, a block overriding a grant and a
    /// grant overriding the block by priority, a client with several roles, client-to-client
    /// traffic on one bridge, ingress from a management host, icmp.
    /// </summary>
    public static QaPolicy EdgeCases(QaNetworkMode mode)
    {
        var p = new QaPolicy("edge-" + mode.ToString().ToLowerInvariant());
        PolicyEditor.SetHost(p, "koji.example.org", new[] { "203.0.113.10", "2001:db8::10" });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("koji") { HostNames = new[] { "koji.example.org" }, Ports = new[] { "80/tcp", "443/tcp" } });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("tftp") { Addresses = new[] { "203.0.113.20" }, Ports = new[] { "69/udp" } });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("buildmaster") { Addresses = new[] { "203.0.113.30" }, Ports = new[] { "9989/tcp", "7080-7099/tcp" } });
        var bastionAddresses = mode == QaNetworkMode.Gateway ? new[] { "198.51.100.2", "192.168.150.2" } : new[] { "198.51.100.2" };
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = bastionAddresses, Ports = new[] { "22/tcp" } });
        PolicyEditor.AddNetwork(p, new NetworkSpec("lab", "192.168.150.0/24", mode, new[] { "vh1" })
        {
            Subnet6 = "fd00:150::/64",
            Gateway = mode == QaNetworkMode.Gateway ? "bastion" : null,
            Bridge = mode == QaNetworkMode.Bridged ? "br-qa" : null,
        });
        PolicyEditor.AddClient(p, "lab", new ClientSpec("c1") { Address = "192.168.150.10", MacAddress = "52:54:00:00:01:0a", Roles = new[] { "taskotron", "beaker" } });
        PolicyEditor.AddClient(p, "lab", new ClientSpec("c2") { Address = "192.168.150.11", MacAddress = "52:54:00:00:01:0b", Roles = new[] { "taskotron" } });
        PolicyEditor.AddClient(p, "lab", new ClientSpec("c3") { Address = "192.168.150.12", MacAddress = "52:54:00:00:01:0c", Roles = new[] { "beaker" } });
        var taskotron = new[] { QaSelector.Role("taskotron") };
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, taskotron, new[] { QaSelector.Endpoint("koji") }) { Id = "egress-taskotron-koji" });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, taskotron, new[] { QaSelector.Endpoint("buildmaster") }) { Id = "egress-taskotron-buildmaster" });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("beaker") }, new[] { QaSelector.Endpoint("tftp") }) { Id = "egress-beaker-tftp" });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Block, new[] { QaSelector.Client("c2") }, new[] { QaSelector.Endpoint("koji") }) { Id = "block-c2-koji-https", Ports = new[] { "443/tcp" } });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Client("c2") }, new[] { QaSelector.Cidr(System.Net.IPNetwork.Parse("203.0.113.10/32")) })
        {
            Id = "egress-c2-koji-urgent", Ports = new[] { "443/tcp" }, Priority = 50,
        });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Ingress, new[] { QaSelector.Endpoint("bastion") }, new[] { QaSelector.Network("lab") })
        {
            Id = "ingress-bastion-ssh", Ports = new[] { "22/tcp", "icmp" },
        });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Client("c1") }, new[] { QaSelector.Client("c3") })
        {
            Id = "egress-c1-c3-temporary", Ports = new[] { "8080/tcp" }, ExpiresAt = Now.AddHours(2),
        });
        PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Client("c3") }, new[] { QaSelector.Endpoint("koji") })
        {
            Id = "egress-c3-koji-expired", ExpiresAt = Now.AddHours(-1),
        });
        return p;
    }

    public static readonly QaNetworkMode[] Modes = { QaNetworkMode.Nat, QaNetworkMode.Gateway, QaNetworkMode.Bridged };

    /// <summary>Every (name, ruleset) a policy renders to, named for its golden file.</summary>
    public static IEnumerable<(string Name, QaRuleset Ruleset)> Renderings(string prefix, QaPolicy policy)
    {
        var resolved = ResolvedPolicy.Create(policy);
        foreach (var r in QaRenderer.RenderAll(resolved, Options))
        {
            var extension = r.Backend switch
            {
                QaBackend.LibvirtXml => "libvirt.xml",
                QaBackend.Nftables => "nft",
                _ => "ebtables",
            };
            var host = r.Backend == QaBackend.LibvirtXml ? $"{r.Network}.{r.Host}" : r.Host;
            yield return ($"{prefix}.{host}.{extension}", r);
        }
    }

    /// <summary>The bastion's interface on the client network in the Gateway variant of the Fedora example.</summary>
    public const string FedoraGatewayAddress = "192.168.150.126";

    /// <summary>
    /// <c>examples/policies/fedora-qa.yaml</c> (a Nat network) in <paramref name="mode"/>: for Gateway the
    /// bastion gets an address on the network and becomes its gateway; for Bridged the clients sit
    /// on the virthosts' existing bridge <c>br-qa</c>. Every variant passes validation.
    /// </summary>
    public static QaPolicy Fedora(QaNetworkMode mode)
    {
        var policy = ExamplePolicies.Fedora();
        var network = policy.Networks.Single();
        switch (mode)
        {
            case QaNetworkMode.Gateway:
                policy.FindEndpoint("bastion")!.Addresses.Add(System.Net.IPNetwork.Parse(FedoraGatewayAddress + "/32"));
                network.Gateway = "bastion";
                break;
            case QaNetworkMode.Bridged:
                network.Bridge = "br-qa";
                break;
        }

        network.Mode = mode;
        PolicyValidator.ThrowIfInvalid(policy);
        return policy;
    }

    /// <summary>
    /// <see cref="EdgeCases"/> spanning two virthosts through an uplink (VXLAN for Nat and
    /// Gateway, a NIC for Bridged): c1 on vh1, c2 and c3 on vh2, so the c1→c3 rule crosses the
    /// uplink and vh2 is the bare-bridge host of the Nat variant.
    /// </summary>
    public static QaPolicy Spanning(QaNetworkMode mode)
    {
        var policy = EdgeCases(mode);
        policy.Name = "span-" + mode.ToString().ToLowerInvariant();
        var network = policy.Networks.Single();
        network.VirtHosts.Add("vh2");
        var uplink = new QaUplink(mode == QaNetworkMode.Bridged ? QaUplinkKind.Nic : QaUplinkKind.Vxlan);
        if (mode == QaNetworkMode.Bridged)
        {
            uplink.Nic = "eno2";
            uplink.Nics["vh2"] = "enp3s0f1";
        }
        else
        {
            uplink.Vni = 150;
            uplink.Underlay["vh1"] = System.Net.IPAddress.Parse("198.18.1.11");
            uplink.Underlay["vh2"] = System.Net.IPAddress.Parse("198.18.1.12");
        }

        network.Uplink = uplink;
        PolicyEditor.FillUplinkDefaults(network);
        foreach (var c in network.Clients.Where(c => c.Name != "c1"))
        {
            c.VirtHost = "vh2";
        }

        PolicyValidator.ThrowIfInvalid(policy);
        return policy;
    }

    public static IEnumerable<(string Name, QaRuleset Ruleset)> AllSpanningRenderings() =>
        Modes.SelectMany(m => Renderings("span-" + m.ToString().ToLowerInvariant(), Spanning(m)));

    public static IEnumerable<(string Name, QaRuleset Ruleset)> AllEdgeRenderings() =>
        Modes.SelectMany(m => Renderings("edge-" + m.ToString().ToLowerInvariant(), EdgeCases(m)));

    public static IEnumerable<(string Name, QaRuleset Ruleset)> AllFedoraRenderings() =>
        Modes.SelectMany(m => Renderings("fedora-qa-" + m.ToString().ToLowerInvariant(), Fedora(m)));

    /// <summary>Every rendering with a golden file: the edge cases, the Fedora example and the spanning edge cases, each in every mode.</summary>
    public static IEnumerable<(string Name, QaRuleset Ruleset)> AllRenderings() => AllEdgeRenderings().Concat(AllFedoraRenderings()).Concat(AllSpanningRenderings());
}
