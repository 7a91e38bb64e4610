using System.Text.RegularExpressions;
using QaNet.Core.Execution;
using QaNet.Core.Render;

namespace QaNet.Tests.Render;

/// <summary>
/// Every rendering fed to the real program in a throwaway network namespace (<c>qn-rt-*</c>),
/// never the root namespace's firewall. Needs root, nft and ebtables; fails (does not skip) without them.
/// </summary>
public sealed partial class RealToolTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    public static TheoryData<string> NftNames() => Names(QaBackend.Nftables);

    public static TheoryData<string> EbtablesNames() => Names(QaBackend.Ebtables);

    private static TheoryData<string> Names(QaBackend backend)
    {
        var data = new TheoryData<string>();
        foreach (var (name, r) in RenderPolicies.AllEdgeRenderings().Where(x => x.Ruleset.Backend == backend))
        {
            data.Add(name);
        }

        return data;
    }

    private static QaRuleset Find(string name) => RenderPolicies.AllEdgeRenderings().Single(r => r.Name == name).Ruleset;

    [Theory]
    [MemberData(nameof(NftNames))]
    public void Nft_accepts_the_table_and_lists_it_back_as_rendered(string name)
    {
        var text = Find(name).Text;
        using var ns = new ThrowawayNamespace();
        Must(ns.Exec(new[] { "nft", "-c", "-f", "-" }, text));
        Must(ns.Exec(new[] { "nft", "-f", "-" }, text));
        Must(ns.Exec(new[] { "nft", "-f", "-" }, text)); // replacing works too (the preamble)
        var listed = Must(ns.Exec(new[] { "nft", "list", "table", "inet", "qanet" })).StandardOutput;
        Assert.Equal(NftTokens(text[global::QaNet.Core.Render.Nftables.NftWriter.Preamble.Length..]), NftTokens(listed));
    }

    [Theory]
    [MemberData(nameof(EbtablesNames))]
    public void Ebtables_restores_the_file_and_saves_it_back_as_rendered(string name)
    {
        var text = Find(name).Text;
        using var ns = new ThrowawayNamespace();
        Must(ns.Exec(new[] { "ebtables-restore" }, text));
        var saved = Must(ns.Exec(new[] { "ebtables-save" })).StandardOutput;
        Assert.Equal(Lines(text), Lines(saved));
    }

    /// <summary>Whitespace-insensitive tokens, without what only the live table has (counters, time left).</summary>
    internal static List<string> NftTokens(string text)
    {
        var flat = ExpiresRegex().Replace(CounterRegex().Replace(text, "counter"), string.Empty);
        // nft lists the elements of a set in its own internal order: compare them as sets.
        flat = BracesRegex().Replace(flat, m => "{ " + string.Join(", ",
            m.Groups[1].Value.Split(',').Select(e => string.Join(' ', e.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
                .Order(StringComparer.Ordinal)) + " }");
        return flat.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    internal static ProcessResult Must(ProcessResult r)
    {
        Assert.True(r.Succeeded, r.ToString());
        return r;
    }

    [GeneratedRegex(@"counter packets \d+ bytes \d+")]
    private static partial Regex CounterRegex();

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex BracesRegex();

    [GeneratedRegex(@" expires [0-9dhms]+")]
    private static partial Regex ExpiresRegex();
}

/// <summary>A network namespace that exists for one test and is removed afterwards, also after a failure.</summary>
internal sealed class ThrowawayNamespace : IDisposable
{
    public ThrowawayNamespace()
    {
        Name = "qn-rt-" + Guid.NewGuid().ToString("N")[..8];
        RealToolTests.Must(ProcessRunner.Run(new[] { "ip", "netns", "add", Name }, timeout: TimeSpan.FromSeconds(10)));
    }

    public string Name { get; }

    public ProcessResult Exec(IReadOnlyList<string> arguments, string? stdin = null, TimeSpan? timeout = null) =>
        ProcessRunner.Run(new[] { "ip", "netns", "exec", Name }.Concat(arguments).ToList(), stdin, timeout ?? TimeSpan.FromSeconds(20));

    public void Dispose() => ProcessRunner.Run(new[] { "ip", "netns", "del", Name }, timeout: TimeSpan.FromSeconds(10));
}
