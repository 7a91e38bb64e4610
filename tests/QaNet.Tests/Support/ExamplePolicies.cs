using System.Net;
using QaNet.Core.Model;
using QaNet.Policy;

namespace QaNet.Tests.Support;

/// <summary>
/// The one place tests find the repository and its example policies (<c>examples/policies/</c>):
/// their paths (for cmdlets that import by path), their text (for tests that change it) and the
/// policies parsed (a fresh copy each call).
/// </summary>
internal static class ExamplePolicies
{
    public const string FedoraQaFile = "fedora-qa.yaml";

    public const string SpanningVxlanFile = "spanning-vxlan.yaml";

    /// <summary>The folder holding QaNet.sln, found above the test's output directory.</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary><c>examples/policies/fedora-qa.yaml</c>: the Fedora QA layout (a Nat network on two virthosts).</summary>
    public static string FedoraQaPath => PathOf(FedoraQaFile);

    /// <summary><c>examples/policies/spanning-vxlan.yaml</c>: one Nat network on two virthosts joined by VXLAN.</summary>
    public static string SpanningVxlanPath => PathOf(SpanningVxlanFile);

    /// <summary>fedora-qa's client network in Gateway mode: the bastion gets 192.168.150.100 on it and routes, NATs and filters for it.</summary>
    public static QaPolicy AsGateway(QaPolicy policy)
    {
        var net = policy.FindNetwork("qa-clients")!;
        net.Mode = QaNetworkMode.Gateway;
        net.Gateway = "bastion";
        policy.FindEndpoint("bastion")!.Addresses.Add(IPNetwork.Parse("192.168.150.100/32"));
        return policy;
    }

    /// <summary>fedora-qa's client network in Bridged mode: only ebtables decides.</summary>
    public static QaPolicy AsBridged(QaPolicy policy)
    {
        policy.FindNetwork("qa-clients")!.Mode = QaNetworkMode.Bridged;
        return policy;
    }

    /// <summary>
    /// fedora-qa dual-stack: every name in the name map gets an IPv6 documentation address beside
    /// its IPv4 one (a.b.c.d → 2001:db8:c::d, in hex), the QA LAN gets 2001:db8:12::/64, and a
    /// Gateway network's gateway gets fd00:150::64 on the client prefix. The clients already have
    /// IPv6 addresses: fedora-qa.yaml gives the network a subnet6, and each client the same host
    /// number in it.
    /// </summary>
    public static QaPolicy AsDualStack(QaPolicy policy)
    {
        foreach (var name in policy.Hosts.Keys.ToList())
        {
            var v4 = policy.Hosts[name].Single();
            var b = v4.GetAddressBytes();
            policy.Hosts[name] = new[] { v4, IPAddress.Parse($"2001:db8:{b[2]:x}::{b[3]:x}") };
        }

        policy.FindEndpoint("qa-lan")!.Addresses.Add(IPNetwork.Parse("2001:db8:12::/64"));
        var net = policy.FindNetwork("qa-clients")!;
        if (net.Mode == QaNetworkMode.Gateway)
        {
            policy.FindEndpoint(net.Gateway!)!.Addresses.Add(IPNetwork.Parse("fd00:150::64/128"));
        }

        return policy;
    }

    public static string PathOf(string file) => Path.Combine(RepoRoot, "examples", "policies", file);

    public static string Text(string file) => File.ReadAllText(PathOf(file));

    /// <summary>An example policy parsed, its file name as the source name.</summary>
    public static QaPolicy Load(string file) => PolicyYaml.Parse(Text(file), file);

    public static QaPolicy Fedora() => Load(FedoraQaFile);

    public static QaPolicy SpanningVxlan() => Load(SpanningVxlanFile);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QaNet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("QaNet.sln not found above " + AppContext.BaseDirectory);
    }
}
