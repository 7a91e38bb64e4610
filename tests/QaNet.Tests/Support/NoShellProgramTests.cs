using System.Text.RegularExpressions;

namespace QaNet.Tests.Support;

/// <summary>
/// QaNet runs argument vectors, never shell programs: no source file of the module hands a
/// string to <c>sh -c</c> (or bash/dash), in any spelling the argument vector can take.
/// </summary>
public sealed partial class NoShellProgramTests
{
    [GeneratedRegex(@"""(/bin/|/usr/bin/)?(ba|da)?sh""\s*,\s*""-[a-z]*c[a-z]*""")]
    private static partial Regex ShellDashC();

    [Fact]
    public void No_source_file_runs_a_shell_with_a_command_string()
    {
        var src = Path.Combine(ExamplePolicies.RepoRoot, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).ToList();
        Assert.True(files.Count > 50, $"only {files.Count} source files under {src}");

        var hits = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => ShellDashC().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(src, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(hits.Count == 0, "shell programs in src/:\n" + string.Join('\n', hits));
    }

    [Theory]
    [InlineData("new[] { \"-n\", \"--\", \"sh\", \"-c\", script }")]
    [InlineData("CommandSpec.Of(\"bash\", \"-c\", line)")]
    [InlineData("CommandSpec.Of(\"/bin/sh\", \"-ec\", line)")]
    public void The_pattern_finds_the_spellings_it_is_for(string line) => Assert.Matches(ShellDashC(), line);
}
