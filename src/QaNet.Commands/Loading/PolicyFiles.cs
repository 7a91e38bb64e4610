using QaNet.Core.Model;

namespace QaNet.Commands.Loading;

/// <summary>
/// The cmdlets' only door to QaNet.Policy, which lives in a private AssemblyLoadContext
/// together with its YamlDotNet.
/// </summary>
internal static class PolicyFiles
{
    public static QaPolicy Load(string path) => throw new NotImplementedException(path);

    public static void Save(QaPolicy policy, string path) => throw new NotImplementedException(policy?.Name + path);

    public static string ToYaml(QaPolicy policy) => throw new NotImplementedException(policy?.Name);
}
