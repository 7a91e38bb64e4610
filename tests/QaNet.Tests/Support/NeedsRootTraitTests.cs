using QaNet.Core.Hosts;
using QaNet.Core.Lab;

namespace QaNet.Tests.Support;

/// <summary>
/// <c>./build.sh test -Pure</c> runs the xunit tests with <c>--filter "Needs!=Root"</c>, so a test
/// class that touches the machine must carry <c>[Trait("Needs", "Root")]</c>. This guard reads the
/// compiled test classes (<see cref="IlReferences"/>: their methods, lambdas and async state
/// machines) and names every class without the trait that
/// <list type="number">
/// <item>calls <see cref="Namespaces"/> (creates, deletes or lists the machine's network namespaces);</item>
/// <item>calls <see cref="QaLab.StartAsync"/> (builds a lab: namespaces, libvirtd, dnsmasq, sshd);</item>
/// <item>runs one of <see cref="LabPrograms"/> (nft, ebtables, ip, virsh, libvirtd, dnsmasq, sshd,
/// unshare, visudo) with a real runner: <see cref="ProcessRunner.Instance"/> or a host target's
/// <see cref="HostTarget.CreateRunner"/>;</item>
/// <item>or uses a type of this assembly that does (found, not listed: LabFixture, AccessLabFixture,
/// PublishLab, MultiHostLab, RenderNamespace, LabSshd, …), by naming it in its code or as its
/// fixture: <c>IClassFixture&lt;T&gt;</c>, the <c>ICollectionFixture&lt;T&gt;</c> of its
/// <c>[Collection]</c>, a constructor parameter or a base class.</item>
/// </list>
/// It cannot see inside PowerShell script text: a test that starts a lab only through
/// <c>Start-QaLab</c> in a script is caught by the namespace check its clean-up makes, or not at all.
/// </summary>
public sealed class NeedsRootTraitTests
{
    /// <summary>Programs that need root (or the lab's packages) when they run for real.</summary>
    private static readonly HashSet<string> LabPrograms = new(StringComparer.Ordinal)
    {
        "nft", "ebtables", "ebtables-restore", "ebtables-save", "ip", "virsh", "libvirtd", "dnsmasq", "sshd", "/usr/sbin/sshd", "unshare", "visudo",
    };

    private static readonly Lazy<Dictionary<Type, string>> Reasons = new(FindRootTypes);

    [Fact]
    public void Every_test_class_that_touches_the_machine_carries_the_Needs_Root_trait()
    {
        var missing = TestClasses()
            .Where(t => Reasons.Value.ContainsKey(t) && !HasNeedsRoot(t))
            .Select(t => $"{t.FullName}: {Reasons.Value[t]}")
            .ToList();
        Assert.True(missing.Count == 0, "Add [Trait(\"Needs\", \"Root\")], or ./build.sh test -Pure runs them:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void The_only_Needs_trait_is_Needs_Root()
    {
        var other = TestClasses()
            .SelectMany(t => t.GetCustomAttributesData().Where(a => a.AttributeType == typeof(TraitAttribute)).Select(a => (t, a)))
            .Where(x => (string?)x.a.ConstructorArguments[0].Value == "Needs" && (string?)x.a.ConstructorArguments[1].Value != "Root")
            .Select(x => x.t.FullName)
            .ToList();
        Assert.Empty(other);
    }

    // By name: a typeof() here would make this class "use" them.
    [Theory]
    [InlineData("QaNet.Tests.Lab.NatLabTests", true)]
    [InlineData("QaNet.Tests.AccessLab.AccessLabTests", true)]
    [InlineData("QaNet.Tests.Publish.ConfirmTests", true)]
    [InlineData("QaNet.Tests.Publish.PreflightTests", true)]
    [InlineData("QaNet.Tests.Publish.MultiHostLabTests", true)]
    [InlineData("QaNet.Tests.Render.RealToolTests", true)]
    [InlineData("QaNet.Tests.Access.AccessRealToolTests", true)]
    [InlineData("QaNet.Tests.Lab.LabFailureTests", true)]
    [InlineData("QaNet.Tests.Lab.LabSessionTests", true)]
    [InlineData("QaNet.Tests.Hosts.HostsTests", false)]
    [InlineData("QaNet.Tests.Publish.MultiHostPublishTests", false)]
    [InlineData("QaNet.Tests.Commands.PublishCommandTests", false)]
    [InlineData("QaNet.Tests.Commands.SessionTests", false)]
    [InlineData("QaNet.Tests.Lab.LabStopFailureTests", false)]
    public void The_guard_tells_lab_tests_from_pure_ones(string name, bool needsRoot)
    {
        var type = typeof(NeedsRootTraitTests).Assembly.GetType(name, throwOnError: true)!;
        Assert.Equal(needsRoot, Reasons.Value.ContainsKey(type));
        Assert.Equal(needsRoot, HasNeedsRoot(type));
    }

    private static IEnumerable<Type> TestClasses() => typeof(NeedsRootTraitTests).Assembly.GetTypes()
        .Where(t => t.IsClass && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(FactAttribute), inherit: true)));

    private static bool HasNeedsRoot(Type type) => type.GetCustomAttributesData().Any(a =>
        a.AttributeType == typeof(TraitAttribute)
        && (string?)a.ConstructorArguments[0].Value == "Needs"
        && (string?)a.ConstructorArguments[1].Value == "Root");

    /// <summary>Every top-level type of the test assembly that touches the machine, with why.</summary>
    private static Dictionary<Type, string> FindRootTypes()
    {
        var assembly = typeof(NeedsRootTraitTests).Assembly;
        var types = assembly.GetTypes().Where(t => t.DeclaringType is null).ToList();
        var collections = types
            .SelectMany(t => t.GetCustomAttributesData().Where(a => a.AttributeType == typeof(CollectionDefinitionAttribute))
                .Select(a => (Name: a.ConstructorArguments[0].Value as string, Type: t)))
            .Where(c => c.Name is not null)
            .ToDictionary(c => c.Name!, c => c.Type, StringComparer.Ordinal);
        var refs = types.ToDictionary(t => t, IlReferences.Of);
        var uses = types.ToDictionary(t => t, t => Uses(t, refs[t], collections).Where(u => u != t && u.Assembly == assembly).ToList());

        var reasons = new Dictionary<Type, string>();
        foreach (var t in types)
        {
            if (Direct(refs[t]) is { } why)
            {
                reasons[t] = why;
            }
        }

        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var t in types.Where(t => !reasons.ContainsKey(t)))
            {
                if (uses[t].FirstOrDefault(reasons.ContainsKey) is { } via)
                {
                    reasons[t] = $"uses {via.Name}, which {reasons[via]}";
                    changed = true;
                }
            }
        }

        return reasons;
    }

    /// <summary>Rules 1 to 3: what the type's own code does.</summary>
    private static string? Direct(IlReferences refs)
    {
        if (refs.Methods.Any(m => m.DeclaringType == typeof(QaLab) && m.Name == nameof(QaLab.StartAsync)))
        {
            return "calls QaLab.StartAsync";
        }

        if (refs.Methods.Where(m => m.DeclaringType == typeof(Namespaces)).Select(m => m.Name).Order(StringComparer.Ordinal).FirstOrDefault() is { } ns)
        {
            return "calls Namespaces." + ns;
        }

        var realRunner = refs.Methods.Any(m =>
            (m.DeclaringType == typeof(ProcessRunner) && m.Name == "get_" + nameof(ProcessRunner.Instance))
            || (m.DeclaringType is { } d && typeof(HostTarget).IsAssignableFrom(d) && m.Name == nameof(HostTarget.CreateRunner)));
        var programs = refs.Strings.Where(LabPrograms.Contains).Order(StringComparer.Ordinal).ToList();
        return realRunner && programs.Count > 0 ? "runs " + string.Join(", ", programs) + " with a real runner" : null;
    }

    /// <summary>Rule 4: the types a type names in its code, and its fixtures, base class and constructor parameters.</summary>
    private static IEnumerable<Type> Uses(Type type, IlReferences refs, Dictionary<string, Type> collections)
    {
        static Type Outer(Type t)
        {
            while (t.DeclaringType is { } d)
            {
                t = d;
            }

            return t;
        }

        var named = refs.Types
            .Concat(type.GetInterfaces().SelectMany(i => i.GetGenericArguments()))
            .Concat(type.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.ParameterType));
        if (type.BaseType is { } b)
        {
            named = named.Append(b);
        }

        var collection = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute));
        if (collection is not null && collections.TryGetValue(collection.ConstructorArguments[0].Value as string ?? string.Empty, out var definition))
        {
            named = named.Append(definition);
        }

        return named.Select(Outer).Distinct();
    }
}
