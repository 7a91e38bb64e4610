using System.Net;
using System.Security.Cryptography;
using System.Text;
using QaNet.Core.Checking;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>
/// Every change to a policy goes through here: fill in defaults, apply, validate the whole
/// policy, and undo the change if it made the policy invalid — bad input changes nothing.
/// Every change can also be made as a trial (<c>whatIf: true</c>): everything is checked and the
/// result computed exactly as for real, the same error thrown, and nothing kept — what -WhatIf
/// runs, so that it reports what the real call would (QaCmdlet.TryChange).
/// Names given to find something fold case (<see cref="Names.Comparer"/>); a change stores the
/// policy's own spelling of what it names (<see cref="Canonical(QaPolicy, QaSelector)"/>).
/// </summary>
public static partial class PolicyEditor
{
    /// <summary>Adds or replaces a name-map entry.</summary>
    public static void SetHost(QaPolicy policy, string hostName, IEnumerable<string> addresses, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var list = addresses.Select(a => ParseAddress(a, $"hosts[{hostName}]", $"host '{hostName}'")).Distinct().ToList();
        var had = policy.Hosts.TryGetValue(hostName, out var old);
        Apply(policy, () => policy.Hosts[hostName] = list,
            () => { if (had) { policy.Hosts[hostName] = old!; } else { policy.Hosts.Remove(hostName); } }, list, whatIf);
    }

    /// <summary>
    /// Adds or replaces how <paramref name="transport"/>'s host is reached (YAML <c>transports:</c>);
    /// a transport that does not validate changes nothing.
    /// </summary>
    public static QaHostTransport SetTransport(QaPolicy policy, QaHostTransport transport)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(transport);
        var invalid = transport.Validate();
        if (invalid.Count > 0)
        {
            throw new QaValidationException(invalid);
        }

        var host = transport.Host;
        var had = policy.Transports.TryGetValue(host, out var old);
        return Apply(policy, () => policy.Transports[host] = transport,
            () => { if (had) { policy.Transports[host] = old!; } else { policy.Transports.Remove(host); } }, transport);
    }

    /// <summary>Removes the transport of <paramref name="hostName"/> (it is then reached locally); absent is fine.</summary>
    public static void RemoveTransport(QaPolicy policy, string hostName)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Transports.Remove(hostName);
    }

    /// <param name="whatIf">Only try the change: validate as for real, then undo it either way.</param>
    internal static T Apply<T>(QaPolicy policy, Action change, Action undo, T result, bool whatIf = false)
    {
        change();
        var keep = false;
        try
        {
            var errors = PolicyValidator.Validate(policy);
            if (errors.Count > 0)
            {
                throw new QaValidationException(errors);
            }

            keep = !whatIf;
        }
        finally
        {
            if (!keep)
            {
                undo();
            }
        }

        return result;
    }

    /// <summary>
    /// The selector as the policy spells what it names: a client, role, endpoint or network given
    /// in any case is stored as the policy has it; a CIDR, or a name that matches nothing (which
    /// validation then refuses), stays as given.
    /// </summary>
    public static QaSelector Canonical(QaPolicy policy, QaSelector selector)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(selector);
        var value = selector.Kind switch
        {
            QaSelectorKind.Client => policy.FindClient(selector.Value)?.Name,
            QaSelectorKind.Role => Names.Canonical(selector.Value, policy.Roles),
            QaSelectorKind.Endpoint => policy.FindEndpoint(selector.Value)?.Name,
            QaSelectorKind.Network => policy.FindNetwork(selector.Value)?.Name,
            _ => null,
        };
        return value is null || value == selector.Value ? selector : selector with { Value = value };
    }

    /// <summary>Every virthost some network spans, as the policy spells them.</summary>
    internal static IEnumerable<string> VirtHostsOf(QaPolicy policy) => policy.Networks.SelectMany(n => n.VirtHosts);

    /// <summary>Notes a changed property for the verbose lines of a Set- cmdlet.</summary>
    internal static void Note(List<QaPropertyChange> changes, string property, object? before, object? after)
    {
        if (!Equals(before, after))
        {
            changes.Add(new QaPropertyChange(property, before?.ToString(), after?.ToString()));
        }
    }

    /// <summary>Notes a changed list (order counts: it is written out in that order).</summary>
    internal static void NoteList<T>(List<QaPropertyChange> changes, string property, IEnumerable<T> before, IEnumerable<T> after)
    {
        var b = before.ToList();
        var a = after.ToList();
        if (!b.SequenceEqual(a))
        {
            changes.Add(new QaPropertyChange(property, string.Join(", ", b), string.Join(", ", a)));
        }
    }

    internal static void Replace<T>(QaList<T> list, IEnumerable<T> items)
    {
        var copy = items.ToList();
        list.Clear();
        list.AddRange(copy);
    }

    /// <summary>An empty text given to a Set- cmdlet clears the property.</summary>
    internal static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;

    public static QaValidationException NotFound(string kind, string name, string lister) =>
        new(new QaValidationError(QaErrorIds.NotFound, $"{kind} '{name}'", null,
            $"There is no {kind} named '{name}' in the policy.", $"Check the name with {lister}."));

    /// <summary>
    /// A wildcard pattern given to a Set-/Remove-/Revoke-/Enable-/Disable- cmdlet that matches no
    /// name: the same id as a literal name that matches nothing, so scripts handle both alike.
    /// </summary>
    public static QaValidationException NoneMatch(string kind, string pattern, string lister) =>
        new(new QaValidationError(QaErrorIds.NotFound, $"{kind} '{pattern}'", null,
            $"No {kind} of the policy matches '{pattern}'.", $"List the names with {lister}."));

    /// <summary>
    /// A raw id made a valid name: trimmed, long ones cut with a short stable hash, and made
    /// unique with <c>-2</c>, <c>-3</c>, … against <paramref name="taken"/>.
    /// </summary>
    internal static string UniqueId(string raw, Func<string, bool> taken)
    {
        raw = new string(raw.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) || ch == '.' ? ch : '-').ToArray());
        while (raw.Contains("--", StringComparison.Ordinal))
        {
            raw = raw.Replace("--", "-", StringComparison.Ordinal);
        }

        raw = raw.Trim('-', '.');
        if (raw.Length > 56)
        {
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(raw)))[..6].ToLowerInvariant();
            raw = raw[..49].TrimEnd('-', '.') + "-" + hash;
        }

        var id = raw;
        for (var i = 2; taken(id); i++)
        {
            id = $"{raw}-{i}";
        }

        return id;
    }

    private static List<QaPortRange> ParsePorts(IEnumerable<string> ports, string path)
    {
        var list = new List<QaPortRange>();
        foreach (var p in ports)
        {
            if (!QaPortRange.TryParse(p, out var range, out var error))
            {
                throw new QaValidationException(error! with { Path = path });
            }

            list.Add(range);
        }

        return list;
    }

    private static IPNetwork ParseSubnet(string text, string path, string target) =>
        IpMath.TryParseCidr(text, out var n)
            ? n
            : throw new QaValidationException(PolicyParts.InvalidSubnet(text, target, path, $"of {target}"));

    private static IPAddress ParseAddress(string text, string path, string target) =>
        PolicyParts.TryParseAddress(text, out var a)
            ? a
            : throw new QaValidationException(PolicyParts.InvalidAddress(text, target, path, $"of {target}",
                "Write a single address such as 192.168.150.10."));
}
