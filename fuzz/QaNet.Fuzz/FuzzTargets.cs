using System.Text;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Render;
using QaNet.Core.Render.Ebtables;
using QaNet.Core.Render.Nftables;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Fuzz;

/// <summary>
/// What the fuzzers check, one method per target, each taking the raw input file. A target
/// returns normally when QaNet behaved: the input was refused with a <see cref="QaValidationException"/>
/// whose every error has an id and a location, or it was accepted and what was made of it holds
/// up. Anything else is thrown, and an exception is what AFL counts as a crash. The regression
/// tests (tests/QaNet.Tests/Fuzz) run the same methods on the inputs the fuzzers found.
/// </summary>
public static class FuzzTargets
{
    public const string SourceName = "fuzz.yaml";

    private static readonly string[] BuiltInChains = { "INPUT", "FORWARD", "OUTPUT" };

    /// <summary>
    /// Rendering is pinned to one instant, so an input renders the same on every run. A property,
    /// not a field: no instrumented code may run before SharpFuzz has set up AFL's coverage map,
    /// and this class's static constructor runs before that.
    /// </summary>
    private static QaRenderOptions Options => new() { Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };

    // As PolicyFiles.Load reads a file: UTF-8, a BOM skipped, invalid bytes replaced.
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["yaml"] = Yaml,
        ["nft"] = Nft,
        ["ebtables"] = Ebtables,
    };

    /// <summary>Bytes → read → validation; an accepted policy is exported and read back to the same YAML.</summary>
    public static void Yaml(byte[] input)
    {
        if (Read(input) is not { } policy)
        {
            return;
        }

        var yaml = PolicyYaml.Serialize(policy);
        QaPolicy again;
        try
        {
            again = PolicyYaml.Parse(yaml, "export");
        }
        catch (QaValidationException ex)
        {
            throw new FuzzFailureException($"An accepted policy's export is refused when read back: {ex.Message}\n--- export ---\n{yaml}", ex);
        }

        var yamlAgain = PolicyYaml.Serialize(again);
        if (!string.Equals(yaml, yamlAgain, StringComparison.Ordinal))
        {
            throw new FuzzFailureException($"Export, read, export again changes the text.\n--- first ---\n{yaml}\n--- second ---\n{yamlAgain}");
        }
    }

    /// <summary>An accepted policy's nft tables, parsed back with the publisher's own reader, hold exactly the sets, chains and rules rendered.</summary>
    public static void Nft(byte[] input)
    {
        foreach (var ruleset in Render(input, QaBackend.Nftables))
        {
            CheckNft(ruleset);
        }
    }

    /// <summary>The nft text of <paramref name="ruleset"/> reads back, with the publisher's parser, as exactly the sets, chains and rules of its program.</summary>
    public static void CheckNft(QaRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var table = (NftTable)ruleset.Program!;
        var parsed = NftText.Parse(ruleset.Text);
        var expected = table.Sets.Select(s => "set " + s.Name).Concat(table.Chains.Select(c => "chain " + c.Name)).ToList();
        Require(parsed.Keys.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal), StringComparer.Ordinal),
            ruleset, $"objects {string.Join(", ", parsed.Keys)} where {string.Join(", ", expected)} were rendered");
        foreach (var chain in table.Chains)
        {
            var rules = chain.Rules.Select(NftWriter.Rule).ToList();
            Require(parsed["chain " + chain.Name].Rules.SequenceEqual(rules, StringComparer.Ordinal), ruleset,
                $"chain {chain.Name} reads back as {parsed["chain " + chain.Name].Rules.Count} rules where {rules.Count} were rendered");
            foreach (var rule in chain.Rules)
            {
                // nft reads a comment up to the next quote; a quote, backslash or control character in it would end or bend it.
                Require(!rule.Comment.Any(c => c is '"' or '\\' || char.IsControl(c)), ruleset,
                    $"a rule's comment '{rule.Comment}' holds a character nft's quoting cannot carry");
            }
        }

        foreach (var set in table.Sets)
        {
            var elements = parsed["set " + set.Name].Body.Count(l => l.StartsWith("elements = ", StringComparison.Ordinal));
            Require(elements == (set.Elements.Count > 0 ? 1 : 0), ruleset, $"set {set.Name} reads back with {elements} element lists");
        }
    }

    /// <summary>An accepted policy's ebtables file, parsed back as ebtables-restore input, holds exactly the chains and rules rendered.</summary>
    public static void Ebtables(byte[] input)
    {
        foreach (var ruleset in Render(input, QaBackend.Ebtables))
        {
            CheckEbtables(ruleset);
        }
    }

    /// <summary>The ebtables text of <paramref name="ruleset"/> is ebtables-restore input holding exactly the chains and rules of its program.</summary>
    public static void CheckEbtables(QaRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var table = (EbtTable)ruleset.Program!;
        List<EbtablesText.Table> parsed;
        try
        {
            parsed = EbtablesText.Parse(ruleset.Text);
        }
        catch (FormatException ex)
        {
            throw new FuzzFailureException($"The ebtables file of {ruleset} is not ebtables-restore input: {ex.Message}\n{ruleset.Text}", ex);
        }

        Require(parsed.Count == 1 && parsed[0].Name == "filter", ruleset, $"tables {string.Join(", ", parsed.Select(t => t.Name))} where only filter was rendered");
        var chains = BuiltInChains.Concat(table.UserChains).ToList();
        Require(parsed[0].Chains.Select(c => c.Name).SequenceEqual(chains, StringComparer.Ordinal), ruleset,
            $"chains {string.Join(", ", parsed[0].Chains.Select(c => c.Name))} where {string.Join(", ", chains)} were rendered");
        var rules = table.Rules.Select(r => (r.Chain, string.Join(' ', EbtWriter.Rule(r).Split(' ', StringSplitOptions.RemoveEmptyEntries)))).ToList();
        Require(parsed[0].Rules.SequenceEqual(rules), ruleset, $"{parsed[0].Rules.Count} rules read back where {rules.Count} were rendered");
    }

    /// <summary>The policy in <paramref name="input"/>, or null when QaNet refused it properly.</summary>
    public static QaPolicy? Read(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Length > PolicyYaml.MaxFileBytes)
        {
            return null;
        }

        string text;
        using (var reader = new StreamReader(new MemoryStream(input), Utf8NoBom, detectEncodingFromByteOrderMarks: true))
        {
            text = reader.ReadToEnd();
        }

        try
        {
            return PolicyYaml.Parse(text, SourceName);
        }
        catch (QaValidationException ex)
        {
            if (ex.Errors.Count == 0)
            {
                throw new FuzzFailureException("A refusal names no error.", ex);
            }

            foreach (var e in ex.Errors)
            {
                if (string.IsNullOrEmpty(e.Id) || e.Location is null || !e.Location.StartsWith(SourceName, StringComparison.Ordinal))
                {
                    throw new FuzzFailureException($"A refusal lacks an id or a location in the file: {e}", ex);
                }
            }

            return null;
        }
    }

    private static IEnumerable<QaRuleset> Render(byte[] input, QaBackend backend)
    {
        if (Read(input) is not { } policy)
        {
            yield break;
        }

        var resolved = ResolvedPolicy.Create(policy);
        foreach (var slot in resolved.Topology.AllSlots().Where(s => s.Backend == backend))
        {
            QaRuleset ruleset;
            try
            {
                ruleset = QaRenderer.Render(resolved, slot.Network, slot.VirtHost, slot.Backend, Options);
            }
            catch (QaValidationException ex)
            {
                throw new FuzzFailureException($"A policy the reader accepted cannot be rendered for {slot}: {ex.Message}", ex);
            }

            yield return ruleset;
        }
    }

    private static void Require(bool condition, QaRuleset ruleset, string what)
    {
        if (!condition)
        {
            throw new FuzzFailureException($"{ruleset.Backend} for {ruleset.Host} does not read back as rendered: {what}.\n{ruleset.Text}");
        }
    }
}

/// <summary>A broken promise found by a fuzz target (as opposed to an exception QaNet itself threw).</summary>
public sealed class FuzzFailureException : Exception
{
    public FuzzFailureException(string message)
        : base(message)
    {
    }

    public FuzzFailureException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FuzzFailureException()
    {
    }
}
