namespace QaNet.Core.Hosts;

/// <summary>
/// Records every command and either answers it from a script or passes it to a real runner.
/// Fault injection: <see cref="FailAtMutation"/> makes the k-th mutating command fail
/// (without running it), so a test can assert the exact sequence, rollback included.
/// </summary>
public sealed class RecordingRunner : ICommandRunner
{
    private readonly ICommandRunner? _inner;
    private readonly Func<CommandSpec, CommandResult?>? _script;
    private readonly List<CommandSpec> _commands = new();
    private readonly object _gate = new();
    private int _mutations;

    /// <param name="inner">The real runner; null to answer only from <paramref name="script"/>.</param>
    /// <param name="script">Returns a result for a command, or null to pass it on (or succeed with no output).</param>
    public RecordingRunner(ICommandRunner? inner = null, Func<CommandSpec, CommandResult?>? script = null)
    {
        _inner = inner;
        _script = script;
    }

    /// <summary>1-based index of the mutating command that fails; 0 for none.</summary>
    public int FailAtMutation { get; set; }

    /// <summary>When true, the failing command runs first and then reports failure (a lost reply).</summary>
    public bool FailAfterRunning { get; set; }

    public IReadOnlyList<CommandSpec> Commands
    {
        get
        {
            lock (_gate)
            {
                return _commands.ToList();
            }
        }
    }

    public IReadOnlyList<CommandSpec> Mutations => Commands.Where(c => c.Mutates).ToList();

    public void Clear()
    {
        lock (_gate)
        {
            _commands.Clear();
            _mutations = 0;
        }
    }

    public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        bool fail;
        lock (_gate)
        {
            _commands.Add(spec);
            fail = spec.Mutates && ++_mutations == FailAtMutation;
        }

        if (fail && !FailAfterRunning)
        {
            return CommandResult.Fail(1, $"[qanet] injected failure at mutating step {FailAtMutation}");
        }

        var result = _script?.Invoke(spec)
            ?? (_inner is null ? CommandResult.Ok() : await _inner.RunAsync(spec, cancellationToken).ConfigureAwait(false));
        return fail ? CommandResult.Fail(1, $"[qanet] injected failure after mutating step {FailAtMutation}") : result;
    }
}
