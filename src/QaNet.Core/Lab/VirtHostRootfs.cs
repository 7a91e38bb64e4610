using System.Security.Cryptography;
using System.Text;
using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

/// <summary>
/// The root filesystem a profile's libvirtd runs from: made once with <c>mmdebstrap</c> from this
/// machine's own Debian mirror (plus its bookworm-backports suite), kept under
/// <see cref="CacheDirectory"/> in a folder named after the profile and a hash of what it holds,
/// so a changed package list builds a new one. Built into a temporary folder and renamed, under a
/// lock, so a half-built tree is never used and two labs starting at once build it once.
/// </summary>
internal static class VirtHostRootfs
{
    public const string CacheDirectory = "/var/cache/qanet/rootfs";

    private const string Suite = "bookworm";

    // Part of the tree's name: bump it when what EnsureAsync does to a tree after mmdebstrap changes.
    private const string TreeFormat = "2";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);

    // What each profile's tree holds; the first package carries the version checked after the build.
    private static readonly Dictionary<QaVirtHostProfile, (string[] Packages, string Program, string Version)> Specs =
        new Dictionary<QaVirtHostProfile, (string[], string, string)>
        {
            [QaVirtHostProfile.Libvirt11] = (new[]
            {
                // libvirtd with the network driver and the QEMU driver (qemu:///system answers, as on a real virthost).
                "libvirt-daemon/bookworm-backports", "libvirt-daemon-driver-network/bookworm-backports",
                "libvirt-daemon-driver-qemu/bookworm-backports", "libvirt-clients/bookworm-backports",
                "dnsmasq-base", "nftables", "iproute2",
            }, "/usr/sbin/libvirtd", "11."),
            [QaVirtHostProfile.Fedora] = (new[]
            {
                "libvirt-daemon/bookworm-backports", "libvirt-daemon-driver-network/bookworm-backports",
                "libvirt-daemon-driver-qemu/bookworm-backports", "libvirt-clients/bookworm-backports",
                "dnsmasq-base", "nftables", "iproute2",
                // firewalld and its system bus; netbase's /etc/protocols, without which firewalld refuses its stock config.
                "firewalld", "dbus", "netbase",
                // ebtables-nft: a virthost QaNet publishes to has it (the publisher and the boot hook run
                // ebtables-restore), and with it firewalld's ebtables support is on (docs/rendering.md).
                "iptables",
            }, "/usr/sbin/libvirtd", "11."),
        };

    /// <summary>Whether the profile runs firewalld (and a D-Bus system bus) beside its libvirtd.</summary>
    public static bool RunsFirewalld(QaVirtHostProfile profile) => profile == QaVirtHostProfile.Fedora;

    /// <summary>Whether the profile runs from a root filesystem of its own (Debian12 runs this machine's libvirt).</summary>
    public static bool NeedsRoot(QaVirtHostProfile profile) => Specs.ContainsKey(profile);

    /// <summary>The folder the profile's tree lives in (present or not), under <paramref name="cache"/> (default <see cref="CacheDirectory"/>).</summary>
    public static string PathOf(QaVirtHostProfile profile, string cache = CacheDirectory)
    {
        var spec = Specs[profile];
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(TreeFormat + "\n" + Suite + "\n" + string.Join('\n', spec.Packages))))[..12].ToLowerInvariant();
        return Path.Combine(cache, profile.ToString().ToLowerInvariant() + "-" + hash);
    }

    /// <summary>
    /// The tree of <paramref name="profile"/>, built first when it is not cached. Throws
    /// <see cref="QaLabException"/> (LabProfileUnavailable) with the fix when it cannot be built.
    /// </summary>
    public static async Task<string> EnsureAsync(QaVirtHostProfile profile, ICommandRunner runner, IQaLog log, CancellationToken ct, string cache = CacheDirectory)
    {
        var root = PathOf(profile, cache);
        if (Directory.Exists(root))
        {
            return root;
        }

        Directory.CreateDirectory(cache);
        using var held = await LockAsync(cache, ct).ConfigureAwait(false);
        if (Directory.Exists(root))
        {
            return root;
        }

        var osRelease = File.Exists("/etc/os-release") ? File.ReadAllText("/etc/os-release") : string.Empty;
        if (!osRelease.Split('\n').Any(l => l.Trim() == "VERSION_CODENAME=" + Suite))
        {
            throw Unavailable(profile, $"it is built from Debian {Suite} and its backports, and this machine is not Debian {Suite}.",
                "Run this profile on a Debian 12 (bookworm) machine, or use -VirtHostProfile Debian12.");
        }

        var policy = await runner.RunAsync(CommandSpec.Of("apt-cache", "policy") with { Timeout = TimeSpan.FromSeconds(60) }, ct).ConfigureAwait(false);
        var mirrors = Mirrors(policy.Stdout);
        if (!policy.Succeeded || mirrors.Count == 0)
        {
            throw Unavailable(profile, $"no apt source of this machine serves '{Suite}' ({FirstLine(policy.Stderr)}).",
                $"Configure a Debian mirror for {Suite} (apt-cache policy lists it) and run apt-get update.");
        }

        var partial = root + ".partial";
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }

        var spec = Specs[profile];
        log.Warning(null, $"Building the {profile} virthost root filesystem once with mmdebstrap into {root} (about half a minute; cached afterwards).");
        var argv = new List<string>
        {
            "--variant=apt", "--mode=root", "--quiet",
            "--aptopt=APT::Install-Recommends \"false\"",
            "--include=" + string.Join(',', spec.Packages),
            Suite, partial,
        };
        argv.AddRange(mirrors);
        CommandResult build;
        try
        {
            build = await runner.RunAsync(new CommandSpec("mmdebstrap", argv) with { Timeout = BuildTimeout }, ct).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw Unavailable(profile, "mmdebstrap is not installed.", "apt-get install mmdebstrap (./build.sh installs it with the lab's packages).");
        }

        if (!build.Succeeded)
        {
            TryDelete(partial);
            throw Unavailable(profile, $"mmdebstrap failed ({(build.TimedOut ? "timed out" : "exit " + build.ExitCode)}): {Tail(build.Stderr + build.Stdout)}",
                    $"Check that apt-get can fetch {string.Join(", ", spec.Packages)} from this machine's mirror ({string.Join(" | ", mirrors)}), then start the lab again.");
        }

        var version = await runner.RunAsync(CommandSpec.Of("chroot", partial, spec.Program, "--version") with { Timeout = TimeSpan.FromSeconds(20) }, ct).ConfigureAwait(false);
        if (!version.Succeeded || !version.Stdout.Contains(") " + spec.Version, StringComparison.Ordinal))
        {
            TryDelete(partial);
            throw Unavailable(profile, $"the built tree's {spec.Program} is not version {spec.Version}x: {FirstLine(version.Stdout + version.Stderr)}",
                "Check that the mirror serves bookworm-backports (apt-cache policy lists it for this machine's Debian URI).");
        }

        // The mount point of the libvirtd's runtime folder (empty /run in a fresh tree), and a machine id
        // of the tree's own (D-Bus refuses to start without one; mmdebstrap leaves it empty).
        Directory.CreateDirectory(Path.Combine(partial, "run", "libvirt"));
        File.WriteAllText(Path.Combine(partial, "etc", "machine-id"), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant() + "\n");
        Directory.Move(partial, root);
        log.Verbose(null, $"{profile} root filesystem ready: {FirstLine(version.Stdout)}");
        return root;
    }

    /// <summary>
    /// The mirror lines for mmdebstrap from <c>apt-cache policy</c>'s list of this machine's
    /// sources: the URI serving <c>bookworm/main</c> for bookworm, its -updates and -backports
    /// suites (the backports one is served by the same URI, lab.md), and the one serving bookworm-security.
    /// </summary>
    internal static IReadOnlyList<string> Mirrors(string aptCachePolicy)
    {
        string? Uri(string suite) => aptCachePolicy.Split('\n')
            .Select(l => l.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 3 && int.TryParse(f[0], out _) && f[2] == suite + "/main" && System.Uri.TryCreate(f[1], UriKind.Absolute, out var u) && u.Scheme is "http" or "https" or "file")
            .Select(f => f[1])
            .FirstOrDefault();

        var main = Uri(Suite);
        if (main is null)
        {
            return Array.Empty<string>();
        }

        var lines = new List<string> { $"deb {main} {Suite} main", $"deb {main} {Suite}-updates main", $"deb {main} {Suite}-backports main" };
        if (Uri(Suite + "-security") is { } security)
        {
            lines.Add($"deb {security} {Suite}-security main");
        }

        return lines;
    }

    private static async Task<FileStream> LockAsync(string cache, CancellationToken ct)
    {
        var file = Path.Combine(cache, ".lock");
        var until = DateTime.UtcNow + BuildTimeout;
        while (true)
        {
            try
            {
                return new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                // Another lab (this process or another) is building; wait for it.
                await Task.Delay(500, ct).ConfigureAwait(false);
            }
        }
    }

    private static QaLabException Unavailable(QaVirtHostProfile profile, string why, string fix) =>
        new(QaErrorIds.LabProfileUnavailable, $"The virthost profile {profile} is not available on this machine: {why} Fix: {fix}");

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the next build, which removes a .partial folder first.
        }
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(3));
    }
}
