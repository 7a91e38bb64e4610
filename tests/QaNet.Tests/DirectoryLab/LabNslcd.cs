using System.Diagnostics;
using System.Globalization;
using System.Text;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Tests.AccessLab;

namespace QaNet.Tests.DirectoryLab;

/// <summary>
/// A lab host's <c>nslcd</c> (Debian's nss-pam-ldapd): the host's sshd and sudo resolve users and
/// groups through it, against the lab's <see cref="LabSlapd"/>, as an enrolled host resolves
/// through its directory. Everything is private to the host's <see cref="LabAccountFiles"/> folder:
/// <c>etc/nslcd.conf</c> (StartTLS to the directory with its CA, bound as the reader account,
/// FreeIPA's containers, <c>member</c> DNs with nested groups followed, the dn2uid cache off),
/// <c>etc/nsswitch.conf</c> (<c>passwd: files ldap</c>, <c>group: files ldap</c>) and
/// <c>run/nslcd</c>, the socket folder. nslcd runs in the directory's network namespace (so it
/// reaches the slapd at 127.0.0.1 there, nothing linked anywhere) inside a private mount namespace
/// where its config and that folder are bind-mounted over <c>/etc/nslcd.conf</c> and
/// <c>/run/nslcd</c>; the host's own mount namespace (LabAccountFiles' enter script) binds the same
/// folder over <c>/run/nslcd</c>, so libnss_ldap in sshd and sudo finds this nslcd's socket and
/// no other. The machine's /etc is never written: <c>/run/nslcd</c> is only the mount point
/// (made empty when missing, as nslcd's init script makes it).
/// </summary>
public sealed class LabNslcd : IDisposable
{
    public const string Program = "/usr/sbin/nslcd";
    public const string SocketDirectory = "/run/nslcd";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    // nslcd.conf has no option for its own path: the private copy goes over /etc/nslcd.conf.
    private const string EnterScript = """
        set -e
        d=$1
        shift
        mount --bind "$d/etc/nslcd.conf" /etc/nslcd.conf
        mount --bind "$d/run/nslcd" /run/nslcd
        exec "$@"
        """;

    private readonly StringBuilder _log = new();
    private Process? _process;

    private LabNslcd(string host, string directory)
    {
        Host = host;
        Directory = directory;
    }

    public string Host { get; }

    /// <summary>The host's account folder (LabAccountFiles.Directory).</summary>
    public string Directory { get; }

    public string ConfigPath => Path.Combine(Directory, "etc", "nslcd.conf");

    public string Socket => Path.Combine(Directory, "run", "nslcd", "socket");

    /// <summary>nslcd's debug output (-d): every request and the LDAP searches it made for it.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The nslcd.conf a lab host gets: the directory's StartTLS URI inside its namespace, its CA, the reader bind, FreeIPA's tree.</summary>
    public static string Config(LabSlapd slapd, string homes) => $"""
        # QaNet access lab: this host's nslcd, against the lab directory in {slapd.Namespace}
        uri ldap://127.0.0.1:{LabSlapd.LdapPort}/
        ssl start_tls
        tls_reqcert demand
        tls_cacertfile {slapd.CaFile}
        binddn {LabSlapd.Reader}
        bindpw {LabSlapd.ReaderPassword}
        base {LabSlapd.Base}
        base passwd {QaDirectory.FreeIpaUserContainer},{LabSlapd.Base}
        base group {QaDirectory.FreeIpaGroupContainer},{LabSlapd.Base}
        # FreeIPA lists members as DNs (users and nested groups), not memberUid.
        map group member member
        nss_nested_groups yes
        # Only the lab's accounts come from the directory; the machine's own stay in files.
        nss_min_uid 47000
        # nslcd's only cache (DN -> user name) off: every lookup asks the directory (nscd does not run).
        cache dn2uid 0 0
        # Homes in the lab's temp folder, whatever homeDirectory says.
        map passwd homeDirectory "{homes}/$uid"
        bind_timelimit 3
        timelimit 5

        """;

    public const string NsswitchConf = """
        # QaNet access lab: this host resolves accounts from its files, then the lab directory (nslcd)
        passwd: files ldap
        group: files ldap
        shadow: files
        hosts: files

        """;

    /// <summary>
    /// Writes the host's nslcd.conf and nsswitch.conf into <paramref name="host"/>'s account folder
    /// (so its enter script binds them) and starts its nslcd in the directory's namespace.
    /// </summary>
    public static async Task<LabNslcd> StartAsync(string hostName, LabAccountFiles host, LabSlapd slapd, string homes)
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"The lab hosts resolve through {Program}: apt-get install nslcd libnss-ldapd (tools/lab-packages.txt; build.ps1 preseeds them).");
        }

        if (!System.IO.Directory.Exists(SocketDirectory))
        {
            // The mount point only; nslcd's init script makes the same empty folder.
            System.IO.Directory.CreateDirectory(SocketDirectory);
        }

        var n = new LabNslcd(hostName, host.Directory);
        var run = Path.Combine(host.Directory, "run", "nslcd");
        System.IO.Directory.CreateDirectory(run);
        await LabSsh.ChmodAsync("0755", Path.Combine(host.Directory, "run"));
        await LabSsh.ChmodAsync("0755", run);
        await File.WriteAllTextAsync(n.ConfigPath, Config(slapd, homes));
        // It holds the reader's password, as a real host's does.
        await LabSsh.ChmodAsync("0600", n.ConfigPath);
        await File.WriteAllTextAsync(Path.Combine(host.Directory, "etc", "nsswitch.conf"), NsswitchConf);
        await LabSsh.ChmodAsync("0644", Path.Combine(host.Directory, "etc", "nsswitch.conf"));
        var enter = Path.Combine(host.Directory, "nslcd-enter.sh");
        await File.WriteAllTextAsync(enter, EnterScript + "\n");

        var psi = new ProcessStartInfo("timeout") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "-k", "5", ((int)Lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "ip", "netns", "exec", slapd.Namespace, "unshare", "-m", "--propagation", "private", "sh", enter, host.Directory, Program, "-d",
        })
        {
            psi.ArgumentList.Add(a);
        }

        n._process = Process.Start(psi) ?? throw new InvalidOperationException("timeout did not start");
        n._process.ErrorDataReceived += (_, e) => { lock (n._log) { n._log.AppendLine(e.Data); } };
        n._process.OutputDataReceived += (_, e) => { lock (n._log) { n._log.AppendLine(e.Data); } };
        n._process.BeginErrorReadLine();
        n._process.BeginOutputReadLine();
        for (var i = 0; i < 50; i++)
        {
            if (File.Exists(n.Socket))
            {
                return n;
            }

            if (n._process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        var log = n.Log;
        n.Dispose();
        throw new InvalidOperationException($"nslcd for {hostName} made no socket within 5 s:\n{log}");
    }

    public void Dispose() => QaNet.Tests.Support.LabProcesses.Stop(ref _process);
}
