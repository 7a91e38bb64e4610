namespace QaNet.Core.Diagnostics;

/// <summary>
/// The one way Core reports what it is doing while it works: the publisher (per host), the lab
/// (start, stop, follow) and the live probes. The cmdlets have one implementation that carries
/// every call over to the pipeline thread (Commands' CmdletPump: WriteVerbose, WriteWarning,
/// WriteProgress); everything else passes <see cref="NullQaLog"/>. Implementations must accept
/// calls from any thread.
/// </summary>
public interface IQaLog
{
    /// <param name="source">The host the message is about (a virthost, a gateway), or null for the operation as a whole.</param>
    void Verbose(string? source, string message);

    /// <param name="source">The host the warning is about, or null for the operation as a whole.</param>
    void Warning(string? source, string message);

    /// <summary>A step of <paramref name="source"/> started (publish phases: Lock, Read, Plan, Check, Arm, Apply, Verify, Rollback, Confirm, Undo).</summary>
    void Phase(string source, string phase);

    /// <summary><paramref name="done"/> of <paramref name="total"/> items (e.g. probes) are finished.</summary>
    void Progress(int done, int total);
}

/// <summary>Reports nowhere.</summary>
public sealed class NullQaLog : IQaLog
{
    public static NullQaLog Instance { get; } = new();

    public void Verbose(string? source, string message)
    {
    }

    public void Warning(string? source, string message)
    {
    }

    public void Phase(string source, string phase)
    {
    }

    public void Progress(int done, int total)
    {
    }
}
