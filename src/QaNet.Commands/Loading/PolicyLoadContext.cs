using System.Reflection;
using System.Runtime.Loader;

namespace QaNet.Commands.Loading;

/// <summary>
/// The private AssemblyLoadContext QaNet.Policy and its YamlDotNet live in, so another
/// module's YamlDotNet (any version) loaded in the same session cannot clash with ours.
/// It serves only those two assemblies; QaNet.Core and the framework come from the default
/// context, so the QaPolicy the YAML layer builds is the very type the cmdlets use.
/// </summary>
internal sealed class PolicyLoadContext : AssemblyLoadContext
{
    public const string PolicyAssemblyName = "QaNet.Policy";

    private static readonly string[] Private = { PolicyAssemblyName, "YamlDotNet" };

    private readonly string directory;

    public PolicyLoadContext(string directory)
        : base("QaNet.Policy", isCollectible: false)
    {
        this.directory = directory;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (!Private.Contains(assemblyName.Name, StringComparer.Ordinal))
        {
            return null;
        }

        var path = Path.Combine(directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
