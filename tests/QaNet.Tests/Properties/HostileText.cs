using CsCheck;

namespace QaNet.Tests.Properties;

/// <summary>
/// Generators for the quoting properties: strings made mostly of what means something to one of
/// the formats QaNet writes (quotes, backslashes, shell and YAML punctuation, line breaks, NUL,
/// the characters FreeText refuses), and names that are valid but for a small hostile tail, so
/// both the refused and the accepted side of every validator are tried.
/// </summary>
internal static class HostileText
{
    // The formats' own metacharacters and the invisible or line-breaking ones.
    private const string Specials = "\"'\\`$;#{}[]()<>|&*?!%@:,=-+_~^/ .\t\n\r\0\u0085\u00a0\u2028\u2029\u200b\u200e\u202e\u2066\ufeff\u0130\u212a";

    public static readonly Gen<char> Char = Gen.Frequency(
        (5, Gen.Char['a', 'z']),
        (2, Gen.Char['0', '9']),
        (5, Gen.Char[Specials]),
        (1, Gen.Char['\u0000', '\u007f']),
        (1, Gen.Char['\u0080', '\ud7ff']));

    /// <summary>Any text, 0 to 40 characters, never a lone surrogate (no writer's output could carry one).</summary>
    public static readonly Gen<string> Text = Char.Array[0, 40].Select(a => new string(a));

    private static readonly Gen<string> NameChars = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789.-"].Array[1, 70].Select(a => new string(a));

    /// <summary>A name-shaped string: all name characters, or a name with a hostile prefix or suffix, or any text.</summary>
    public static readonly Gen<string> NameLike = Gen.OneOf(
        NameChars,
        Gen.Select(NameChars, Text, (name, tail) => name + tail),
        Gen.Select(Text, NameChars, (head, name) => head + name),
        Gen.Select(NameChars, Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const("\r"), Gen.Const("\0"), Gen.Const(" ")), (name, end) => name + end),
        Text);

    public const int Iterations = 400;

    /// <summary>A string as a C# literal, every character outside printable ASCII as \uXXXX: what a failing sample prints.</summary>
    public static string Show(string s) =>
        "\"" + string.Concat(s.Select(c => c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}")) + "\"";
}
