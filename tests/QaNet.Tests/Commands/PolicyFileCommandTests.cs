using QaNet.Core.Model;
using QaNet.Core.Validation;

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

    [Theory]
    // Issue 17, bug 9: the error named an internal temp file (.x.yaml.<guid>.tmp) and gave no fix.
    [InlineData("Export-QaPolicy -Path ./nodir/x.yaml", "QaNet.Commands.ExportQaPolicyCommand")]
    [InlineData("Export-QaPolicy -Path ./nodir/x.yaml -WhatIf", "QaNet.Commands.ExportQaPolicyCommand")]
    [InlineData("Test-QaReachability -All | Export-QaReachabilityReport -Path ./nodir/r.html", "QaNet.Commands.ExportQaReachabilityReportCommand")]
    public void Export_into_a_folder_that_does_not_exist_names_the_path_and_the_folder_and_writes_nothing(string call, string cmdlet)
    {
        using var s = PowerShellSession.WithQaPolicy();
        var error = Assert.Single(s.Errors($"Set-Location '{directory}'; {call}"));
        Assert.Equal("OutputFolderNotFound," + cmdlet, error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.StartsWith("./nodir/", Assert.IsType<string>(error.TargetObject), StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error.ToString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
    }

    [Fact]
    public void A_failed_write_names_the_file_not_the_temporary_one_and_leaves_no_temporary_file()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var target = Directory.CreateDirectory(Path.Combine(directory, "qa.yaml")).FullName;   // a folder where the file should go
        var error = Assert.Single(s.Errors($"Export-QaPolicy -Path '{target}'"));
        Assert.Equal("PolicyWriteFailed,QaNet.Commands.ExportQaPolicyCommand", error.FullyQualifiedErrorId);
        Assert.Equal(target, error.TargetObject);
        Assert.DoesNotContain(".tmp", error.ToString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
        Assert.Equal([target], Directory.EnumerateFileSystemEntries(directory));
    }

    [Fact]
    public void A_file_with_five_mistakes_gives_five_error_records_each_with_its_id_and_place()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var file = Path.Combine(directory, "five.yaml");
        File.WriteAllText(file, """
            version: 1
            name: five
            networks:
              - name: qa-clients
                mode: nat
                subnet: 192.168.150.0/24
                virthosts: [virthost-comm01]
                colour: blue
                clients:
                  - name: c1
                    roles: [taskotron]
                    virthost: virthost-comm01
            endpoints:
              - name: koji
                addresses: [203.0.113.10]
                ports: [443/tpc]
              - name: bodhi
                addresses: [203.0.113.12]
                ports: 443/tcp
            rules:
              - id: r1
                kind: egress
                from: [rol:taskotron]
                to: [endpoint:koji]
                priority: high
            """);

        var errors = s.Errors($"Import-QaPolicy -Path '{file}'");

        Assert.Equal(
            [
                (QaErrorIds.PolicyUnknownKey, $"{file}:8:5"),
                (QaErrorIds.InvalidPort, $"{file}:16:13"),
                (QaErrorIds.PolicyWrongType, $"{file}:19:12"),
                (QaErrorIds.InvalidSelector, $"{file}:23:12"),
                (QaErrorIds.PolicyWrongType, $"{file}:25:15"),
            ],
            errors.Select(e => (Assert.Single(Assert.IsType<QaValidationException>(e.Exception).Errors).Id,
                Assert.Single(((QaValidationException)e.Exception).Errors).Location)));
        Assert.All(errors, e =>
        {
            var problem = ((QaValidationException)e.Exception).Errors[0];
            Assert.Equal($"{problem.Id},QaNet.Commands.ImportQaPolicyCommand", e.FullyQualifiedErrorId);
            Assert.Equal(file, e.TargetObject);
            Assert.StartsWith(problem.Location + ": ", e.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Equal(problem.Fix, e.ErrorDetails.RecommendedAction);
        });
        Assert.Equal("qa", s.Single<QaPolicy>("Get-QaPolicy").Name);
    }

    [Fact]
    public void A_misspelled_required_key_is_one_PolicyUnknownKey_with_the_key_it_meant_not_also_a_missing_key()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var file = Path.Combine(directory, "typo.yaml");
        File.WriteAllText(file, """
            version: 1
            name: typo
            networks:
              - name: qa-clients
                mode: nat
                subnett: 192.168.150.0/24
                virthosts: [virthost-comm01]
            """);

        var error = Assert.Single(s.Errors($"Import-QaPolicy -Path '{file}'"));

        Assert.Equal("PolicyUnknownKey,QaNet.Commands.ImportQaPolicyCommand", error.FullyQualifiedErrorId);
        var problem = Assert.Single(Assert.IsType<QaValidationException>(error.Exception).Errors);
        Assert.Equal($"{file}:6:5", problem.Location);
        Assert.Contains("Did you mean 'subnet'?", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_required_key_that_is_simply_absent_is_still_PolicyMissingKey()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var file = Path.Combine(directory, "nosubnet.yaml");
        File.WriteAllText(file, """
            version: 1
            name: nosubnet
            networks:
              - name: qa-clients
                mode: nat
                colour: blue
                virthosts: [virthost-comm01]
            """);

        Assert.Equal(["PolicyMissingKey,QaNet.Commands.ImportQaPolicyCommand", "PolicyUnknownKey,QaNet.Commands.ImportQaPolicyCommand"],
            s.Errors($"Import-QaPolicy -Path '{file}'").Select(e => e.FullyQualifiedErrorId));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
