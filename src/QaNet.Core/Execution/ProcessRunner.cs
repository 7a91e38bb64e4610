using System.Diagnostics;

namespace QaNet.Core.Execution;

/// <summary>What a finished command left behind.</summary>
public sealed record ProcessResult(IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() =>
        $"{string.Join(' ', Arguments)} → exit {ExitCode}{(StandardError.Length > 0 ? ": " + StandardError.Trim() : string.Empty)}";
}

/// <summary>
/// Runs a program with an argument vector — never through a shell — with optional data on
/// stdin and a hard timeout (the process tree is killed when it runs out).
/// </summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, string? standardInput = null, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0)
        {
            throw new ArgumentException("No program to run.", nameof(arguments));
        }

        var start = new ProcessStartInfo(arguments[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments.Skip(1))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {arguments[0]}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', arguments)} did not finish within {timeout ?? TimeSpan.FromSeconds(30)}.");
        }

        return new ProcessResult(arguments, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public static ProcessResult Run(IReadOnlyList<string> arguments, string? standardInput = null, TimeSpan? timeout = null) =>
        RunAsync(arguments, standardInput, timeout).GetAwaiter().GetResult();
}
