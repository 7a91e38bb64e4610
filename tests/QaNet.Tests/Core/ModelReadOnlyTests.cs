using System.Collections;
using System.Reflection;
using QaNet.Core.Model;
using QaNet.Tests.Support;
using Xunit;

namespace QaNet.Tests.Core;

/// <summary>
/// The policy model's collections are read-only outside QaNet's assemblies, so every change of a
/// policy goes through the editor (validated, or undone) — not only by convention.
/// </summary>
public sealed class ModelReadOnlyTests
{
    private static readonly string[] Mutators = { "Add", "AddRange", "Insert", "InsertRange", "Remove", "RemoveAt", "RemoveAll", "RemoveRange", "Clear", "Sort", "Reverse", "TryAdd" };

    public static TheoryData<string> CollectionProperties()
    {
        var data = new TheoryData<string>();
        foreach (var p in ModelCollections())
        {
            data.Add(p.DeclaringType!.Name + "." + p.Name);
        }

        return data;
    }

    [Fact]
    public void The_model_has_the_collections_this_test_looks_at()
    {
        var names = ModelCollections().Select(p => p.DeclaringType!.Name + "." + p.Name).ToList();
        Assert.Contains("QaPolicy.Rules", names);
        Assert.Contains("QaPolicy.Hosts", names);
        Assert.Contains("QaNetwork.Clients", names);
        Assert.Contains("QaRule.From", names);
        Assert.True(names.Count >= 15, string.Join(", ", names));
    }

    [Theory]
    [MemberData(nameof(CollectionProperties))]
    public void A_model_collection_offers_no_public_way_to_change_it(string property)
    {
        var p = ModelCollections().Single(x => x.DeclaringType!.Name + "." + x.Name == property);
        Assert.Null(p.GetSetMethod());
        var type = p.PropertyType;
        var mutators = type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => Mutators.Contains(m.Name)).Select(m => m.Name).Distinct().ToList();
        Assert.True(mutators.Count == 0, $"{property} ({type.Name}) has public {string.Join(", ", mutators)}");
        var indexer = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).SingleOrDefault(x => x.GetIndexParameters().Length == 1);
        Assert.True(indexer?.GetSetMethod() is null, $"{property} has a public indexer setter");
        Assert.False(typeof(IList).IsAssignableFrom(type) || typeof(IDictionary).IsAssignableFrom(type), $"{property} is a mutable collection interface");
    }

    [Fact]
    public void A_script_cannot_change_a_policy_behind_the_editor()
    {
        using var s = PowerShellSession.WithExample();
        var before = s.Single<QaPolicy>("Get-QaPolicy").Rules.Count;
        var errors = s.Errors("(Get-QaPolicy).Rules.RemoveAt(0)");
        Assert.Contains(errors, e => e.FullyQualifiedErrorId.Contains("MethodNotFound", StringComparison.Ordinal));
        Assert.Equal(before, s.Single<QaPolicy>("Get-QaPolicy").Rules.Count);
        Assert.NotEmpty(s.Errors("(Get-QaPolicy).Networks[0].Clients.Clear()"));
        Assert.NotEmpty(s.Errors("(Get-QaPolicy).Hosts['koji.fedoraproject.org'] = @()"));
    }

    [Fact]
    public void Transports_change_through_the_editor_and_a_bad_one_changes_nothing()
    {
        var policy = ExamplePolicies.Fedora();
        var t = QaNet.Core.Editing.PolicyEditor.SetTransport(policy, QaHostTransport.InNamespace("virthost-comm01", "qn-x1"));
        Assert.Same(t, policy.Transports["virthost-comm01"]);
        var ex = Assert.Throws<QaNet.Core.Validation.QaValidationException>(() =>
            QaNet.Core.Editing.PolicyEditor.SetTransport(policy, QaHostTransport.InNamespace("virthost-comm01", "bad ns\n")));
        Assert.NotEmpty(ex.Errors);
        Assert.Same(t, policy.Transports["virthost-comm01"]);
        QaNet.Core.Editing.PolicyEditor.RemoveTransport(policy, "virthost-comm01");
        Assert.False(policy.Transports.ContainsKey("virthost-comm01"));
    }

    private static IEnumerable<PropertyInfo> ModelCollections() =>
        typeof(QaPolicy).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(QaPolicy).Namespace && t.IsClass && t.Name.StartsWith("Qa", StringComparison.Ordinal)
                && !t.IsGenericTypeDefinition)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(p => p.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(p.PropertyType)
                && p.GetMethod is { } get && !IsComputed(p));

    // Computed views (Clients of a policy, Roles, …) are built on each read; changing them changes nothing.
    private static bool IsComputed(PropertyInfo p) =>
        p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() is var d
        && (d == typeof(IEnumerable<>) || d == typeof(IReadOnlyList<>));
}
