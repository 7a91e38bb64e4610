using System.Globalization;
using System.Net;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>Typed reads of single keys: each reports a wrong type or a bad value at the value's position.</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] DateFormats =
    {
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    };

    /// <summary>The node as a mapping checked against <paramref name="allowed"/>, or null (and an error) when it is not one.</summary>
    private Fields? ReadMapping(YamlNode node, string path, IReadOnlyList<string> allowed)
    {
        if (node is YamlMapping mapping)
        {
            return new Fields(errors, mapping, path, allowed);
        }

        WrongType(node, path, "a mapping (key: value lines)");
        return null;
    }

    /// <summary>The items of a list; a missing or empty key is an empty list.</summary>
    private IReadOnlyList<YamlNode> ReadList(Fields fields, string key)
    {
        var node = fields[key];
        switch (node)
        {
            case null:
                return Array.Empty<YamlNode>();
            case YamlSequence sequence:
                return sequence.Items;
            default:
                WrongType(node, Fields.Join(fields.Path, key), "a list ([a, b] or '- ' lines)");
                return Array.Empty<YamlNode>();
        }
    }

    private string? ReadString(Fields fields, string key, bool required = false)
    {
        var node = fields[key];
        if (node is null)
        {
            if (required)
            {
                Missing(fields, key);
            }

            return null;
        }

        return ScalarText(node, Fields.Join(fields.Path, key));
    }

    /// <summary>The text of a single value, or null (and an error) for a list or mapping.</summary>
    private string? ScalarText(YamlNode node, string path)
    {
        if (node is YamlScalar { IsNull: false } scalar)
        {
            return scalar.Value;
        }

        WrongType(node, path, "a single value");
        return null;
    }

    /// <summary>A list of single values; <paramref name="allowSingle"/> also takes one bare value.</summary>
    private List<(string Text, YamlNode Node)> ReadStrings(Fields fields, string key, bool allowSingle = false, bool required = false)
    {
        var result = new List<(string, YamlNode)>();
        var node = fields[key];
        if (node is null)
        {
            if (required)
            {
                Missing(fields, key);
            }

            return result;
        }

        var path = Fields.Join(fields.Path, key);
        if (allowSingle && node is YamlScalar single)
        {
            result.Add((single.Value, single));
            return result;
        }

        if (node is not YamlSequence sequence)
        {
            WrongType(node, path, "a list of values ([a, b])");
            return result;
        }

        foreach (var item in sequence.Items)
        {
            if (ScalarText(item, path) is { } text)
            {
                result.Add((text, item));
            }
        }

        return result;
    }

    private int? ReadInt(Fields fields, string key)
    {
        var node = fields[key];
        if (node is null || ScalarText(node, Fields.Join(fields.Path, key)) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        WrongType(node, Fields.Join(fields.Path, key), "a whole number");
        return null;
    }

    private bool? ReadBool(Fields fields, string key)
    {
        var node = fields[key];
        if (node is null || ScalarText(node, Fields.Join(fields.Path, key)) is not { } text)
        {
            return null;
        }

        switch (text)
        {
            case "true" or "True" or "TRUE": return true;
            case "false" or "False" or "FALSE": return false;
            default:
                WrongType(node, Fields.Join(fields.Path, key), "true or false");
                return null;
        }
    }

    private DateTimeOffset? ReadDate(Fields fields, string key)
    {
        var node = fields[key];
        if (node is null || ScalarText(node, Fields.Join(fields.Path, key)) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        WrongType(node, Fields.Join(fields.Path, key), "a date and time such as 2026-12-31T00:00:00Z (or a date, 2026-12-31)");
        return null;
    }

    /// <summary>One of a few words, case-insensitive; null (and an error naming the choices) otherwise.</summary>
    private T? ReadChoice<T>(Fields fields, string key, bool required, params (string Word, T Value)[] choices)
        where T : struct
    {
        var text = ReadString(fields, key, required);
        if (text is null)
        {
            return null;
        }

        foreach (var (word, value) in choices)
        {
            if (string.Equals(text.Trim(), word, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        var path = Fields.Join(fields.Path, key);
        var words = string.Join(", ", choices.Select(c => c.Word));
        errors.Add(fields[key]!, QaErrorIds.PolicyWrongType, path,
            $"'{text}' is not a valid {key} at {path}.", $"Use one of: {words}.");
        return null;
    }

    private IPAddress? ParseAddress(string text, YamlNode node, string path)
    {
        if (PolicyParts.TryParseAddress(text, out var address))
        {
            return address;
        }

        errors.Add(node, PolicyParts.InvalidAddress(text, path, path, $"at {path}", "Write a single address such as 192.168.150.10 or fd00:150::10."));
        return null;
    }

    private IPNetwork? ParseCidr(string text, YamlNode node, string path)
    {
        if (IpMath.TryParseCidr(text, out var network))
        {
            return network;
        }

        errors.Add(node, PolicyParts.InvalidSubnet(text, path, path, $"at {path}"));
        return null;
    }

    private QaPortRange? ParsePort(string text, YamlNode node, string path)
    {
        if (QaPortRange.TryParse(text, out var range, out var error))
        {
            return range;
        }

        errors.Add(node, error! with { Target = path, Path = path });
        return null;
    }

    private QaSelector? ParseSelector(string text, YamlNode node, string path)
    {
        if (QaSelector.TryParse(text, out var selector, out var error))
        {
            return selector;
        }

        errors.Add(node, error! with { Target = path, Path = path });
        return null;
    }

    private void WrongType(YamlNode node, string path, string expected) =>
        errors.Add(node, QaErrorIds.PolicyWrongType, path,
            $"{path} should be {expected}, but it is {node.KindName}.",
            $"Write {path} as {expected} (see docs/policy-format.md).");

    private void Missing(Fields fields, string key)
    {
        if (fields.Misspelled(key))
        {
            return;
        }

        var path = Fields.Join(fields.Path, key);
        var where = fields.Path.Length == 0 ? "The policy" : fields.Path;
        errors.Add(fields.Node, QaErrorIds.PolicyMissingKey, path,
            $"{where} has no '{key}' (or it has no value).", $"Add '{key}:' with a value (see docs/policy-format.md).");
    }
}
