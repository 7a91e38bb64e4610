using QaNet.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace QaNet.Policy.Yaml;

/// <summary>
/// Turns YAML text into a <see cref="YamlNode"/> tree with YamlDotNet's event parser, refusing
/// what a policy never needs and what makes YAML surprising: tags, anchors and aliases,
/// duplicate keys, several documents, and nesting deeper than <see cref="PolicyYaml.MaxDepth"/>.
/// </summary>
internal sealed class YamlTreeReader
{
    private readonly Parser parser;
    private readonly PolicyErrors errors;

    // Set when reading cannot go on (syntax error, too deep); the partial tree is dropped.
    private bool aborted;

    private YamlTreeReader(string text, PolicyErrors errors)
    {
        parser = new Parser(new StringReader(text));
        this.errors = errors;
    }

    /// <summary>The root node, or null when the file holds no document or reading had to stop.</summary>
    public static YamlNode? Read(string text, PolicyErrors errors)
    {
        var reader = new YamlTreeReader(text, errors);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException ex)
        {
            reader.SyntaxError(ex.Start, StripMark(ex.Message));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner has been seen to fail this way on some malformed input (an
            // unclosed '[' at the end of the file); that is still just a syntax error to the user.
            reader.SyntaxError(reader.parser.Current?.Start ?? Mark.Empty, "the parser stopped after this point.");
            return null;
        }
    }

    private void SyntaxError(Mark at, string message) =>
        errors.Add(Line(at), Column(at), new QaValidationError(QaErrorIds.PolicySyntax, "file", null,
            $"The file is not valid YAML: {message}",
            "Fix the YAML syntax at this position (indentation, a missing ':', an unclosed bracket or quote)."));

    private YamlNode? ReadStream()
    {
        parser.Consume<StreamStart>();
        if (parser.TryConsume<StreamEnd>(out _))
        {
            return null;
        }

        parser.Consume<DocumentStart>();
        var root = ReadNode(depth: 0);
        if (aborted)
        {
            return null;
        }

        parser.Consume<DocumentEnd>();
        if (parser.Accept<DocumentStart>(out var second))
        {
            errors.Add(Line(second.Start), Column(second.Start), new QaValidationError(QaErrorIds.PolicyMultipleDocuments, "file", null,
                "The file holds more than one YAML document ('---').",
                "Keep one policy per file: remove the second '---' and what follows it, or move it to its own file."));
        }

        return root;
    }

    private YamlNode ReadNode(int depth)
    {
        var current = parser.Current ?? throw new YamlException("Unexpected end of the YAML stream.");
        var line = Line(current.Start);
        var column = Column(current.Start);
        if (current is AnchorAlias alias)
        {
            parser.MoveNext();
            errors.Add(line, column, new QaValidationError(QaErrorIds.PolicyAliasNotAllowed, "file", null,
                $"The alias '*{alias.Value}' is not allowed in a policy file.",
                "Write the value out in full; policy files use no anchors (&) or aliases (*)."));
            return new YamlScalar(string.Empty, isPlain: true, line, column);
        }

        if (current is NodeEvent node)
        {
            if (!node.Anchor.IsEmpty)
            {
                errors.Add(line, column, new QaValidationError(QaErrorIds.PolicyAliasNotAllowed, "file", null,
                    $"The anchor '&{node.Anchor.Value}' is not allowed in a policy file.",
                    "Remove the anchor and write repeated values out in full; policy files use no anchors (&) or aliases (*)."));
            }

            if (!node.Tag.IsEmpty)
            {
                errors.Add(line, column, new QaValidationError(QaErrorIds.PolicyTagNotAllowed, "file", null,
                    $"The YAML tag '{node.Tag.Value}' is not allowed in a policy file.",
                    "Remove the tag ('!…' or '!!…'); every key has one fixed type, documented in docs/policy-format.md."));
            }
        }

        switch (current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return new YamlScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, line, column);
            case SequenceStart:
                return ReadSequence(depth + 1, line, column);
            case MappingStart:
                return ReadMapping(depth + 1, line, column);
            default:
                throw new YamlException(current.Start, current.End, $"Unexpected {current.GetType().Name}.");
        }
    }

    private YamlSequence ReadSequence(int depth, int line, int column)
    {
        var sequence = new YamlSequence(line, column);
        if (TooDeep(depth, line, column))
        {
            return sequence;
        }

        parser.MoveNext();
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            sequence.Items.Add(ReadNode(depth));
            if (aborted)
            {
                return sequence;
            }
        }

        return sequence;
    }

    private YamlMapping ReadMapping(int depth, int line, int column)
    {
        var mapping = new YamlMapping(line, column);
        if (TooDeep(depth, line, column))
        {
            return mapping;
        }

        parser.MoveNext();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = ReadNode(depth);
            var value = aborted ? null : ReadNode(depth);
            if (aborted || value is null)
            {
                return mapping;
            }

            if (key is not YamlScalar scalarKey || scalarKey.IsNull)
            {
                errors.Add(key.Line, key.Column, new QaValidationError(QaErrorIds.PolicyWrongType, "file", null,
                    $"A key must be a plain name, not {key.KindName}.",
                    "Write keys as names ('name:', 'subnet:'); complex keys ('? …') are not used in policy files."));
            }
            else if (!keys.Add(scalarKey.Value))
            {
                errors.Add(key.Line, key.Column, new QaValidationError(QaErrorIds.PolicyDuplicateKey, scalarKey.Value, null,
                    $"The key '{scalarKey.Value}' appears twice in the same mapping.",
                    "Keep one of them; YAML would silently let the last one win."));
            }
            else
            {
                mapping.Entries.Add(new KeyValuePair<YamlScalar, YamlNode>(scalarKey, value));
            }
        }

        return mapping;
    }

    private bool TooDeep(int depth, int line, int column)
    {
        if (depth <= PolicyYaml.MaxDepth)
        {
            return false;
        }

        errors.Add(line, column, new QaValidationError(QaErrorIds.PolicyTooDeep, "file", null,
            $"The file nests lists and mappings more than {PolicyYaml.MaxDepth} levels deep.",
            "A policy needs only a few levels (networks → clients → roles); remove the extra nesting."));
        aborted = true;
        return true;
    }

    private static string StripMark(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: …): "; our location says that already.
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && at >= 0 ? message[(at + 3)..] : message;
    }

    private static int Line(Mark mark) => (int)Math.Clamp(mark.Line, 1, int.MaxValue);

    private static int Column(Mark mark) => (int)Math.Clamp(mark.Column, 1, int.MaxValue);
}
