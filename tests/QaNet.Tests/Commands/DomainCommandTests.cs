using QaNet.Core.Hosts;
using QaNet.Core.Publish;

namespace QaNet.Tests.Commands;

/// <summary>
/// Get-QaVirtHostDomain and Connect-QaClient against a scripted virsh (issue 17, existing VMs):
/// what is read, the one update-device with its interface XML on stdin, the flags for a running,
/// a shut-off and a transient domain, -WhatIf running no change, and the errors with their ids.
/// The lab proof with a real libvirtd and a running QEMU guest is Lab/DomainLabTests.
/// </summary>
public sealed class DomainCommandTests
{
    private const string Running = """
        <domain type='qemu' id='3'><name>legacy01</name>
          <devices>
            <interface type='network'><mac address='52:54:00:AA:00:01'/><source network='default' portid='x' bridge='virbr0'/>
              <target dev='vnet3'/><model type='virtio'/><alias name='net0'/><address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></interface>
            <interface type='bridge'><mac address='52:54:00:aa:00:09'/><source bridge='br-mgmt'/><target dev='vnet4'/><model type='e1000'/></interface>
          </devices></domain>
        """;

    private const string RunningInactive = """
        <domain type='qemu'><name>legacy01</name>
          <devices>
            <interface type='network'><mac address='52:54:00:aa:00:01'/><source network='default'/><model type='virtio'/>
              <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></interface>
            <interface type='bridge'><mac address='52:54:00:aa:00:09'/><source bridge='br-mgmt'/><model type='e1000'/></interface>
          </devices></domain>
        """;

    private const string ShutOff = """
        <domain type='qemu'><name>legacy02</name>
          <devices><interface type='bridge'><mac address='52:54:00:aa:00:02'/><source bridge='br0'/><virtualport type='openvswitch'/><model type='e1000'/></interface></devices></domain>
        """;

    private const string Transient = """
        <domain type='qemu' id='5'><name>scratch03</name>
          <devices><interface type='network'><mac address='52:54:00:aa:00:03'/><source network='default' bridge='virbr0'/><target dev='vnet5'/><alias name='net0'/></interface></devices></domain>
        """;

    /// <summary>A virthost with three domains (and one whose name QaNet does not pass on).</summary>
    private static RecordingRunner Host() => new(script: spec =>
    {
        if (spec.Program != "virsh")
        {
            return CommandResult.Ok();
        }

        var a = spec.Arguments;
        string Line(params string[] names) => string.Join('\n', names) + "\n\n";
        if (a[0] == "list")
        {
            return CommandResult.Ok(
                a.Contains("--transient") ? Line("scratch03")
                : a.Contains("--state-running") ? Line("legacy01", "scratch03")
                : a.Contains("--state-paused") ? Line()
                : a.Contains("--state-shutoff") ? Line("legacy02", "bad name")
                : Line("legacy01", "legacy02", "scratch03", "bad name"));
        }

        if (a[0] == "dumpxml")
        {
            var name = a[^1];
            var inactive = a.Contains("--inactive");
            return name switch
            {
                "legacy01" => CommandResult.Ok(inactive ? RunningInactive : Running),
                "legacy02" => CommandResult.Ok(ShutOff),
                "scratch03" when !inactive => CommandResult.Ok(Transient),
                _ => CommandResult.Fail(1, $"error: failed to get domain '{name}'"),
            };
        }

        return CommandResult.Ok();
    });

    private const string Clients = """
        $null = Add-QaClient -Network qa-clients -Name legacy01 -MacAddress 52:54:00:aa:00:01
        $null = Add-QaClient -Network qa-clients -Name legacy02 -MacAddress 52:54:00:aa:00:02
        $null = Add-QaClient -Network qa-clients -Name scratch03 -MacAddress 52:54:00:aa:00:03
        """;

    [Fact]
    public void Get_QaVirtHostDomain_lists_state_and_interfaces_from_the_domain_XML_and_leaves_out_a_name_it_cannot_pass_on()
    {
        var host = Host();
        using var s = PowerShellSession.WithQaPolicy(host);
        var domains = s.Run("Get-QaVirtHostDomain -VirtHost virthost-comm01 -WarningVariable w").Select(o => Assert.IsType<QaVirtHostDomain>(o.BaseObject)).ToList();
        Assert.Equal(["legacy01", "legacy02", "scratch03"], domains.Select(d => d.Name));
        Assert.Equal([VirtHostDomains.Running, VirtHostDomains.ShutOff, VirtHostDomains.Running], domains.Select(d => d.State));
        Assert.Equal([true, true, false], domains.Select(d => d.Persistent));
        Assert.All(domains, d => Assert.Equal("virthost-comm01", d.VirtHost));

        var legacy01 = domains[0];
        Assert.Equal(
            [new QaDomainInterface("52:54:00:aa:00:01", "network", "default", "virbr0", "virtio", "vnet3"),
             new QaDomainInterface("52:54:00:aa:00:09", "bridge", null, "br-mgmt", "e1000", "vnet4")],
            legacy01.Interfaces);
        // The first interface's Name, MacAddress and Network are what Add-QaClient binds by property name.
        Assert.Equal(("52:54:00:aa:00:01", "default"), (legacy01.MacAddress, legacy01.Network));
        Assert.Equal(new QaDomainInterface("52:54:00:aa:00:02", "bridge", null, "br0", "e1000", null), Assert.Single(domains[1].Interfaces));
        Assert.Null(domains[1].Network);

        Assert.Contains("bad name", Assert.Single(s.Run("$w")).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Commands, c => c.Arguments.Contains("bad name"));
        Assert.Empty(host.Mutations);
        Assert.All(host.Commands.Where(c => c.Arguments[0] == "dumpxml"), c => Assert.Equal(["dumpxml", "--", c.Arguments[^1]], c.Arguments));
    }

    [Fact]
    public void Get_QaVirtHostDomain_filters_by_name_and_reports_a_missing_literal_name()
    {
        using var s = PowerShellSession.WithQaPolicy(Host());
        Assert.Equal(["legacy01", "legacy02"], s.Run("(Get-QaVirtHostDomain legacy* -VirtHost virthost-comm01).Name").Select(o => o.ToString()));
        Assert.Equal("DomainNotFound,QaNet.Commands.Domains.GetQaVirtHostDomainCommand", s.ErrorId("Get-QaVirtHostDomain nope -VirtHost virthost-comm01"));
        Assert.Equal("UnknownVirtHost,QaNet.Commands.Domains.GetQaVirtHostDomainCommand", s.ErrorId("Get-QaVirtHostDomain -VirtHost nope"));
    }

    [Fact]
    public void A_running_domain_gets_its_interface_moved_live_and_in_its_definition_with_the_XML_on_stdin()
    {
        var host = Host();
        using var s = PowerShellSession.WithQaPolicy(host);
        s.Run(Clients);
        var a = s.Single<QaDomainAttachment>("Connect-QaClient legacy01 -Confirm:$false");
        Assert.True(a.Changed);
        Assert.Equal(("legacy01", "legacy01", "default", "qa-clients", "live, config"), (a.Domain, a.Client, a.From, a.Network, a.Scope));
        var update = Assert.Single(host.Mutations);
        Assert.Equal(["update-device", "--live", "--config", "--", "legacy01", "/dev/stdin"], update.Arguments);
        // The persistent definition of that one interface, its source now the QaNet network; model and PCI address kept.
        Assert.Equal(
            "<interface type=\"network\">\n  <mac address=\"52:54:00:aa:00:01\" />\n  <source network=\"qa-clients\" />\n  <model type=\"virtio\" />\n" +
            "  <address type=\"pci\" domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" function=\"0x0\" />\n</interface>\n",
            update.StdinText);
        Assert.Equal(update.StdinText, a.InterfaceXml);
        Assert.Contains(host.Commands, c => c.Arguments.SequenceEqual(["dumpxml", "--inactive", "--", "legacy01"]));
    }

    [Fact]
    public void A_shut_off_domain_changes_its_definition_only_and_a_bridge_interface_becomes_a_network_one()
    {
        var host = Host();
        using var s = PowerShellSession.WithQaPolicy(host);
        s.Run(Clients);
        var a = s.Single<QaDomainAttachment>("Get-QaClient legacy02 | Connect-QaClient -Confirm:$false");
        Assert.Equal(("br0", "config"), (a.From, a.Scope));
        var update = Assert.Single(host.Mutations);
        Assert.Equal(["update-device", "--config", "--", "legacy02", "/dev/stdin"], update.Arguments);
        Assert.Equal("<interface type=\"network\">\n  <mac address=\"52:54:00:aa:00:02\" />\n  <source network=\"qa-clients\" />\n  <model type=\"e1000\" />\n</interface>\n", update.StdinText);
    }

    [Fact]
    public void A_transient_domain_changes_live_only_from_its_live_XML_without_live_only_parts()
    {
        var host = Host();
        using var s = PowerShellSession.WithQaPolicy(host);
        s.Run(Clients);
        var a = s.Single<QaDomainAttachment>("Connect-QaClient scratch03 -Domain scratch03 -Confirm:$false");
        Assert.Equal("live", a.Scope);
        var update = Assert.Single(host.Mutations);
        Assert.Equal(["update-device", "--live", "--", "scratch03", "/dev/stdin"], update.Arguments);
        Assert.DoesNotContain("vnet5", update.StdinText, StringComparison.Ordinal);
        Assert.DoesNotContain("alias", update.StdinText, StringComparison.Ordinal);
    }

    [Fact]
    public void WhatIf_reads_but_changes_nothing_and_an_interface_already_on_the_network_needs_no_change()
    {
        var host = Host();
        using var s = PowerShellSession.WithQaPolicy(host);
        s.Run(Clients);
        Assert.Empty(s.Run("Connect-QaClient legacy01, legacy02 -WhatIf"));
        Assert.NotEmpty(host.Commands);
        Assert.Empty(host.Mutations);

        // A client whose VM is already on its network: nothing runs, the result says so.
        s.Run("$null = New-QaIsolatedNetwork -Name default -Subnet 192.168.160.0/24 -Mode Nat -VirtHost virthost-comm01");
        s.Run("Remove-QaClient legacy01 -Confirm:$false; $null = Add-QaClient -Network default -Name legacy01 -MacAddress 52:54:00:aa:00:01");
        var a = s.Single<QaDomainAttachment>("Connect-QaClient legacy01 -Confirm:$false");
        Assert.False(a.Changed);
        Assert.Empty(host.Mutations);
    }

    [Theory]
    [InlineData("Connect-QaClient taskotron-client01 -Confirm:$false", "DomainMacNotFound")]
    [InlineData("Connect-QaClient legacy01 -Domain legacy02 -Confirm:$false", "DomainMacNotFound")]
    [InlineData("Connect-QaClient legacy01 -Domain nope -Confirm:$false", "DomainNotFound")]
    [InlineData("Connect-QaClient legacy01 -Domain nope -WhatIf", "DomainNotFound")]
    [InlineData("Connect-QaClient legacy01 -Domain '-x' -Confirm:$false", "InvalidName")]
    [InlineData("Connect-QaClient nope -Confirm:$false", "NotFound")]
    public void Errors_have_stable_ids_and_change_nothing(string call, string id)
    {
        var host = Host();
        using var s = PowerShellSession.WithQaPolicy(host);
        s.Run(Clients);
        var error = Assert.Single(s.Errors(call));
        Assert.Equal(id + ",QaNet.Commands.Domains.ConnectQaClientCommand", error.FullyQualifiedErrorId);
        // A fix: as the recommended action (validation) or in the host error's message.
        Assert.True(error.ErrorDetails?.RecommendedAction is { Length: > 0 } || error.Exception.Message.Contains("Fix: ", StringComparison.Ordinal), error.ToString());
        Assert.Empty(host.Mutations);
        Assert.DoesNotContain(host.Commands, c => c.Arguments.Contains("-x"));
    }

    [Fact]
    public void Two_domains_with_the_clients_MAC_need_Domain()
    {
        var host = new RecordingRunner(script: spec => spec.Arguments[0] switch
        {
            "list" => CommandResult.Ok(spec.Arguments.Contains("--all") && spec.Arguments.Count == 3 ? "a1\na2\n" : "\n"),
            "dumpxml" => CommandResult.Ok($"<domain><name>{spec.Arguments[^1]}</name><devices><interface type='bridge'><mac address='52:54:00:aa:00:01'/><source bridge='br0'/></interface></devices></domain>"),
            _ => CommandResult.Ok(),
        });
        using var s = PowerShellSession.WithQaPolicy(host);
        s.Run(Clients);
        Assert.Equal("DomainMacAmbiguous,QaNet.Commands.Domains.ConnectQaClientCommand", s.ErrorId("Connect-QaClient legacy01 -Confirm:$false"));
        Assert.Empty(host.Mutations);
        Assert.Equal("a2", s.Single<QaDomainAttachment>("Connect-QaClient legacy01 -Domain a2 -Confirm:$false").Domain);
        Assert.Equal(["update-device", "--config", "--", "a2", "/dev/stdin"], Assert.Single(host.Mutations).Arguments);
    }
}
