using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Render;
using QaNet.Core.Resolution;

namespace QaNet.Tests.Publish;

/// <summary>
/// Moving a client (Set-QaClient -VirtHost) changes what two hosts enforce: the per-host
/// rendering drops it on the old host and adds it on the new one, and nothing else.
/// </summary>
public sealed class ClientMoveTests
{
    private const string Client = "taskotron-client01";
    private const string From = "virthost-comm01";
    private const string To = "virthost-comm02";
    private static readonly QaRenderOptions Pinned = new() { Now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero) };

    private static Dictionary<string, HostArtifacts> Render(QaPolicy policy) =>
        HostArtifactBuilder.Build(ResolvedPolicy.Create(policy), Pinned).ToDictionary(a => a.VirtHost, StringComparer.Ordinal);

    /// <summary>Whether a host's artifacts mention a text anywhere: libvirt XML, ebtables, nft.</summary>
    private static (bool Libvirt, bool Ebtables, bool Nft) Mentions(HostArtifacts a, string text) =>
        (a.Networks.Any(n => n.Xml?.Contains(text, StringComparison.Ordinal) == true),
         a.Ebtables?.Text.Contains(text, StringComparison.Ordinal) == true,
         a.NftTables.Any(t => t.Definition?.Contains(text, StringComparison.Ordinal) == true));

    [Fact]
    public void A_move_takes_the_client_off_the_old_hosts_rendering_and_onto_the_new_ones()
    {
        var policy = ExamplePolicies.Fedora();
        var mac = policy.FindClient(Client)!.MacAddress;
        var before = Render(policy);
        Assert.Equal((true, true), (Mentions(before[From], mac).Libvirt, Mentions(before[From], mac).Ebtables));
        Assert.Equal((false, false), (Mentions(before[To], mac).Libvirt, Mentions(before[To], mac).Ebtables));

        var change = PolicyEditor.SetClient(policy, new ClientChangeSpec(Client) { VirtHost = To });
        Assert.Equal(From, change.FromVirtHost);
        var after = Render(policy);
        Assert.Equal((false, false, false), Mentions(after[From], mac));
        Assert.Equal((true, true), (Mentions(after[To], mac).Libvirt, Mentions(after[To], mac).Ebtables));
        // The client's reserved address moves with its DHCP host entry.
        Assert.Contains("ip=\"192.168.150.10\"", after[To].Networks.Single().Xml!, StringComparison.Ordinal);
        Assert.DoesNotContain("ip=\"192.168.150.10\"", after[From].Networks.Single().Xml!, StringComparison.Ordinal);

        // Both hosts' artifacts change; moving back gives exactly the first rendering again.
        Assert.NotEqual(Text(before[From]), Text(after[From]));
        Assert.NotEqual(Text(before[To]), Text(after[To]));
        PolicyEditor.SetClient(policy, new ClientChangeSpec(Client) { VirtHost = From });
        var back = Render(policy);
        Assert.Equal(before.Values.Select(Text), back.Values.Select(Text));
    }

    [Fact]
    public void Changing_only_roles_leaves_the_client_on_its_host()
    {
        var policy = ExamplePolicies.Fedora();
        var mac = policy.FindClient(Client)!.MacAddress;
        var change = PolicyEditor.SetClient(policy, new ClientChangeSpec(Client) { AddRoles = new[] { "beaker" } });
        Assert.False(change.IsMove);
        var after = Render(policy);
        Assert.True(Mentions(after[From], mac).Ebtables);
        Assert.False(Mentions(after[To], mac).Ebtables);
    }

    private static string Text(HostArtifacts a) =>
        string.Join("\n", a.Networks.Select(n => n.Xml)) + "\n" + a.Ebtables?.Text + "\n" + string.Join("\n", a.NftTables.Select(t => t.Definition));
}
