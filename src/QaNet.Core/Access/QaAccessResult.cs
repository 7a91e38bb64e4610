using QaNet.Core.Model;
using Newtonsoft.Json;

namespace QaNet.Core.Access;

/// <summary>What one link of an access path is.</summary>
public enum QaAccessHopKind
{
    /// <summary>The user logs in (or uses sudo) on a host: decided by the access grants.</summary>
    Login,
    /// <summary>One host opens ssh (22/tcp) to the next: decided by the network rules.</summary>
    Network,
}

/// <summary>One link of an access path and its verdict.</summary>
public sealed record QaAccessHop(QaAccessHopKind Kind, string Host, bool Allowed, string? DecidedBy, string Reason)
{
    /// <summary>For a network link, the host the connection comes from.</summary>
    public string? From { get; init; }

    /// <summary>For a login link, the right checked.</summary>
    public QaAccessRight? Right { get; init; }

    /// <summary>"bastion" for a login, "bastion->taskotron-client01" for a network link.</summary>
    public string Name => Kind == QaAccessHopKind.Network ? $"{From}->{Host}" : Host;

    public override string ToString() => $"{Name}: {(Allowed ? "allowed" : "denied")} ({Reason})";
}

/// <summary>
/// The answer to "may <see cref="User"/> use <see cref="Right"/> on <see cref="Host"/>?",
/// through <see cref="Via"/> when the path goes through a jump host. <see cref="GrantId"/> is
/// the grant that decides on the target host; <see cref="FailingHop"/> names the first link
/// that breaks (null when allowed). <c>Test-QaAccess</c> writes these.
/// </summary>
public sealed class QaAccessResult
{
    public QaAccessResult(string user, string host, QaAccessRight right, string? via, IReadOnlyList<string> groups, IReadOnlyList<QaAccessHop> hops)
    {
        ArgumentNullException.ThrowIfNull(hops);
        User = user;
        Host = host;
        Right = right;
        Via = via;
        Groups = groups;
        Hops = hops;
        var failing = hops.FirstOrDefault(h => !h.Allowed);
        FailingHop = failing?.Name;
        var last = hops.Count == 0 ? null : hops[^1];
        GrantId = failing is null ? last?.DecidedBy : null;
        Reason = failing is null
            ? string.Join(" → ", hops.Select(h => h.Reason)) + " → allowed"
            : $"{failing.Reason} → denied at {failing.Name}";
    }

    public string User { get; }

    public string Host { get; }

    [JsonIgnore]
    public QaAccessRight Right { get; }

    public bool Allowed => FailingHop is null;

    /// <summary>The grant that decides on the target (for Sudo, the sudo grant); null when the path breaks anywhere.</summary>
    public string? GrantId { get; }

    /// <summary>The grant id, or "default deny" / the failing network rule.</summary>
    public string DecidedBy => GrantId ?? (FailingHop is null ? "default deny" : Hops.First(h => !h.Allowed).DecidedBy ?? "default deny");

    public string Reason { get; }

    /// <summary>The first link that breaks (<c>bastion</c>, <c>bastion->taskotron-client01</c>, <c>taskotron-client01</c>); null when allowed.</summary>
    public string? FailingHop { get; }

    /// <summary>The jump host the path goes through; null for a direct login.</summary>
    public string? Via { get; }

    /// <summary>The policy groups the user is in.</summary>
    public IReadOnlyList<string> Groups { get; }

    [JsonIgnore]
    public IReadOnlyList<QaAccessHop> Hops { get; }

    public override string ToString() =>
        $"{User} -> {Host} {Right.ToString().ToLowerInvariant()}{(Via is null ? string.Empty : " via " + Via)}: {(Allowed ? "allowed" : "denied at " + FailingHop)}";
}
