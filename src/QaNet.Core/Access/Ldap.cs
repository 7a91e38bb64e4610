using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Access;

/// <summary>A group as the directory has it: its DN and its members' login names, nested groups flattened.</summary>
public sealed record DirectoryGroup(string Name, string Dn, IReadOnlyList<string> Members, IReadOnlyList<string> NestedGroups);

/// <summary>A directory of account groups. The real one is <see cref="LdapDirectorySource"/>; tests may give their own.</summary>
public interface IDirectorySource
{
    /// <summary>The group, or null when the directory has no group of that name.</summary>
    DirectoryGroup? GetGroup(string name);
}

/// <summary>
/// Reads groups from an LDAP directory (FreeIPA's tree by default) with OpenLDAP's libldap through
/// System.DirectoryServices.Protocols: one connection, opened on first use (in the calling
/// thread's network namespace), TLS by StartTLS or ldaps with an optional CA file, a simple or an
/// anonymous bind. It sends searches only: nothing in the directory is changed. Every failure is a
/// <see cref="QaValidationException"/> with an Ldap* id: the server does not answer
/// (<see cref="QaErrorIds.LdapServerUnreachable"/>), the TLS handshake fails
/// (<see cref="QaErrorIds.LdapTlsFailed"/>), the bind is refused (<see cref="QaErrorIds.LdapBindFailed"/>),
/// the group base does not exist (<see cref="QaErrorIds.LdapBaseNotFound"/>).
/// </summary>
public sealed class LdapDirectorySource : IDirectorySource, IDisposable
{
    /// <summary>FreeIPA nests groups a few levels deep; a loop or a runaway tree stops here.</summary>
    public const int MaxNesting = 16;

    private const int InvalidCredentials = 49;
    private const int ServerDown = 81;
    private const int ConnectError = -11;
    private const int ServerDownUnknown = -1;

    private readonly QaDirectory directory;
    private readonly string? password;
    private readonly TimeSpan timeout;
    private readonly string target;
    private LdapConnection? connection;
    private string? caDirectory;

    public LdapDirectorySource(QaDirectory directory, string? password = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        this.directory = directory;
        this.password = password;
        this.timeout = timeout ?? TimeSpan.FromSeconds(5);
        target = $"directory {directory.Uri}";
        Endpoint = ParseUri(directory.Uri);
        Validate();
    }

    /// <summary>The host and port of <see cref="QaDirectory.Uri"/>, and whether it is ldaps://.</summary>
    public (string Host, int Port, bool Ldaps) Endpoint { get; }

    /// <summary><c>ldap://host[:port]</c> or <c>ldaps://host[:port]</c>, nothing after; InvalidDirectory otherwise.</summary>
    public static (string Host, int Port, bool Ldaps) ParseUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (System.Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.Scheme is "ldap" or "ldaps" && u.Host.Length > 0 &&
            u.AbsolutePath is "" or "/" && u.Query.Length == 0 && u.Fragment.Length == 0 && u.UserInfo.Length == 0)
        {
            var ldaps = u.Scheme == "ldaps";
            return (u.Host.Trim('[', ']'), u.IsDefaultPort || u.Port < 0 ? (ldaps ? 636 : 389) : u.Port, ldaps);
        }

        throw Invalid($"'{uri}' is not a directory URI.", "Give ldap://host[:port] or ldaps://host[:port] (FreeIPA: ldaps://ipa.example.org).");
    }

    public DirectoryGroup? GetGroup(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var c = Connect();
        var entry = SearchOne(c, directory.EffectiveGroupBaseDn, SearchScope.Subtree, $"({directory.GroupNameAttribute}={EscapeFilter(name)})");
        if (entry is null)
        {
            return null;
        }

        var users = new SortedSet<string>(StringComparer.Ordinal);
        var nested = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Normalize(entry.DistinguishedName) };
        Collect(c, entry, users, nested, seen, 0);
        return new DirectoryGroup(name, entry.DistinguishedName, users.ToList(), nested);
    }

    public void Dispose()
    {
        connection?.Dispose();
        connection = null;
        if (caDirectory is not null && System.IO.Directory.Exists(caDirectory))
        {
            System.IO.Directory.Delete(caDirectory, recursive: true);
        }

        caDirectory = null;
    }

    private void Validate()
    {
        var tls = directory.EffectiveTls;
        if (tls == QaDirectoryTls.Ldaps && !Endpoint.Ldaps)
        {
            throw Invalid($"tls: ldaps needs an ldaps:// URI, not '{directory.Uri}'.", "Write ldaps://host, or tls: starttls for ldap://.");
        }

        if (tls != QaDirectoryTls.Ldaps && Endpoint.Ldaps)
        {
            throw Invalid($"'{directory.Uri}' is ldaps://, which is TLS already; tls: {tls.ToString().ToLowerInvariant()} contradicts it.", "Leave tls out for ldaps://.");
        }

        if (directory.CaFile is { } ca && !File.Exists(ca))
        {
            throw Invalid($"The CA file '{ca}' does not exist.", "Give the PEM CA certificate of the directory (FreeIPA: /etc/ipa/ca.crt).");
        }

        foreach (var (what, dn) in new[] { ("base DN", directory.BaseDn), ("group base DN", directory.EffectiveGroupBaseDn), ("bind DN", directory.BindDn) })
        {
            if (dn is not null && !LooksLikeDn(dn))
            {
                throw Invalid($"The {what} '{dn}' is not a DN.", "Write it as attribute=value pairs separated by commas, e.g. dc=fedoraproject,dc=org.");
            }
        }
    }

    private LdapConnection Connect()
    {
        if (connection is not null)
        {
            return connection;
        }

        var (host, port, ldaps) = Endpoint;
        Probe(host, port);
        var c = new LdapConnection(new LdapDirectoryIdentifier(host, port, false, false)) { AutoBind = false, Timeout = timeout };
        try
        {
            c.SessionOptions.ProtocolVersion = 3;
            c.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
            if (directory.CaFile is not null && OperatingSystem.IsWindows())
            {
                throw Invalid("A CA file for the directory works with OpenLDAP's libldap (Linux, macOS) only.", "On Windows, trust the CA in the certificate store and leave ca: out.");
            }

            if (directory.CaFile is { } caFile && !OperatingSystem.IsWindows())
            {
                var ca = caFile;
                // libldap takes a folder of CA certificates per connection; one with only this CA.
                caDirectory = System.IO.Directory.CreateTempSubdirectory("qanet-ldap-ca-").FullName;
                File.Copy(ca, Path.Combine(caDirectory, "ca.pem"));
                c.SessionOptions.TrustedCertificatesDirectory = caDirectory;
                c.SessionOptions.StartNewTlsSessionContext();
            }

            if (ldaps)
            {
                c.SessionOptions.SecureSocketLayer = true;
            }

            if (directory.EffectiveTls == QaDirectoryTls.StartTls)
            {
                try
                {
                    // On Linux, S.DS.P opens libldap's connection only in Bind (dotnet/runtime#96988:
                    // StartTLS first fails with "cannot be established"). An anonymous bind opens it
                    // and sends no secret; the TLS upgrade follows, then the real bind inside TLS.
                    c.AuthType = AuthType.Anonymous;
                    try
                    {
                        c.Bind(new NetworkCredential());
                    }
                    catch (LdapException e) when (e.ErrorCode is not (ServerDown or ConnectError or ServerDownUnknown))
                    {
                        // A directory that refuses anonymous binds has still opened the connection.
                    }

                    c.SessionOptions.StartTransportLayerSecurity(null);
                }
                catch (Exception e) when (e is LdapException or DirectoryOperationException)
                {
                    throw Tls($"StartTLS with {host}:{port} failed: {e.Message}", e);
                }
            }

            var anonymous = directory.BindDn is null;
            c.AuthType = anonymous ? AuthType.Anonymous : AuthType.Basic;
            try
            {
                c.Bind(anonymous ? new NetworkCredential() : new NetworkCredential(directory.BindDn, password ?? string.Empty));
            }
            catch (LdapException e) when (e.ErrorCode == InvalidCredentials)
            {
                throw new QaValidationException(new QaValidationError(QaErrorIds.LdapBindFailed, target, null,
                    $"The directory refused the bind as '{directory.BindDn ?? "(anonymous)"}': invalid credentials.",
                    "Check the bind DN and password (-Credential); FreeIPA: uid=<user>,cn=users,cn=accounts,<base>."), e);
            }
            catch (LdapException e) when (ldaps && e.ErrorCode is ServerDown or ConnectError or ServerDownUnknown)
            {
                // The TCP port answered (Probe), so a connection that fails on ldaps is its handshake.
                throw Tls($"The TLS handshake with {host}:{port} failed: {e.Message}", e);
            }
            catch (LdapException e)
            {
                throw Failed($"The bind to {host}:{port} failed: {e.Message} (LDAP result {e.ErrorCode}).", e);
            }
        }
        catch
        {
            c.Dispose();
            throw;
        }

        connection = c;
        return c;
    }

    // A TCP connection first: tells "no server there" apart from a TLS or bind failure, which
    // libldap reports with the same "server down" code. Made in the calling thread, like libldap's.
    private void Probe(string host, int port)
    {
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var cts = new CancellationTokenSource(timeout);
            socket.ConnectAsync(host, port, cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.LdapServerUnreachable, target, null,
                $"The directory server {host}:{port} does not answer ({(e is OperationCanceledException ? $"no connection within {timeout.TotalSeconds:0.#} s" : e.Message)}).",
                "Check the URI, that the server runs, and that this machine may reach it (firewall, VPN)."), e);
        }
    }

    private SearchResultEntry? SearchOne(LdapConnection c, string baseDn, SearchScope scope, string filter)
    {
        var request = new SearchRequest(baseDn, filter, scope, directory.MemberAttribute, directory.GroupNameAttribute, directory.UserNameAttribute, "objectClass")
        {
            SizeLimit = 2,
            TimeLimit = timeout,
        };
        try
        {
            var response = (SearchResponse)c.SendRequest(request, timeout);
            return response.Entries.Count > 0 ? response.Entries[0] : null;
        }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
        {
            if (scope == SearchScope.Base)
            {
                return null;
            }

            throw new QaValidationException(new QaValidationError(QaErrorIds.LdapBaseNotFound, target, null,
                $"The directory has no entry '{baseDn}' to search for groups under.",
                $"Check the base DN (FreeIPA: {QaDirectory.FreeIpaGroupContainer},<base>, e.g. with ldapsearch -b '' -s base namingContexts)."), e);
        }
        catch (DirectoryOperationException e)
        {
            throw Failed($"Searching '{baseDn}' for {filter} failed: {e.Response?.ResultCode} {e.Message}", e);
        }
        catch (LdapException e)
        {
            throw Failed($"Searching '{baseDn}' for {filter} failed: {e.Message} (LDAP result {e.ErrorCode}).", e);
        }
    }

    private void Collect(LdapConnection c, SearchResultEntry group, SortedSet<string> users, List<string> nested, HashSet<string> seen, int depth)
    {
        var groupBase = Normalize(directory.EffectiveGroupBaseDn);
        foreach (var dn in Values(group, directory.MemberAttribute))
        {
            var normal = Normalize(dn);
            if (!seen.Add(normal))
            {
                continue;
            }

            var (rdnAttribute, rdnValue) = FirstRdn(dn);
            var inGroups = normal.EndsWith("," + groupBase, StringComparison.OrdinalIgnoreCase);
            if (!inGroups && string.Equals(rdnAttribute, directory.UserNameAttribute, StringComparison.OrdinalIgnoreCase))
            {
                users.Add(rdnValue);
                continue;
            }

            // A group below the group base, or an entry named otherwise: read it.
            if (SearchOne(c, dn, SearchScope.Base, "(objectClass=*)") is not { } entry)
            {
                continue;
            }

            if (Values(entry, directory.UserNameAttribute).FirstOrDefault() is { } uid && !inGroups)
            {
                users.Add(uid);
            }
            else if (directory.NestedGroups && depth < MaxNesting && (inGroups || Values(entry, directory.MemberAttribute).Any()))
            {
                nested.Add(Values(entry, directory.GroupNameAttribute).FirstOrDefault() ?? rdnValue);
                Collect(c, entry, users, nested, seen, depth + 1);
            }
        }
    }

    private static IEnumerable<string> Values(SearchResultEntry entry, string attribute) =>
        entry.Attributes[attribute] is { } a ? a.GetValues(typeof(string)).Cast<string>() : Enumerable.Empty<string>();

    /// <summary>RFC 4515 escaping of a value in a search filter.</summary>
    public static string EscapeFilter(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var ch in value)
        {
            if (ch is '*' or '(' or ')' or '\\' or '\0')
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\{(int)ch:x2}");
            }
            else
            {
                sb.Append(ch);
            }
        }

        return sb.ToString();
    }

    private static (string Attribute, string Value) FirstRdn(string dn)
    {
        var end = 0;
        while (end < dn.Length && dn[end] != ',')
        {
            end += dn[end] == '\\' ? 2 : 1;
        }

        var rdn = dn[..Math.Min(end, dn.Length)];
        var eq = rdn.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (string.Empty, rdn) : (rdn[..eq].Trim(), rdn[(eq + 1)..].Trim().Replace("\\", string.Empty, StringComparison.Ordinal));
    }

    private static string Normalize(string dn) =>
        string.Join(',', dn.Split(',').Select(p => p.Trim())).ToLowerInvariant();

    private static bool LooksLikeDn(string dn) =>
        dn.Length > 0 && dn.Split(',').All(p => p.IndexOf('=', StringComparison.Ordinal) is > 0 and var i && i < p.Length - 1 && !p.Contains('\n', StringComparison.Ordinal));

    private static QaValidationException Invalid(string message, string hint) =>
        new(new QaValidationError(QaErrorIds.InvalidDirectory, "directory", null, message, hint));

    private QaValidationException Tls(string message, Exception inner) =>
        new(new QaValidationError(QaErrorIds.LdapTlsFailed, target, null, message,
            "Check that the server's certificate is signed by the CA given (ca:, -CaFile; FreeIPA: /etc/ipa/ca.crt) and names the host of the URI."), inner);

    private QaValidationException Failed(string message, Exception inner) =>
        new(new QaValidationError(QaErrorIds.LdapQueryFailed, target, null, message, "Check the directory's log; QaNet only searched."), inner);
}

/// <summary>Which side of a comparison has a member the other lacks.</summary>
public enum QaGroupSide
{
    /// <summary>The directory lists the user; the policy does not.</summary>
    DirectoryOnly,
    /// <summary>The policy lists the user; the directory does not.</summary>
    PolicyOnly,
}

/// <summary>One member that the directory and the policy disagree on (Compare-QaGroup).</summary>
public sealed record QaGroupDifference(string Group, string User, [property: Newtonsoft.Json.JsonIgnore] QaGroupSide Side)
{
    /// <summary>Compare-Object's indicator: <c>=&gt;</c> only in the directory, <c>&lt;=</c> only in the policy.</summary>
    public string SideIndicator => Side == QaGroupSide.DirectoryOnly ? "=>" : "<=";

    /// <summary>
    /// The members of <paramref name="policyGroup"/> (as the policy lists them) against
    /// <paramref name="directoryMembers"/> (null: the directory lacks the group, so all of the
    /// policy's are policy-only): directory-only users first, each side in name order.
    /// </summary>
    public static IReadOnlyList<QaGroupDifference> Compare(QaGroup policyGroup, IReadOnlyList<string>? directoryMembers)
    {
        ArgumentNullException.ThrowIfNull(policyGroup);
        var inDirectory = (directoryMembers ?? Array.Empty<string>()).ToHashSet(StringComparer.Ordinal);
        var inPolicy = policyGroup.Members.ToHashSet(StringComparer.Ordinal);
        return inDirectory.Except(inPolicy).Order(StringComparer.Ordinal).Select(u => new QaGroupDifference(policyGroup.Name, u, QaGroupSide.DirectoryOnly))
            .Concat(inPolicy.Except(inDirectory).Order(StringComparer.Ordinal).Select(u => new QaGroupDifference(policyGroup.Name, u, QaGroupSide.PolicyOnly)))
            .ToList();
    }
}
