using System.Text;

namespace QaNet.Core.Hosts;

/// <summary>
/// Quoting for POSIX sh. The only place QaNet builds shell text: ssh joins its remote words
/// into one string that the remote shell parses, and on-host scripts are sh files.
/// </summary>
public static class PosixShell
{
    /// <summary>Always single-quotes: <c>it's</c> becomes <c>'it'\''s'</c>.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var sb = new StringBuilder(word.Length + 2);
        sb.Append('\'');
        foreach (var c in word)
        {
            if (c == '\'')
            {
                sb.Append("'\\''");
            }
            else
            {
                sb.Append(c);
            }
        }

        sb.Append('\'');
        return sb.ToString();
    }

    /// <summary>Quotes only words that need it; for readable logs and plans.</summary>
    public static string QuoteIfNeeded(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.Length > 0 && word.All(IsSafe) ? word : Quote(word);
    }

    private static bool IsSafe(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or '@' or ',' or '+' or '%';
}
