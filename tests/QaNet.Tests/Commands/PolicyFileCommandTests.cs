using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>
/// Import-/Export-QaPolicy around the file itself: paths resolve against the PowerShell
/// location, -NoClobber and -WhatIf. The YAML round trip is in tests/pester/Module.Tests.ps1.
/// </summary>
public sealed class PolicyFileCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("qanet-cmd-").FullName;

    [Fact]
    public void Relative_paths_resolve_against_the_PowerShell_location_not_the_process_directory()
    {
        using var s = PowerShellSession.WithQaPolicy();
        File.WriteAllText(Path.Combine(directory, "qa.yaml"), "existing");
        var error = Assert.Single(s.Errors($"Set-Location '{directory}'; Export-QaPolicy -Path ./qa.yaml -NoClobber"));
        Assert.Equal("PolicyFileExists,QaNet.Commands.ExportQaPolicyCommand", error.FullyQualifiedErrorId);
        Assert.Equal(Path.Combine(directory, "qa.yaml"), error.TargetObject);

        var missing = Assert.Single(s.Errors($"Set-Location '{directory}'; Import-QaPolicy -Path ./missing.yaml"));
        Assert.Equal("PolicyFileNotFound,QaNet.Commands.ImportQaPolicyCommand", missing.FullyQualifiedErrorId);
    }

    [Fact]
    public void Export_WhatIf_writes_nothing()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var file = Path.Combine(directory, "qa.yaml");
        Assert.Empty(s.Run($"Export-QaPolicy -Path '{file}' -WhatIf"));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void A_failed_import_keeps_the_current_policy()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Errors($"Import-QaPolicy -Path '{Path.Combine(directory, "missing.yaml")}'");
        Assert.Equal("qa", s.Single<QaPolicy>("Get-QaPolicy").Name);
    }

    [Fact]
    public void Export_then_Import_round_trips_and_makes_the_import_current()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var file = Path.Combine(directory, "qa.yaml");
        var info = s.Single<FileInfo>($"Export-QaPolicy -Path '{file}' -PassThru");
        Assert.Equal(file, info.FullName);
        var imported = s.Single<QaPolicy>($"Import-QaPolicy -Path '{file}'");
        Assert.Same(imported, s.Single<QaPolicy>("Get-QaPolicy"));
        Assert.Equal(["taskotron-client01", "taskotron-client02", "beaker-client01"], imported.Clients.Select(c => c.Name));
        Assert.Equal(2, imported.Rules.Count);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
