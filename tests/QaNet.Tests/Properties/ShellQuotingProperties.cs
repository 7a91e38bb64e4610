using System.Text;
using CsCheck;
using QaNet.Core.Hosts;

namespace QaNet.Tests.Properties;

/// <summary>
/// PosixShell.Quote is the one place QaNet builds shell text (ssh's remote words, on-host sh
/// files): whatever the string, the quoted word is one word that a POSIX shell reads back as
/// exactly that string. Checked against a model of sh's quoting and against a real sh.
/// </summary>
public sealed class ShellQuotingProperties
{
    // What ends or expands an unquoted word in sh (XCU 2.2, 2.6); '#' and '~' only at its start.
    private const string Unquoted = " \t\n;&|<>()$`\"'\\*?[";

    [Fact]
    public void Quote_makes_one_word_that_reads_back_as_the_string() =>
        HostileText.Text.Sample(s =>
        {
            Assert.Equal(s, ReadWord(PosixShell.Quote(s)));
            Assert.Equal(s, ReadWord(PosixShell.QuoteIfNeeded(s)));
        }, iter: HostileText.Iterations * 5);

    [Fact]
    public void A_real_sh_prints_every_quoted_word_as_the_string() =>
        // One sh per sample of 30 strings: printf '%s\0' with the quoted words as its arguments,
        // the script on stdin (sh -s) so no script text reaches an argument vector. NUL cannot
        // be in an argument or a C string, so it is left out here; the model test covers it.
        HostileText.Text.Select(t => t.Replace("\0", string.Empty, StringComparison.Ordinal)).Array[1, 30].Sample(words =>
        {
            // A '.' before each word, in the one write printf makes: .NET's reader of a program's
            // output drops a byte-order mark that starts the output or the read after a 1-byte one,
            // and a string may start with U+FEFF.
            var script = new StringBuilder("printf '.%s\\000'");
            foreach (var w in words)
            {
                script.Append(' ').Append(PosixShell.Quote(w));
            }

            var result = ProcessRunner.Instance.RunAsync(CommandSpec.Of("sh", "-s").WithStdin(script.Append('\n').ToString())).GetAwaiter().GetResult();
            Assert.True(result.Succeeded, $"sh failed ({result.ExitCode}): {result.Stderr}");
            var printed = result.Stdout.Split('\0');
            Assert.All(printed[..^1], p => Assert.StartsWith(".", p, StringComparison.Ordinal));
            Assert.Equal(words, printed[..^1].Select(p => p[1..]));
        }, iter: 60, threads: 2);

    /// <summary>sh's reading of one word made of plain characters, '…' quotes and \-escapes; null when it is not exactly one literal word.</summary>
    private static string? ReadWord(string text)
    {
        if (text.Length == 0 || text[0] is '#' or '~')
        {
            return null;
        }

        var sb = new StringBuilder();
        for (var i = 0; i < text.Length;)
        {
            switch (text[i])
            {
                case '\'':
                    var end = text.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        return null;
                    }

                    sb.Append(text, i + 1, end - i - 1);
                    i = end + 1;
                    break;
                case '\\':
                    if (i + 1 >= text.Length || text[i + 1] == '\n')
                    {
                        return null;
                    }

                    sb.Append(text[i + 1]);
                    i += 2;
                    break;
                case var c when Unquoted.Contains(c, StringComparison.Ordinal):
                    return null;
                default:
                    sb.Append(text[i]);
                    i++;
                    break;
            }
        }

        return sb.ToString();
    }
}
