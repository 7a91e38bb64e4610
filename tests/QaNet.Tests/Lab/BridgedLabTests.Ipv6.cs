using System.Net;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;

namespace QaNet.Tests.Lab;

/// <summary>
/// The IPv6 attacks a client on a bridge can make, each sent by hand from the client's namespace
/// (<see cref="PacketSocket"/>) and looked for in the namespaces it aims at: the other client on
/// the same virthost bridge and the LAN router. Every test first sends a frame the bridge must
/// let through, and sees it arrive, so "nothing arrived" means dropped, not "not looked for".
/// </summary>
public sealed partial class BridgedLabTests
{
    private static readonly TimeSpan Listen = TimeSpan.FromSeconds(1.5);

    [Fact]
    public void The_bridged_lab_is_dual_stack()
    {
        foreach (var c in _lab.Policy.Clients)
        {
            Assert.Equal(new[] { c.Address.ToString(), c.Address6!.ToString() }, _lab.Lab.State.FindHost(c.Name)!.Addresses);
        }

        Assert.Equal(new[] { "198.18.0.1", "198.18.0.25", "198.18.0.200", "2001:db8:12::1", "2001:db8:12::19", "2001:db8:12::c8" }, _lab.Lab.State.EndpointAddresses["qa-lan"]);
    }

    [Fact]
    public void The_dual_stack_matrix_probes_ipv6_cells_of_every_kind()
    {
        var flows = QaLiveMatrix.Flows(_lab.Lab.State, _lab.Policy);
        var six = flows.Where(f => f.DestinationAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6).ToList();
        Assert.All(flows, f => Assert.Equal(f.SourceAddress.AddressFamily, f.DestinationAddress.AddressFamily));
        Assert.Equal(flows.Count - six.Count, six.Count); // every IPv4 cell has its IPv6 twin
        Assert.Equal(new[] { QaLiveCellKind.Egress, QaLiveCellKind.Ingress, QaLiveCellKind.ClientToClient }.Order(), six.Select(f => f.Kind).Distinct().Order());
    }

    [Fact]
    public void A_client_router_advertisement_or_redirect_reaches_no_other_host()
    {
        var (attackerNs, mac, own) = Client("taskotron-client01");
        var (victimNs, victimMac, victim) = Client("taskotron-client02");
        using var atVictim = PacketSocket.Open(victimNs, null);
        using var atRouter = PacketSocket.Open(RouterNamespace, null);
        using var sender = PacketSocket.Open(attackerNs, "eth0");

        var control = Ipv6Frames.NewNonce();
        sender.Send(Ipv6Frames.NeighbourAdvertisement(mac, Ipv6Frames.LinkLocal(mac), own, control));
        var ra = Ipv6Frames.NewNonce();
        sender.Send(Ipv6Frames.RouterAdvertisement(mac, ra));
        var redirect = Ipv6Frames.NewNonce();
        sender.Send(Ipv6Frames.Redirect(mac, victimMac, victim, IPAddress.Parse("2001:db8:71::a"), redirect));

        foreach (var (where, capture) in new[] { ("taskotron-client02", atVictim.Receive(Listen)), ("the LAN router", atRouter.Receive(Listen)) })
        {
            Assert.True(Ipv6Frames.AnyCarries(capture, control), $"the client's own neighbour advertisement did not reach {where}");
            Assert.False(Ipv6Frames.AnyCarries(capture, ra), $"the client's router advertisement reached {where}");
            Assert.False(Ipv6Frames.AnyCarries(capture, redirect), $"the client's redirect reached {where}");
        }
    }

    [Fact]
    public void A_forged_neighbour_advertisement_for_another_hosts_address_reaches_no_other_host()
    {
        var (attackerNs, mac, own) = Client("taskotron-client01");
        var (victimNs, _, victim) = Client("taskotron-client02");
        var router = _lab.Policy.FindNetwork("qa-clients")!.HostAddress6!;
        using var atVictim = PacketSocket.Open(victimNs, null);
        using var atRouter = PacketSocket.Open(RouterNamespace, null);
        using var sender = PacketSocket.Open(attackerNs, "eth0");

        var control = Ipv6Frames.NewNonce();
        sender.Send(Ipv6Frames.NeighbourAdvertisement(mac, Ipv6Frames.LinkLocal(mac), own, control));
        var forged = new List<(string What, byte[] Nonce)>();
        foreach (var (source, target, what) in new[]
        {
            (Ipv6Frames.LinkLocal(mac), router, "the router's address, from its link-local address"),
            (own, router, "the router's address, from its own address"),
            (Ipv6Frames.LinkLocal(mac), victim, "taskotron-client02's address"),
        })
        {
            var nonce = Ipv6Frames.NewNonce();
            sender.Send(Ipv6Frames.NeighbourAdvertisement(mac, source, target, nonce));
            forged.Add((what, nonce));
        }

        foreach (var (where, capture) in new[] { ("taskotron-client02", atVictim.Receive(Listen)), ("the LAN router", atRouter.Receive(Listen)) })
        {
            Assert.True(Ipv6Frames.AnyCarries(capture, control), $"the client's own neighbour advertisement did not reach {where}");
            foreach (var (what, nonce) in forged)
            {
                Assert.False(Ipv6Frames.AnyCarries(capture, nonce), $"a neighbour advertisement for {what} reached {where}");
            }
        }
    }

    [Fact]
    public async Task Traffic_from_a_link_local_or_another_clients_address_reaches_no_qa_lan_host_or_service()
    {
        var (attackerNs, mac, own) = Client("taskotron-client01");
        var (_, _, other) = Client("taskotron-client02");
        var koji = IPAddress.Parse(_lab.Lab.State.EndpointAddresses["koji"].Single(a => a.Contains(':', StringComparison.Ordinal)));
        var qaLan = IPAddress.Parse("2001:db8:12::19");
        var routerMac = await RouterMacAsync(attackerNs, koji, own);
        using var atRouter = PacketSocket.Open(RouterNamespace, null);
        using var sender = PacketSocket.Open(attackerNs, "eth0");

        // taskotron clients may reach koji on 443: from its own address the SYN gets through.
        var control = Ipv6Frames.NewNonce();
        sender.Send(Ipv6Frames.TcpSyn(mac, routerMac, own, koji, 443, control));
        var attacks = new List<(string What, byte[] Nonce)>();
        foreach (var (source, destination, port, what) in new[]
        {
            (Ipv6Frames.LinkLocal(mac), qaLan, 22, "link-local source to a QA-LAN host"),
            (Ipv6Frames.LinkLocal(mac), koji, 443, "link-local source to koji"),
            (other, koji, 443, "taskotron-client02's address to koji"),
        })
        {
            var nonce = Ipv6Frames.NewNonce();
            sender.Send(Ipv6Frames.TcpSyn(mac, routerMac, source, destination, port, nonce));
            attacks.Add((what, nonce));
        }

        var capture = atRouter.Receive(Listen);
        Assert.True(Ipv6Frames.AnyCarries(capture, control), "the client's own SYN to koji did not reach the router");
        foreach (var (what, nonce) in attacks)
        {
            Assert.False(Ipv6Frames.AnyCarries(capture, nonce), $"a SYN with {what} reached the router");
        }
    }

    private string RouterNamespace => _lab.Lab.State.Hosts.Single(h => h.Kind == QaLabHostKind.Router).Namespace;

    private (string Namespace, string Mac, IPAddress Address6) Client(string name)
    {
        var c = _lab.Policy.FindClient(name)!;
        return (_lab.Lab.State.FindHost(name)!.Namespace, c.MacAddress, c.Address6!);
    }

    /// <summary>The LAN router's MAC on the client's bridge, as the client resolved it for a real connection.</summary>
    private static async Task<string> RouterMacAsync(string ns, IPAddress destination, IPAddress own)
    {
        Assert.True((await new QaProber().ProbeAsync(ns, own, destination, 443, QaProtocol.Tcp, 3)).Observed);
        var neigh = await HostTarget.Namespace(ns).CreateRunner().RunAsync(CommandSpec.Of("ip", "-6", "neigh", "show", "dev", "eth0"));
        var words = neigh.Stdout.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(w => w.Length > 2 && !w[0].StartsWith("fe80:", StringComparison.Ordinal) && w.Contains("lladdr"));
        Assert.NotNull(words);
        return words[Array.IndexOf(words, "lladdr") + 1];
    }
}
