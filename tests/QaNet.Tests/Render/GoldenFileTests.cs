namespace QaNet.Tests.Render;

/// <summary>
/// Renderings compared byte for byte with checked-in files. Regenerate with
/// <c>QANET_UPDATE_GOLDEN=1 dotnet test tests/QaNet.Tests --filter FullyQualifiedName~Render.GoldenFileTests</c>
/// and review the diff.
/// </summary>
public sealed class GoldenFileTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in RenderPolicies.AllRenderings())
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Rendering_matches_its_golden_file(string name)
    {
        var rendered = RenderPolicies.AllRenderings().Single(r => r.Name == name).Ruleset.Text;
        Golden.Check(name, rendered);
    }

    [Fact]
    public void Every_golden_file_is_still_rendered()
    {
        var names = RenderPolicies.AllRenderings().Select(r => r.Name).ToHashSet();
        var stale = Directory.GetFiles(Golden.Directory()).Select(Path.GetFileName).Where(f => !names.Contains(f!)).ToList();
        Assert.Empty(stale);
    }
}
