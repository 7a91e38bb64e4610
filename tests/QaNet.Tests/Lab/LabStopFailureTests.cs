using QaNet.Core.Hosts;
using QaNet.Core.Lab;

namespace QaNet.Tests.Lab;

/// <summary>A stop that cannot remove the lab says so with its own id (issue 14: it used to be LabStartFailed). Fault injection only: no namespace is touched.</summary>
public sealed class LabStopFailureTests : IDisposable
{
    private const string Prefix = "qzstop-";
    private readonly string _root = Directory.CreateTempSubdirectory("qanet-stop-").FullName;

    [Fact]
    public async Task A_namespace_that_outlives_the_stop_is_LabStopFailed_and_the_state_is_kept()
    {
        var ns = Prefix + "vh0";
        var dir = QaLab.DirectoryFor(Prefix, new QaLabOptions { RootDirectory = _root });
        Directory.CreateDirectory(dir);
        var state = new QaLabState { Prefix = Prefix, Policy = "p", Directory = dir, Status = QaLabState.Running, Namespaces = { ns } };
        await File.WriteAllTextAsync(Path.Combine(dir, "state.json"), state.ToJson());
        // Every command succeeds, but the namespace never goes away.
        var runner = new RecordingRunner(script: c => c.Program == "ip" && c.Arguments.SequenceEqual(new[] { "netns", "list" })
            ? new CommandResult(0, ns + "\n", string.Empty, TimeSpan.Zero)
            : new CommandResult(0, string.Empty, string.Empty, TimeSpan.Zero));

        var e = await Assert.ThrowsAsync<QaLabException>(() => QaLab.StopAsync(Prefix, new QaLabOptions { RootDirectory = _root, Runner = runner }));

        Assert.Equal(QaLabErrorIds.LabStopFailed, e.ErrorId);
        Assert.Contains(ns, e.Message, StringComparison.Ordinal);
        Assert.Contains(runner.Commands, c => c.Program == "ip" && c.Arguments.SequenceEqual(new[] { "netns", "delete", ns }));
        Assert.True(File.Exists(Path.Combine(dir, "state.json")), "the state of a lab that is still there was removed");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
