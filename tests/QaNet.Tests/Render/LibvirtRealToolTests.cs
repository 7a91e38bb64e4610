using System.Xml.Linq;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Render;

namespace QaNet.Tests.Render;

/// <summary>
/// Each libvirt rendering defined and started by a real libvirtd running inside a throwaway
/// namespace (the product's <see cref="LibvirtdInstance"/>, lab.md's recipe), then read back.
/// </summary>
[Trait("Needs", "Root")]
public sealed class LibvirtRealToolTests
{
    public static TheoryData<string> LibvirtNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in RenderPolicies.AllRenderings().Where(x => x.Ruleset.Backend == QaBackend.LibvirtXml))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LibvirtNames))]
    public async Task Libvirt_defines_and_starts_the_network_and_reads_it_back_unchanged(string name)
    {
        var ruleset = RenderPolicies.AllRenderings().Single(r => r.Name == name).Ruleset;
        var network = XElement.Parse(ruleset.Text);
        var networkName = network.Element("name")!.Value;
        var bridge = network.Element("bridge")!.Attribute("name")!.Value;
        var forward = network.Element("forward")?.Attribute("mode")?.Value;
        await using var ns = await RenderNamespace.CreateAsync();
        if (forward == "bridge")
        {
            await ns.Must(null, "ip", "link", "add", bridge, "type", "bridge");
        }

        await using var libvirtd = await LibvirtdInstance.StartAsync(ns.Name, Path.Combine(Path.GetTempPath(), ns.Name));
        async Task<string> Virsh(string? stdin, params string[] args)
        {
            var argv = new[] { "virsh", "-c", libvirtd.Uri }.Concat(args).ToArray();
            return RenderNamespace.Must(await ProcessRunner.Instance.RunAsync(RenderNamespace.Spec(stdin, argv)), argv);
        }

        await Virsh(ruleset.Text, "net-define", "/dev/stdin");
        await Virsh(null, "net-start", networkName);
        var live = XElement.Parse(await Virsh(null, "net-dumpxml", networkName));
        Assert.Equal(Canonical(network), Canonical(live));

        if (forward == "open")
        {
            // The point of 'open': libvirt adds no rule that would reject management ingress.
            var rules = await ns.Must(null, "nft", "list", "ruleset");
            Assert.DoesNotContain($"oifname \"{bridge}\" counter packets 0 bytes 0 reject", rules, StringComparison.Ordinal);
            Assert.DoesNotContain("masquerade", rules, StringComparison.Ordinal);
        }
    }

    /// <summary>The XML without what libvirt adds (uuid, bridge MAC), attributes sorted: equal means libvirt kept every setting.</summary>
    internal static string Canonical(XElement e)
    {
        var copy = new XElement(e);
        copy.Elements("uuid").Remove();
        copy.Elements("mac").Remove();
        return Print(copy);
    }

    private static string Print(XElement e) =>
        $"<{e.Name}{string.Concat(e.Attributes().Where(a => !a.IsNamespaceDeclaration).OrderBy(a => a.Name.ToString(), StringComparer.Ordinal).Select(a => $" {a.Name}='{a.Value}'"))}>" +
        (e.HasElements ? string.Concat(e.Elements().Select(Print)) : e.Value) + $"</{e.Name}>";
}
