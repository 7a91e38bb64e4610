using System.Runtime.CompilerServices;
using System.Text;
using QaNet.Core.Checking;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Commands.Loading;

/// <summary>
/// The cmdlets' only door to QaNet.Policy, which lives in a private AssemblyLoadContext
/// together with its YamlDotNet.
/// </summary>
/// <remarks>
/// Methods that touch QaNet.Policy are kept apart and never inlined: the runtime resolves
/// QaNet.Policy when such a method is compiled, and by then <see cref="PolicyIsolation"/>
/// must be listening. Where QaNet.Policy is simply found (a test run's bin folder) the hook
/// is never asked and the calls work the same.
/// </remarks>
internal static class PolicyFiles
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Reads, parses and validates a policy file; every problem is a <see cref="QaValidationException"/>.</summary>
    public static QaPolicy Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.PolicyFileNotFound, full, null,
                $"There is no policy file '{full}'.", "Check the path (Get-ChildItem *.yaml), or create one with Export-QaPolicy.")
                .At(full));
        }

        // Checked before reading, so a huge file is never pulled into memory.
        if (new FileInfo(full).Length > PolicyYaml.MaxFileBytes)
        {
            throw TooLarge(full);
        }

        var text = File.ReadAllText(full, Utf8NoBom);
        PolicyIsolation.Register();
        var policy = Parse(text, full);
        policy.SourcePath = full;
        return policy;
    }

    /// <summary>Validates and writes the policy as UTF-8 without a BOM, replacing the file in one step.</summary>
    public static void Save(QaPolicy policy, string path)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(path);
        PolicyValidator.ThrowIfInvalid(policy);
        var text = ToYaml(policy);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? ".";

        // Written beside the target and moved over it: a reader never sees half a file, and a
        // failed write leaves the old policy in place.
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text, Utf8NoBom);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The system's message names the temporary file, which the user never asked for.
            throw new IOException($"Cannot write the policy file '{full}': {e.Message.Replace(temp, full, StringComparison.Ordinal)}", e);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                File.Delete(temp);
            }
        }
    }

    public static string ToYaml(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        PolicyIsolation.Register();
        return Serialize(policy);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static QaPolicy Parse(string text, string sourceName) => PolicyYaml.Parse(text, sourceName);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Serialize(QaPolicy policy) => PolicyYaml.Serialize(policy);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static QaValidationException TooLarge(string sourceName) => PolicyYaml.TooLarge(sourceName);
}
