using System.Globalization;
using System.Net;
using System.Text.Json;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>
/// The device that joins a network's bridge on this virthost to the same network on the others:
/// a VXLAN device QaNet owns (named <c>qnvx&lt;vni&gt;</c>; created, checked, deleted), or a NIC that
/// QaNet only enslaves to the bridge (never creates or deletes).
/// </summary>
public sealed record UplinkArtifact(QaUplinkKind Kind, string Device, string Network, string Bridge)
{
    public int Vni { get; init; }

    public int Port { get; init; } = QaUplink.DefaultVxlanPort;

    /// <summary>This virthost's underlay address (the tunnel's local end).</summary>
    public IPAddress? Local { get; init; }

    /// <summary>The other virthosts' underlay addresses: one all-zero FDB entry each (unicast head-end replication).</summary>
    public IReadOnlyList<IPAddress> Peers { get; init; } = Array.Empty<IPAddress>();

    /// <summary>The VXLAN device's MTU: the segment's, leaving room for the encapsulation.</summary>
    public int Mtu { get; init; } = Render.Libvirt.LibvirtNetworkWriter.MtuWithVxlan;

    internal string PeerList => string.Join(",", Peers.Select(p => p.ToString()).Order(StringComparer.Ordinal));
}

/// <summary>A link as <c>ip -j -d link show</c> and <c>bridge -j fdb show</c> report it (only what QaNet looks at).</summary>
internal sealed record LinkState(string Name, string? Master, bool Up, int Mtu)
{
    public bool IsVxlan { get; init; }

    public int Vni { get; init; }

    public string? Local { get; init; }

    public int Port { get; init; }

    public bool Learning { get; init; }

    /// <summary>The destinations of the all-zero FDB entries, sorted and comma-joined.</summary>
    public string Peers { get; init; } = string.Empty;
}

internal static class Uplinks
{
    private const string AllZero = "00:00:00:00:00:00";

    /// <summary>Every QaNet VXLAN device on the host, and each NIC the artifacts name (null: no such device).</summary>
    public static async Task ReadAsync(HostSession s, IReadOnlyList<UplinkArtifact> wanted, Dictionary<string, LinkState?> into)
    {
        var list = await s.RequireAsync(CommandSpec.Of("ip", "-j", "-d", "link", "show", "type", "vxlan")).ConfigureAwait(false);
        foreach (var link in ParseLinks(list.Stdout).Where(l => l.Name.StartsWith(QaUplink.VxlanDevicePrefix, StringComparison.Ordinal)))
        {
            var fdb = await s.RequireAsync(CommandSpec.Of("bridge", "-j", "fdb", "show", "dev", link.Name)).ConfigureAwait(false);
            into[link.Name] = link with { Peers = ParsePeers(fdb.Stdout) };
        }

        foreach (var u in wanted)
        {
            if (into.ContainsKey(u.Device))
            {
                continue;
            }

            if (u.Kind == QaUplinkKind.Vxlan)
            {
                into[u.Device] = null;
                continue;
            }

            var spec = CommandSpec.Of("ip", "-j", "-d", "link", "show", "dev", u.Device);
            var r = await s.RunAsync(spec).ConfigureAwait(false);
            into[u.Device] = r.Succeeded ? ParseLinks(r.Stdout).FirstOrDefault()
                : !r.TimedOut && r.Stderr.Contains("does not exist", StringComparison.Ordinal) ? null
                : throw QaHostException.Failed(s.VirtHost, spec, r);
        }
    }

    public static List<LinkState> ParseLinks(string json)
    {
        var result = new List<LinkState>();
        if (string.IsNullOrWhiteSpace(json))
        {
            return result;
        }

        using var doc = JsonDocument.Parse(json);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var name = e.GetProperty("ifname").GetString() ?? string.Empty;
            var master = e.TryGetProperty("master", out var m) ? m.GetString() : null;
            var up = e.TryGetProperty("flags", out var flags) && flags.EnumerateArray().Any(f => f.GetString() == "UP");
            var mtu = e.TryGetProperty("mtu", out var mt) ? mt.GetInt32() : 0;
            var link = new LinkState(name, master, up, mtu);
            if (e.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var kind) && kind.GetString() == "vxlan" &&
                info.TryGetProperty("info_data", out var data))
            {
                link = link with
                {
                    IsVxlan = true,
                    Vni = data.TryGetProperty("id", out var id) ? id.GetInt32() : 0,
                    Local = data.TryGetProperty("local", out var local) ? local.GetString() : null,
                    Port = data.TryGetProperty("port", out var port) ? port.GetInt32() : 0,
                    Learning = data.TryGetProperty("learning", out var learning) && learning.ValueKind == JsonValueKind.True,
                };
            }

            result.Add(link);
        }

        return result;
    }

    public static string ParsePeers(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return string.Empty;
        }

        using var doc = JsonDocument.Parse(json);
        return string.Join(",", doc.RootElement.EnumerateArray()
            .Where(e => e.TryGetProperty("mac", out var mac) && mac.GetString() == AllZero && e.TryGetProperty("dst", out _))
            .Select(e => e.GetProperty("dst").GetString() ?? string.Empty)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal));
    }

    /// <summary>How <paramref name="live"/> differs from <paramref name="u"/>, or null when it is as wanted.</summary>
    public static string? Difference(UplinkArtifact u, LinkState live)
    {
        var why = new List<string>();
        if (u.Kind == QaUplinkKind.Vxlan)
        {
            if (!live.IsVxlan)
            {
                return "not a VXLAN device";
            }

            if (live.Vni != u.Vni)
            {
                why.Add($"VNI {live.Vni}, not {u.Vni}");
            }

            if (live.Local != u.Local?.ToString())
            {
                why.Add($"local {live.Local ?? "none"}, not {u.Local}");
            }

            if (live.Port != u.Port)
            {
                why.Add($"port {live.Port}, not {u.Port}");
            }

            if (live.Learning)
            {
                why.Add("learns addresses");
            }

            if (live.Peers != u.PeerList)
            {
                why.Add($"peers [{live.Peers}], not [{u.PeerList}]");
            }

            if (live.Mtu != u.Mtu)
            {
                why.Add($"MTU {live.Mtu}, not {u.Mtu}");
            }
        }

        if (live.Master != u.Bridge)
        {
            why.Add(live.Master is null ? $"not enslaved to {u.Bridge}" : $"enslaved to {live.Master}, not {u.Bridge}");
        }

        if (!live.Up)
        {
            why.Add("down");
        }

        return why.Count == 0 ? null : string.Join("; ", why);
    }

    /// <summary>
    /// Steps after the libvirt networks (whose bridges the devices join): create, replace or
    /// re-enslave each wanted device, delete QaNet's VXLAN devices no network uses. A network that
    /// is (re)started in this publish gets a new bridge, so its uplink is enslaved again.
    /// </summary>
    public static void Plan(HostSession s, IReadOnlyList<UplinkArtifact> wanted, Dictionary<string, LinkState?> live, ISet<string> restartedNetworks, List<PublishStep> steps)
    {
        QaPublishChange Change(QaPublishChangeKind kind, string device, string detail) => new(s.VirtHost, kind, "uplink " + device, detail);
        foreach (var u in wanted)
        {
            var have = live.GetValueOrDefault(u.Device);
            if (u.Kind == QaUplinkKind.Nic)
            {
                if (have is null)
                {
                    // Nothing can be applied: the check reports the missing NIC before any change.
                    steps.Add(new PublishStep(Change(QaPublishChangeKind.UplinkEnslave, u.Device, $"NIC missing, wanted in {u.Bridge}"),
                        Array.Empty<CommandSpec>(), Array.Empty<CommandSpec>())
                    {
                        Checks = new[] { CommandSpec.Of("ip", "link", "show", "dev", u.Device) },
                    });
                }
                else if (Difference(u, have) is not null || restartedNetworks.Contains(u.Network))
                {
                    steps.Add(new PublishStep(Change(QaPublishChangeKind.UplinkEnslave, u.Device, "into " + u.Bridge), Enslave(u.Device, u.Bridge), Restore(have)));
                }

                continue;
            }

            if (have is null)
            {
                steps.Add(new PublishStep(Change(QaPublishChangeKind.UplinkCreate, u.Device, $"VNI {u.Vni} from {u.Local} to {u.PeerList} in {u.Bridge}"),
                    Create(u), new[] { Delete(u.Device) }));
            }
            else if (Difference(u, have) is { } why)
            {
                steps.Add(new PublishStep(Change(QaPublishChangeKind.UplinkReplace, u.Device, why),
                    new[] { Delete(u.Device) }.Concat(Create(u)).ToList(), new[] { Delete(u.Device) }.Concat(Recreate(have)).ToList()));
            }
            else if (restartedNetworks.Contains(u.Network))
            {
                steps.Add(new PublishStep(Change(QaPublishChangeKind.UplinkEnslave, u.Device, "into the restarted " + u.Bridge), Enslave(u.Device, u.Bridge), Restore(have)));
            }
        }

        var names = wanted.Select(u => u.Device).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, have) in live.Where(l => l.Value is { IsVxlan: true } && !names.Contains(l.Key)).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            steps.Add(new PublishStep(Change(QaPublishChangeKind.UplinkDelete, name, "no network uses it"), new[] { Delete(name) }, Recreate(have!)));
        }
    }

    public static void Compare(IReadOnlyList<UplinkArtifact> wanted, Dictionary<string, LinkState?> live, Action<QaDriftKind, string, string> add)
    {
        foreach (var u in wanted)
        {
            if (live.GetValueOrDefault(u.Device) is not { } have)
            {
                add(QaDriftKind.UplinkMissing, "uplink " + u.Device, u.Kind == QaUplinkKind.Nic ? "the NIC does not exist" : "the VXLAN device does not exist");
            }
            else if (Difference(u, have) is { } why)
            {
                add(QaDriftKind.UplinkChanged, "uplink " + u.Device, why);
            }
        }

        var names = wanted.Select(u => u.Device).ToHashSet(StringComparer.Ordinal);
        foreach (var name in live.Where(l => l.Value is { IsVxlan: true } && !names.Contains(l.Key)).Select(l => l.Key))
        {
            add(QaDriftKind.UplinkUnexpected, "uplink " + name, "a QaNet VXLAN device that no network uses");
        }
    }

    private static List<CommandSpec> Create(UplinkArtifact u)
    {
        var add = new List<CommandSpec>
        {
            CommandSpec.Of("ip", "link", "add", u.Device, "mtu", Text(u.Mtu), "type", "vxlan", "id", Text(u.Vni), "local", u.Local!.ToString(),
                "dstport", Text(u.Port), "nolearning").Mutating(),
        };
        add.AddRange(u.Peers.Select(p => Fdb(u.Device, p.ToString())));
        add.AddRange(Enslave(u.Device, u.Bridge));
        return add;
    }

    /// <summary>A device as it was (for undo): same parameters, peers, bridge and state.</summary>
    private static List<CommandSpec> Recreate(LinkState l)
    {
        var list = new List<string> { "link", "add", l.Name, "mtu", Text(l.Mtu), "type", "vxlan", "id", Text(l.Vni) };
        if (l.Local is not null)
        {
            list.AddRange(new[] { "local", l.Local });
        }

        list.AddRange(new[] { "dstport", Text(l.Port), l.Learning ? "learning" : "nolearning" });
        var commands = new List<CommandSpec> { new CommandSpec("ip", list).Mutating() };
        commands.AddRange(l.Peers.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => Fdb(l.Name, p)));
        commands.AddRange(Restore(l));
        return commands;
    }

    /// <summary>Master and up/down back to what they were.</summary>
    private static List<CommandSpec> Restore(LinkState l) => new()
    {
        (l.Master is null ? CommandSpec.Of("ip", "link", "set", "dev", l.Name, "nomaster") : CommandSpec.Of("ip", "link", "set", "dev", l.Name, "master", l.Master)).Mutating(),
        CommandSpec.Of("ip", "link", "set", "dev", l.Name, l.Up ? "up" : "down").Mutating(),
    };

    private static List<CommandSpec> Enslave(string device, string bridge) => new()
    {
        CommandSpec.Of("ip", "link", "set", "dev", device, "master", bridge).Mutating(),
        CommandSpec.Of("ip", "link", "set", "dev", device, "up").Mutating(),
    };

    private static CommandSpec Fdb(string device, string peer) =>
        CommandSpec.Of("bridge", "fdb", "append", AllZero, "dev", device, "dst", peer).Mutating();

    private static CommandSpec Delete(string device) => CommandSpec.Of("ip", "link", "del", "dev", device).Mutating();

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
