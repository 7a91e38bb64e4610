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
