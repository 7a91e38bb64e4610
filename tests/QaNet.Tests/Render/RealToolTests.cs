using System.Text.RegularExpressions;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Ebtables;

namespace QaNet.Tests.Render;

/// <summary>
/// Every rendering fed to the real program in a throwaway network namespace (<c>qn-rt-*</c>),
/// never the root namespace's firewall. Needs root, nft and ebtables; fails (does not skip) without them.
/// </summary>
[Trait("Needs", "Root")]
public sealed partial class RealToolTests
{
    public static TheoryData<string> NftNames() => Names(QaBackend.Nftables);

    public static TheoryData<string> EbtablesNames() => Names(QaBackend.Ebtables);

    private static TheoryData<string> Names(QaBackend backend)
    {
        var data = new TheoryData<string>();
        foreach (var (name, r) in RenderPolicies.AllRenderings().Where(x => x.Ruleset.Backend == backend))
        {
            data.Add(name);
        }

        return data;
    }

    private static QaRuleset Find(string name) => RenderPolicies.AllRenderings().Single(r => r.Name == name).Ruleset;

    [Theory]
    [MemberData(nameof(NftNames))]
    public async Task Nft_accepts_the_table_and_lists_it_back_as_rendered(string name)
    {
        var text = Find(name).Text;
        await using var ns = await RenderNamespace.CreateAsync();
        await ns.Must(text, "nft", "-c", "-f", "-");
        await ns.Must(text, "nft", "-f", "-");
        await ns.Must(text, "nft", "-f", "-"); // replacing works too (the preamble)
        var listed = await ns.Must(null, "nft", "list", "table", "inet", "qanet");
        Assert.Equal(NftTokens(text[global::QaNet.Core.Render.Nftables.NftWriter.Preamble.Length..]), NftTokens(listed));
    }

    [Theory]
    [MemberData(nameof(EbtablesNames))]
    public async Task Ebtables_restores_the_file_and_saves_it_back_as_rendered(string name)
    {
        var text = Find(name).Text;
        await using var ns = await RenderNamespace.CreateAsync();
        await ns.Must(text, "ebtables-restore");
        var saved = await ns.Must(null, "ebtables-save");
        Assert.Equal(Lines(text), Lines(saved));
    }

    [Fact]
    public async Task The_reply_guard_loads_beside_the_ebtables_rendering_and_neither_disturbs_the_other()
    {
        // ebtables-nft keeps its rules in table bridge filter; the guard is a table of its own in the same family.
        var ebtables = Find("fedora-qa-bridged.virthost-comm01.ebtables").Text;
        await using var ns = await RenderNamespace.CreateAsync();
        await ns.Must(ebtables, "ebtables-restore");
        // fedora-qa's clients have IPv6 addresses: the guard carries their neighbour-advertisement targets too.
        var guard = global::QaNet.Core.Publish.NftText.ReplaceTransaction("bridge", "qanet", global::QaNet.Core.Render.Ebtables.EbtReplyGuard.For((EbtTable)Find("fedora-qa-bridged.virthost-comm01.ebtables").Program!));
        await ns.Must(guard, "nft", "-c", "-f", "-");
        await ns.Must(guard, "nft", "-f", "-");
        await ns.Must(guard, "nft", "-f", "-"); // replacing works too
        Assert.Equal(Lines(ebtables), Lines(await ns.Must(null, "ebtables-save")));
        var listed = await ns.Must(null, "nft", "list", "table", "bridge", "qanet");
        foreach (var hook in new[] { "forward", "input" })
        {
            Assert.Contains($"type filter hook {hook} priority filter + 10; policy accept;", listed, StringComparison.Ordinal);
        }

        Assert.Equal(2, Regex.Count(listed, @"meta mark & 0x00100000 == 0x00100000 tcp flags syn / syn,ack counter packets 0 bytes 0 drop comment ""qanet:@reply-syn"""));
        Assert.Equal(2, Regex.Count(listed, @"ether saddr @nd-clients icmpv6 type nd-neighbor-advert ether saddr \. @th,64,128 != @nd-targets counter packets 0 bytes 0 drop comment ""qanet:@nd-target"""));
        Assert.Contains("52:54:00:", listed, StringComparison.Ordinal);
        // ebtables-restore of the next publish replaces table bridge filter only.
        await ns.Must(ebtables, "ebtables-restore");
        Assert.Contains("qanet:@reply-mark", await ns.Must(null, "nft", "list", "table", "bridge", "qanet"), StringComparison.Ordinal);
    }

    /// <summary>Whitespace-insensitive tokens, without what only the live table has (counters, time left).</summary>
    internal static List<string> NftTokens(string text)
    {
        var flat = ExpiresRegex().Replace(CounterRegex().Replace(text, "counter"), string.Empty);
        // nft prints `meta time` as a date in this machine's time zone; the rendering writes epoch seconds.
        flat = MetaTimeRegex().Replace(flat, m => "meta time < " + new DateTimeOffset(DateTime.SpecifyKind(
            DateTime.ParseExact(m.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Local)).ToUnixTimeSeconds());
        // nft lists the elements of a set in its own internal order: compare them as sets.
        flat = BracesRegex().Replace(flat, m => "{ " + string.Join(", ",
            m.Groups[1].Value.Split(',').Select(e => string.Join(' ', e.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
                .Order(StringComparer.Ordinal)) + " }");
        return flat.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    [GeneratedRegex(@"counter packets \d+ bytes \d+")]
    private static partial Regex CounterRegex();

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex BracesRegex();

    [GeneratedRegex(@"meta time < ""([0-9-]+ [0-9:]+)""")]
    private static partial Regex MetaTimeRegex();

    [GeneratedRegex(@" expires [0-9dhms]+")]
    private static partial Regex ExpiresRegex();
}
