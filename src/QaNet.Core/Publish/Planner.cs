using QaNet.Core.Hosts;

namespace QaNet.Core.Publish;

/// <summary>One change with the commands that make it and the commands that take it back.</summary>
internal sealed record PublishStep(QaPublishChange Change, IReadOnlyList<CommandSpec> Apply, IReadOnlyList<CommandSpec> Undo)
{
    /// <summary>Checks that run before anything is applied (nft -c, ebtables in a scratch namespace).</summary>
    public IReadOnlyList<CommandSpec> Checks { get; init; } = Array.Empty<CommandSpec>();

    /// <summary>Every change the step makes: <see cref="Change"/>, or for a batch one per item (the first is <see cref="Change"/>).</summary>
    public IReadOnlyList<QaPublishChange> Changes
    {
        get => _changes ?? new[] { Change };
        init => _changes = value;
    }

    private readonly IReadOnlyList<QaPublishChange>? _changes;
}

/// <summary>
/// Turns (snapshot, artifacts, expected) into steps: the boot copy (<see cref="BootCopy"/>), then
/// libvirt networks (the bridges the rules name), then the uplinks joining those bridges, then
/// nftables, then ebtables. Undo commands restore the snapshot.
/// </summary>
internal static class Planner
{
    public static List<PublishStep> Plan(HostSession s, HostArtifacts artifacts, HostState live, ExpectedState expected)
    {
        var steps = new List<PublishStep>();
        foreach (var n in artifacts.Networks)
        {
            PlanNetwork(s, n, live.Networks.GetValueOrDefault(n.Name), steps);
        }

        if (artifacts.Uplinks is { } uplinks)
        {
            // A network defined, started or restarted here gets a fresh bridge: its uplink joins it again.
            var restarted = steps.Where(x => x.Change.Kind is QaPublishChangeKind.LibvirtNetworkStart or QaPublishChangeKind.LibvirtNetworkRedefine)
                .Select(x => x.Change.Target["network ".Length..]).ToHashSet(StringComparer.Ordinal);
            Uplinks.Plan(s, uplinks, live.Uplinks, restarted, steps);
        }

        foreach (var t in artifacts.NftTables)
        {
            PlanNft(s.VirtHost, t, live.Nft.GetValueOrDefault(t.Key), expected.Nft.GetValueOrDefault(t.Key), steps);
        }

        if (artifacts.Ebtables is { } eb && live.Ebtables is { } liveEb && EbtablesText.Owned(liveEb, eb.ChainPrefix) != expected.EbtablesOwned)
        {
            var (text, tables) = EbtablesText.Merge(liveEb, eb.Text, eb.ChainPrefix);
            var restore = CommandSpec.Of("ebtables-restore");
            steps.Add(new PublishStep(
                new QaPublishChange(s.VirtHost, QaPublishChangeKind.EbtablesReplace, "ebtables " + string.Join(",", tables), $"QaNet's {eb.ChainPrefix}* chains and jumps"),
                new[] { restore.WithStdin(text).Mutating() },
                new[] { restore.WithStdin(EbtablesText.Select(liveEb, tables)).Mutating() })
            {
                Checks = new[] { CommandSpec.Of("unshare", "-n", "--", "ebtables-restore").WithStdin(text) },
            });
        }

        // First: what a reboot loads before the networks start, so a network this publish starts
        // passes the network hook with the tables it publishes. A rollback restores the previous copy (last).
        if (live.Boot is { } boot && BootCopy.Desired(s.Host, artifacts) is { } desired)
        {
            var copy = new List<PublishStep>();
            BootCopy.Plan(s, desired, boot, copy);
            steps.InsertRange(0, copy);
        }

        return steps;
    }

    private static void PlanNft(string virtHost, NftTableArtifact t, string? live, string? expected, List<PublishStep> steps)
    {
        var nft = HostSession.Nft("-f", "-");
        var undo = nft.WithStdin(NftText.ReplaceTransaction(t.Family, t.Name, live)).Mutating();
        QaPublishChangeKind kind;
        if (t.Definition is null)
        {
            if (live is null)
            {
                return;
            }

            kind = QaPublishChangeKind.NftTableDelete;
        }
        else if (live is null)
        {
            kind = QaPublishChangeKind.NftTableCreate;
        }
        else if (NftText.Normalize(live) != NftText.Normalize(expected!))
        {
            if (NftText.SetElementDelta(t.Family, t.Name, live, expected!) is { } delta)
            {
                // Only clients came or went: their addresses change in sets; chains stay as they are.
                steps.Add(new PublishStep(
                    new QaPublishChange(virtHost, QaPublishChangeKind.NftSetElements, "table " + t.Key, string.Join(", ", delta.Sets)),
                    new[] { nft.WithStdin(delta.Apply).Mutating() },
                    new[] { nft.WithStdin(delta.Undo).Mutating() })
                {
                    Checks = new[] { HostSession.Nft("-c", "-f", "-").WithStdin(delta.Apply) },
                });
                return;
            }

            kind = QaPublishChangeKind.NftTableReplace;
        }
        else
        {
            return;
        }

        var text = NftText.ReplaceTransaction(t.Family, t.Name, t.Definition);
        steps.Add(new PublishStep(
            new QaPublishChange(virtHost, kind, "table " + t.Key, "one nft -f transaction"),
            new[] { nft.WithStdin(text).Mutating() },
            new[] { undo })
        {
            Checks = new[] { HostSession.Nft("-c", "-f", "-").WithStdin(text) },
        });
    }

    private static void PlanNetwork(HostSession s, LibvirtNetworkArtifact n, NetworkState? live, List<PublishStep> steps)
    {
        var name = n.Name;
        QaPublishChange Change(QaPublishChangeKind kind, string detail = "") => new(s.VirtHost, kind, "network " + name, detail);
        CommandSpec Define(string xml) => s.Virsh("net-define", "/dev/stdin").WithStdin(xml).Mutating();
        var start = s.Virsh("net-start", name).Mutating();
        var destroy = s.Virsh("net-destroy", name).Mutating();
        var autostart = s.Virsh("net-autostart", name).Mutating();
        var noAutostart = s.Virsh("net-autostart", "--disable", name).Mutating();

        if (n.Xml is null)
        {
            if (live is null)
            {
                return;
            }

            if (live.Active)
            {
                steps.Add(new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkStop), new[] { destroy }, new[] { start }));
            }

            var redefine = new List<CommandSpec> { Define(live.InactiveXml) };
            if (live.Autostart)
            {
                redefine.Add(autostart);
            }

            steps.Add(new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkUndefine), new[] { s.Virsh("net-undefine", name).Mutating() }, redefine));
            return;
        }

        var desired = LibvirtXml.Parse(n.Xml);
        if (live is null)
        {
            steps.Add(new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkDefine), new[] { Define(n.Xml) }, new[] { s.Virsh("net-undefine", name).Mutating() }));
            if (n.Active)
            {
                steps.Add(new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkStart), new[] { start }, new[] { destroy }));
            }

            if (n.Autostart)
            {
                steps.Add(new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkAutostart), new[] { autostart }, new[] { noAutostart }));
            }

            return;
        }

        var inactive = LibvirtXml.Parse(live.InactiveXml);
        var running = live.LiveXml is null ? null : LibvirtXml.Parse(live.LiveXml);
        var configDiffers = LibvirtXml.Difference(desired, inactive) is not null || (running is not null && LibvirtXml.Difference(desired, running) is not null);
        var wasActive = live.Active;
        if (configDiffers)
        {
            var bare = LibvirtXml.WithoutDhcpHosts(desired);
            var onlyReservations = running is not null && n.Active
                && LibvirtXml.Difference(bare, LibvirtXml.WithoutDhcpHosts(inactive)) is null
                && LibvirtXml.Difference(bare, LibvirtXml.WithoutDhcpHosts(running)) is null
                && LibvirtXml.DhcpHosts(inactive).Select(h => h.Key).Order(StringComparer.Ordinal)
                    .SequenceEqual(LibvirtXml.DhcpHosts(running).Select(h => h.Key).Order(StringComparer.Ordinal));
            if (onlyReservations)
            {
                // Clients changed on a running network: deltas through net-update, no restart,
                // so the other clients keep their links.
                PlanReservations(s, name, LibvirtXml.DhcpHosts(desired), LibvirtXml.DhcpHosts(running!), steps);
            }
            else
            {
                // libvirt redefines a network only under its own uuid; the rendering has none.
                var apply = new List<CommandSpec> { Define(LibvirtXml.WithUuidOf(n.Xml, inactive)) };
                var undo = new List<CommandSpec>();
                if (wasActive)
                {
                    apply.Add(destroy);
                    apply.Add(start);
                    undo.Add(destroy);
                }

                undo.Add(Define(live.InactiveXml));
                if (wasActive)
                {
                    undo.Add(start);
                }

                steps.Add(new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkRedefine, wasActive ? "restarts the network" : string.Empty), apply, undo));
            }
        }

        if (n.Active && !wasActive)
        {
            steps.Add(new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkStart), new[] { start }, new[] { destroy }));
        }
        else if (!n.Active && wasActive)
        {
            steps.Add(new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkStop), new[] { destroy }, new[] { start }));
        }

        if (n.Autostart != live.Autostart)
        {
            steps.Add(n.Autostart
                ? new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkAutostart), new[] { autostart }, new[] { noAutostart })
                : new PublishStep(Change(QaPublishChangeKind.LibvirtNetworkNoAutostart), new[] { noAutostart }, new[] { autostart }));
        }
    }

    /// <summary>
    /// The reservations that differ on a running network, as one step: every <c>net-update</c> in
    /// one virsh process (<see cref="HostSession.VirshBatch"/>), removals first, and the inverse
    /// commands newest first as its undo. One change per client, as before.
    /// </summary>
    private static void PlanReservations(HostSession s, string name, List<LibvirtXml.DhcpHost> desired, List<LibvirtXml.DhcpHost> live, List<PublishStep> steps)
    {
        string[] Update(string verb, LibvirtXml.DhcpHost h)
        {
            var args = new List<string> { "net-update", name, verb, "ip-dhcp-host", h.Xml, "--live", "--config" };
            if (h.IpIndex > 0)
            {
                args.Add("--parent-index");
                args.Add(h.IpIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return args.ToArray();
        }

        var wanted = desired.Select(h => (h.IpIndex, h.Key)).ToHashSet();
        var have = live.Select(h => (h.IpIndex, h.Key)).ToHashSet();
        var changes = new List<QaPublishChange>();
        var apply = new List<string[]>();
        var undo = new List<string[]>();
        foreach (var h in live.Where(h => !wanted.Contains((h.IpIndex, h.Key))))
        {
            changes.Add(new QaPublishChange(s.VirtHost, QaPublishChangeKind.DhcpHostRemove, "network " + name, h.Key));
            apply.Add(Update("delete", h));
            undo.Add(Update(h.Position == 0 ? "add-first" : "add-last", h));
        }

        foreach (var h in desired.Where(h => !have.Contains((h.IpIndex, h.Key))))
        {
            changes.Add(new QaPublishChange(s.VirtHost, QaPublishChangeKind.DhcpHostAdd, "network " + name, h.Key));
            apply.Add(Update("add-last", h));
            undo.Add(Update("delete", h));
        }

        if (changes.Count == 0)
        {
            return;
        }

        undo.Reverse();
        steps.Add(new PublishStep(changes[0], new[] { s.VirshBatch(apply).Mutating() }, new[] { s.VirshBatch(undo).Mutating() }) { Changes = changes });
    }
}
