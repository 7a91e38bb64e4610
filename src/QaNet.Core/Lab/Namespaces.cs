using QaNet.Core.Hosts;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

/// <summary>
/// Network namespaces for the lab and the tests. Every name carries the lab prefix (default
/// <c>qn-</c>) so that teardown finds exactly what the lab made and nothing else. Nothing here
/// links a namespace to the machine's root namespace.
/// </summary>
public static class Namespaces
{
    public const string DefaultPrefix = "qn-";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Creates <paramref name="name"/> with its loopback up.</summary>
    public static async Task CreateAsync(string name, string prefix = DefaultPrefix, ICommandRunner? runner = null, CancellationToken cancellationToken = default)
    {
        Check(name, prefix);
        runner ??= ProcessRunner.Instance;
        await Require(runner, CommandSpec.Of("ip", "netns", "add", name), cancellationToken).ConfigureAwait(false);
        await Require(runner, CommandSpec.Of("ip", "-n", name, "link", "set", "lo", "up"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops every process left in the namespace, releases its daemons' mount namespaces (<see cref="MountNamespace"/>), then deletes it and the publisher's on-host state of it. Absent namespaces are fine.</summary>
    public static async Task DeleteAsync(string name, string prefix = DefaultPrefix, ICommandRunner? runner = null, CancellationToken cancellationToken = default)
    {
        Check(name, prefix);
        runner ??= ProcessRunner.Instance;
        await MountNamespace.ReleaseAllAsync(name, runner, cancellationToken).ConfigureAwait(false);
        if (!(await ListAsync(prefix, runner, cancellationToken).ConfigureAwait(false)).Contains(name))
        {
            RemoveStateOf(name);
            return;
        }

        var pids = await runner.RunAsync(CommandSpec.Of("ip", "netns", "pids", name) with { Timeout = Timeout }, cancellationToken).ConfigureAwait(false);
        var list = pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length > 0)
        {
            await runner.RunAsync(new CommandSpec("kill", new List<string> { "-s", "KILL", "--" }.Concat(list)) with { Timeout = Timeout }, cancellationToken).ConfigureAwait(false);
        }

        await Require(runner, CommandSpec.Of("ip", "netns", "delete", name), cancellationToken).ConfigureAwait(false);
        RemoveStateOf(name);
    }

    // What the publisher keeps for a namespace host (lock, record, pending publishes) outlives
    // nothing: the namespace it described is gone.
    private static void RemoveStateOf(string name)
    {
        var state = HostTarget.Namespace(name).StateDirectory;
        if (Directory.Exists(state))
        {
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>The namespaces whose names start with <paramref name="prefix"/>.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(string prefix = DefaultPrefix, ICommandRunner? runner = null, CancellationToken cancellationToken = default)
    {
        runner ??= ProcessRunner.Instance;
        var r = await Require(runner, CommandSpec.Of("ip", "netns", "list"), cancellationToken).ConfigureAwait(false);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2)[0])
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
    }

    private static void Check(string name, string prefix)
    {
        if (!Names.IsValid(name) || string.IsNullOrEmpty(prefix) || !name.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidName, "network namespace", null,
                $"'{name}' is not a lab namespace name.", $"Lab namespaces are QaNet names starting with '{prefix}'."));
        }
    }

    internal static Task<CommandResult> Require(ICommandRunner runner, CommandSpec spec, CancellationToken cancellationToken) =>
        Require(runner, spec, Timeout, "lab", cancellationToken);

    /// <summary>Runs a lab step within <paramref name="timeout"/>; a failure throws, naming <paramref name="who"/> ran it.</summary>
    internal static async Task<CommandResult> Require(ICommandRunner runner, CommandSpec spec, TimeSpan timeout, string who, CancellationToken cancellationToken)
    {
        var r = await runner.RunAsync(spec with { Timeout = timeout }, cancellationToken).ConfigureAwait(false);
        return r.Succeeded ? r : throw QaHostException.Failed(who, spec, r);
    }
}
