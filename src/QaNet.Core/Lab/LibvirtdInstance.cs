using System.Diagnostics;
using System.Globalization;
using QaNet.Core.Hosts;
using QaNet.Core.Publish;

namespace QaNet.Core.Lab;

/// <summary>
/// A libvirtd of its own inside a network namespace, with private runtime, state, log, cache and
/// configuration folders bind-mounted over the standard paths in a private mount namespace, so
/// several can run side by side. Its networks, bridges, dnsmasq and firewall rules live in the
/// namespace only. Reach it with <see cref="Uri"/>.
/// </summary>
public sealed class LibvirtdInstance : IAsyncDisposable
{
    // The instance's folders (in Folders' order) go over these, in its own mount namespace.
    private static readonly string[] MountPoints = { "/run/libvirt", "/var/lib/libvirt", "/var/log/libvirt", "/var/cache/libvirt", "/etc/libvirt" };

    internal const string MountPurpose = "libvirtd";

    private static readonly string[] Folders = { "run", "lib", "log", "cache", "etc" };

    // A profile's tree gets the namespace's own kernel views (its /sys is the one MountNamespace mounted).
    private static readonly string[] RootSystemMounts = { "/sys", "/proc", "/dev" };

    private readonly ICommandRunner _runner;

    private LibvirtdInstance(string ns, string directory, ICommandRunner runner)
    {
        Namespace = ns;
        Directory = directory;
        _runner = runner;
    }

    public string Namespace { get; }

    /// <summary>The instance's folder (run, lib, log, cache, etc, libvirtd.pid).</summary>
    public string Directory { get; }

    public string RuntimeDirectory => Path.Combine(Directory, "run");

    /// <summary>The connection URI for virsh -c.</summary>
    public string Uri => "qemu:///system?socket=" + Path.Combine(RuntimeDirectory, "libvirt-sock");

    public int? Pid { get; private set; }

    /// <summary>The virthost profile's root filesystem its libvirtd runs from, or null for this machine's libvirtd.</summary>
    public string? Root { get; private init; }

    /// <summary>
    /// With <see cref="Root"/>: a D-Bus system bus and firewalld (from the tree) run beside libvirtd in
    /// its mount namespace and network namespace, started before it, so libvirt finds firewalld as on Fedora.
    /// </summary>
    public bool Firewalld { get; private init; }

    /// <summary>A host reaching this libvirtd through its namespace, for the publisher.</summary>
    public PublishHost PublishHost(string virtHost, ICommandRunner? local = null) =>
        Publish.PublishHost.For(virtHost, HostTarget.Namespace(Namespace), Uri, local, ConfigDirectoryOf(Directory));

    /// <summary>
    /// The instance's libvirt configuration folder as the machine sees it (its libvirtd sees it as
    /// <c>/etc/libvirt</c>): the publisher's boot copy and network hook go there, never into the machine's /etc.
    /// </summary>
    public static string ConfigDirectoryOf(string directory) => Path.Combine(directory, "etc");

    /// <summary>An instance started earlier, possibly by another process (the lab's state file), so it can be stopped.</summary>
    public static LibvirtdInstance Attach(string ns, string directory, int? pid, ICommandRunner? runner = null, string? root = null, bool firewalld = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _ = HostTarget.Namespace(ns);
        return new LibvirtdInstance(ns, Path.GetFullPath(directory), runner ?? ProcessRunner.Instance) { Pid = pid, Root = root, Firewalld = root is not null && firewalld };
    }

    public static Task<LibvirtdInstance> StartAsync(string ns, string directory, ICommandRunner? runner = null, CancellationToken cancellationToken = default) =>
        StartAsync(ns, directory, root: null, runner, cancellationToken: cancellationToken);

    /// <summary>
    /// Starts the instance. With <paramref name="root"/> (a virthost profile's tree,
    /// <see cref="VirtHostRootfs"/>) its libvirtd is that tree's, run with <c>chroot</c> inside the
    /// private mount namespace: the instance's folders go over the tree's libvirt paths, the
    /// namespace's own <c>/sys</c>, <c>/proc</c> and <c>/dev</c> over the tree's, and its
    /// configuration is the tree's with the nftables firewall backend set, as Fedora's libvirt has it.
    /// </summary>
    public static async Task<LibvirtdInstance> StartAsync(string ns, string directory, string? root, ICommandRunner? runner, bool firewalld = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        runner ??= ProcessRunner.Instance;
        _ = HostTarget.Namespace(ns);
        var instance = new LibvirtdInstance(ns, Path.GetFullPath(directory), runner) { Root = root, Firewalld = root is not null && firewalld };
        var dirs = Folders.Select(d => Path.Combine(instance.Directory, d)).ToArray();
        foreach (var d in dirs)
        {
            System.IO.Directory.CreateDirectory(d);
        }

        if (root is null)
        {
            // The bind mounts need their mount points; the libvirt packages normally create them.
            foreach (var m in MountPoints.Where(m => !m.StartsWith("/etc/", StringComparison.Ordinal)))
            {
                System.IO.Directory.CreateDirectory(m);
            }

            CopyTree("/etc/libvirt", dirs[4]);
        }
        else
        {
            CopyTree(Path.Combine(root, "etc", "libvirt"), dirs[4]);
            File.AppendAllText(Path.Combine(dirs[4], "network.conf"), "\n# QaNet lab: the backend Fedora's libvirt uses (Debian's build tries iptables first).\nfirewall_backend = \"nftables\"\n");
            if (instance.Firewalld)
            {
                // The tree's /run is the instance's own (the bus socket, firewalld's pid), with the libvirt
                // runtime folder's mount point in it; firewalld's configuration is a copy of the tree's.
                System.IO.Directory.CreateDirectory(Path.Combine(instance.Directory, "runroot", "libvirt"));
                System.IO.Directory.CreateDirectory(Path.Combine(instance.Directory, "runroot", "dbus"));
                CopyTree(Path.Combine(root, "etc", "firewalld"), Path.Combine(instance.Directory, "firewalld"));
            }
        }

        // So a lab virthost can run a small QEMU (TCG) domain (Connect-QaClient's lab proof): the lab
        // runs no virtlogd (the guest's console log goes to a file instead), has no confinement of its
        // own to set up (no AppArmor profiles for guests inside a namespace) and no cgroup tree in its
        // private mount namespace (its /sys is a fresh sysfs), so libvirt places guests in no cgroup.
        // (Appended, or the whole file: a machine's libvirt need not ship one.)
        File.AppendAllText(Path.Combine(dirs[4], "qemu.conf"), "\n# QaNet lab: no virtlogd, no guest confinement, no cgroups.\nstdio_handler = \"file\"\nsecurity_driver = \"none\"\ncgroup_controllers = [ ]\n");

        try
        {
            await instance.LaunchAsync(cancellationToken).ConfigureAwait(false);
            return instance;
        }
        catch
        {
            await instance.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Restarts the daemon as <c>systemctl restart libvirtd</c> does on a host: SIGTERM, and once it
    /// has exited it starts again on the same folders. Its networks, bridges and dnsmasq keep running
    /// meanwhile, as on a host; the restarted daemon finds them in its state folders.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (Pid is { } pid && IsAlive(pid))
        {
            await Namespaces.Require(_runner, CommandSpec.Of("kill", "-s", "TERM", "--", pid.ToString(CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
            var until = DateTime.UtcNow.AddSeconds(15);
            while (IsAlive(pid))
            {
                if (DateTime.UtcNow > until)
                {
                    throw new QaHostException(Validation.QaErrorIds.HostCommandTimedOut, $"libvirtd in {Namespace} (pid {pid}) did not stop within 15 s of SIGTERM.");
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        Pid = null;
        await LaunchAsync(cancellationToken, sameMounts: true).ConfigureAwait(false);
    }

    /// <summary>
    /// The first half of a simulated reboot: every process of the host's namespace killed at once
    /// (but <paramref name="keep"/>), as power going off does — libvirtd, its dnsmasq, firewalld and its
    /// bus get no chance to clean up —, its mounts released and its runtime folders (<c>/run</c>,
    /// a tmpfs on a host) emptied. Its configuration and state folders (<c>/etc/libvirt</c>,
    /// <c>/var/lib/libvirt</c>) are kept, as a disk is. <see cref="PowerOnAsync"/> boots it again.
    /// </summary>
    public async Task PowerOffAsync(IReadOnlyCollection<int> keep, CancellationToken cancellationToken = default)
    {
        var pids = await Namespaces.Require(_runner, CommandSpec.Of("ip", "netns", "pids", Namespace), cancellationToken).ConfigureAwait(false);
        var victims = pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && !keep.Contains(n))
            .ToList();
        if (victims.Count > 0)
        {
            await _runner.RunAsync(new CommandSpec("kill", new List<string> { "-s", "KILL", "--" }.Concat(victims)) with { Timeout = TimeSpan.FromSeconds(10) }, cancellationToken).ConfigureAwait(false);
            var until = DateTime.UtcNow.AddSeconds(10);
            while (victims.Any(v => IsAlive(int.Parse(v, CultureInfo.InvariantCulture))) && DateTime.UtcNow < until)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        Pid = null;
        await MountNamespace.ReleaseFor(Namespace, MountPurpose, _runner, cancellationToken).ConfigureAwait(false);
        foreach (var runtime in new[] { RuntimeDirectory, Path.Combine(Directory, "runroot") }.Where(System.IO.Directory.Exists))
        {
            foreach (var entry in new DirectoryInfo(runtime).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo d)
                {
                    d.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }

        if (Firewalld)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, "runroot", "libvirt"));
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, "runroot", "dbus"));
        }
    }

    /// <summary>The second half of a simulated reboot: new mounts, firewalld (Fedora) and libvirtd started, which autostarts its networks.</summary>
    public Task PowerOnAsync(CancellationToken cancellationToken = default) => LaunchAsync(cancellationToken);

    // The mount namespace (a new one, an earlier one released; or, for a restart, the one the daemon
    // ran in, as a host keeps its mounts and the running dnsmasq stay libvirt's own), the daemon,
    // and the wait until it answers.
    private async Task LaunchAsync(CancellationToken cancellationToken, bool sameMounts = false)
    {
        var dirs = Folders.Select(d => Path.Combine(Directory, d)).ToArray();
        var binds = new List<(string Source, string Target)>();
        string pidFile;
        CommandSpec start;
        if (Root is not { } root)
        {
            binds.AddRange(dirs.Zip(MountPoints));
            pidFile = Path.Combine(Directory, "libvirtd.pid");
            start = CommandSpec.Of("libvirtd", "-d", "-p", pidFile);
        }
        else
        {
            if (Firewalld)
            {
                binds.Add((Path.Combine(Directory, "runroot"), root + "/run"));
                binds.Add((Path.Combine(Directory, "firewalld"), root + "/etc/firewalld"));
            }

            binds.AddRange(dirs.Zip(MountPoints.Select(m => root + m)));
            binds.AddRange(RootSystemMounts.Select(m => (m, root + m)));
            // The runtime folder is the instance's "run" folder, seen from inside the tree.
            pidFile = Path.Combine(dirs[0], "qanet-libvirtd.pid");
            start = CommandSpec.Of("chroot", root, "/usr/sbin/libvirtd", "-d", "-p", "/run/libvirt/qanet-libvirtd.pid");
        }

        if (File.Exists(pidFile))
        {
            File.Delete(pidFile);
        }

        var existing = sameMounts ? MountNamespace.Open(Namespace, MountPurpose, _runner) : null;
        var mounts = existing ?? await MountNamespace.CreateAsync(Namespace, MountPurpose, binds, _runner, cancellationToken).ConfigureAwait(false);
        if (Firewalld && existing is null)
        {
            await StartFirewalldAsync(mounts, Root!, cancellationToken).ConfigureAwait(false);
        }

        await Namespaces.Require(_runner, mounts.Run(start.Program, start.Arguments.ToArray()), cancellationToken).ConfigureAwait(false);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                Pid = pid;
                var r = await _runner.RunAsync(CommandSpec.Of("virsh", "-c", Uri, "uri") with { Timeout = TimeSpan.FromSeconds(5) }, cancellationToken).ConfigureAwait(false);
                if (r.Succeeded)
                {
                    return;
                }
            }

            if (DateTime.UtcNow > until)
            {
                throw new QaHostException(Validation.QaErrorIds.HostCommandTimedOut, $"libvirtd in {Namespace} did not answer within 20 s.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    // The system bus, then firewalld (it daemonizes; its log goes to the instance's log folder),
    // then the wait until firewall-cmd says it runs: libvirtd asks the bus for it when it starts.
    private async Task StartFirewalldAsync(MountNamespace mounts, string root, CancellationToken cancellationToken)
    {
        await Namespaces.Require(_runner, mounts.Run("chroot", root, "dbus-daemon", "--system", "--fork"), cancellationToken).ConfigureAwait(false);
        await Namespaces.Require(_runner, mounts.Run("chroot", root, "firewalld", "--log-target", "file", "--log-file", "/var/log/libvirt/firewalld.log"), cancellationToken).ConfigureAwait(false);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var state = await _runner.RunAsync(mounts.Run("chroot", root, "firewall-cmd", "--state") with { Timeout = TimeSpan.FromSeconds(10) }, cancellationToken).ConfigureAwait(false);
            if (state.Succeeded)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                var log = Path.Combine(Directory, "log", "firewalld.log");
                var tail = File.Exists(log) ? string.Join(" | ", File.ReadLines(log).TakeLast(3)) : "no log";
                throw new QaHostException(Validation.QaErrorIds.HostCommandTimedOut, $"firewalld in {Namespace} did not run within 30 s: {state.Stdout.Trim()} {tail}");
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the networks first (libvirtd then stops their dnsmasq), then libvirtd, then any
    /// dnsmasq still running from its pid files, and removes the instance's folder.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Pid is { } pid && IsAlive(pid))
        {
            // Running domains first (a QEMU guest outlives a killed libvirtd, and its tap keeps the namespace alive).
            var domains = await _runner.RunAsync(CommandSpec.Of("virsh", "-c", Uri, "list", "--name") with { Timeout = TimeSpan.FromSeconds(10) }, cancellationToken).ConfigureAwait(false);
            foreach (var dom in domains.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await _runner.RunAsync(CommandSpec.Of("virsh", "-c", Uri, "destroy", "--", dom) with { Timeout = TimeSpan.FromSeconds(15) }, cancellationToken).ConfigureAwait(false);
            }

            var list = await _runner.RunAsync(CommandSpec.Of("virsh", "-c", Uri, "net-list", "--name") with { Timeout = TimeSpan.FromSeconds(10) }, cancellationToken).ConfigureAwait(false);
            foreach (var net in list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await _runner.RunAsync(CommandSpec.Of("virsh", "-c", Uri, "net-destroy", net) with { Timeout = TimeSpan.FromSeconds(10) }, cancellationToken).ConfigureAwait(false);
            }

            await Kill(pid).ConfigureAwait(false);
        }

        // dnsmasq of the networks and QEMU of the domains still running from their pid files.
        foreach (var pidDir in new[] { Path.Combine(RuntimeDirectory, "network"), Path.Combine(RuntimeDirectory, "qemu") }.Where(System.IO.Directory.Exists))
        {
            foreach (var file in System.IO.Directory.GetFiles(pidDir, "*.pid"))
            {
                if (int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                {
                    await Kill(p).ConfigureAwait(false);
                }
            }
        }

        Pid = null;
        await MountNamespace.ReleaseFor(Namespace, MountPurpose, _runner, cancellationToken).ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A socket still being closed; the folder is under the caller's temp folder.
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task Kill(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            p.Kill();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await p.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or OperationCanceledException)
        {
            // Gone already (or not ours to wait for: libvirtd daemonized away from us).
        }
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in System.IO.Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            System.IO.Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (var file in System.IO.Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }
}
