using System.Text.RegularExpressions;
using QaNet.Policy;
using Xunit.Abstractions;
using static QaNet.Tests.Policy.HostileCorpus;

namespace QaNet.Tests.Policy;

/// <summary>
/// The hostile corpus through the YAML reader, the renderers and the exporter (pure; the real
/// parsers' view of the same artifacts is HostileCorpusToolTests). Counts go to the test output.
/// </summary>
public sealed partial class HostileCorpusTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<Result>> Results = new(() => Inputs().Select(Run).ToList());

    [GeneratedRegex(@"^corpus\.yaml:\d+:\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex FileLineColumn();

    [Fact]
    public void The_corpus_has_at_least_300_inputs_over_every_field()
    {
        var results = Results.Value;
        Assert.True(results.Count >= 300, $"{results.Count} inputs");
        Assert.Equal(Fields.Length, results.Select(r => r.Input.Field).Distinct().Count());
        var refused = results.Count(r => r.Outcome == Outcome.Refused);
        output.WriteLine($"hostile corpus: {results.Count} inputs over {Fields.Length} fields × {Payloads.Length} payloads; " +
                         $"{refused} refused, {results.Count - refused} accepted and rendered; " +
                         $"slowest {results.Max(r => r.Time).TotalMilliseconds:F0} ms, most allocated {results.Max(r => r.AllocatedBytes) / 1_048_576.0:F1} MB");
        foreach (var g in results.GroupBy(r => r.Input.Field.Name))
        {
            output.WriteLine($"  {g.Key}: {g.Count(r => r.Outcome == Outcome.Refused)} refused, {g.Count(r => r.Outcome == Outcome.Accepted)} accepted");
        }

        // Both outcomes occur, or the corpus proves little about one of them.
        Assert.InRange(refused, 100, results.Count - 100);
    }

    [Fact]
    public void Every_refused_input_has_a_stable_id_and_a_file_line_column_location()
    {
        var ids = typeof(QaNet.Core.Validation.QaErrorIds).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
        var bad = Results.Value.Where(r => r.Outcome == Outcome.Refused)
            .SelectMany(r => r.Errors.Select(e => (r.Input, e)))
            .Where(x => !ids.Contains(x.e.Id) || x.e.Location is null || !FileLineColumn().IsMatch(x.e.Location) || string.IsNullOrWhiteSpace(x.e.Fix))
            .Select(x => $"{x.Input}: [{x.e.Id}] at '{x.e.Location}': {x.e.Message}")
            .ToList();
        Assert.True(bad.Count == 0, "Refusals without a catalogued id, a file:line:column or a fix:\n" + string.Join("\n", bad.Take(20)));
    }

    [Fact]
    public void No_input_takes_more_than_a_second_or_500_MB()
    {
        var slow = Results.Value.Where(r => r.Time > TimeSpan.FromSeconds(1) || r.AllocatedBytes > 500L * 1024 * 1024)
            .Select(r => $"{r.Input}: {r.Time.TotalMilliseconds:F0} ms, {r.AllocatedBytes / 1_048_576} MB").ToList();
        Assert.True(slow.Count == 0, string.Join("\n", slow));
    }

    [Fact]
    public void An_accepted_payload_leaves_every_artifact_with_the_shape_of_a_benign_value()
    {
        var baselines = Fields.ToDictionary(f => f, f =>
        {
            var b = Baseline(f);
            Assert.True(b.Outcome == Outcome.Accepted, $"{f.Name}: the benign '{f.Benign}' is refused: {string.Join("; ", b.Errors)}");
            return Shape(b.Artifacts);
        });
        var changed = Results.Value.Where(r => r.Outcome == Outcome.Accepted && Shape(r.Artifacts) != baselines[r.Input.Field])
            .Select(r => $"{r.Input}:\n  payload: {Shape(r.Artifacts)}\n  benign:  {baselines[r.Input.Field]}").ToList();
        Assert.True(changed.Count == 0, "Payloads that changed an artifact's structure:\n" + string.Join("\n", changed.Take(10)));
    }

    [Fact]
    public void No_artifact_carries_a_control_bidi_or_zero_width_character()
    {
        var bad = Results.Value.Where(r => r.Outcome == Outcome.Accepted)
            .SelectMany(r => r.Artifacts.Where(a => a.Text.Any(QaNet.Core.Validation.FreeText.IsRefused)).Select(a => $"{r.Input}: {a.Kind} {a.Where}"))
            .ToList();
        Assert.True(bad.Count == 0, "Artifacts with forbidden characters:\n" + string.Join("\n", bad.Take(20)));
    }

    [Fact]
    public void Every_accepted_input_exports_to_YAML_that_reads_back_to_the_same_export()
    {
        var bad = new List<string>();
        foreach (var r in Results.Value.Where(r => r.Outcome == Outcome.Accepted))
        {
            var export = r.Artifacts.Single(a => a.Kind == "yaml").Text;
            try
            {
                var again = PolicyYaml.Serialize(PolicyYaml.Parse(export, "export.yaml"));
                if (again != export)
                {
                    bad.Add($"{r.Input}: the export changes on a second round trip");
                }
            }
            catch (QaNet.Core.Validation.QaValidationException ex)
            {
                bad.Add($"{r.Input}: its export is refused: {ex.Errors[0]}");
            }
        }

        Assert.True(bad.Count == 0, string.Join("\n", bad.Take(20)));
    }

    [Fact]
    public void The_corpus_reaches_the_reader_byte_for_byte()
    {
        // Guards the corpus itself: a description payload reads back exactly as written, or is
        // refused for a character the free-text rule refuses (and for nothing else).
        var read = 0;
        foreach (var p in Payloads)
        {
            var yaml = Yaml(Fields.Single(f => f.Name == "policy description"), "x" + p + "y");
            if (QaNet.Core.Validation.FreeText.FirstRefused(p) is null)
            {
                Assert.Equal("x" + p + "y", PolicyYaml.Parse(yaml, SourceName).Description);
                read++;
            }
            else
            {
                var ex = Assert.Throws<QaNet.Core.Validation.QaValidationException>(() => PolicyYaml.Parse(yaml, SourceName));
                Assert.Equal(QaNet.Core.Validation.QaErrorIds.InvalidText, Assert.Single(ex.Errors).Id);
            }
        }

        Assert.True(read > Payloads.Length / 2, $"only {read} payloads read back");
    }

    [Theory]
    [InlineData("  bastion.fedoraproject.org:", "  bastion.fedoraproject.org.:")]
    [InlineData("hostnames: [bastion.fedoraproject.org]", "hostnames: [bastion.fedoraproject.org.]")]
    public void A_trailing_dot_on_either_side_of_the_name_map_resolves_the_same(string from, string to)
    {
        // Found by the corpus: a map key 'x.' resolved nothing, so the bastion lost its rules silently.
        var text = ExamplePolicies.Text(ExamplePolicies.FedoraQaFile);
        Assert.Contains(from, text, StringComparison.Ordinal);
        var plain = Shape(HostileCorpus.Render(PolicyYaml.Parse(text, SourceName)));
        var dotted = Shape(HostileCorpus.Render(PolicyYaml.Parse(text.Replace(from, to, StringComparison.Ordinal), SourceName)));
        Assert.Equal(plain, dotted);
    }

    [Fact]
    public void Free_text_given_through_the_editor_is_refused_as_in_the_file_and_changes_nothing()
    {
        // The cmdlets' way in (Add-QaEndpoint -Description): the same rule, the same id, nothing added.
        foreach (var p in Payloads)
        {
            var policy = ExamplePolicies.Fedora();
            var before = policy.Endpoints.Count;
            var spec = new QaNet.Core.Editing.EndpointSpec("corpus-endpoint") { Addresses = new[] { "198.51.100.99" }, Description = "x" + p };
            if (QaNet.Core.Validation.FreeText.FirstRefused(p) is null)
            {
                Assert.Equal("x" + p, QaNet.Core.Editing.PolicyEditor.AddEndpoint(policy, spec).Description);
            }
            else
            {
                var ex = Assert.Throws<QaNet.Core.Validation.QaValidationException>(() => QaNet.Core.Editing.PolicyEditor.AddEndpoint(policy, spec));
                Assert.Equal(QaNet.Core.Validation.QaErrorIds.InvalidText, ex.ErrorId);
                Assert.Equal(before, policy.Endpoints.Count);
            }
        }
    }
}
