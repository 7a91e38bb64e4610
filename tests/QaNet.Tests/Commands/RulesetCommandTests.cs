using System.Xml.Linq;
using QaNet.Core.Render;

namespace QaNet.Tests.Commands;

/// <summary>Get-QaRuleset hosted in PowerShell: which rulesets by default, binding, -AsText, -At and error ids.</summary>
public sealed class RulesetCommandTests
{
    private static List<QaRuleset> Rulesets(PowerShellSession s, string script) =>
        s.Run(script).Select(o => Assert.IsType<QaRuleset>(o.BaseObject)).ToList();

    [Fact]
    public void By_default_every_backend_of_a_Nat_network_on_each_virthost()
    {
        using var s = PowerShellSession.WithExample();
        var all = Rulesets(s, "Get-QaRuleset");
        Assert.Equal(
            new[] { "LibvirtXml virthost-comm01", "LibvirtXml virthost-comm02", "Nftables virthost-comm01", "Nftables virthost-comm02", "Ebtables virthost-comm01", "Ebtables virthost-comm02" },
            all.Select(r => $"{r.Backend} {r.Host}"));
        Assert.All(all, r => Assert.Equal("qa-clients", r.Network));
    }

    [Fact]
    public void Nft_text_is_QaNets_own_table_with_rule_ids_in_comments()
    {
        using var s = PowerShellSession.WithExample();
        var text = Assert.IsType<string>(Assert.Single(s.Run("Get-QaRuleset -Network qa-clients -Backend Nftables -VirtHost virthost-comm01 -AsText")).BaseObject);
        Assert.Contains("table inet qanet", text, StringComparison.Ordinal);
        Assert.Contains("comment \"qanet:taskotron-koji\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("virthost-comm01", new[] { "taskotron-client01", "taskotron-client02" })]
    [InlineData("virthost-comm02", new[] { "beaker-client01", "beaker-client02", "taskotron-client03" })]
    public void Libvirt_xml_reserves_one_dhcp_host_per_client_of_the_virthost(string virtHost, string[] clients)
    {
        using var s = PowerShellSession.WithExample();
        var ruleset = Assert.Single(Rulesets(s, $"Get-QaRuleset qa-clients -Backend LibvirtXml -VirtHost {virtHost}"));
        var hosts = XElement.Parse(ruleset.Text).Elements("ip").Where(ip => ip.Attribute("family") is null)
            .Elements("dhcp").Elements("host").Select(h => h.Attribute("name")!.Value).Order(StringComparer.Ordinal);
        Assert.Equal(clients, hosts);
        Assert.Equal(clients.Length, ruleset.RuleCount);
    }

    [Fact]
    public void A_spanning_network_renders_nft_only_for_its_serving_virthost_and_no_error()
    {
        // Before HostTopology the cmdlet asked for nft on every Nat virthost and the renderer
        // refused the non-serving one with RenderBackendNotUsed (issue 14).
        using var s = PowerShellSession.WithExample(ExamplePolicies.SpanningVxlanFile);
        var all = Rulesets(s, "Get-QaRuleset");
        Assert.Equal(
            new[] { "LibvirtXml virthost-comm01", "LibvirtXml virthost-comm02", "Nftables virthost-comm01", "Ebtables virthost-comm01", "Ebtables virthost-comm02" },
            all.Select(r => $"{r.Backend} {r.Host}"));
        Assert.Equal("RenderBackendNotUsed,QaNet.Commands.GetQaRulesetCommand",
            s.ErrorId("Get-QaRuleset -Backend Nftables -VirtHost virthost-comm02"));
    }

    [Fact]
    public void AsText_writes_strings_only()
    {
        using var s = PowerShellSession.WithExample();
        var output = s.Run("Get-QaRuleset -AsText");
        Assert.Equal(6, output.Count);
        Assert.All(output, o => Assert.IsType<string>(o.BaseObject));
    }

    [Fact]
    public void Networks_bind_from_the_pipeline_and_policies_by_value()
    {
        using var s = PowerShellSession.WithExample();
        Assert.Equal(2, Rulesets(s, "Get-QaNetwork | Get-QaRuleset -Backend Ebtables").Count);
        Assert.Equal(2, Rulesets(s, "Get-QaPolicy | Get-QaRuleset -Backend Nftables").Count);
        Assert.Equal(2, Rulesets(s, "Get-QaRuleset -Network (Get-QaNetwork qa-clients) -Backend LibvirtXml").Count);
        Assert.Single(Rulesets(s, "Get-QaRuleset -Backend Ebtables -VirtHost *comm02"));
    }

    [Fact]
    public void A_host_wide_table_is_written_once_for_all_its_networks()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = New-QaIsolatedNetwork -Name lab2 -Subnet 192.168.160.0/24 -Mode Nat -VirtHost virthost-comm01");
        var nft = Assert.Single(Rulesets(s, "Get-QaRuleset -Backend Nftables"));
        Assert.Equal(new[] { "qa-clients", "lab2" }, nft.Networks);
        Assert.Equal(2, Rulesets(s, "Get-QaRuleset -Backend LibvirtXml").Count);
    }

    [Fact]
    public void Gateway_networks_render_the_nft_table_for_the_gateway()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("""
            $null = Add-QaEndpoint -Name gw -Address 192.168.170.2 -Port 22/tcp
            $null = New-QaIsolatedNetwork -Name gwnet -Subnet 192.168.170.0/24 -Mode Gateway -Gateway gw -VirtHost virthost-comm01
            """);
        var nft = Assert.Single(Rulesets(s, "Get-QaRuleset gwnet -Backend Nftables"));
        Assert.Equal("gw", nft.Host);
        Assert.Null(nft.VirtHost);
        Assert.Single(Rulesets(s, "Get-QaRuleset gwnet -VirtHost gw"));
    }

    [Fact]
    public void The_nft_text_carries_an_expiry_itself_and_is_the_same_before_and_after_it()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Grant-QaEgress -Role beaker -Endpoint bastion -Port 22/tcp -Id beaker-bastion-today -ExpiresAt '2036-01-01T00:00:00Z'");
        var now = s.Single<string>("Get-QaRuleset -Backend Nftables -AsText -At '2035-12-31T23:00:00Z'");
        // The kernel retires the rule at its expiry (meta time, epoch seconds); nothing to re-render.
        Assert.Contains("meta time < 2082758400 accept comment \"qanet:beaker-bastion-today\"", now, StringComparison.Ordinal);
        Assert.Equal(now, s.Single<string>("Get-QaRuleset -Backend Nftables -AsText -At '2036-01-02T00:00:00Z'"));
    }

    [Theory]
    [InlineData("Get-QaRuleset -Network nope", "NotFound,QaNet.Commands.GetQaRulesetCommand")]
    [InlineData("Get-QaRuleset -VirtHost nope", "UnknownVirtHost,QaNet.Commands.GetQaRulesetCommand")]
    [InlineData("Get-QaRuleset -Network br -Backend Nftables", "RenderBackendNotUsed,QaNet.Commands.GetQaRulesetCommand")]
    [InlineData("Get-QaRuleset -Backend Iptables", "CannotConvertArgumentNoMessage,QaNet.Commands.GetQaRulesetCommand")]
    [InlineData("$n = Get-QaNetwork br; $other = New-QaPolicy -Name other; $n | Get-QaRuleset -Policy $other", "PolicyMismatch,QaNet.Commands.GetQaRulesetCommand")]
    public void Bad_input_has_a_stable_error_id(string script, string id)
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = New-QaIsolatedNetwork -Name br -Subnet 198.51.100.0/24 -Mode Bridged -Bridge br-qa -VirtHost virthost-comm02");
        Assert.Equal(id, Assert.Single(s.Errors(script)).FullyQualifiedErrorId);
    }

    [Fact]
    public void Access_files_of_a_management_host_render_without_an_error_and_an_unknown_host_is_still_UnknownVirtHost()
    {
        // Help example 5 (issue 17): the bastion is no virthost, but the Access backend renders for it.
        using var s = PowerShellSession.WithExample();
        var text = s.Single<string>("Get-QaRuleset -Backend Access -VirtHost bastion -AsText");
        Assert.Contains("QaNet access for bastion", text, StringComparison.Ordinal);
        Assert.Equal("UnknownVirtHost,QaNet.Commands.GetQaRulesetCommand", s.ErrorId("Get-QaRuleset -Backend Access -VirtHost nope -AsText"));
    }

    [Fact]
    public void Without_a_policy_the_call_is_invalid()
    {
        using var s = new PowerShellSession();
        Assert.Equal("NoCurrentPolicy,QaNet.Commands.GetQaRulesetCommand", s.ErrorId("Get-QaRuleset"));
    }

    [Fact]
    public void Network_names_complete_from_the_policy_and_hosts_include_gateways()
    {
        using var s = PowerShellSession.WithExample();
        var names = s.Run("(TabExpansion2 -inputScript 'Get-QaRuleset -VirtHost virthost-c' -cursorColumn 34).CompletionMatches.CompletionText").Select(o => o.BaseObject);
        Assert.Equal(new object[] { "virthost-comm01", "virthost-comm02" }, names);
        var networks = s.Run("(TabExpansion2 -inputScript 'Get-QaRuleset qa' -cursorColumn 16).CompletionMatches.CompletionText").Select(o => o.BaseObject);
        Assert.Equal(new object[] { "qa-clients" }, networks);
    }
}
