using System.Xml.Linq;
using QaNet.Core.Hosts;

namespace QaNet.Core.Publish;

/// <summary>
/// What the rendering needs of a particular host's stack, decided on the host when it is read
/// (docs/rendering.md, "firewalld"): where firewalld runs (its <c>table inet firewalld</c>),
/// every packet must also be accepted by firewalld's chains, which reject forwarding for an
/// interface in no zone — so QaNet's Nat bridges (forward mode 'open') go into the zone libvirt
/// ships for networks it routes, <see cref="FirewalldZone"/>: firewalld accepts forwarding into and
/// out of it and lets DHCP, DNS, ssh, tftp and ICMP reach the host, and QaNet's own table decides
/// as everywhere. Where firewalld does not run, libvirt refuses a zone, so nothing changes.
/// </summary>
internal static class HostFit
{
    /// <summary>libvirt's firewalld zone for routed networks (policies libvirt-routed-in/-out: ACCEPT; libvirt-to-host).</summary>
    public const string FirewalldZone = "libvirt-routed";

    /// <summary>
    /// The artifacts as this host needs them: one read (<c>nft list tables</c>) when a network is
    /// forward mode 'open'; unchanged otherwise. A host that cannot be reached fails here, as its first read would.
    /// </summary>
    public static async Task<HostArtifacts> ApplyAsync(HostSession s, HostArtifacts artifacts)
    {
        if (!artifacts.Networks.Any(n => IsOpen(n.Xml)))
        {
            return artifacts;
        }

        var spec = HostSession.Nft("list", "tables");
        var r = await s.RunAsync(spec).ConfigureAwait(false);
        if (r.Unreachable is not null || r.TimedOut)
        {
            throw QaHostException.Failed(s.VirtHost, spec, r);
        }

        if (!r.Succeeded || !Runs(r.Stdout))
        {
            return artifacts;
        }

        s.Log.Verbose(s.VirtHost, $"firewalld runs here: QaNet's Nat bridges go into its zone {FirewalldZone}.");
        return artifacts with
        {
            Networks = artifacts.Networks.Select(n => IsOpen(n.Xml) ? n with { Xml = WithZone(n.Xml!, FirewalldZone) } : n).ToList(),
        };
    }

    /// <summary>Whether an <c>nft list tables</c> listing shows firewalld (its nftables backend).</summary>
    public static bool Runs(string listTables) =>
        listTables.Split('\n').Any(l => l.Trim() == "table inet firewalld");

    /// <summary>The network with <c>zone</c> on its <c>&lt;bridge&gt;</c> (one already there is kept).</summary>
    public static string WithZone(string xml, string zone)
    {
        var root = LibvirtXml.Parse(xml);
        if (root.Element("bridge") is { } bridge && bridge.Attribute("zone") is null)
        {
            bridge.Add(new XAttribute("zone", zone));
        }

        return Render.Libvirt.LibvirtNetworkWriter.Print(root);
    }

    private static bool IsOpen(string? xml) =>
        xml is not null && LibvirtXml.TryParse(xml, out var root, out _) && (string?)root!.Element("forward")?.Attribute("mode") == "open";
}
