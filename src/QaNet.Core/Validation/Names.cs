using System.Text.RegularExpressions;

namespace QaNet.Core.Validation;

/// <summary>
/// The one name rule of QaNet. Every name that can reach a command line (network, client,
/// endpoint, role, virthost, rule id) must pass it first.
/// </summary>
public static partial class Names
{
    public const string Pattern = "^[a-z0-9][a-z0-9.-]{0,62}\\z";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    // RFC 1123 host names: labels of letters, digits and hyphens.
    [GeneratedRegex(@"^(?=.{1,253}\z)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostNameRegex();

    // Linux interface names: at most 15 bytes, no slash, no white space.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}\z", RegexOptions.CultureInvariant)]
    private static partial Regex InterfaceRegex();

    public static bool IsValid(string? name) => name is not null && NameRegex().IsMatch(name);

    public static bool IsValidHostName(string? name) => name is not null && HostNameRegex().IsMatch(name);

    /// <summary>A virthost is named like a policy object, by its DNS name or by its address.</summary>
    public static bool IsValidVirtHost(string? name) =>
        name is not null && (IsValid(name) || IsValidHostName(name) || System.Net.IPAddress.TryParse(name, out _));

    public static bool IsValidInterfaceName(string? name) => name is not null && InterfaceRegex().IsMatch(name);
}
