using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Text;
using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Publish;

namespace QaNet.Core.Lab;

/// <summary>
/// Host access over real OpenSSH for a lab (<see cref="QaLabHostAccess.Ssh"/>): an sshd in every
/// virthost and gateway namespace listening on its management address only, and the operator's
/// client side. Every file lives in the lab's folder (<c>&lt;lab&gt;/ssh</c>): the client key, one
/// host key per host, known_hosts listing exactly those keys (no trust on first use), the
/// authorized key, each sshd's config, pid file and log, and the ssh_config that maps each host
/// name to its management address. Nothing in /etc/ssh or ~/.ssh is read or written.
/// </summary>
/// <remarks>
/// Each sshd runs in a private mount namespace where QaNet's on-host state folder
/// (<c>/run/qanet/host</c>, what an ssh target uses) is the host's own folder in the lab, so
/// publish locks and pending confirmations of the virthosts stay apart as on real machines, and
/// where root's home is an empty folder of the host's own.
/// </remarks>
internal static partial class LabSshAccess
{
    public const string SshdProgram = "/usr/sbin/sshd";

    /// <summary>What sshd needs as its privilege separation folder (the openssh-server package's service makes it at boot).</summary>
    public const string PrivsepDirectory = "/run/sshd";

    // The name of each lab host's sshd mount namespace (MountNamespace): the host's state folder
    // over the ssh target's one and an empty home over root's.
    private const string SshdMountPurpose = "sshd";

    // root's home on this machine: a lab host gets an empty one of its own, so the operator's
    // shell start-up files (which bash reads for every ssh command) neither run on nor slow down lab hosts.
    private const string RootHome = "/root";

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    // Where QaNet keeps its on-host state on an ssh target.
    private static readonly string RemoteStateDirectory = HostTarget.Ssh("localhost").StateDirectory;

    /// <summary>
    /// Creates <see cref="PrivsepDirectory"/> when it is missing (true then): sshd, and <c>sshd -t</c>,
    /// refuse to run without it, and on a machine where openssh-server was installed with its service
    /// kept from starting (as build.ps1 installs the lab packages) and /run was emptied since, nothing
    /// else makes it. The package's service creates it the same way (empty, root's, 0755).
    /// </summary>
    public static bool EnsurePrivsepDirectory()
    {
        if (System.IO.Directory.Exists(PrivsepDirectory))
        {
            return false;
        }

        System.IO.Directory.CreateDirectory(PrivsepDirectory);
        return true;
    }

    public static string Directory(string labDirectory) => Path.Combine(labDirectory, "ssh");

    public static string ConfigFile(string labDirectory) => Path.Combine(Directory(labDirectory), "ssh_config");

    public static string HostDirectory(string labDirectory, string host) => Path.Combine(Directory(labDirectory), "hosts", host);

    // Paths go into sshd_config / ssh_config unquoted: keep them to characters both read as one word.
    [GeneratedRegex("^/[A-Za-z0-9/._-]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainPath();

    /// <summary>
    /// Writes the keys and configuration for <paramref name="hosts"/> (name, namespace, management
    /// address). Throws LabStartFailed when sshd or ssh-keygen is missing or the folder is unusable.
    /// </summary>
    public static async Task PrepareAsync(string labDirectory, string prefix, IReadOnlyList<(string Host, string Namespace, IPAddress Address)> hosts, ICommandRunner runner, IQaLog log, CancellationToken ct)
    {
        var dir = Directory(labDirectory);
        if (!PlainPath().IsMatch(dir))
        {
            throw new QaLabException(QaLabErrorIds.LabStartFailed,
                $"The lab folder '{labDirectory}' cannot hold ssh files: use a path of letters, digits, '/', '.', '_' and '-' (QaLabOptions.RootDirectory).");
        }

        // A unix socket path holds at most 107 bytes; ssh adds ".<16 random chars>" while it sets one up.
        if (ControlPath(labDirectory).Length - "%C".Length + 40 + 17 > 107)
        {
            throw new QaLabException(QaLabErrorIds.LabStartFailed,
                $"The lab folder '{labDirectory}' is too long for ssh control sockets; use a shorter QaLabOptions.RootDirectory.");
        }

        if (!File.Exists(SshdProgram))
        {
            throw new QaLabException(QaLabErrorIds.LabStartFailed,
                $"Host access Ssh needs {SshdProgram} (Debian: apt-get install openssh-server openssh-client).");
        }

        if (EnsurePrivsepDirectory())
        {
            log.Warning(null, $"Created sshd's privilege separation folder {PrivsepDirectory} (empty, as openssh-server's service makes it).");
        }

        // The mount point the sshd's own state folder goes over.
        System.IO.Directory.CreateDirectory(RemoteStateDirectory);

        System.IO.Directory.CreateDirectory(dir);
        Chmod(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var clientKey = Path.Combine(dir, "id_ed25519");
        await KeygenAsync(runner, clientKey, $"qanet-lab {prefix} operator", ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(dir, "authorized_keys"), await File.ReadAllTextAsync(clientKey + ".pub", ct).ConfigureAwait(false), ct).ConfigureAwait(false);

        var knownHosts = new StringBuilder();
        var sshConfig = new StringBuilder();
        sshConfig.Append(CultureInfo.InvariantCulture, $"# Written by QaNet's lab {prefix}: the operator namespace reaches each host on its management address.\n");
        foreach (var (host, ns, address) in hosts)
        {
            var hostDir = HostDirectory(labDirectory, host);
            System.IO.Directory.CreateDirectory(Path.Combine(hostDir, "state"));
            System.IO.Directory.CreateDirectory(Path.Combine(hostDir, "home"));
            var hostKey = Path.Combine(hostDir, "ssh_host_ed25519_key");
            await KeygenAsync(runner, hostKey, $"qanet-lab {prefix} {host}", ct).ConfigureAwait(false);
            var pub = (await File.ReadAllTextAsync(hostKey + ".pub", ct).ConfigureAwait(false)).Trim().Split(' ');
            knownHosts.Append(CultureInfo.InvariantCulture, $"{host},{address} {pub[0]} {pub[1]}\n");
            await File.WriteAllTextAsync(Path.Combine(hostDir, "sshd_config"), SshdConfig(prefix, host, ns, address, hostDir, dir), ct).ConfigureAwait(false);
            sshConfig.Append(CultureInfo.InvariantCulture, $"Host {host}\n    HostName {address}\n");
        }

        sshConfig.Append(CultureInfo.InvariantCulture, $"""
            Host *
                User root
                Port 22
                IdentityFile {clientKey}
                IdentitiesOnly yes
                IdentityAgent none
                UserKnownHostsFile {Path.Combine(dir, "known_hosts")}
                GlobalKnownHostsFile /dev/null
                StrictHostKeyChecking yes
                UpdateHostKeys no
                CheckHostIP no
                BatchMode yes
                ConnectTimeout 5
                ServerAliveInterval 5
                ServerAliveCountMax 3
                ControlMaster auto
                ControlPath {ControlPath(labDirectory)}
                ControlPersist 300
                ForwardAgent no
                ForwardX11 no
                ClearAllForwardings yes
                LogLevel ERROR

            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "known_hosts"), knownHosts.ToString(), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(ConfigFile(labDirectory), sshConfig.ToString(), ct).ConfigureAwait(false);

        foreach (var (host, _, _) in hosts)
        {
            var check = await runner.RunAsync(CommandSpec.Of(SshdProgram, "-t", "-f", Path.Combine(HostDirectory(labDirectory, host), "sshd_config")) with { Timeout = Step }, ct).ConfigureAwait(false);
            if (!check.Succeeded)
            {
                throw new QaLabException(QaLabErrorIds.LabStartFailed, $"sshd -t rejects the lab's sshd_config of {host}: {check.Stderr.Trim()}");
            }
        }
    }

    /// <summary>Starts the sshd of <paramref name="host"/> in its namespace and waits (bounded) until it listens; returns its PID.</summary>
    public static async Task<int> StartSshdAsync(string labDirectory, string host, string ns, IPAddress address, ICommandRunner runner, CancellationToken ct)
    {
        var hostDir = HostDirectory(labDirectory, host);
        var pidFile = Path.Combine(hostDir, "sshd.pid");
        File.Delete(pidFile); // a restart must not read the PID of the sshd before
        // Its own state folder and an empty home over the standard ones, in its own mount namespace.
        CommandResult r;
        try
        {
            var mounts = await MountNamespace.CreateAsync(ns, SshdMountPurpose,
                new[] { (Path.Combine(hostDir, "state"), RemoteStateDirectory), (Path.Combine(hostDir, "home"), RootHome) }, runner, ct).ConfigureAwait(false);
            r = await runner.RunAsync(mounts.Run(SshdProgram, "-f", Path.Combine(hostDir, "sshd_config"), "-E", Path.Combine(hostDir, "sshd.log")) with { Timeout = Step }, ct).ConfigureAwait(false);
        }
        catch (QaHostException ex)
        {
            throw new QaLabException(QaLabErrorIds.LabStartFailed, $"sshd of {host} in {ns} did not start: {ex.Message} {Tail(hostDir)}".Trim(), ex);
        }

        if (!r.Succeeded)
        {
            throw new QaLabException(QaLabErrorIds.LabStartFailed, $"sshd of {host} in {ns} did not start: {r.Stderr.Trim()} {Tail(hostDir)}".Trim());
        }

        var listen = address + ":22";
        for (var i = 0; i < 100; i++)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                var ss = await runner.RunAsync(CommandSpec.Of("ip", "netns", "exec", ns, "ss", "-H", "-l", "-n", "-t", "src", listen) with { Timeout = Step }, ct).ConfigureAwait(false);
                if (ss.Succeeded && ss.Stdout.Contains(listen, StringComparison.Ordinal))
                {
                    return pid;
                }
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        throw new QaLabException(QaLabErrorIds.LabStartFailed, $"sshd of {host} in {ns} did not listen on {listen} within 10 s. {Tail(hostDir)}".Trim());
    }

    /// <summary>Proves the operator reaches <paramref name="transport"/>'s host over ssh (keys, known_hosts, route), bounded.</summary>
    public static async Task CheckReachableAsync(QaHostTransport transport, ICommandRunner runner, string labDirectory, CancellationToken ct)
    {
        var remote = transport.ToTarget().CreateRunner(runner);
        CommandResult? r = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            r = await remote.RunAsync(CommandSpec.Of("true") with { Timeout = Step }, ct).ConfigureAwait(false);
            if (r.Succeeded)
            {
                return;
            }

            await Task.Delay(300, ct).ConfigureAwait(false);
        }

        throw new QaLabException(QaLabErrorIds.LabStartFailed,
            $"The operator namespace cannot reach {transport.Host} over ssh ({transport}): {r!.Stderr.Trim()} {Tail(HostDirectory(labDirectory, transport.Host))}".Trim());
    }

    /// <summary>Closes the operator's shared connection to <paramref name="host"/> (<c>ssh -O exit</c>); harmless when there is none.</summary>
    public static Task<CommandResult> ExitControlMasterAsync(string configFile, string host, ICommandRunner runner, CancellationToken ct) =>
        runner.RunAsync(CommandSpec.Of("ssh", "-F", configFile, "-O", "exit", "--", host) with { Timeout = TimeSpan.FromSeconds(5) }, ct);

    private static string ControlPath(string labDirectory) => Path.Combine(Directory(labDirectory), "cm-%C");

    private static string SshdConfig(string prefix, string host, string ns, IPAddress address, string hostDir, string dir) => $"""
        # Written by QaNet's lab {prefix}: the sshd of {host} in {ns}, on its management address only.
        ListenAddress {address}:22
        AddressFamily inet
        HostKey {Path.Combine(hostDir, "ssh_host_ed25519_key")}
        PidFile {Path.Combine(hostDir, "sshd.pid")}
        AuthorizedKeysFile {Path.Combine(dir, "authorized_keys")}
        AllowUsers root
        PermitRootLogin prohibit-password
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        HostbasedAuthentication no
        UsePAM no
        StrictModes no
        AllowTcpForwarding no
        AllowStreamLocalForwarding no
        AllowAgentForwarding no
        X11Forwarding no
        PermitTunnel no
        PermitUserEnvironment no
        PrintMotd no
        PrintLastLog no
        UseDNS no
        MaxSessions 30
        MaxStartups 30:30:60
        LoginGraceTime 20
        ClientAliveInterval 10
        ClientAliveCountMax 3
        LogLevel VERBOSE

        """;

    private static async Task KeygenAsync(ICommandRunner runner, string path, string comment, CancellationToken ct)
    {
        var r = await runner.RunAsync(CommandSpec.Of("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-C", comment, "-f", path) with { Timeout = Step }, ct).ConfigureAwait(false);
        if (!r.Succeeded)
        {
            throw QaHostException.Failed("lab", CommandSpec.Of("ssh-keygen", "-f", path), r);
        }
    }

    private static string Tail(string hostDir)
    {
        var file = Path.Combine(hostDir, "sshd.log");
        return File.Exists(file) ? "sshd log: " + string.Join(" | ", File.ReadLines(file).TakeLast(5)) : string.Empty;
    }

    private static void Chmod(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
