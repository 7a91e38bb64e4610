using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Publish;
using QaNet.Core.Validation;
using Xunit;

namespace QaNet.Tests.Lab;

/// <summary>
/// The lab daemons' mount namespaces (<see cref="MountNamespace"/>), with a recording runner: the
/// exact argument vectors (no shell program), and that a failed step leaves no namespace file.
/// Real runs: LibvirtRealToolTests, the lab and SshLabTests start libvirtd and sshd through it.
/// </summary>
[Trait("Needs", "Root")] // writes namespace files under /run/qanet/mnt
public sealed class MountNamespaceTests
{
    [Fact]
    public async Task A_daemon_gets_its_mounts_and_starts_through_argument_vectors_only()
    {
        var runner = new RecordingRunner();
        var m = await MountNamespace.CreateAsync("qn-mt-a", "d", new[] { ("/tmp/x", "/run/x") }, runner, CancellationToken.None);
        try
        {
            var file = MountNamespace.Root + "/qn-mt-a.d";
            Assert.Equal(file, m.File);
            var run = m.Run("libvirtd", "-d");
            Assert.Equal(new[] { "--mount=" + file, "--net=/run/netns/qn-mt-a", "--", "libvirtd", "-d" }, run.Arguments);
            var argv = runner.Commands.Select(c => c.Program + " " + string.Join(' ', c.Arguments)).ToList();
            var enter = $"nsenter --mount={file} --net=/run/netns/qn-mt-a -- ";
            Assert.Equal(new[]
            {
                $"unshare --mount={file} --propagation private -- true",
                enter + "umount --lazy -- " + MountNamespace.Root,
                enter + "mount -t sysfs -o nosuid,nodev,noexec sysfs /sys",
                enter + "mount --bind -- /tmp/x /run/x",
            }, argv.SkipWhile(a => !a.StartsWith("unshare", StringComparison.Ordinal)));
            Assert.DoesNotContain(runner.Commands, c => c.Program is "sh" or "bash");
        }
        finally
        {
            await m.ReleaseAsync(CancellationToken.None);
        }

        Assert.False(File.Exists(m.File));
    }

    [Fact]
    public async Task A_failed_mount_releases_the_namespace_and_names_the_command()
    {
        var runner = new RecordingRunner(script: spec => spec.Arguments.Contains("--bind") && spec.Arguments.Contains("/run/x")
            ? CommandResult.Fail(32, "mount: /run/x: special device /tmp/x does not exist.") : null);
        var ex = await Assert.ThrowsAsync<QaHostException>(() =>
            MountNamespace.CreateAsync("qn-mt-b", "d", new[] { ("/tmp/x", "/run/x") }, runner, CancellationToken.None));
        Assert.Contains("/tmp/x does not exist", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(MountNamespace.Root + "/qn-mt-b.d"));
    }

    // Real: a namespace with a daemon's mount namespace and the publisher's on-host state; deleting it leaves neither.
    [Fact]
    public async Task Deleting_a_lab_namespace_releases_its_mount_namespaces_and_removes_its_on_host_state()
    {
        const string ns = "qn-mt-d";
        await Namespaces.DeleteAsync(ns, "qn-mt-");
        await Namespaces.CreateAsync(ns, "qn-mt-");
        var state = HostTarget.Namespace(ns).StateDirectory;
        try
        {
            Directory.CreateDirectory(state + "/pending-x");
            var m = await MountNamespace.CreateAsync(ns, "d", Array.Empty<(string, string)>(), ProcessRunner.Instance, CancellationToken.None);
            var sys = await ProcessRunner.Instance.RunAsync(m.Run("ls", "/sys/class/net"));
            Assert.Equal("lo", sys.Stdout.Trim()); // the namespace's own /sys, not the machine's
            Assert.Contains(File.ReadLines("/proc/self/mountinfo"), l => l.Split(' ')[4] == m.File);
        }
        finally
        {
            await Namespaces.DeleteAsync(ns, "qn-mt-");
        }

        Assert.False(File.Exists(MountNamespace.Root + "/" + ns + ".d"));
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Contains(ns, StringComparison.Ordinal));
        Assert.False(Directory.Exists(state));
    }

    [Theory]
    [InlineData("qn-mt-c\n", "d")]
    [InlineData("qn-mt-c", "../d")]
    [InlineData("-qn", "d")]
    public async Task A_name_that_is_not_a_QaNet_name_is_refused_before_any_command(string netns, string purpose)
    {
        var runner = new RecordingRunner();
        var ex = await Assert.ThrowsAsync<QaValidationException>(() =>
            MountNamespace.CreateAsync(netns, purpose, Array.Empty<(string, string)>(), runner, CancellationToken.None));
        Assert.Equal(QaErrorIds.InvalidName, ex.Errors[0].Id);
        Assert.Empty(runner.Commands);
    }
}
