using System.Diagnostics;
using System.Text;

namespace QaNet.Core.Hosts;

/// <summary>
/// Runs a program on this machine: <see cref="ProcessStartInfo.ArgumentList"/> only, never a shell,
/// never <c>UseShellExecute</c>. A program that outlives its timeout is killed with its children.
/// </summary>
public sealed class ProcessRunner : ICommandRunner
{
    // Output still open after the program exited belongs to a detached grandchild (the confirm
    // timer closes its copies at once); waiting longer than this would only wait on that child.
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The environment variable that names an audit file: when set, every program started is
    /// appended to it as one JSON array line (program, then arguments; never standard input).
    /// The install-list test reads it to learn which programs QaNet really ran.
    /// </summary>
    public const string CommandLogVariable = "QANET_COMMAND_LOG";

    private static readonly object LogGate = new();

    public static ProcessRunner Instance { get; } = new();

    public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var psi = new ProcessStartInfo(spec.Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in spec.Arguments)
        {
            psi.ArgumentList.Add(a);
        }

        // Programs whose messages we parse must speak the same language everywhere.
        psi.Environment["LC_ALL"] = "C";

        LogCommand(spec);
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = psi };
        process.Start();
        using var timeout = new CancellationTokenSource(spec.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var stdoutTask = process.StandardOutput.ReadToEndAsync(linked.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(linked.Token);
        var timedOut = false;
        try
        {
            if (spec.Stdin is { } input)
            {
                try
                {
                    await process.StandardInput.BaseStream.WriteAsync(input.ToArray(), linked.Token).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The program closed its input early; its exit code tells the rest.
                }
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            timedOut = true;
        }

        var stdout = await Collect(stdoutTask).ConfigureAwait(false);
        var stderr = await Collect(stderrTask).ConfigureAwait(false);
        var exitCode = timedOut ? -1 : process.ExitCode;
        if (timedOut)
        {
            stderr += $"{Environment.NewLine}[qanet] {spec.Program} timed out after {spec.Timeout.TotalSeconds:0.#} s and was killed.";
        }

        return new CommandResult(exitCode, stdout, stderr, watch.Elapsed) { TimedOut = timedOut };
    }

    private static void LogCommand(CommandSpec spec)
    {
        if (Environment.GetEnvironmentVariable(CommandLogVariable) is not { Length: > 0 } path)
        {
            return;
        }

        var line = System.Text.Json.JsonSerializer.Serialize(new[] { spec.Program }.Concat(spec.Arguments).ToArray()) + "\n";
        try
        {
            lock (LogGate)
            {
                AppendExclusive(path, Encoding.UTF8.GetBytes(line));
            }
        }
        catch (IOException)
        {
            // An audit file that cannot be written never stops a command.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // Other processes (a test's child, a revert timer) log to the same file, and FileMode.Append
    // only seeks to the end when the file is opened: a writer holds the file exclusively (flock on
    // Linux) for its one write, so lines never overwrite each other. Bounded: after 2 s the line is dropped.
    private static void AppendExclusive(string path, byte[] bytes)
    {
        var until = Environment.TickCount64 + 2000;
        while (true)
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None);
                stream.Write(bytes);
                return;
            }
            catch (IOException) when (Environment.TickCount64 < until && File.Exists(path))
            {
                Thread.Sleep(2);
            }
        }
    }

    private static async Task<string> Collect(Task<string> read)
    {
        try
        {
            return await read.WaitAsync(OutputGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return string.Empty;
        }
        catch (OperationCanceledException)
        {
            return string.Empty;
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
