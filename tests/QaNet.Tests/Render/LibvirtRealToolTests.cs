using System.Xml.Linq;
using QaNet.Core.Execution;
using QaNet.Core.Render;

namespace QaNet.Tests.Render;

/// <summary>
/// Each libvirt rendering defined and started by a real libvirtd running inside a throwaway
/// namespace with its own state directories (lab.md's recipe), then read back.
/// </summary>
public sealed class LibvirtRealToolTests
{
    // A fixed program; the only data are its positional arguments, never spliced into it.
    private const string StartLibvirtd =
        "mount --bind \"$1/run\" /run/libvirt && mount --bind \"$1/lib\" /var/lib/libvirt && " +
        "mount --bind \"$1/log\" /var/log/libvirt && mount --bind \"$1/cache\" /var/cache/libvirt && " +
        "mount --bind \"$1/etc\" /etc/libvirt && exec libvirtd -d -p \"$1/libvirtd.pid\"";

    public static TheoryData<string> LibvirtNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in RenderPolicies.AllEdgeRenderings().Where(x => x.Ruleset.Backend == QaBackend.LibvirtXml))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LibvirtNames))]
    public void Libvirt_defines_and_starts_the_network_and_reads_it_back_unchanged(string name)
    {
        var ruleset = RenderPolicies.AllEdgeRenderings().Single(r => r.Name == name).Ruleset;
        var network = XElement.Parse(ruleset.Text);
        var bridge = network.Element("bridge")!.Attribute("name")!.Value;
        using var ns = new ThrowawayNamespace();
        var dir = Directory.CreateTempSubdirectory("qn-rt-libvirt-").FullName;
        var pidFile = Path.Combine(dir, "libvirtd.pid");
        try
        {
            foreach (var d in new[] { "run", "lib", "log", "cache", "etc" })
            {
                Directory.CreateDirectory(Path.Combine(dir, d));
            }

            foreach (var f in Directory.GetFiles("/etc/libvirt"))
            {
                File.Copy(f, Path.Combine(dir, "etc", Path.GetFileName(f)));
            }

            if (network.Element("forward")?.Attribute("mode")?.Value == "bridge")
            {
                RealToolTests.Must(ns.Exec(new[] { "ip", "link", "add", bridge, "type", "bridge" }));
            }

            RealToolTests.Must(ns.Exec(new[] { "unshare", "-m", "--propagation", "private", "sh", "-c", StartLibvirtd, "qanet-libvirtd", dir }));
            var socket = Path.Combine(dir, "run", "libvirt-sock");
            for (var i = 0; i < 40 && !File.Exists(socket); i++)
            {
                Thread.Sleep(250);
            }

            var uri = $"qemu:///system?socket={socket}";
            ProcessResult Virsh(params string[] args) =>
                ProcessRunner.Run(new[] { "virsh", "-c", uri }.Concat(args).ToList(), args[0] == "net-define" ? ruleset.Text : null, TimeSpan.FromSeconds(30));
            RealToolTests.Must(Virsh("net-define", "/dev/stdin"));
            RealToolTests.Must(Virsh("net-start", network.Element("name")!.Value));
            var live = XElement.Parse(RealToolTests.Must(Virsh("net-dumpxml", network.Element("name")!.Value)).StandardOutput);
            Assert.Equal(Canonical(network), Canonical(live));

            if (network.Element("forward")?.Attribute("mode")?.Value == "open")
            {
                // The point of 'open': libvirt adds no rule that would reject management ingress.
                var rules = RealToolTests.Must(ns.Exec(new[] { "nft", "list", "ruleset" })).StandardOutput;
                Assert.DoesNotContain($"oifname \"{bridge}\" counter packets 0 bytes 0 reject", rules, StringComparison.Ordinal);
                Assert.DoesNotContain("masquerade", rules, StringComparison.Ordinal);
            }

            Virsh("net-destroy", network.Element("name")!.Value);
        }
        finally
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                ProcessRunner.Run(new[] { "kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, timeout: TimeSpan.FromSeconds(5));
                Thread.Sleep(500);
            }

            KillLeftoverDnsmasq(dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void KillLeftoverDnsmasq(string dir)
    {
        foreach (var pidFile in Directory.Exists(Path.Combine(dir, "run", "network")) ? Directory.GetFiles(Path.Combine(dir, "run", "network"), "*.pid") : Array.Empty<string>())
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                ProcessRunner.Run(new[] { "kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, timeout: TimeSpan.FromSeconds(5));
            }
        }
    }

    /// <summary>The XML without what libvirt adds (uuid, bridge MAC), attributes sorted: equal means libvirt kept every setting.</summary>
    private static string Canonical(XElement e)
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
