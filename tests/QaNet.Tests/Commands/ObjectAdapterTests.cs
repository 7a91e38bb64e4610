using System.Reflection;
using System.Xml.Linq;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>
/// The model and module/QaNet/QaNet.Types.ps1xml agree with QaObjectAdapter: ConvertTo-Json reflects
/// public properties before it reads the adapter's, so a property the adapter presents as text (or
/// leaves out) that lacks [JsonIgnore] would be exported raw again (an enum as a number, an address
/// as an object, the whole policy). The exports themselves are in tests/pester/Presentation.Tests.ps1.
/// </summary>
public sealed class ObjectAdapterTests
{
    private static readonly List<Type> AdaptedTypes = XDocument.Load(Path.Combine(ExamplePolicies.RepoRoot, "module", "QaNet", "QaNet.Types.ps1xml"))
        .Descendants("Type")
        .Where(t => t.Element("TypeAdapter")?.Element("TypeName")?.Value == typeof(QaObjectAdapter).FullName)
        .Select(t => typeof(QaPolicy).Assembly.GetType(t.Element("Name")!.Value, throwOnError: true)!)
        .ToList();

    [Fact]
    public void Every_property_the_adapter_presents_or_hides_is_JsonIgnored_and_no_other()
    {
        Assert.NotEmpty(AdaptedTypes);
        var wrong = AdaptedTypes
            .SelectMany(t => QaObjectAdapter.Properties(t).Select(p => (Type: t, Property: p)))
            .Where(x => QaObjectAdapter.NeedsJsonIgnore(x.Property) != x.Property.IsDefined(typeof(Newtonsoft.Json.JsonIgnoreAttribute), inherit: true))
            .Select(x => $"{x.Type.Name}.{x.Property.Name}")
            .ToList();
        Assert.True(wrong.Count == 0, "[JsonIgnore] missing or wrong: " + string.Join(", ", wrong));
    }

    [Fact]
    public void Every_noun_of_the_model_that_refers_to_its_policy_is_adapted()
    {
        var withPolicy = typeof(QaPolicy).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(QaPolicy).Namespace && QaObjectAdapter.Properties(t).Any(p => p.PropertyType == typeof(QaPolicy)))
            .ToList();
        Assert.NotEmpty(withPolicy);
        Assert.Empty(withPolicy.Except(AdaptedTypes).Select(t => t.FullName));
    }

    [Fact]
    public void Every_cmdlet_output_whose_properties_PowerShell_would_see_raw_is_adapted()
    {
        // What a cmdlet says it writes ([OutputType]) and holds an enum, an address, a port, a list of
        // those or a model reference is exported raw (numbers, nested objects) unless it is adapted.
        var outputs = typeof(QaObjectAdapter).Assembly.GetExportedTypes()
            .Where(t => t.IsDefined(typeof(System.Management.Automation.CmdletAttribute), inherit: false))
            .SelectMany(t => t.GetCustomAttributes<System.Management.Automation.OutputTypeAttribute>())
            .SelectMany(a => a.Type)
            .Select(n => n.Type)
            .Where(t => t is not null && t.Namespace?.StartsWith("QaNet.", StringComparison.Ordinal) == true)
            .Distinct()
            .ToList();
        Assert.NotEmpty(outputs);
        var raw = outputs
            .Where(t => QaObjectAdapter.Properties(t!).Any(QaObjectAdapter.NeedsJsonIgnore))
            // The policy is the container its nouns refer to: Export-QaPolicy writes it, and its lists
            // (Clients, Rules, ...) must stay objects for the pipeline, not names.
            .Where(t => t != typeof(QaPolicy))
            .Except(AdaptedTypes)
            .Select(t => t!.FullName)
            .ToList();
        Assert.True(raw.Count == 0, "Not adapted in QaNet.Types.ps1xml: " + string.Join(", ", raw));
    }

    [Theory]
    [InlineData(typeof(QaPolicy), true)]
    [InlineData(typeof(QaNetworkMode), true)]
    [InlineData(typeof(System.Net.IPAddress), true)]
    [InlineData(typeof(System.Net.IPNetwork?), true)]
    [InlineData(typeof(QaList<QaPortRange>), true)]
    [InlineData(typeof(QaList<string>), false)]
    [InlineData(typeof(IReadOnlyList<string>), false)]
    [InlineData(typeof(string), false)]
    [InlineData(typeof(int), false)]
    [InlineData(typeof(DateTimeOffset?), false)]
    public void Which_property_types_the_adapter_presents_differently(Type type, bool expected) =>
        Assert.Equal(expected, QaObjectAdapter.NeedsJsonIgnore(type));
}
