using System.Text.RegularExpressions;
using QaNet.Core.Engine;
using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>
/// The walkthroughs users type (README "Using the module", about_QaNet "A WALKTHROUGH") run as
/// written, in a fresh session in a folder of their own; issue 17 asked for adding a host name
/// and changing a rule's priority there. Lines that need the built module path or real hosts
/// (build, Import-Module, Publish-/Test-QaNetwork) are left out; the rest runs without an error.
/// </summary>
public sealed class WalkthroughTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("qanet-walk-").FullName;

    public WalkthroughTests()
    {
        // The README's relative paths are the repository's.
        var policies = Directory.CreateDirectory(Path.Combine(directory, "examples", "policies")).FullName;
        File.Copy(ExamplePolicies.PathOf(ExamplePolicies.FedoraQaFile), Path.Combine(policies, ExamplePolicies.FedoraQaFile));
    }

    private static bool Runnable(string line) =>
        !Regex.IsMatch(line, @"^\s*(\./build\.sh|Import-Module)|Publish-QaNetwork|Test-QaNetwork");

    [Fact]
    public void The_README_walkthrough_runs_as_typed_and_adds_a_host_name_and_changes_a_priority()
    {
        var readme = File.ReadAllText(Path.Combine(ExamplePolicies.RepoRoot, "README.md"));
        var block = Regex.Match(readme, @"## Using the module\s+```powershell\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("Add-QaHostName", block, StringComparison.Ordinal);
        Assert.Contains("Set-QaRule", block, StringComparison.Ordinal);
        var script = string.Join('\n', block.Split('\n').Where(Runnable));

        using var s = new PowerShellSession();
        s.Run($"Set-Location '{directory}'");
        var output = s.Run(script);
        var p = s.Single<QaPolicy>("$p");
        Assert.Equal(500, p.FindRule("egress-taskotron-koji")!.Priority);
        Assert.Equal("203.0.113.10", Assert.Single(p.Hosts["koji.fedoraproject.org"]).ToString());
        Assert.Contains(output, o => o.BaseObject is QaReachabilityResult { Allowed: true, RuleId: "egress-taskotron-koji" });
        Assert.True(File.Exists(Path.Combine(directory, "qa.yaml")));
    }

    [Fact]
    public void The_about_QaNet_walkthrough_runs_as_typed()
    {
        var about = File.ReadAllText(Path.Combine(ExamplePolicies.RepoRoot, "module", "QaNet", "en-US", "about_QaNet.help.txt"));
        var section = Regex.Match(about, @"  A WALKTHROUGH\n(.*?)\n  [A-Z]", RegexOptions.Singleline).Groups[1].Value;
        // The commands are the lines indented eight spaces (and their continuations); the rest is prose.
        var script = string.Join('\n', section.Split('\n').Where(l => l.StartsWith("        ", StringComparison.Ordinal)).Where(Runnable));
        Assert.Contains("Add-QaHostName", script, StringComparison.Ordinal);
        Assert.Contains("Set-QaRule", script, StringComparison.Ordinal);

        using var s = new PowerShellSession();
        s.Run($"Set-Location '{directory}'");
        var output = s.Run(script);
        Assert.Contains(output, o => o.BaseObject is QaReachabilityResult { Allowed: true, RuleId: "egress-taskotron-koji" });
        var imported = s.Single<QaPolicy>("Get-QaPolicy");
        Assert.Equal(500, imported.FindRule("egress-taskotron-koji")!.Priority);
        Assert.True(imported.Hosts.ContainsKey("koji.fedoraproject.org"));
    }

    [Fact]
    public void The_README_pipeline_block_runs_as_typed()
    {
        var readme = File.ReadAllText(Path.Combine(ExamplePolicies.RepoRoot, "README.md"));
        var block = Regex.Match(readme, @"Nouns pipe into each other.*?```powershell\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("| Get-QaClient", block, StringComparison.Ordinal);

        using var s = new PowerShellSession();
        s.Run($"Set-Location '{directory}'");
        var output = s.Run(block);
        var p = s.Single<QaPolicy>("Get-QaPolicy");
        Assert.Equal(["egress-taskotron-client01-koji", "egress-taskotron-client02-koji", "egress-taskotron-client03-koji"],
            p.Rules.Select(r => r.Id).Where(id => id.StartsWith("egress-", StringComparison.Ordinal)));
        Assert.Equal(p.Clients.Count(), output.Count(o => o.BaseObject is QaReachabilityResult { To: "koji" }));
        Assert.True(File.Exists(Path.Combine(directory, "clients.csv")));
        Assert.NotNull(p.FindEndpoint("koji"));
        Assert.Equal(5, p.Clients.Count());
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
