using System.Globalization;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Access;

/// <summary>A group as NSS reports it (<c>getent group</c>): explicit members only.</summary>
public sealed record NssGroup(string Name, int Gid, IReadOnlyList<string> Members);

/// <summary>A user as NSS reports it (<c>getent passwd</c>).</summary>
public sealed record NssUser(string Name, int Uid, int Gid, string Home, string Shell);

/// <summary>The system's account database. The real one asks getent; tests give their own.</summary>
public interface INssSource
{
    /// <summary>The group, or null when NSS does not know it.</summary>
    NssGroup? GetGroup(string name);

    /// <summary>The user, or null when NSS does not know it.</summary>
    NssUser? GetUser(string name);

    /// <summary>Every user NSS enumerates (sssd usually enumerates only local ones).</summary>
    IReadOnlyList<NssUser> GetUsers();
}

/// <summary>Parses the colon-separated lines of passwd(5) and group(5), which getent prints.</summary>
public static class NssFormat
{
    /// <summary><c>name:x:gid:user1,user2</c>; null for a line that is not one (comments, NIS <c>+</c> lines, bad numbers).</summary>
    public static NssGroup? ParseGroup(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var f = line.TrimEnd('\r').Split(':');
        if (f.Length != 4 || f[0].Length == 0 || f[0][0] is '#' or '+' or '-' ||
            !int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return null;
        }

        var members = f[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        return new NssGroup(f[0], gid, members);
    }

    /// <summary><c>name:x:uid:gid:gecos:home:shell</c>; null for a line that is not one.</summary>
    public static NssUser? ParseUser(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var f = line.TrimEnd('\r').Split(':');
        if (f.Length != 7 || f[0].Length == 0 || f[0][0] is '#' or '+' or '-' ||
            !int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ||
            !int.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            return null;
        }

        return new NssUser(f[0], uid, gid, f[5], f[6]);
    }

    public static IReadOnlyList<NssUser> ParseUsers(string text) =>
        (text ?? string.Empty).Split('\n').Select(ParseUser).Where(u => u is not null).Select(u => u!).ToList();

    public static IReadOnlyList<NssGroup> ParseGroups(string text) =>
        (text ?? string.Empty).Split('\n').Select(ParseGroup).Where(g => g is not null).Select(g => g!).ToList();
}

/// <summary>
/// NSS through <c>getent</c>, run with an argument vector by an <see cref="ICommandRunner"/>
/// (a local process, a namespace or a remote virthost). getent exits 2 for "no such key";
/// anything else that fails is <see cref="QaErrorIds.NssLookupFailed"/>.
/// </summary>
public sealed class GetentNssSource : INssSource
{
    private readonly ICommandRunner runner;

    public GetentNssSource(ICommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        this.runner = runner;
    }

    public NssGroup? GetGroup(string name) => Lookup("group", name) is { } text && NssFormat.ParseGroups(text) is { Count: > 0 } g ? g[0] : null;

    public NssUser? GetUser(string name) => Lookup("passwd", name) is { } text && NssFormat.ParseUsers(text) is { Count: > 0 } u ? u[0] : null;

    public IReadOnlyList<NssUser> GetUsers() => NssFormat.ParseUsers(Lookup("passwd", null) ?? string.Empty);

    private string? Lookup(string database, string? key)
    {
        var args = key is null ? new[] { database } : new[] { database, "--", key };
        var result = runner.RunAsync(new CommandSpec("getent", args)).GetAwaiter().GetResult();
        if (result.Succeeded)
        {
            return result.Stdout;
        }

        if (result.ExitCode == 2 && !result.TimedOut)
        {
            return null;
        }

        throw new QaValidationException(new QaValidationError(QaErrorIds.NssLookupFailed, $"getent {database}", null,
            $"getent {string.Join(' ', args)} failed (exit {result.ExitCode}): {result.Stderr.Trim()}",
            "Check that getent works on the host (nsswitch.conf, sssd running)."));
    }
}

/// <summary>
/// Who is in which group: policy groups from their member lists, NSS groups from
/// <see cref="INssSource"/>, LDAP groups from <see cref="IDirectorySource"/> (the policy's directory).
/// </summary>
public sealed class AccessMembership
{
    private readonly QaPolicy policy;
    private readonly INssSource? nss;
    private readonly IDirectorySource? directory;
    private readonly Dictionary<string, IReadOnlyList<string>> nssMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> directoryMembers = new(StringComparer.Ordinal);

    public AccessMembership(QaPolicy policy, INssSource? nss, IDirectorySource? directory = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        this.policy = policy;
        this.nss = nss;
        this.directory = directory;
    }

    /// <summary>
    /// A group's members. For an NSS group: its explicit members plus every user whose primary
    /// group it is (getent group leaves those out). Without an NSS source an NSS group is empty.
    /// </summary>
    public IReadOnlyList<string> Members(QaGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.Source == QaGroupSource.Policy)
        {
            return group.Members;
        }

        if (group.Source == QaGroupSource.Ldap)
        {
            return DirectoryMembers(group.Name);
        }

        if (nss is null)
        {
            return Array.Empty<string>();
        }

        if (!nssMembers.TryGetValue(group.Name, out var list))
        {
            list = nss.GetGroup(group.Name) is { } g
                ? g.Members.Concat(nss.GetUsers().Where(u => u.Gid == g.Gid).Select(u => u.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()
                : Array.Empty<string>();
            nssMembers[group.Name] = list;
        }

        return list;
    }

    /// <summary>
    /// The group <paramref name="name"/> as NSS sees it (Get-QaGroup -Source Nss): its members as
    /// <see cref="Members"/> counts them, its description from the policy when the policy has it.
    /// A group NSS does not know is NotFound, naming the getent lookup; a bad name is InvalidName.
    /// </summary>
    public static QaGroup LookUpNssGroup(QaPolicy policy, string name, INssSource nss)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(nss);
        var probe = new QaPolicy(policy.Name);
        var group = new QaGroup(probe, name, QaGroupSource.Nss);
        probe.Groups.Add(group);
        if (nss.GetGroup(name) is null)
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.NotFound, $"NSS group '{name}'", null,
                $"NSS knows no group named '{name}' (getent group -- {name} found nothing).",
                $"Check the name with 'getent group {name}' on this machine, and that it is enrolled (sssd, FreeIPA)."));
        }

        var result = new QaGroup(policy, name, QaGroupSource.Nss) { Description = policy.FindGroup(name)?.Description };
        result.Members.AddRange(new AccessMembership(probe, nss).Members(group));
        return result;
    }

    /// <summary>The policy's groups <paramref name="user"/> belongs to, in policy order.</summary>
    public IReadOnlyList<string> GroupsOf(string user)
    {
        var primaryGid = policy.Groups.Any(g => g.Source == QaGroupSource.Nss) ? nss?.GetUser(user)?.Gid : null;
        return policy.Groups.Where(g => IsMember(g, user, primaryGid)).Select(g => g.Name).ToList();
    }

    // One getent call per group and one for the user, rather than enumerating every account.
    private bool IsMember(QaGroup group, string user, int? primaryGid)
    {
        if (group.Source == QaGroupSource.Policy)
        {
            return group.Members.Contains(user, StringComparer.Ordinal);
        }

        if (group.Source == QaGroupSource.Ldap)
        {
            return DirectoryMembers(group.Name).Contains(user, StringComparer.Ordinal);
        }

        return nss?.GetGroup(group.Name) is { } g && (g.Members.Contains(user, StringComparer.Ordinal) || g.Gid == primaryGid);
    }

    /// <summary>
    /// An LDAP group's members (nested groups flattened), read once per membership object; a group
    /// the directory lacks, or no directory given, is empty: default deny, as for NSS.
    /// </summary>
    private IReadOnlyList<string> DirectoryMembers(string name)
    {
        if (directory is null)
        {
            return Array.Empty<string>();
        }

        if (!directoryMembers.TryGetValue(name, out var list))
        {
            list = directory.GetGroup(name)?.Members ?? Array.Empty<string>();
            directoryMembers[name] = list;
        }

        return list;
    }

    /// <summary>
    /// The group <paramref name="name"/> as the directory has it (Get-QaGroup -Source Ldap): its
    /// members, nested groups flattened, its description from the policy when the policy has it.
    /// A group the directory lacks is NotFound.
    /// </summary>
    public static QaGroup LookUpDirectoryGroup(QaPolicy policy, string name, IDirectorySource directory)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(directory);
        var found = directory.GetGroup(name) ?? throw new QaValidationException(new QaValidationError(QaErrorIds.NotFound, $"LDAP group '{name}'", null,
            $"The directory has no group named '{name}'.",
            "Check the name (ldapsearch -b cn=groups,cn=accounts,<base> cn=<name>) and the group base DN."));
        var result = new QaGroup(policy, name, QaGroupSource.Ldap) { Description = policy.FindGroup(name)?.Description };
        result.Members.AddRange(found.Members);
        return result;
    }
}
