using System.Reflection;
using System.Runtime.Loader;

namespace QaNet.Commands.Loading;

/// <summary>
/// Sends the runtime's request for QaNet.Policy — which the default context cannot find,
/// because the module keeps it in <c>dependencies/</c> — to <see cref="PolicyLoadContext"/>.
/// Only QaNet.Policy is redirected; everything it needs besides YamlDotNet is shared.
/// </summary>
internal static class PolicyIsolation
{
    /// <summary>The module folder's subfolder for privately loaded assemblies.</summary>
    public const string DependencyFolder = "dependencies";

    private static readonly object Gate = new();
    private static readonly Lazy<PolicyLoadContext> Context = new(() => new PolicyLoadContext(DependencyDirectory()));
    // Process-wide on purpose: the default load context, and so its Resolving event, is one per
    // process; this flag only keeps the handler from being added twice (module imported into two
    // runspaces) and is the one static mutable field in src/ that is not a cache.
    private static bool registered;

    public static void Register()
    {
        lock (Gate)
        {
            if (!registered)
            {
                AssemblyLoadContext.Default.Resolving += Resolve;
                registered = true;
            }
        }
    }

    public static void Unregister()
    {
        lock (Gate)
        {
            if (registered)
            {
                AssemblyLoadContext.Default.Resolving -= Resolve;
                registered = false;
            }
        }
    }

    private static Assembly? Resolve(AssemblyLoadContext defaultContext, AssemblyName name) =>
        string.Equals(name.Name, PolicyLoadContext.PolicyAssemblyName, StringComparison.Ordinal)
            ? Context.Value.LoadFromAssemblyName(name)
            : null;

    /// <summary>
    /// <c>dependencies/</c> beside QaNet.Commands.dll in the shipped module; in a build's bin
    /// folder, where everything sits together, the bin folder itself.
    /// </summary>
    private static string DependencyDirectory()
    {
        var own = Path.GetDirectoryName(typeof(PolicyIsolation).Assembly.Location) ?? AppContext.BaseDirectory;
        var dependencies = Path.Combine(own, DependencyFolder);
        return Directory.Exists(dependencies) ? dependencies : own;
    }
}
