using QaNet.Core.Hosts;

namespace QaNet.Tests.Support;

/// <summary>
/// The one scripted argv runner of the tests: every command goes to a handler that answers it,
/// fails it, holds it, or hands it (maybe rewritten) to the runner underneath. Wrap it in a
/// <see cref="RecordingRunner"/> when a test needs the exact sequence; <see cref="FakeHosts"/>
/// is the stateful fake host.
/// </summary>
internal sealed class ScriptedRunner(Func<CommandSpec, CancellationToken, Task<CommandResult>> handler) : ICommandRunner
{
    /// <summary>Answers every command at once from <paramref name="answer"/>.</summary>
    public ScriptedRunner(Func<CommandSpec, CommandResult> answer)
        : this((spec, _) => Task.FromResult(answer(spec)))
    {
    }

    /// <summary>Runs every command on <paramref name="inner"/> after <paramref name="rewrite"/> (e.g. another PATH, a wrapper taken off).</summary>
    public static ScriptedRunner Rewriting(ICommandRunner inner, Func<CommandSpec, CommandSpec> rewrite) =>
        new((spec, ct) => inner.RunAsync(rewrite(spec), ct));

    /// <summary>Fails (exit 1, without running it) every command <paramref name="match"/> picks; the others run on <paramref name="inner"/>.</summary>
    public static ScriptedRunner Failing(ICommandRunner inner, Func<CommandSpec, bool> match, string message) =>
        new((spec, ct) => match(spec) ? Task.FromResult(CommandResult.Fail(1, message)) : inner.RunAsync(spec, ct));

    public Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return handler(spec, cancellationToken);
    }
}

/// <summary>Reading and rebuilding argument vectors as a host sees them.</summary>
internal static class Argv
{
    /// <summary><paramref name="spec"/>'s stdin, timeout and mutation mark on another program and arguments.</summary>
    public static CommandSpec WithArgv(this CommandSpec spec, string program, IEnumerable<string> arguments) =>
        new(program, arguments) { Stdin = spec.Stdin, Timeout = spec.Timeout, Mutates = spec.Mutates };

    /// <summary>True for <c>ip netns exec <paramref name="ns"/> …</c>.</summary>
    public static bool IsInNamespace(this CommandSpec spec, string ns) =>
        spec.Program == "ip" && spec.Arguments.Count > 3 && spec.Arguments[0] == "netns" && spec.Arguments[2] == ns;

    /// <summary>The command inside <c>ip netns exec NS …</c>, as the namespace runs it (any other command as it is).</summary>
    public static CommandSpec InsideNamespace(this CommandSpec spec) =>
        spec.Program == "ip" && spec.Arguments is ["netns", "exec", _, _, ..] ? spec.WithArgv(spec.Arguments[3], spec.Arguments.Skip(4)) : spec;
}
