using QaNet.Core.Model;

namespace QaNet.Policy;

/// <summary>Reads and writes QaNet policy files (docs/policy-format.md).</summary>
public static class PolicyYaml
{
    /// <summary>Parses and validates a policy; errors carry file:line:column.</summary>
    public static QaPolicy Parse(string text, string sourceName) => throw new NotImplementedException(sourceName + text.Length);

    public static string Serialize(QaPolicy policy) => throw new NotImplementedException(policy?.Name);
}
