using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

/// <summary>
/// A private mount namespace for one lab daemon (a virthost's libvirtd, a lab host's sshd), kept
/// alive by a bind mount of its namespace file the way <c>ip netns</c> keeps network namespaces, so
/// that its mounts are made and the daemon is started with argument vectors only — no shell
/// program: <c>unshare --mount=FILE</c> creates it, <c>nsenter --mount=FILE --net=…</c> runs each
/// mount and then the daemon in it (with the lab namespace's own <c>/sys</c>, as
/// <c>ip netns exec</c> gives it), <c>umount FILE</c> releases it. The files live in
/// <see cref="Root"/>, a private bind mount of itself (a namespace file may not be bound where
/// mounts propagate), named after the network namespace they belong to, so that deleting a lab
/// namespace releases them too — also those of a process that died.
/// </summary>
internal sealed class MountNamespace
{
    /// <summary>Where the namespace files are kept; stays a private mount, as <c>/run/netns</c> stays for <c>ip netns</c>.</summary>
    public const string Root = "/run/qanet/mnt";

    private readonly ICommandRunner _runner;

    private MountNamespace(string netns, string purpose, ICommandRunner runner)
    {
        NetworkNamespace = netns;
        File = FileOf(netns, purpose);
        _runner = runner;
    }

    /// <summary>The network namespace its programs run in.</summary>
    public string NetworkNamespace { get; }

    /// <summary>The bind-mounted namespace file.</summary>
    public string File { get; }

    /// <summary>
    /// Creates the mount namespace <paramref name="purpose"/> of lab namespace <paramref name="netns"/>
    /// (releasing one left by an earlier start) with that namespace's <c>/sys</c> mounted, then
    /// bind-mounts each (source, target) pair in it.
    /// </summary>
    public static async Task<MountNamespace> CreateAsync(string netns, string purpose, IEnumerable<(string Source, string Target)> binds,
        ICommandRunner runner, CancellationToken ct)
    {
        var m = new MountNamespace(netns, purpose, runner);
        await m.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        await EnsureRootAsync(runner, ct).ConfigureAwait(false);
        await System.IO.File.WriteAllBytesAsync(m.File, Array.Empty<byte>(), ct).ConfigureAwait(false);
        try
        {
            await Namespaces.Require(runner, CommandSpec.Of("unshare", "--mount=" + m.File, "--propagation", "private", "--", "true"), ct).ConfigureAwait(false);
            // Its copy of the other daemons' namespace files would keep those alive: drop it.
            await Namespaces.Require(runner, m.Run("umount", "--lazy", "--", Root), ct).ConfigureAwait(false);
            await Namespaces.Require(runner, m.Run("mount", "-t", "sysfs", "-o", "nosuid,nodev,noexec", "sysfs", "/sys"), ct).ConfigureAwait(false);
            foreach (var (source, target) in binds)
            {
                await Namespaces.Require(runner, m.Run("mount", "--bind", "--", source, target), ct).ConfigureAwait(false);
            }
        }
        catch
        {
            await m.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return m;
    }

    /// <summary>The mount namespace <paramref name="purpose"/> of <paramref name="netns"/> as an earlier <see cref="CreateAsync"/> left it, or null when it is gone.</summary>
    public static MountNamespace? Open(string netns, string purpose, ICommandRunner runner)
    {
        var m = new MountNamespace(netns, purpose, runner);
        return System.IO.File.Exists(m.File) && IsMountPoint(m.File) ? m : null;
    }

    /// <summary>The command that runs <paramref name="program"/> in this mount namespace and its network namespace.</summary>
    public CommandSpec Run(string program, params string[] args) =>
        new("nsenter", new[] { "--mount=" + File, "--net=/run/netns/" + NetworkNamespace, "--", program }.Concat(args));

    /// <summary>Releases the namespace (its mounts go when the last process in it exits). Absent is fine.</summary>
    public Task ReleaseAsync(CancellationToken ct) => ReleaseFileAsync(File, _runner, ct);

    /// <summary>Releases the mount namespace <paramref name="purpose"/> of <paramref name="netns"/>, e.g. of a daemon started by another process. Absent is fine.</summary>
    public static Task ReleaseFor(string netns, string purpose, ICommandRunner runner, CancellationToken ct) =>
        ReleaseFileAsync(FileOf(netns, purpose), runner, ct);

    /// <summary>Releases every mount namespace of lab namespace <paramref name="netns"/>.</summary>
    public static async Task ReleaseAllAsync(string netns, ICommandRunner runner, CancellationToken ct)
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(Root, netns + ".*"))
        {
            await ReleaseFileAsync(file, runner, ct).ConfigureAwait(false);
        }
    }

    internal static string FileOf(string netns, string purpose)
    {
        if (!Names.IsValid(netns) || !Names.IsValid(purpose))
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidName, "mount namespace", null,
                $"'{netns}.{purpose}' is not a lab mount namespace name.", "Lab mount namespaces are named after a lab namespace and a QaNet name."));
        }

        return Path.Combine(Root, netns + "." + purpose);
    }

    private static async Task ReleaseFileAsync(string file, ICommandRunner runner, CancellationToken ct)
    {
        if (!System.IO.File.Exists(file))
        {
            return;
        }

        if (IsMountPoint(file))
        {
            await Namespaces.Require(runner, CommandSpec.Of("umount", "--", file), ct).ConfigureAwait(false);
        }

        System.IO.File.Delete(file);
    }

    // The namespace file must not sit on a mount that propagates (systemd makes "/" shared), or
    // the kernel refuses the bind; ip netns does the same for /run/netns.
    private static async Task EnsureRootAsync(ICommandRunner runner, CancellationToken ct)
    {
        Directory.CreateDirectory(Root);
        if (!IsMountPoint(Root))
        {
            await Namespaces.Require(runner, CommandSpec.Of("mount", "--bind", "--", Root, Root), ct).ConfigureAwait(false);
        }

        await Namespaces.Require(runner, CommandSpec.Of("mount", "--make-private", "--", Root), ct).ConfigureAwait(false);
    }

    // The mount points of this process's mount namespace (field 5 of /proc/self/mountinfo, octal-escaped).
    private static bool IsMountPoint(string path)
    {
        foreach (var line in System.IO.File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == path)
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(string field) =>
        System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})",
            m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());
}
