using System.Runtime.CompilerServices;

namespace QaNet.Tests.Support;

/// <summary>
/// Golden files: each test folder's <c>Golden/</c> holds the expected text. With
/// <c>QANET_UPDATE_GOLDEN=1</c> the text is written instead of compared.
/// </summary>
internal static class Golden
{
    /// <summary>The <c>Golden/</c> folder beside the calling test's source file.</summary>
    public static string Directory([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Golden");

    /// <summary>Compares <paramref name="text"/> with the golden file <paramref name="name"/> of the calling test's folder.</summary>
    public static void Check(string name, string text, [CallerFilePath] string here = "")
    {
        var path = Path.Combine(Directory(here), name);
        if (Environment.GetEnvironmentVariable("QANET_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, text);
            return;
        }

        Assert.True(File.Exists(path), $"No golden file {path}; run with QANET_UPDATE_GOLDEN=1 to create it.");
        Assert.Equal(File.ReadAllText(path), text);
    }
}
