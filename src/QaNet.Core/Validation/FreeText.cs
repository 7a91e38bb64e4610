namespace QaNet.Core.Validation;

/// <summary>
/// The rule for free text (descriptions, an endpoint's environment): any printable text, with
/// line breaks and tabs, but none of the characters that hide or reorder what a reader of the
/// policy, its export or a terminal sees (Trojan Source): other control characters (C0, DEL,
/// C1), the YAML 1.1 line breaks NEL, LS and PS, bidi embeddings, overrides and isolates,
/// zero-width marks and the byte-order mark. Such text reaches no artifact today; it is refused
/// so that what is exported and shown is what was meant.
/// </summary>
public static class FreeText
{
    /// <summary>The first character the rule refuses, or null when the text is acceptable.</summary>
    public static char? FirstRefused(string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var c in text)
        {
            if (IsRefused(c))
            {
                return c;
            }
        }

        return null;
    }

    public static bool IsRefused(char c) =>
        (c < 0x20 && c is not '\n' and not '\t') || c is >= '\u007f' and <= '\u009f' || c is '\u2028' or '\u2029' or '\ufeff' ||
        c is >= '\u200b' and <= '\u200f' || c is >= '\u202a' and <= '\u202e' || c is >= '\u2066' and <= '\u2069';

    /// <summary>How a refused character is named in an error: its code point and, for the usual ones, a word.</summary>
    public static string Describe(char c) => $"U+{(int)c:X4}" + (c switch
    {
        '\r' => " (carriage return)",
        '\0' => " (NUL)",
        '\u0085' => " (NEL)",
        '\u2028' => " (line separator)",
        '\u2029' => " (paragraph separator)",
        '\ufeff' => " (byte-order mark)",
        >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' => " (bidi control)",
        >= '\u200b' and <= '\u200f' => " (zero-width or direction mark)",
        _ => " (control character)",
    });
}
