using System.Text;

namespace QaNet.Core.Hosts;

/// <summary>
/// One program run: the program, its argument vector and optional bytes for its standard input.
/// Never a shell string: every element of <see cref="Arguments"/> reaches the program as one word.
/// </summary>
public sealed record CommandSpec
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public CommandSpec(string program, IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        Program = program;
        Arguments = arguments.ToArray();
    }

    public string Program { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Bytes written to the program's standard input (then closed); null for none.</summary>
    public IReadOnlyList<byte>? Stdin { get; init; }

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// True when the command changes state on the host. The publisher marks every command it runs;
    /// WhatIf runs none of these, and fault-injection runners count them.
    /// </summary>
    public bool Mutates { get; init; }

    /// <summary>
    /// A line of standard error starting with this marks the run failed although it exited 0: a
    /// virsh command string (several virsh commands in one process) goes on after a failing
    /// command and exits with the status of the last one, but prints every failure as
    /// <c>error: …</c>. Null when the exit status alone decides.
    /// </summary>
    public string? FailsOnStderrLine { get; init; }

    public static CommandSpec Of(string program, params string[] arguments) => new(program, arguments);

    public CommandSpec WithStdin(string text) => this with { Stdin = Encoding.UTF8.GetBytes(text) };

    public CommandSpec Mutating() => this with { Mutates = true };

    public string StdinText => Stdin is null ? string.Empty : Encoding.UTF8.GetString(Stdin.ToArray());

    /// <summary>The command as a POSIX sh line with every word quoted (for on-host scripts).</summary>
    public string ToShellLine() => string.Join(' ', new[] { Program }.Concat(Arguments).Select(PosixShell.Quote));

    /// <summary>The command as a readable POSIX sh line (for logs and plans).</summary>
    public override string ToString() =>
        string.Join(' ', new[] { Program }.Concat(Arguments).Select(PosixShell.QuoteIfNeeded));
}

/// <summary>What a finished program returned.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr, TimeSpan Duration)
{
    /// <summary>The program did not finish within its timeout and was killed.</summary>
    public bool TimedOut { get; init; }

    /// <summary>
    /// Set by the target runner when the transport itself failed, so the command may not have run
    /// (ssh exits with 255 for its own errors: refused, no route, host key or login rejected):
    /// the target, as <c>ssh:vh1 (netns qn-op)</c>.
    /// </summary>
    public string? Unreachable { get; init; }

    public bool Succeeded => ExitCode == 0 && !TimedOut;

    public static CommandResult Ok(string stdout = "") => new(0, stdout, string.Empty, TimeSpan.Zero);

    public static CommandResult Fail(int exitCode, string stderr) => new(exitCode, string.Empty, stderr, TimeSpan.Zero);
}

/// <summary>Runs programs. Implementations: a local process, a target wrapper, a recorder.</summary>
public interface ICommandRunner
{
    Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default);
}
