using System.Reflection;
using System.Runtime.Loader;
using QaNet.Commands.Loading;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Tests.Policy;

/// <summary>
/// QaNet.Policy and YamlDotNet load privately, while the Core types they hand back are the
/// ones everyone else uses (the end-to-end check in a real pwsh session is in
/// tests/pester/PolicyIsolation.Tests.ps1).
/// </summary>
public class PolicyIsolationTests
{
    [Fact]
    public void The_load_context_serves_QaNet_Policy_and_YamlDotNet_and_shares_Core()
    {
        var context = new PolicyLoadContext(AppContext.BaseDirectory);
        var policyAssembly = context.LoadFromAssemblyName(new AssemblyName("QaNet.Policy"));
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(policyAssembly));
        Assert.NotSame(typeof(PolicyYaml).Assembly, policyAssembly);

        var parse = policyAssembly.GetType("QaNet.Policy.PolicyYaml")!.GetMethod("Parse")!;
        var policy = parse.Invoke(null, new object[] { ExamplePolicies.Text(ExamplePolicies.FedoraQaFile), ExamplePolicies.FedoraQaFile });
        Assert.IsType<QaPolicy>(policy);

        // Errors cross the boundary as the shared exception type the cmdlets catch.
        var ex = Assert.Throws<TargetInvocationException>(() => parse.Invoke(null, new object[] { "version: 2\n", "x.yaml" }));
        Assert.IsType<QaValidationException>(ex.InnerException);

        Assert.Contains(context.Assemblies, a => a.GetName().Name == "YamlDotNet");
        Assert.DoesNotContain(context.Assemblies, a => a.GetName().Name == "QaNet.Core");
        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(typeof(QaPolicy).Assembly));
    }

    [Fact]
    public void The_load_context_leaves_every_other_assembly_to_the_default_context()
    {
        var context = new PolicyLoadContext(AppContext.BaseDirectory);
        var core = context.LoadFromAssemblyName(typeof(QaPolicy).Assembly.GetName());
        Assert.Same(typeof(QaPolicy).Assembly, core);
    }

    [Fact]
    public void No_YamlDotNet_type_appears_in_the_public_api_of_QaNet_Policy()
    {
        var leaks = typeof(PolicyYaml).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .SelectMany(m => SignatureTypes(m).Select(s => $"{t.Name}.{m.Name}: {s}")))
            .Where(s => s.Contains("YamlDotNet", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(leaks);
        Assert.Equal(new[] { "PolicyYaml" }, typeof(PolicyYaml).Assembly.GetExportedTypes().Select(t => t.Name));
    }

    private static IEnumerable<string> SignatureTypes(MemberInfo member) => member switch
    {
        MethodInfo m => m.GetParameters().Select(p => p.ParameterType.FullName ?? p.ParameterType.Name).Append(m.ReturnType.FullName ?? m.ReturnType.Name),
        PropertyInfo p => new[] { p.PropertyType.FullName ?? p.PropertyType.Name },
        FieldInfo f => new[] { f.FieldType.FullName ?? f.FieldType.Name },
        _ => Array.Empty<string>(),
    };
}
