namespace QaNet.Core.Publish;

/// <summary>
/// Live state against what QaNet would publish, item by item. Only what QaNet owns is looked at:
/// its nft tables, its ebtables chains and jumps, its libvirt networks.
/// </summary>
internal static class Drift
{
    public static List<QaDriftItem> Compare(string virtHost, HostArtifacts artifacts, HostState live, ExpectedState expected)
    {
        var items = new List<QaDriftItem>();
        void Add(QaDriftKind kind, string target, string detail) => items.Add(new QaDriftItem(virtHost, kind, target, detail));

        foreach (var n in artifacts.Networks)
        {
            CompareNetwork(n, live.Networks.GetValueOrDefault(n.Name), Add);
        }

        foreach (var t in artifacts.NftTables)
        {
            var target = "table " + t.Key;
            var l = live.Nft.GetValueOrDefault(t.Key);
            if (t.Definition is null)
            {
                if (l is not null)
                {
                    Add(QaDriftKind.NftTableUnexpected, target, "the table exists but QaNet has nothing to put in it");
                }
            }
            else if (l is null)
            {
                Add(QaDriftKind.NftTableMissing, target, "the table does not exist");
            }
            else
            {
                CompareNft(target, NftText.Parse(expected.Nft[t.Key]), NftText.Parse(l), Add);
            }
        }

        if (artifacts.Uplinks is { } uplinks)
        {
            Uplinks.Compare(uplinks, live.Uplinks, Add);
        }

        if (live.Boot is { } boot && expected.Boot is { } desired)
        {
            foreach (var path in BootCopy.Differences(desired, boot))
            {
                Add(QaDriftKind.BootCopyChanged, path, boot.ContainsKey(path) ? "differs from what was published (a reboot would load this)" : "missing (a reboot would not load QaNet's rules)");
            }
        }

        if (artifacts.Ebtables is { } eb && live.Ebtables is { } liveEb)
        {
            var have = EbtablesText.Owned(liveEb, eb.ChainPrefix).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var want = (expected.EbtablesOwned ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var line in have.Except(want, StringComparer.Ordinal))
            {
                Add(QaDriftKind.EbtablesChanged, "ebtables", "unexpected: " + line);
            }

            foreach (var line in want.Except(have, StringComparer.Ordinal))
            {
                Add(QaDriftKind.EbtablesChanged, "ebtables", "missing: " + line);
            }

            if (!have.SequenceEqual(want, StringComparer.Ordinal) && have.Order(StringComparer.Ordinal).SequenceEqual(want.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            {
                Add(QaDriftKind.EbtablesChanged, "ebtables", "rules are in another order");
            }
        }

        return items;
    }

    private static void CompareNetwork(LibvirtNetworkArtifact n, NetworkState? live, Action<QaDriftKind, string, string> add)
    {
        var target = "network " + n.Name;
        if (n.Xml is null)
        {
            if (live is not null)
            {
                add(QaDriftKind.LibvirtNetworkUnexpected, target, "the network is defined but QaNet has removed it");
            }

            return;
        }

        if (live is null)
        {
            add(QaDriftKind.LibvirtNetworkMissing, target, "the network is not defined");
            return;
        }

        var desired = LibvirtXml.Parse(n.Xml);
        var bare = LibvirtXml.WithoutDhcpHosts(desired);
        var want = LibvirtXml.DhcpHosts(desired).Select(h => h.Key).ToList();
        foreach (var (which, xml) in new[] { ("config", live.InactiveXml), ("running", live.LiveXml) })
        {
            if (xml is null)
            {
                continue;
            }

            var doc = LibvirtXml.Parse(xml);
            if (LibvirtXml.Difference(bare, LibvirtXml.WithoutDhcpHosts(doc)) is { } why)
            {
                add(QaDriftKind.LibvirtNetworkChanged, target, $"{which}: {why}");
            }

            var have = LibvirtXml.DhcpHosts(doc).Select(h => h.Key).ToList();
            foreach (var h in have.Except(want, StringComparer.Ordinal))
            {
                add(QaDriftKind.DhcpReservationChanged, target, $"{which}: unexpected reservation {h}");
            }

            foreach (var h in want.Except(have, StringComparer.Ordinal))
            {
                add(QaDriftKind.DhcpReservationChanged, target, $"{which}: missing reservation {h}");
            }
        }

        if (n.Active != live.Active)
        {
            add(QaDriftKind.LibvirtNetworkStateChanged, target, live.Active ? "running but should be stopped" : "not running");
        }

        if (n.Autostart != live.Autostart)
        {
            add(QaDriftKind.LibvirtNetworkStateChanged, target, live.Autostart ? "autostarts but should not" : "does not autostart");
        }
    }

    private static void CompareNft(string table, Dictionary<string, NftText.NftObject> want, Dictionary<string, NftText.NftObject> have, Action<QaDriftKind, string, string> add)
    {
        foreach (var header in want.Keys.Union(have.Keys).Order(StringComparer.Ordinal))
        {
            var w = want.GetValueOrDefault(header);
            var h = have.GetValueOrDefault(header);
            var chain = header.StartsWith("chain ", StringComparison.Ordinal);
            var kind = chain ? QaDriftKind.NftChainChanged : QaDriftKind.NftSetChanged;
            var target = table + " " + header;
            if (w is null || h is null)
            {
                add(kind, target, w is null ? "unexpected" : "missing");
                continue;
            }

            if (!w.Body.SequenceEqual(h.Body, StringComparer.Ordinal))
            {
                add(kind, target, string.Join("; ", h.Body.Except(w.Body, StringComparer.Ordinal).Select(x => "now: " + x)
                    .Concat(w.Body.Except(h.Body, StringComparer.Ordinal).Select(x => "expected: " + x)).DefaultIfEmpty("order differs")));
            }

            foreach (var rule in MultisetExcept(h.Rules, w.Rules))
            {
                add(QaDriftKind.NftRuleAdded, target, rule);
            }

            foreach (var rule in MultisetExcept(w.Rules, h.Rules))
            {
                add(QaDriftKind.NftRuleRemoved, target, rule);
            }

            if (chain && h.Rules.Count == w.Rules.Count && !h.Rules.SequenceEqual(w.Rules, StringComparer.Ordinal)
                && h.Rules.Order(StringComparer.Ordinal).SequenceEqual(w.Rules.Order(StringComparer.Ordinal), StringComparer.Ordinal))
            {
                add(QaDriftKind.NftChainChanged, target, "rules are in another order");
            }
        }
    }

    private static List<string> MultisetExcept(List<string> a, List<string> b)
    {
        var left = b.GroupBy(x => x, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var x in a)
        {
            if (left.TryGetValue(x, out var c) && c > 0)
            {
                left[x] = c - 1;
            }
            else
            {
                result.Add(x);
            }
        }

        return result;
    }
}
