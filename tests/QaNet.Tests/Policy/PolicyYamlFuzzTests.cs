using System.Text;
using QaNet.Core.Validation;
using QaNet.Policy;
using static QaNet.Tests.Policy.PolicyTestFiles;

namespace QaNet.Tests.Policy;

/// <summary>A malformed file ends in a QaValidationException, never another exception and never a hang.</summary>
public class PolicyYamlFuzzTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public void Every_truncation_of_the_example_is_accepted_or_refused_cleanly()
    {
        var text = ExamplePolicies.Text(ExamplePolicies.FedoraQaFile);
        var step = Math.Max(1, text.Length / 400);
        for (var cut = 0; cut < text.Length; cut += step)
        {
            ParseOrRefuse(text[..cut]);
        }
    }

    [Fact]
    public void Random_mutations_of_the_example_are_accepted_or_refused_cleanly()
    {
        var text = ExamplePolicies.Text(ExamplePolicies.FedoraQaFile);
        var random = new Random(20261126);
        const string Alphabet = ":-[]{}&*!|>'\"#%@`,? \n\t\\0x";
        for (var i = 0; i < 400; i++)
        {
            var chars = text.ToCharArray();
            for (var n = random.Next(1, 6); n > 0; n--)
            {
                chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
            }

            ParseOrRefuse(new string(chars));
        }
    }

    [Fact]
    public void Random_bytes_are_refused_cleanly()
    {
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 2000)];
            random.NextBytes(bytes);
            ParseOrRefuse(Encoding.UTF8.GetString(bytes));
            ParseOrRefuse(Encoding.Latin1.GetString(bytes));
        }
    }

    [Theory]
    [InlineData("[", 100000)]
    [InlineData("{a: ", 50000)]
    [InlineData("- ", 5000)]
    [InlineData("a:\n", 1)]
    public void Deep_or_odd_nesting_is_refused_cleanly(string unit, int count)
    {
        var text = new StringBuilder().Insert(0, unit, count).ToString();
        var ex = ParseOrRefuse(text);
        Assert.NotNull(ex);
    }

    [Theory]
    [InlineData("version: 1\nname: t\n? [a, b]\n: c\n")]
    [InlineData("version: 1\nname: t\n\"\": x\n")]
    [InlineData("%TAG ! tag:example.com,2000:\n---\nversion: !x 1\n")]
    [InlineData("%YAML 1.1\n---\nversion: 1\nname: t\n...\n")]
    [InlineData("version: 1\nname: t\nhosts: {a: [1.2.3.4], a: [1.2.3.5]}\n")]
    [InlineData("version: 1\nname: t\nnetworks: [~, 1, [], {}]\nrules: [{}]\ntests: [{}]\nendpoints: [{}]\n")]
    [InlineData("version: 1\nname: t\n<<: {name: u}\n")]
    [InlineData("\uFEFFversion: 1\nname: t\n")]
    [InlineData("version: 1\r\nname: t\r\nnetworks:\r\n  - name: n\r\n    mode: nat\r\n    subnet: 10.0.0.0/30\r\n    virthosts: [v]\r\n    clients: [{name: a}, {name: b}, {name: c}]\r\n")]
    public void Odd_but_small_files_are_accepted_or_refused_cleanly(string text) => ParseOrRefuse(text);

    private static QaValidationException? ParseOrRefuse(string text)
    {
        QaValidationException? refused = null;
        Exception? other = null;
        var task = Task.Run(() =>
        {
            try
            {
                PolicyYaml.Parse(text, Source);
            }
            catch (QaValidationException ex)
            {
                refused = ex;
            }
            catch (Exception ex)
            {
                other = ex;
            }
        });
        Assert.True(task.Wait(Budget), $"Parsing did not finish within {Budget}: {Preview(text)}");
        Assert.True(other is null, $"{other?.GetType()}: {other?.Message} for {Preview(text)}\n{other?.StackTrace}");
        if (refused is not null)
        {
            Assert.NotEmpty(refused.Errors);
            Assert.All(refused.Errors, e => Assert.StartsWith(Source, e.Location, StringComparison.Ordinal));
        }

        return refused;
    }

    private static string Preview(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
