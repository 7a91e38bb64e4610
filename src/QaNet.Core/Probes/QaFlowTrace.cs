using System.Net;
using QaNet.Core.Model;
using Newtonsoft.Json;

namespace QaNet.Core.Probes;

/// <summary>Whose rule a hop of a kernel trace is.</summary>
public enum QaTraceOwner
{
    /// <summary>A rule of QaNet's table made from a policy rule (<c>comment "qanet:&lt;id&gt;"</c>).</summary>
    Policy,

    /// <summary>A built-in rule of QaNet's table (<c>qanet:@scope</c>, <c>qanet:@established</c>, <c>qanet:@default-deny</c> …).</summary>
    BuiltIn,

    /// <summary>A rule QaNet did not make: another table (libvirt's, firewalld's), or a rule in QaNet's table without a QaNet comment.</summary>
    Foreign,
}

/// <summary>
/// One rule (or chain policy) the kernel evaluated for the traced packet, as <c>nft monitor
/// trace</c> reported it, on one enforcing host.
/// </summary>
public sealed record QaTraceHop
{
    /// <summary>The lab host (virthost or gateway) whose kernel reported it.</summary>
    public required string Host { get; init; }

    /// <summary><c>inet qanet</c>, <c>ip filter</c> …</summary>
    public required string Table { get; init; }

    public required string Chain { get; init; }

    /// <summary>The rule as nft prints it; for the end of a base chain <c>policy accept</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>accept · drop · jump &lt;chain&gt; · continue · return …</summary>
    public required string Verdict { get; init; }

    /// <summary>The policy rule id (Owner Policy) or the built-in name (<c>@default-deny</c>); null for a foreign rule.</summary>
    public string? RuleId { get; init; }

    [JsonIgnore]
    public required QaTraceOwner Owner { get; init; }

    public override string ToString() => $"{Host}: {Table} {Chain}: {Rule} ({Verdict})";
}

/// <summary>
/// One probe traced through the kernel: the engine's verdict and deciding rule beside the path
/// the kernel took and the rule that decided there. <see cref="Agrees"/> when both allow or both
/// deny and name the same rule; otherwise <see cref="Mismatch"/> names both.
/// </summary>
public sealed record QaFlowTrace
{
    public required string From { get; init; }

    public required string To { get; init; }

    [JsonIgnore]
    public required IPAddress SourceAddress { get; init; }

    [JsonIgnore]
    public required IPAddress DestinationAddress { get; init; }

    public required int Port { get; init; }

    [JsonIgnore]
    public required QaProtocol Protocol { get; init; }

    /// <summary>The engine's verdict.</summary>
    public required bool Allowed { get; init; }

    /// <summary>The engine's deciding rule (null: default deny).</summary>
    public string? RuleId { get; init; }

    /// <summary>What the probe saw (connected, timed out …).</summary>
    public required bool Observed { get; init; }

    public required string ObservedDetail { get; init; }

    /// <summary>Every hop the kernel reported, in order (QaNet's trace table itself left out).</summary>
    [JsonIgnore]
    public required IReadOnlyList<QaTraceHop> Path { get; init; }

    /// <summary>The kernel's verdict: a drop anywhere is final, else accepted.</summary>
    public required bool KernelAllowed { get; init; }

    /// <summary>The hop that decided in the kernel: the drop, or QaNet's accepting rule; null when no rule of QaNet's table decided.</summary>
    public QaTraceHop? DecidingHop { get; init; }

    /// <summary>The policy rule id the kernel's deciding hop maps to (null: default deny, or a foreign rule).</summary>
    public string? KernelRuleId => DecidingHop?.Owner == QaTraceOwner.Policy ? DecidingHop.RuleId : null;

    public string DecidedBy => RuleId ?? "default deny";

    /// <summary>The kernel's deciding hop in words: a policy rule id, default deny, or the foreign rule.</summary>
    public string KernelDecidedBy => DecidingHop switch
    {
        null => KernelAllowed ? "not decided by QaNet's table" : "dropped outside any traced table",
        { Owner: QaTraceOwner.Policy } h => h.RuleId!,
        { Owner: QaTraceOwner.BuiltIn, RuleId: "@default-deny" } => "default deny",
        { Owner: QaTraceOwner.BuiltIn } h => h.RuleId!,
        var h => $"foreign rule in {h.Table} {h.Chain} on {h.Host}: {h.Rule}",
    };

    public bool Agrees => Mismatch is null;

    /// <summary>Null when the kernel decided as the engine did, by the same rule; otherwise both sides in words.</summary>
    public string? Mismatch =>
        KernelAllowed == Allowed && string.Equals(KernelDecidedBy, DecidedBy, StringComparison.Ordinal)
            ? null
            : $"engine {(Allowed ? "allows" : "denies")} ({DecidedBy}), kernel {(KernelAllowed ? "accepted" : "dropped")} ({KernelDecidedBy})";

    public string PortText => Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + Protocol.ToString().ToLowerInvariant();

    public override string ToString() =>
        $"{From} -> {To} {PortText}: engine {(Allowed ? "allows" : "denies")} ({DecidedBy}), kernel {(KernelAllowed ? "accepted" : "dropped")} ({KernelDecidedBy})"
        + (Agrees ? string.Empty : " — MISMATCH");
}
