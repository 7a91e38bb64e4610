using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Tests.Support;

namespace QaNet.Tests.Publish;

/// <summary>
/// The rendering fitted to the host's stack when it is read (issue 15): where firewalld runs, the
/// Nat bridges go into libvirt's zone libvirt-routed; elsewhere, and for other modes, nothing changes.
/// The lab's Fedora profile proves the effect on a real firewalld (ProfileLabTests).
/// </summary>
public sealed class HostFitTests
{
    private const string FirewalldTables = "table inet firewalld\ntable inet qanet\ntable bridge filter\n";

    private static HostArtifacts Rendered(QaNetworkMode mode)
    {
        var policy = mode switch
        {
            QaNetworkMode.Gateway => ExamplePolicies.AsGateway(ExamplePolicies.Fedora()),
            QaNetworkMode.Bridged => ExamplePolicies.AsBridged(ExamplePolicies.Fedora()),
            _ => ExamplePolicies.Fedora(),
        };
        return new PolicyPublisher(policy).Render(new[] { "virthost-comm01" }).Single();
    }

    private static async Task<(HostArtifacts Fitted, List<CommandSpec> Ran)> FitAsync(HostArtifacts artifacts, Func<CommandSpec, CommandResult> answer)
    {
        var ran = new List<CommandSpec>();
        var runner = new ScriptedRunner((spec, _) =>
        {
            ran.Add(spec);
            return Task.FromResult(answer(spec));
        });
        var session = new HostSession(new PublishHost("virthost-comm01", runner, Path.GetTempPath()), NullQaLog.Instance, default);
        return (await HostFit.ApplyAsync(session, artifacts), ran);
    }

    [Fact]
    public async Task Where_firewalld_runs_the_Nat_bridge_goes_into_libvirt_routed_and_nothing_else_changes()
    {
        var rendered = Rendered(QaNetworkMode.Nat);
        var (fitted, ran) = await FitAsync(rendered, _ => CommandResult.Ok(FirewalldTables));
        Assert.Equal(["nft list tables"], ran.Select(c => c.ToString()));
        var before = LibvirtXml.Parse(rendered.Networks.Single().Xml!);
        var after = LibvirtXml.Parse(fitted.Networks.Single().Xml!);
        Assert.Equal("libvirt-routed", (string?)after.Element("bridge")!.Attribute("zone"));
        after.Element("bridge")!.Attribute("zone")!.Remove();
        Assert.Equal(before.ToString(), after.ToString());
        Assert.Same(rendered.NftTables, fitted.NftTables);
        Assert.Same(rendered.Ebtables, fitted.Ebtables);
    }

    [Theory]
    [InlineData("table inet qanet\ntable bridge filter\n")]
    [InlineData("table ip libvirt_network\ntable inet firewalld_old\n")]
    public async Task Without_firewalld_the_rendering_stays_as_it_is(string tables)
    {
        var rendered = Rendered(QaNetworkMode.Nat);
        var (fitted, _) = await FitAsync(rendered, _ => CommandResult.Ok(tables));
        Assert.Same(rendered, fitted);
    }

    [Theory]
    [InlineData(QaNetworkMode.Bridged)]
    [InlineData(QaNetworkMode.Gateway)]
    public async Task Other_modes_are_not_fitted_and_cost_no_read(QaNetworkMode mode)
    {
        var rendered = Rendered(mode);
        var (fitted, ran) = await FitAsync(rendered, _ => CommandResult.Ok(FirewalldTables));
        Assert.Empty(ran);
        Assert.Same(rendered, fitted);
    }

    [Fact]
    public async Task A_host_that_does_not_answer_fails_here_as_its_first_read_would()
    {
        var ex = await Assert.ThrowsAsync<QaHostException>(() => FitAsync(Rendered(QaNetworkMode.Nat),
            _ => CommandResult.Fail(255, "ssh: connect to host vh1 port 22: No route to host") with { Unreachable = "ssh:vh1" }));
        Assert.Equal(QaNet.Core.Validation.QaErrorIds.HostUnreachable, ex.ErrorId);
    }

    [Fact]
    public void A_zone_already_on_the_bridge_is_kept()
    {
        var xml = "<network><name>n</name><forward mode='open'/><bridge name='br0' zone='trusted'/></network>";
        Assert.Equal("trusted", (string?)LibvirtXml.Parse(HostFit.WithZone(xml, "libvirt-routed")).Element("bridge")!.Attribute("zone"));
    }
}
