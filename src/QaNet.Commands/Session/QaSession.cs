using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;

namespace QaNet.Commands.Session;

/// <summary>
/// What a session remembers between cmdlets: the current policy (the last one created or
/// imported, used when a cmdlet gets no <c>-Policy</c>), the lab this session started (the
/// default target of the publish cmdlets, Get-QaLab, Stop-QaLab and <c>-Live</c> probes) and
/// the command runner under every host command (null: real processes; tests put a recorder
/// here). Kept per runspace, never process-wide, so two runspaces in one process (a host running
/// parallel runbooks, ForEach-Object -Parallel, the tests) cannot see each other's policy, lab or
/// runner. The table holds its runspaces weakly: a closed runspace takes its session with it.
/// </summary>
internal sealed class QaSession
{
    private static readonly ConditionalWeakTable<Runspace, QaSession> PerRunspace = new();

    /// <summary>The session of the runspace the calling cmdlet runs in (a throwaway one outside any runspace).</summary>
    public static QaSession Current => Runspace.DefaultRunspace is { } runspace ? Of(runspace) : new QaSession();

    /// <summary>The session of <paramref name="runspace"/>, created on first use.</summary>
    public static QaSession Of(Runspace runspace) => PerRunspace.GetValue(runspace, _ => new QaSession());

    public QaPolicy? Policy { get; set; }

    /// <summary>The prefix of the lab this session started last; cleared when this session stops it.</summary>
    public string? LabPrefix { get; set; }

    /// <summary>The runner under every host command; null for real processes.</summary>
    public ICommandRunner? Runner { get; set; }

    /// <summary>This session's lab while it still runs, else null.</summary>
    public QaLab? Lab => LabPrefix is { } prefix ? QaLab.Get(prefix, new QaLabOptions { Runner = Runner }) : null;
}
