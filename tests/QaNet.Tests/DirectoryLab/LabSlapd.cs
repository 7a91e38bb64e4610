using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Tests.AccessLab;

namespace QaNet.Tests.DirectoryLab;

/// <summary>An account of the lab directory: login name and the groups (by name) it is a direct member of.</summary>
public sealed record DirectoryAccount(string Name, int Uid, IReadOnlyList<string> Groups);

/// <summary>
/// A real slapd (Debian's) in a network namespace of its own (loopback only, nothing linked
/// anywhere), with a generated slapd.conf, a FreeIPA-like tree (<c>cn=users,cn=accounts</c>,
/// <c>cn=groups,cn=accounts</c>, groups whose <c>member</c> DNs name users and nested groups),
/// a CA and a server certificate for 127.0.0.1, listening on ldap:// (StartTLS offered) and
/// ldaps://. Everything lives in a temp folder; slapd runs under <c>timeout</c> and is killed on
/// dispose, the namespace removed.
/// </summary>
public sealed class LabSlapd : IAsyncDisposable
{
    public const string Base = "dc=qa,dc=lab";
    public const string Reader = "uid=qanet-reader,cn=sysaccounts,cn=etc," + Base;
    public const string ReaderPassword = "lab-reader-secret";
    public const string RootDn = "cn=admin," + Base;
    public const string RootPassword = "lab-admin-secret";
    public const int LdapPort = 389;
    public const int LdapsPort = 636;

    private Process? _process;

    private LabSlapd(string ns, string directory)
    {
        Namespace = ns;
        Directory = directory;
    }

    public string Namespace { get; }

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    /// <summary>A CA that signed nothing of this server: a certificate that does not verify against it.</summary>
    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    public string SocketUri => "ldapi://" + Uri.EscapeDataString(Path.Combine(Directory, "ldapi"));

    public string Log => File.Exists(Path.Combine(Directory, "slapd.log")) ? File.ReadAllText(Path.Combine(Directory, "slapd.log")) : string.Empty;

    public static string UserDn(string user) => $"uid={user},{QaDirectory.FreeIpaUserContainer},{Base}";

    public static string GroupDn(string group) => $"cn={group},{QaDirectory.FreeIpaGroupContainer},{Base}";

    /// <summary>The directory as QaNet sees it from inside the namespace.</summary>
    public static QaDirectory Directory389(QaDirectoryTls tls = QaDirectoryTls.None, string? ca = null, string? bindDn = null) =>
        new() { Uri = $"ldap://127.0.0.1:{LdapPort}", BaseDn = Base, Tls = tls, CaFile = ca, BindDn = bindDn };

    /// <summary>
    /// Starts slapd in namespace <paramref name="ns"/> (created, loopback up) with the groups
    /// <paramref name="groups"/> (name → gid), the <paramref name="accounts"/>, and nested groups
    /// (<paramref name="nested"/>: group name → the groups it contains).
    /// </summary>
    public static async Task<LabSlapd> StartAsync(string ns, IReadOnlyDictionary<string, int> groups, IReadOnlyList<DirectoryAccount> accounts,
        IReadOnlyDictionary<string, string[]>? nested = null)
    {
        await ProcessRunner.Instance.RunAsync(CommandSpec.Of("ip", "netns", "delete", ns));
        var dir = System.IO.Directory.CreateTempSubdirectory("qanet-slapd-").FullName;
        var slapd = new LabSlapd(ns, dir);
        try
        {
            await LabSsh.RequireAsync(CommandSpec.Of("ip", "netns", "add", ns));
            await LabSsh.RequireAsync(CommandSpec.Of("ip", "-n", ns, "link", "set", "lo", "up"));
            await slapd.WriteCertificatesAsync();
            System.IO.Directory.CreateDirectory(Path.Combine(dir, "db"));
            var conf = Path.Combine(dir, "slapd.conf");
            await File.WriteAllTextAsync(conf, slapd.Config());
            var ldif = Path.Combine(dir, "seed.ldif");
            await File.WriteAllTextAsync(ldif, Seed(groups, accounts, nested ?? new Dictionary<string, string[]>()));
            await LabSsh.RequireAsync(CommandSpec.Of("slapadd", "-f", conf, "-l", ldif));
            await slapd.RunAsync(conf);
            return slapd;
        }
        catch
        {
            await slapd.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs ldapmodify as the directory's root over its unix socket, <paramref name="ldif"/> on stdin.</summary>
    public async Task ModifyAsync(string ldif)
    {
        var r = await ProcessRunner.Instance.RunAsync(new CommandSpec("ldapmodify", new[] { "-H", SocketUri, "-x", "-D", RootDn, "-w", RootPassword }).WithStdin(ldif) with { Timeout = LabSsh.CommandTimeout });
        if (!r.Succeeded)
        {
            throw new InvalidOperationException($"ldapmodify failed ({r.ExitCode}): {r.Stderr}{r.Stdout}");
        }
    }

    public Task AddMemberAsync(string group, string user) =>
        ModifyAsync($"dn: {GroupDn(group)}\nchangetype: modify\nadd: member\nmember: {UserDn(user)}\n");

    public Task RemoveMemberAsync(string group, string user) =>
        ModifyAsync($"dn: {GroupDn(group)}\nchangetype: modify\ndelete: member\nmember: {UserDn(user)}\n");

    private string Config() => $"""
        # QaNet lab directory: slapd in {Namespace}, everything in {Directory}
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/inetorgperson.schema
        include /etc/ldap/schema/nis.schema
        modulepath /usr/lib/ldap
        moduleload back_mdb
        pidfile {Path.Combine(Directory, "slapd.pid")}
        argsfile {Path.Combine(Directory, "slapd.args")}
        TLSCACertificateFile {CaFile}
        TLSCertificateFile {Path.Combine(Directory, "server.pem")}
        TLSCertificateKeyFile {Path.Combine(Directory, "server.key")}
        database mdb
        maxsize 16777216
        suffix "{Base}"
        rootdn "{RootDn}"
        rootpw {RootPassword}
        directory {Path.Combine(Directory, "db")}
        access to attrs=userPassword by self read by anonymous auth by * none
        access to * by * read

        """;

    private static string Seed(IReadOnlyDictionary<string, int> groups, IReadOnlyList<DirectoryAccount> accounts, IReadOnlyDictionary<string, string[]> nested)
    {
        var sb = new StringBuilder();
        void Entry(string dn, params string[] lines)
        {
            sb.Append(CultureInfo.InvariantCulture, $"dn: {dn}\n");
            foreach (var l in lines)
            {
                sb.Append(l).Append('\n');
            }

            sb.Append('\n');
        }

        Entry(Base, "objectClass: dcObject", "objectClass: organization", "dc: qa", "o: QaNet lab");
        foreach (var c in new[] { "cn=accounts", "cn=users,cn=accounts", "cn=groups,cn=accounts", "cn=etc", "cn=sysaccounts,cn=etc" })
        {
            Entry($"{c},{Base}", "objectClass: organizationalRole", "cn: " + c.Split(',')[0][3..]);
        }

        Entry(Reader, "objectClass: account", "objectClass: simpleSecurityObject", "uid: qanet-reader", "userPassword: " + ReaderPassword);
        foreach (var a in accounts)
        {
            Entry(UserDn(a.Name), "objectClass: inetOrgPerson", "objectClass: posixAccount", $"uid: {a.Name}", $"cn: {a.Name}", $"sn: {a.Name}",
                $"uidNumber: {a.Uid}", "gidNumber: 100", $"homeDirectory: /home/{a.Name}", "loginShell: /bin/sh");
        }

        // posixGroup (structural, gidNumber) with extensibleObject for FreeIPA's member DNs: a
        // group may be empty, as FreeIPA's may.
        foreach (var (name, gid) in groups)
        {
            var lines = new List<string> { "objectClass: posixGroup", "objectClass: extensibleObject", $"cn: {name}", $"gidNumber: {gid}" };
            lines.AddRange(accounts.Where(a => a.Groups.Contains(name, StringComparer.Ordinal)).Select(a => "member: " + UserDn(a.Name)));
            lines.AddRange((nested.TryGetValue(name, out var inner) ? inner : Array.Empty<string>()).Select(g => "member: " + GroupDn(g)));
            Entry(GroupDn(name), lines.ToArray());
        }

        return sb.ToString();
    }

    private async Task WriteCertificatesAsync()
    {
        var d = Directory;
        async Task Openssl(params string[] args) => await LabSsh.RequireAsync(new CommandSpec("openssl", args));
        foreach (var ca in new[] { "ca", "other-ca" })
        {
            await Openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", $"/CN=QaNet lab {ca}", "-keyout", Path.Combine(d, ca + ".key"), "-out", Path.Combine(d, ca + ".pem"),
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        }

        await Openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", Path.Combine(d, "server.key"), "-out", Path.Combine(d, "server.csr"));
        await File.WriteAllTextAsync(Path.Combine(d, "server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        await Openssl("x509", "-req", "-in", Path.Combine(d, "server.csr"), "-CA", Path.Combine(d, "ca.pem"), "-CAkey", Path.Combine(d, "ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", Path.Combine(d, "server.ext"), "-out", Path.Combine(d, "server.pem"));
    }

    private async Task RunAsync(string conf)
    {
        var urls = $"ldap://127.0.0.1:{LdapPort}/ ldaps://127.0.0.1:{LdapsPort}/ {SocketUri}";
        var psi = new ProcessStartInfo("timeout") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-k", "5", "900", "ip", "netns", "exec", Namespace, "slapd", "-d", "0", "-f", conf, "-h", urls })
        {
            psi.ArgumentList.Add(a);
        }

        var log = new StringBuilder();
        _process = Process.Start(psi) ?? throw new InvalidOperationException("timeout did not start");
        _process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        _process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        for (var i = 0; i < 100; i++)
        {
            var r = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("ldapsearch", "-H", SocketUri, "-x", "-b", Base, "-s", "base", "-LLL", "dn") with { Timeout = TimeSpan.FromSeconds(5) });
            if (r.Succeeded)
            {
                return;
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        string text;
        lock (log)
        {
            text = log.ToString();
        }

        throw new InvalidOperationException($"slapd in {Namespace} did not answer within 10 s: {text}");
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a thread of its own that has joined this namespace's
    /// network (setns): sockets it opens, libldap's included, are the namespace's, so in-process
    /// code reaches 127.0.0.1 there without anything linked to the root namespace.
    /// </summary>
    public T InNamespace<T>(Func<T> body) => NetnsThread.Run(Namespace, body);

    public async ValueTask DisposeAsync()
    {
        if (_process is { } p)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            p.Dispose();
            _process = null;
        }

        await ProcessRunner.Instance.RunAsync(CommandSpec.Of("ip", "netns", "delete", Namespace) with { Timeout = LabSsh.CommandTimeout });
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>Runs code on a fresh thread moved into a network namespace (setns(2) affects the calling thread only).</summary>
public static partial class NetnsThread
{
    private const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    public static T Run<T>(string ns, Func<T> body)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle("/run/netns/" + ns);
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns into {ns} failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result = body();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"The code run in {ns} did not finish within 60 s.");
        }

        return error is null ? result : throw new AggregateException(error);
    }
}
