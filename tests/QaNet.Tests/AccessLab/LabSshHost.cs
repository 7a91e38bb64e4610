using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using QaNet.Core.Hosts;

namespace QaNet.Tests.AccessLab;

/// <summary>A lab test account: name, uid and the policy groups it is a member of.</summary>
public sealed record LabAccount(string Name, int Uid, IReadOnlyList<string> Groups);

/// <summary>
/// The private account files of one lab host: copies of the machine's /etc/passwd, /etc/group,
/// /etc/shadow with the lab accounts and groups added, and a sudoers + sudoers.d holding only a
/// base file and the rendered drop-in. <c>enter.sh</c> bind-mounts them over the real files inside
/// a private mount namespace (<c>unshare -m --propagation private</c>) and execs the program, so the
/// machine's own accounts are never touched.
/// </summary>
public sealed class LabAccountFiles
{
    public const string EnterScript = """
        set -e
        d=$1
        shift
        for f in passwd group shadow sudoers sudoers.d; do
            mount --bind "$d/etc/$f" "/etc/$f"
        done
        # A host that resolves through the lab directory (LabNslcd): its own nsswitch.conf and
        # nslcd's socket folder, so NSS asks that host's nslcd only.
        if [ -e "$d/etc/nsswitch.conf" ]; then
            mount --bind "$d/etc/nsswitch.conf" /etc/nsswitch.conf
            mount --bind "$d/run/nslcd" /run/nslcd
        fi
        exec "$@"
        """;

    // sudo -n cannot type a password; !authenticate stands in for the password prompt, so what
    // decides is only whether a sudoers rule (the rendered drop-in) grants the user.
    public const string BaseSudoers = """
        Defaults env_reset
        Defaults !authenticate
        Defaults !lecture
        Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        root ALL=(ALL:ALL) ALL
        @includedir /etc/sudoers.d

        """;

    public LabAccountFiles(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string EnterPath => Path.Combine(Directory, "enter.sh");

    public static async Task<LabAccountFiles> CreateAsync(string directory, IReadOnlyList<LabAccount> accounts, IReadOnlyDictionary<string, int> groupIds, string sudoersDropIn, string homes)
    {
        var etc = Path.Combine(directory, "etc");
        System.IO.Directory.CreateDirectory(Path.Combine(etc, "sudoers.d"));
        var passwd = new StringBuilder(await File.ReadAllTextAsync("/etc/passwd"));
        var shadow = new StringBuilder(await File.ReadAllTextAsync("/etc/shadow"));
        var group = new StringBuilder(await File.ReadAllTextAsync("/etc/group"));
        foreach (var a in accounts)
        {
            // Primary group "users" (100); the policy groups are supplementary, as FAS gives them.
            passwd.Append(CultureInfo.InvariantCulture, $"{a.Name}:x:{a.Uid}:100:QaNet lab account:{homes}/{a.Name}:/bin/sh\n");
            shadow.Append(CultureInfo.InvariantCulture, $"{a.Name}:*:19000:0:99999:7:::\n");
            System.IO.Directory.CreateDirectory(Path.Combine(homes, a.Name));
        }

        foreach (var (name, gid) in groupIds)
        {
            var members = accounts.Where(a => a.Groups.Contains(name, StringComparer.Ordinal)).Select(a => a.Name);
            group.Append(CultureInfo.InvariantCulture, $"{name}:x:{gid}:{string.Join(',', members)}\n");
        }

        await File.WriteAllTextAsync(Path.Combine(etc, "passwd"), passwd.ToString());
        await File.WriteAllTextAsync(Path.Combine(etc, "group"), group.ToString());
        await File.WriteAllTextAsync(Path.Combine(etc, "shadow"), shadow.ToString());
        await LabSsh.ChmodAsync("0600", Path.Combine(etc, "shadow"));
        var sudoers = Path.Combine(etc, "sudoers");
        await File.WriteAllTextAsync(sudoers, BaseSudoers);
        var dropIn = Path.Combine(etc, "sudoers.d", "qanet-access");
        await File.WriteAllTextAsync(dropIn, sudoersDropIn);
        await LabSsh.ChmodAsync("0440", sudoers);
        await LabSsh.ChmodAsync("0440", dropIn);
        await LabSsh.ChmodAsync("0755", Path.Combine(etc, "sudoers.d"));
        var files = new LabAccountFiles(directory);
        await File.WriteAllTextAsync(files.EnterPath, EnterScript + "\n");
        await LabSsh.RequireAsync(CommandSpec.Of("visudo", "-c", "-f", sudoers));
        await LabSsh.RequireAsync(CommandSpec.Of("visudo", "-c", "-f", dropIn));
        return files;
    }

    /// <summary><paramref name="argv"/> run in <paramref name="ns"/> inside a private mount namespace over these files.</summary>
    public IEnumerable<string> Wrap(string ns, IEnumerable<string> argv) =>
        new[] { "ip", "netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", EnterPath, Directory }.Concat(argv);
}

/// <summary>
/// An sshd in a lab namespace: its own host key, config, pid file and log in a temp directory,
/// listening on the host's lab address only, the rendered <c>AllowGroups</c> fragment included,
/// running in the foreground (<c>-D</c>) under <c>timeout</c> so it cannot outlive the test.
/// </summary>
public sealed class LabSshd : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private Process? _process;

    private LabSshd(string host, string ns, string address, string directory, LabAccountFiles accounts)
    {
        Host = host;
        Namespace = ns;
        Address = address;
        Directory = directory;
        Accounts = accounts;
    }

    public string Host { get; }

    public string Namespace { get; }

    public string Address { get; }

    public string Directory { get; }

    public LabAccountFiles Accounts { get; }

    public string ConfigPath => Path.Combine(Directory, "sshd_config");

    public string LogPath => Path.Combine(Directory, "sshd.log");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : string.Empty;

    public int? Pid => _process?.Id;

    public static async Task<LabSshd> StartAsync(string host, string ns, string address, string directory, LabAccountFiles accounts, string authorizedKeys, string accessFragment)
    {
        System.IO.Directory.CreateDirectory(directory);
        var key = Path.Combine(directory, "ssh_host_ed25519_key");
        await LabSsh.RequireAsync(CommandSpec.Of("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-C", "qanet-lab-" + host, "-f", key));
        var fragment = Path.Combine(directory, "50-qanet-access.conf");
        await File.WriteAllTextAsync(fragment, accessFragment);
        var config = $"""
            # QaNet access lab: sshd for {host} in {ns}
            Port 22
            ListenAddress {address}
            HostKey {key}
            PidFile {Path.Combine(directory, "sshd.pid")}
            UsePAM no
            StrictModes no
            AuthorizedKeysFile {authorizedKeys}/%u
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            AllowTcpForwarding yes
            LogLevel VERBOSE
            Include {fragment}

            """;
        var sshd = new LabSshd(host, ns, address, directory, accounts);
        await File.WriteAllTextAsync(sshd.ConfigPath, config);

        QaNet.Core.Lab.LabSshAccess.EnsurePrivsepDirectory();
        // sshd -t inside the same private accounts (AllowGroups names groups that only exist there).
        var check = await LabSsh.RunAsync(accounts.Wrap(ns, new[] { "/usr/sbin/sshd", "-t", "-f", sshd.ConfigPath }));
        if (!check.Succeeded)
        {
            throw new InvalidOperationException($"sshd -t rejects the config for {host}: {check.Stderr}");
        }

        // The lab's socat listener on 22/tcp (for the network probes) would hold the port.
        await FreePortAsync(ns, 22);

        var psi = new ProcessStartInfo("timeout")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-k");
        psi.ArgumentList.Add("5");
        psi.ArgumentList.Add(((int)Lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        foreach (var a in accounts.Wrap(ns, new[] { "/usr/sbin/sshd", "-D", "-f", sshd.ConfigPath, "-E", sshd.LogPath }))
        {
            psi.ArgumentList.Add(a);
        }

        sshd._process = Process.Start(psi) ?? throw new InvalidOperationException("timeout did not start");
        sshd._process.OutputDataReceived += (_, _) => { };
        sshd._process.ErrorDataReceived += (_, _) => { };
        sshd._process.BeginOutputReadLine();
        sshd._process.BeginErrorReadLine();

        for (var i = 0; i < 50; i++)
        {
            var r = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("ip", "netns", "exec", ns, "ss", "-H", "-l", "-n", "-t", "src", address + ":22") with { Timeout = TimeSpan.FromSeconds(5) });
            if (r.Succeeded && r.Stdout.Contains(address + ":22", StringComparison.Ordinal))
            {
                return sshd;
            }

            if (sshd._process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        var log = sshd.Log;
        sshd.Dispose();
        throw new InvalidOperationException($"sshd for {host} in {ns} did not listen on {address}:22 within 5 s. Log:\n{log}");
    }

    private static async Task FreePortAsync(string ns, int port)
    {
        var r = await LabSsh.RequireAsync(CommandSpec.Of("ip", "netns", "exec", ns, "ss", "-H", "-l", "-n", "-t", "-p", "sport", "= :" + port.ToString(CultureInfo.InvariantCulture)));
        var pids = Regex.Matches(r.Stdout, @"pid=(\d+)").Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
        if (pids.Count > 0)
        {
            await ProcessRunner.Instance.RunAsync(new CommandSpec("kill", new[] { "--" }.Concat(pids)));
            for (var i = 0; i < 30; i++)
            {
                var again = await LabSsh.RequireAsync(CommandSpec.Of("ip", "netns", "exec", ns, "ss", "-H", "-l", "-n", "-t", "sport", "= :" + port.ToString(CultureInfo.InvariantCulture)));
                if (string.IsNullOrWhiteSpace(again.Stdout))
                {
                    return;
                }

                await Task.Delay(100);
            }
        }
    }

    public void Dispose() => QaNet.Tests.Support.LabProcesses.Stop(ref _process);
}

/// <summary>Bounded command helpers for the access lab.</summary>
public static class LabSsh
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    public static async Task<CommandResult> RequireAsync(CommandSpec spec)
    {
        var r = await ProcessRunner.Instance.RunAsync(spec with { Timeout = CommandTimeout });
        return r.Succeeded ? r : throw new InvalidOperationException($"{spec.ToShellLine()} failed ({r.ExitCode}{(r.TimedOut ? ", timed out" : string.Empty)}): {r.Stderr}{r.Stdout}");
    }

    public static Task<CommandResult> ChmodAsync(string mode, string path) => RequireAsync(CommandSpec.Of("chmod", mode, path));

    public static Task<CommandResult> RunAsync(IEnumerable<string> argv)
    {
        var list = argv.ToList();
        return ProcessRunner.Instance.RunAsync(new CommandSpec(list[0], list.Skip(1)) with { Timeout = CommandTimeout });
    }
}
