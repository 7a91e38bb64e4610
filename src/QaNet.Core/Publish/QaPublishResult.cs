using QaNet.Core.Hosts;
using Newtonsoft.Json;

namespace QaNet.Core.Publish;

public enum QaPublishOutcome
{
    /// <summary>The changes are live and verified (see <see cref="QaPublishResult.ConfirmDeadline"/> when a confirmation is due).</summary>
    Applied,
    /// <summary>The host already matched; nothing was changed.</summary>
    Unchanged,
    /// <summary>Only planned (WhatIf); no mutating command ran.</summary>
    WhatIf,
    /// <summary>A step failed; the host was restored to its state before the publish (verified).</summary>
    RolledBack,
    /// <summary>Nothing was applied (refused, locked, check failed) or the restore could not be verified.</summary>
    Failed,
    /// <summary>A pending publish was confirmed and is kept.</summary>
    Confirmed,
    /// <summary>A pending publish was undone (on request or by its timer).</summary>
    Reverted,
    /// <summary>The caller declined the checked plan (<see cref="PublishOptions.Approve"/>); nothing was applied.</summary>
    Skipped,
    /// <summary>
    /// Nothing was changed on the host: it was not started (another host failed with StopOnFirstFailure,
    /// or the caller stopped) or it was stopped before applying. <see cref="QaPublishResult.Error"/> says why.
    /// </summary>
    NotAttempted,
}

public enum QaPublishChangeKind
{
    LibvirtNetworkDefine,
    LibvirtNetworkRedefine,
    LibvirtNetworkUndefine,
    LibvirtNetworkStart,
    LibvirtNetworkStop,
    LibvirtNetworkAutostart,
    LibvirtNetworkNoAutostart,
    DhcpHostAdd,
    DhcpHostRemove,
    NftTableCreate,
    NftTableReplace,
    NftTableDelete,
    EbtablesReplace,
    /// <summary>Only set elements changed (clients added or removed): the sets are refilled in one transaction.</summary>
    NftSetElements,
    /// <summary>A VXLAN uplink device is created (with its peers) and enslaved to the network's bridge.</summary>
    UplinkCreate,
    /// <summary>A VXLAN uplink device differs (VNI, addresses, peers, bridge): it is deleted and created again.</summary>
    UplinkReplace,
    /// <summary>A QaNet VXLAN device (qnvx*) that no network uses any more is deleted.</summary>
    UplinkDelete,
    /// <summary>A NIC uplink is enslaved to the network's bridge and brought up (never created or deleted).</summary>
    UplinkEnslave,
    /// <summary>The boot copy and libvirt network hook are written (docs/publishing.md, "Reboots and fail-closed start").</summary>
    BootCopyWrite,
}

/// <summary>One change a publish makes on a host.</summary>
public sealed record QaPublishChange(string VirtHost, QaPublishChangeKind Kind, string Target, string Detail)
{
    public override string ToString() => $"{VirtHost}: {Kind} {Target}{(Detail.Length > 0 ? " (" + Detail + ")" : string.Empty)}";
}

/// <summary>What a publish would do on one host: the changes and the exact mutating commands.</summary>
public sealed record QaPublishPlan(string VirtHost, IReadOnlyList<QaPublishChange> Changes, IReadOnlyList<string> Commands, HostArtifacts Artifacts)
{
    public bool IsEmpty => Changes.Count == 0;
}

/// <summary>Why a publish, confirm or undo did not succeed.</summary>
public sealed record QaPublishError(string Id, string Message)
{
    /// <summary>The publish step that failed (Lock, Read, Check, Apply, Verify, Rollback, Confirm, Undo).</summary>
    public string? Step { get; init; }

    /// <summary>The command that failed, as a sh line.</summary>
    public string? Command { get; init; }

    /// <summary>The failed command's standard error.</summary>
    public string? Detail { get; init; }

    public Exception? Exception { get; init; }

    public override string ToString() => $"{Message} [{Id}]";
}

/// <summary>The result of a publish (or confirm/undo) on one virthost.</summary>
public sealed record QaPublishResult
{
    public required string VirtHost { get; init; }

    [JsonIgnore]
    public required QaPublishOutcome Outcome { get; init; }

    /// <summary>The changes applied (Applied), that would be (WhatIf) or that were attempted and undone (RolledBack).</summary>
    [JsonIgnore]
    public IReadOnlyList<QaPublishChange> Changes { get; init; } = Array.Empty<QaPublishChange>();

    public QaPublishPlan? Plan { get; init; }

    public TimeSpan Duration { get; init; }

    public QaPublishError? Error { get; init; }

    /// <summary>After a failure: whether the host was re-read and found equal to the snapshot taken before the publish.</summary>
    public bool? RestoredToSnapshot { get; init; }

    /// <summary>When a confirmation is due: the on-host timer restores the previous state at this time unless confirmed.</summary>
    public DateTimeOffset? ConfirmDeadline { get; init; }

    /// <summary>The id of the pending publish on the host (its folder under the host's state directory).</summary>
    public string? PendingId { get; init; }

    /// <summary>The publish's id, shared by every host of one multi-host publish (also in the host's publish record).</summary>
    public string? PublishId { get; init; }

    /// <summary>The host preflight's checks when one failed (the host was refused before any change).</summary>
    [JsonIgnore]
    public IReadOnlyList<QaVirtHostCheck>? Preflight { get; init; }

    /// <summary>Every command run on the host, in order (reads included).</summary>
    public IReadOnlyList<string> Commands { get; init; } = Array.Empty<string>();

    public bool Succeeded => Outcome is QaPublishOutcome.Applied or QaPublishOutcome.Unchanged or QaPublishOutcome.WhatIf or QaPublishOutcome.Confirmed or QaPublishOutcome.Reverted;

    public override string ToString() => $"{VirtHost}: {Outcome}{(Error is null ? string.Empty : " — " + Error)}";
}

public enum QaDriftKind
{
    NftTableMissing,
    NftTableUnexpected,
    NftRuleAdded,
    NftRuleRemoved,
    NftChainChanged,
    NftSetChanged,
    LibvirtNetworkMissing,
    LibvirtNetworkUnexpected,
    LibvirtNetworkChanged,
    LibvirtNetworkStateChanged,
    DhcpReservationChanged,
    EbtablesChanged,
    UplinkMissing,
    UplinkChanged,
    UplinkUnexpected,
    /// <summary>The boot copy (what a reboot loads before the networks start) differs from what was published, or is missing.</summary>
    BootCopyChanged,
}

/// <summary>One difference between a host and what QaNet would publish there. Only what QaNet owns is compared.</summary>
public sealed record QaDriftItem(string VirtHost, [property: JsonIgnore] QaDriftKind Kind, string Target, string Detail)
{
    public override string ToString() => $"{VirtHost}: {Kind} {Target}: {Detail}";
}

/// <summary>How one publish behaves.</summary>
public sealed record PublishOptions
{
    /// <summary>Plan (and check) only; no mutating command runs.</summary>
    public bool WhatIf { get; init; }

    /// <summary>
    /// Run the host preflight (<see cref="VirtHostChecks"/>) the artifacts need before anything is
    /// locked, planned or changed (WhatIf too); a failed check refuses the host with
    /// VirtHostPrerequisiteMissing. A host that already carries this publish and matches it is
    /// Unchanged without it (nothing is changed there). On by default.
    /// </summary>
    public bool Preflight { get; init; } = true;

    /// <summary>
    /// The preflight itself, run by <see cref="QaPublisher"/> once the fast Unchanged path has not
    /// applied: a result refuses the host (returned as it is), null goes on. Set by PolicyPublisher.
    /// </summary>
    internal Func<CancellationToken, Task<QaPublishResult?>>? PreflightCheck { get; init; }

    /// <summary>Publish even when <see cref="ManagementPathCheck"/> objects.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// When set, the host restores its previous state by itself unless confirmed within this time,
    /// counted from the end of a successful verify.
    /// </summary>
    public TimeSpan? ConfirmTimeout { get; init; }

    /// <summary>
    /// With <see cref="ConfirmTimeout"/>: how long apply and verify may take before the host's
    /// timer reverts anyway. It bounds how long a host stays half-published when the caller dies
    /// mid-apply; a publish that outlasts it is rolled back by the timer.
    /// </summary>
    public TimeSpan ApplyBudget { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait for another publish on the same host to finish.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long Confirm, Undo and a rollback wait for a confirm timer that has claimed the decision to finish restoring.</summary>
    public TimeSpan RevertWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A lock older than this is taken as left behind by a dead publisher and broken.</summary>
    public TimeSpan LockLease { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Returns why the plan would cut the management path (bastion → clients, operator → gateway),
    /// or null when it does not. The policy-level check is supplied by the caller.
    /// </summary>
    public Func<QaPublishPlan, string?>? ManagementPathCheck { get; init; }

    /// <summary>
    /// Asked once the plan is checked, right before anything is applied (under the host's lock);
    /// false stops with <see cref="QaPublishOutcome.Skipped"/>. The cmdlets' ShouldProcess.
    /// </summary>
    public Func<QaPublishPlan, bool>? Approve { get; init; }

    /// <summary>
    /// The publish's id (its pending folder and the on-host publish record); one id for all hosts of
    /// a multi-host publish. Null: a new id per call.
    /// </summary>
    public string? PublishId { get; init; }

    /// <summary>The policy's name, kept in the on-host publish record.</summary>
    public string? PolicyName { get; init; }
}

/// <summary>A host command failed in a way the publisher cannot continue from.</summary>
public sealed class QaHostException : Exception
{
    public QaHostException(string errorId, string message, CommandSpec? command = null, CommandResult? result = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Command = command;
        Result = result;
    }

    public string ErrorId { get; }

    public CommandSpec? Command { get; }

    public CommandResult? Result { get; }

    internal static QaHostException Failed(string virtHost, CommandSpec command, CommandResult result) =>
        result.Unreachable is { } via
            ? new(Validation.QaErrorIds.HostUnreachable,
                $"Cannot reach {virtHost} through {via}: ssh failed (exit 255) running '{command}': {result.Stderr.Trim()}",
                command, result)
            : new(result.TimedOut ? Validation.QaErrorIds.HostCommandTimedOut : Validation.QaErrorIds.HostCommandFailed,
            $"On {virtHost}, '{command}' {(result.TimedOut ? "timed out" : "failed with exit code " + result.ExitCode)}: {result.Stderr.Trim()}",
            command, result);
}
