using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace QaNet.Core.Validation;

/// <summary>
/// What an ssh destination and its options may be. One set of rules for the policy's
/// <c>transports:</c> (Model) and the ssh target that runs commands (Hosts), so a transport that
/// validates is one the host layer accepts.
/// </summary>
public static partial class SshRules
{
    [GeneratedRegex("^[a-z_][a-z0-9_.-]{0,31}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UserRegex();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex OptionKeyRegex();

    /// <summary>A DNS name, an ssh config alias or an IP address without a zone id.</summary>
    public static bool IsValidHost(string? host) =>
        host is not null && (Names.IsValidHostName(host) || (IPAddress.TryParse(host, out _) && !host.Contains('%', StringComparison.Ordinal)));

    /// <summary>Throws <see cref="QaValidationException"/> (InvalidHostName) unless <paramref name="host"/> is an ssh destination.</summary>
    public static void CheckHost(string? host)
    {
        if (!IsValidHost(host))
        {
            throw new QaValidationException(new QaValidationError(
                QaErrorIds.InvalidHostName, "ssh host", null,
                $"'{host}' is not a host name, ssh config alias or IP address.",
                "Give a DNS name (letters, digits, '-', '.'), an alias from your ssh config, or an address; put the user in the ssh config or SshOptions.User."));
        }
    }

    /// <summary>Throws <see cref="QaValidationException"/> (InvalidSshOption, or a name error for the namespace) at the first bad option.</summary>
    public static void CheckOptions(string? user, int? port, IEnumerable<string?> paths,
        IEnumerable<KeyValuePair<string, string>> options, string? clientNamespace)
    {
        static void Fail(string what, string? value, string fix) =>
            throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidSshOption, "ssh option", null,
                $"The ssh {what} '{value}' is not valid.", fix));

        if (user is not null && !UserRegex().IsMatch(user))
        {
            Fail("user", user, "Use a POSIX user name (lowercase letters, digits, '_', '-', '.').");
        }

        if (port is { } p && !PortNumber.IsValid(p))
        {
            Fail("port", p.ToString(CultureInfo.InvariantCulture), "Ports run from 1 to 65535.");
        }

        foreach (var path in paths)
        {
            if (path is not null && (path.Length == 0 || path.Any(char.IsControl)))
            {
                Fail("path", path, "Give a file path without control characters.");
            }
        }

        foreach (var (key, value) in options)
        {
            if (!OptionKeyRegex().IsMatch(key) || value.Length == 0 || value.Any(char.IsControl))
            {
                Fail("option", key + "=" + value, "Options are Key=Value with a letters-only key, as in ssh_config(5).");
            }
        }

        if (clientNamespace is not null && !Names.IsValid(clientNamespace))
        {
            throw new QaValidationException(QaValidationError.Name("network namespace", clientNamespace));
        }
    }
}
