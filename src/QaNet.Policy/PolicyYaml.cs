using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy.Reading;
using QaNet.Policy.Writing;

namespace QaNet.Policy;

/// <summary>
/// Reads and writes QaNet policy files (docs/policy-format.md). Only Core types and strings
/// cross this API: the assembly lives in a private AssemblyLoadContext with its YamlDotNet.
/// </summary>
public static class PolicyYaml
{
    /// <summary>The largest policy file accepted, in bytes of UTF-8.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    /// <summary>How many lists and mappings may nest inside each other.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Parses and validates a policy. Anything wrong with the text, in any way, ends in one
    /// <see cref="QaValidationException"/> listing every problem found, each located as
    /// <c><paramref name="sourceName"/>:line:column</c>.
    /// </summary>
    public static QaPolicy Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (text.Length > MaxFileBytes || System.Text.Encoding.UTF8.GetByteCount(text) > MaxFileBytes)
        {
            throw TooLarge(sourceName);
        }

        return PolicyReader.Read(text, sourceName);
    }

    /// <summary>The policy as YAML: documented key order, every value written, the same text for the same policy.</summary>
    public static string Serialize(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return PolicyWriter.Write(policy);
    }

    /// <summary>The error for a file over <see cref="MaxFileBytes"/>, also used before a large file is read at all.</summary>
    public static QaValidationException TooLarge(string sourceName) =>
        new(new QaValidationError(QaErrorIds.PolicyTooLarge, "file", null,
            $"The policy file is larger than {MaxFileBytes / (1024 * 1024)} MiB.",
            "A policy this large is almost certainly not a policy; check the path, or split networks into separate files.")
            .At(sourceName));
}
