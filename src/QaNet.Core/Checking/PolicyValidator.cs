using System.Text.RegularExpressions;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Checking;

/// <summary>
/// Checks a whole policy and returns every problem. Paths use the policy file's layout
/// (<c>networks[qa-clients].clients[c1].address</c>) so the YAML loader can point at the line.
/// Each section of the policy is checked in its own file (PolicyValidator.Networks.cs, .Clients.cs, …).
/// </summary>
public static partial class PolicyValidator
{
    [GeneratedRegex("^[0-9a-f]{2}(:[0-9a-f]{2}){5}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex MacRegex();

    public static bool IsValidMac(string? mac) =>
        mac is not null && MacRegex().IsMatch(mac) && (Convert.ToInt32(mac[..2], 16) & 1) == 0;

    /// <summary>Throws <see cref="QaValidationException"/> with every problem, or returns.</summary>
    public static void ThrowIfInvalid(QaPolicy policy)
    {
        var errors = Validate(policy);
        if (errors.Count > 0)
        {
            throw new QaValidationException(errors);
        }
    }

    public static List<QaValidationError> Validate(QaPolicy policy)
    {
        var v = new Collector();
        if (!Names.IsValid(policy.Name))
        {
            v.Name($"policy '{policy.Name}'", "name", policy.Name);
        }

        ValidateNetworks(policy, v);
        ValidateClients(policy, v);
        ValidateEndpoints(policy, v);
        ValidateHosts(policy, v);
        ValidateRules(policy, v);
        ValidateAssertions(policy, v);
        ValidateTexts(policy, v);
        v.Errors.AddRange(AccessValidator.Validate(policy));
        foreach (var (host, transport) in policy.Transports)
        {
            v.Errors.AddRange(transport.Validate());
            if (!string.Equals(host, transport.Host, StringComparison.Ordinal))
            {
                v.Errors.Add(new QaValidationError(QaErrorIds.InvalidTransport, $"transport of '{host}'", $"transports[{host}]",
                    $"The transport filed under '{host}' is for host '{transport.Host}'.", "File each transport under its own host name."));
            }
        }

        return v.Errors;
    }

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>
    /// Claims <paramref name="key"/> (an address, a MAC, a VNI) for <paramref name="owner"/>: null when
    /// it was free, else who claimed it first (and the claim stays theirs).
    /// </summary>
    private static string? FirstOwner<TKey>(Dictionary<TKey, string> owners, TKey key, string owner)
        where TKey : notnull =>
        owners.TryAdd(key, owner) ? null : owners[key];

    private sealed class Collector
    {
        public List<QaValidationError> Errors { get; } = new();

        public void Add(string id, string target, string? path, string message, string fix) =>
            Errors.Add(new QaValidationError(id, target, path, message, fix));

        public void Name(string target, string path, string? name) =>
            Errors.Add(QaValidationError.Name(target, name) with { Path = path });

        /// <summary>Every name in <paramref name="names"/> (virthosts, roles) passes the name rule; <paramref name="kind"/> words the target.</summary>
        public void NameList(string kind, IEnumerable<string> names, string path)
        {
            foreach (var name in names.Where(n => !Names.IsValid(n)))
            {
                Name($"{kind} '{name}'", path, name);
            }
        }

        /// <summary>
        /// The name of something the policy lists passes the name rule and is the first of its
        /// kind (<paramref name="seen"/>); else <paramref name="duplicateId"/> with its message and fix.
        /// </summary>
        public void UniqueName(HashSet<string> seen, string name, string target, string path,
            string duplicateId, string duplicateMessage, string duplicateFix)
        {
            if (!Names.IsValid(name))
            {
                Name(target, path, name);
            }

            if (!seen.Add(name))
            {
                Add(duplicateId, target, path, duplicateMessage, duplicateFix);
            }
        }
    }
}
