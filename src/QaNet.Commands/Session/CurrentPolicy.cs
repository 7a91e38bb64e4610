using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using QaNet.Core.Model;

namespace QaNet.Commands.Session;

/// <summary>
/// The policy a session works on when a cmdlet gets no <c>-Policy</c>: the last one created or
/// imported. Kept per runspace, never process-wide, so two runspaces in one process (a host
/// running parallel runbooks, the tests) cannot see each other's policy. The table holds its
/// runspaces weakly: a closed runspace takes its policy with it.
/// </summary>
internal static class CurrentPolicy
{
    private static readonly ConditionalWeakTable<Runspace, QaPolicy> PerRunspace = new();

    public static QaPolicy? Get() =>
        Runspace.DefaultRunspace is { } runspace && PerRunspace.TryGetValue(runspace, out var policy) ? policy : null;

    public static void Set(QaPolicy policy)
    {
        if (Runspace.DefaultRunspace is { } runspace)
        {
            PerRunspace.AddOrUpdate(runspace, policy);
        }
    }
}
