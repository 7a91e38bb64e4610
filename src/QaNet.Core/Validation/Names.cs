using System.Text.RegularExpressions;

namespace QaNet.Core.Validation;

/// <summary>
/// The one name rule of QaNet. Every name that can reach a command line (network, client,
/// endpoint, role, virthost, rule id) must pass it first, so names are lowercase when written;
/// a name given to find something is matched without regard to (ASCII) case, through
/// <see cref="Comparer"/> — everywhere, so <c>BEAKER-CLIENT01</c> means <c>beaker-client01</c>.
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

    /// <summary>
    /// Names compared as QaNet compares them: ASCII letters without regard to case, everything
    /// else exactly. Only ASCII folds, so no look-alike (the Kelvin sign, a dotless i) ever
    /// matches a name, as it would under culture or Unicode case rules.
    /// </summary>
    public static StringComparer Comparer { get; } = new AsciiFoldComparer();

    /// <summary>Whether two names are the same name.</summary>
    public static bool Same(string? a, string? b) => Comparer.Equals(a, b);

    /// <summary><paramref name="name"/> with ASCII upper case made lower case: how a lookup spells it.</summary>
    public static string Fold(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.AsSpan().IndexOfAnyInRange('A', 'Z') >= 0
            ? string.Create(name.Length, name, (span, n) =>
            {
                for (var i = 0; i < n.Length; i++)
                {
                    span[i] = char.IsAsciiLetterUpper(n[i]) ? (char)(n[i] | 0x20) : n[i];
                }
            })
            : name;
    }

    /// <summary>
    /// The name of <paramref name="existing"/> that <paramref name="name"/> means (as the policy
    /// spells it), or <paramref name="name"/> itself when none matches: a new name, which the
    /// name rule then judges as written.
    /// </summary>
    public static string Canonical(string name, IEnumerable<string> existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return existing.FirstOrDefault(e => Same(e, name)) ?? name;
    }

    public static bool IsValid(string? name) => name is not null && NameRegex().IsMatch(name);

    public static bool IsValidHostName(string? name) => name is not null && HostNameRegex().IsMatch(name);

    /// <summary>A virthost is named like a policy object, by its DNS name or by its address.</summary>
    public static bool IsValidVirtHost(string? name) =>
        name is not null && (IsValid(name) || IsValidHostName(name) || System.Net.IPAddress.TryParse(name, out _));

    public static bool IsValidInterfaceName(string? name) => name is not null && InterfaceRegex().IsMatch(name);

    private sealed class AsciiFoldComparer : StringComparer
    {
        public override int Compare(string? x, string? y) =>
            x is null || y is null ? Comparer<string?>.Default.Compare(x, y) : string.CompareOrdinal(Fold(x), Fold(y));

        public override bool Equals(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return x is null && y is null;
            }

            if (x.Length != y.Length)
            {
                return false;
            }

            for (var i = 0; i < x.Length; i++)
            {
                var (a, b) = (x[i], y[i]);
                if (a != b && (!char.IsAsciiLetter(a) || (a | 0x20) != (b | 0x20)))
                {
                    return false;
                }
            }

            return true;
        }

        public override int GetHashCode(string obj) => string.GetHashCode(Fold(obj), StringComparison.Ordinal);
    }
}
