using System.Text;
using QaNet.Commands.Loading;
using QaNet.Core.Validation;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Policy;

public sealed class PolicyFilesTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("qanet-policy-");

    public void Dispose() => dir.Delete(recursive: true);

    [Fact]
    public void Load_reads_the_example_and_remembers_where_from()
    {
        var policy = PolicyFiles.Load(ExamplePolicies.FedoraQaPath);
        Assert.Equal("fedora-qa", policy.Name);
        Assert.Equal(Path.GetFullPath(ExamplePolicies.FedoraQaPath), policy.SourcePath);
    }

    [Fact]
    public void Load_of_a_missing_file_is_PolicyFileNotFound()
    {
        var path = Path.Combine(dir.FullName, "nope.yaml");
        var error = Assert.Single(Assert.Throws<QaValidationException>(() => PolicyFiles.Load(path)).Errors);
        Assert.Equal(QaErrorIds.PolicyFileNotFound, error.Id);
        Assert.Equal(path, error.Location);
    }

    [Fact]
    public void Load_of_a_directory_is_PolicyFileNotFound()
    {
        var ex = Assert.Throws<QaValidationException>(() => PolicyFiles.Load(dir.FullName));
        Assert.Equal(QaErrorIds.PolicyFileNotFound, ex.ErrorId);
    }

    [Fact]
    public void Load_refuses_a_huge_file_without_reading_it()
    {
        var path = Path.Combine(dir.FullName, "huge.yaml");
        using (var stream = File.Create(path))
        {
            stream.SetLength(4L * 1024 * 1024 * 1024);
        }

        var ex = Assert.Throws<QaValidationException>(() => PolicyFiles.Load(path));
        Assert.Equal(QaErrorIds.PolicyTooLarge, ex.ErrorId);
    }

    [Fact]
    public void Errors_in_a_loaded_file_are_located_by_its_full_path()
    {
        var path = Path.Combine(dir.FullName, "bad.yaml");
        File.WriteAllText(path, MinimalWithLine(5, "    mood: nat"));
        var ex = Assert.Throws<QaValidationException>(() => PolicyFiles.Load(path));
        Assert.Equal(new[] { $"PolicyMissingKey {path}:4:5", $"PolicyUnknownKey {path}:5:5" }, ex.Errors.Select(e => $"{e.Id} {e.Location}"));
    }

    [Fact]
    public void Save_writes_utf8_without_bom_and_leaves_no_temporary_file()
    {
        var policy = PolicyFiles.Load(ExamplePolicies.FedoraQaPath);
        policy.Description = "Übergangslösung – QA";
        var path = Path.Combine(dir.FullName, "out.yaml");
        PolicyFiles.Save(policy, path);

        var bytes = File.ReadAllBytes(path);
        Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "file starts with a BOM");
        Assert.Equal(PolicyFiles.ToYaml(policy), new UTF8Encoding(false, true).GetString(bytes));
        Assert.Equal(new[] { "out.yaml" }, dir.GetFiles("*", SearchOption.AllDirectories).Select(f => f.Name));
        Assert.Equal("Übergangslösung – QA", PolicyFiles.Load(path).Description);
    }

    [Fact]
    public void Save_replaces_an_existing_file()
    {
        var path = Path.Combine(dir.FullName, "qa.yaml");
        File.WriteAllText(path, "old content that is much longer than nothing at all, and then some more text");
        var policy = PolicyFiles.Load(ExamplePolicies.FedoraQaPath);
        PolicyFiles.Save(policy, path);
        Assert.Equal(PolicyFiles.ToYaml(policy), File.ReadAllText(path));
    }

    [Fact]
    public void Save_of_an_invalid_policy_changes_nothing()
    {
        var path = Path.Combine(dir.FullName, "qa.yaml");
        File.WriteAllText(path, "keep me");
        var policy = PolicyFiles.Load(ExamplePolicies.FedoraQaPath);
        policy.Name = "Not Valid";
        var ex = Assert.Throws<QaValidationException>(() => PolicyFiles.Save(policy, path));
        Assert.Equal(QaErrorIds.InvalidName, ex.ErrorId);
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Single(dir.GetFiles());
    }
}
