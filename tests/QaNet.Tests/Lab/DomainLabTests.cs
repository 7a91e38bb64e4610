using System.Xml.Linq;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Publish;

namespace QaNet.Tests.Lab;

/// <summary>
/// Existing VMs in a real lab virthost (issue 17): its libvirtd runs a QEMU guest (TCG, no KVM, no
/// disk, 32 MiB) whose interface is a real tap libvirt made on a network QaNet does not own, and
/// holds a second, shut-off domain on a plain bridge. Get-QaVirtHostDomain lists both,
/// Add-QaClient takes the running one's MAC, Connect-QaClient moves both onto the QaNet network,
/// and libvirt's own XML (and the tap's bridge) say they are there. Removed at the end.
/// </summary>
[Trait("Needs", "Root")]
public sealed class DomainLabTests
{
    private const string Prefix = "qn-dm-";
    private const string RunningMac = "52:54:00:d7:00:01";
    private const string DefinedMac = "52:54:00:d7:00:02";

    private const string PolicyScript = """
        $null = New-QaPolicy -Name dom
        $null = New-QaIsolatedNetwork -Name qa-vms -Subnet 192.168.152.0/24 -Mode Nat -VirtHost vh1
        $null = Add-QaClient -Network qa-vms -Name c1 -Address 192.168.152.10 -Role taskotron -VirtHost vh1
        $null = Add-QaEndpoint -Name koji -Address 203.0.113.10 -Port 443/tcp
        $null = Grant-QaEgress -Role taskotron -Endpoint koji
        """;

    private static string Domain(string name, string mac, string iface, bool withConsole) => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <memory unit='MiB'>32</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
          <devices>
            {iface.Replace("MAC", mac, StringComparison.Ordinal)}
            {(withConsole ? "<console type='pty'/>" : string.Empty)}
          </devices>
        </domain>
        """;

    [Fact]
    public async Task A_running_QEMU_guest_and_a_defined_domain_are_listed_and_moved_onto_the_QaNet_network()
    {
        Assert.True(File.Exists("/usr/bin/qemu-system-x86_64"), "qemu-system-x86 (tools/lab-packages.txt) is not installed: ./build.sh test installs it.");
        await QaLab.StopAsync(Prefix);
        try
        {
            using var s = new PowerShellSession();
            s.Run(PolicyScript);
            s.Run($"$null = Start-QaLab -Prefix {Prefix} -Confirm:$false");
            var vh1 = QaLab.Get(Prefix)!.Transports().Single(t => t.Host == "vh1");
            var host = PublishHost.For("vh1", vh1.ToTarget(), vh1.LibvirtUri);
            async Task<string> Run(string? stdin, string program, params string[] args)
            {
                var spec = new CommandSpec(program, program == "virsh" ? new[] { "-c", vh1.LibvirtUri! }.Concat(args) : args) { Timeout = TimeSpan.FromSeconds(60) };
                var r = await host.Runner.RunAsync(stdin is null ? spec : spec.WithStdin(stdin));
                Assert.True(r.Succeeded, $"{program} {string.Join(' ', args)}: {r.Stderr}");
                return r.Stdout;
            }

            // What a user has before QaNet: a libvirt network of their own and a plain bridge, a guest on each.
            await Run($"<network><name>{Prefix}legacy</name><bridge name='{Prefix}leg0'/></network>", "virsh", "net-define", "/dev/stdin");
            await Run(null, "virsh", "net-start", Prefix + "legacy");
            await Run(null, "ip", "link", "add", Prefix + "br1", "type", "bridge");
            await Run(Domain(Prefix + "run01", RunningMac, "<interface type='network'><mac address='MAC'/><source network='qn-dm-legacy'/><model type='e1000'/></interface>", true),
                "virsh", "define", "/dev/stdin");
            await Run(Domain(Prefix + "def02", DefinedMac, "<interface type='bridge'><mac address='MAC'/><source bridge='qn-dm-br1'/><model type='e1000'/></interface>", false),
                "virsh", "define", "/dev/stdin");
            await Run(null, "virsh", "start", Prefix + "run01");

            // Listed through the lab's transport, with the tap libvirt made for the running guest.
            var domains = s.Run("Get-QaVirtHostDomain -VirtHost vh1").Select(o => Assert.IsType<QaVirtHostDomain>(o.BaseObject)).ToList();
            Assert.Equal([Prefix + "def02", Prefix + "run01"], domains.Select(d => d.Name));
            var running = domains[1];
            Assert.Equal((VirtHostDomains.Running, true), (running.State, running.Persistent));
            var tap = Assert.Single(running.Interfaces);
            Assert.Equal((RunningMac, "network", Prefix + "legacy", Prefix + "leg0", "e1000"), (tap.MacAddress, tap.Type, tap.Network, tap.Bridge, tap.Model));
            Assert.StartsWith("vnet", tap.Target, StringComparison.Ordinal);
            Assert.Equal(VirtHostDomains.ShutOff, domains[0].State);
            Assert.Equal((DefinedMac, "bridge", Prefix + "br1"), (domains[0].Interfaces[0].MacAddress, domains[0].Interfaces[0].Type, domains[0].Interfaces[0].Bridge));
            Assert.Contains($"master {Prefix}leg0 ", await Run(null, "ip", "-o", "link", "show", "dev", tap.Target!), StringComparison.Ordinal);

            // Into the policy with their MACs (the module's Mac alias is in QaNet.Types.ps1xml, which xunit does not load), then onto the QaNet network (published by Start-QaLab).
            s.Run($"$d = Get-QaVirtHostDomain {Prefix}run01 -VirtHost vh1; $null = Add-QaClient -Network qa-vms -Name $d.Name -MacAddress $d.MacAddress -VirtHost $d.VirtHost");
            s.Run($"$null = Add-QaClient -Network qa-vms -Name {Prefix}def02 -MacAddress {DefinedMac} -VirtHost vh1");
            Assert.Empty(s.Run($"Connect-QaClient {Prefix}run01, {Prefix}def02 -WhatIf"));
            Assert.Contains($"<source network='{Prefix}legacy'", await Run(null, "virsh", "dumpxml", Prefix + "run01"), StringComparison.Ordinal);

            var moved = s.Run($"Connect-QaClient {Prefix}run01, {Prefix}def02 -Confirm:$false").Select(o => Assert.IsType<QaDomainAttachment>(o.BaseObject)).ToList();
            Assert.Equal([("live, config", Prefix + "legacy"), ("config", Prefix + "br1")], moved.Select(m => (m.Scope, m.From)));

            // libvirt's own view: the live guest, its definition and the shut-off domain's definition.
            var bridge = (string)XElement.Parse(await Run(null, "virsh", "net-dumpxml", "qa-vms")).Element("bridge")!.Attribute("name")!;
            XElement Iface(string xml) => XElement.Parse(xml).Element("devices")!.Element("interface")!;
            var live = Iface(await Run(null, "virsh", "dumpxml", Prefix + "run01"));
            Assert.Equal(("network", "qa-vms", RunningMac), ((string?)live.Attribute("type"), (string?)live.Element("source")!.Attribute("network"), (string?)live.Element("mac")!.Attribute("address")));
            Assert.Equal("qa-vms", (string?)Iface(await Run(null, "virsh", "dumpxml", "--inactive", Prefix + "run01")).Element("source")!.Attribute("network"));
            var defined = Iface(await Run(null, "virsh", "dumpxml", "--inactive", Prefix + "def02"));
            Assert.Equal(("network", "qa-vms"), ((string?)defined.Attribute("type"), (string?)defined.Element("source")!.Attribute("network")));
            // The same tap, now a port of the QaNet network's bridge.
            Assert.Contains($"master {bridge} ", await Run(null, "ip", "-o", "link", "show", "dev", tap.Target!), StringComparison.Ordinal);

            // Again: nothing to change.
            Assert.All(s.Run($"Connect-QaClient {Prefix}run01, {Prefix}def02 -Confirm:$false"), o => Assert.False(Assert.IsType<QaDomainAttachment>(o.BaseObject).Changed));

            await Run(null, "virsh", "destroy", Prefix + "run01");
            await Run(null, "virsh", "undefine", Prefix + "run01");
            await Run(null, "virsh", "undefine", Prefix + "def02");
        }
        finally
        {
            await QaLab.StopAsync(Prefix);
            Assert.Empty(await Namespaces.ListAsync(Prefix));
        }
    }
}
