using Newtonsoft.Json;

namespace QaNet.Core.Model;

/// <summary>
/// One rule. Rules are first-match by <see cref="Priority"/> (lower runs first) with default
/// deny; at equal priority a block wins.
/// </summary>
public sealed class QaRule
{
    /// <summary>Priority given to a block rule when none is stated: ahead of every default grant.</summary>
    public const int DefaultBlockPriority = 100;

    /// <summary>Priority given to an egress or ingress grant when none is stated.</summary>
    public const int DefaultGrantPriority = 1000;

    public const int MinPriority = 0;
    public const int MaxPriority = 65535;

    public QaRule(QaPolicy policy, string id, QaRuleKind kind)
    {
        Policy = policy;
        Id = id;
        Kind = kind;
        Priority = DefaultPriority(kind);
    }

    [JsonIgnore]
    public QaPolicy Policy { get; internal set; }

    /// <summary>Stable id; nft rule comments carry it.</summary>
    public string Id { get; }

    [JsonIgnore]
    public QaRuleKind Kind { get; }

    [JsonIgnore]
    public QaList<QaSelector> From { get; } = new();

    [JsonIgnore]
    public QaList<QaSelector> To { get; } = new();

    /// <summary>Explicit ports; empty means the ports of the destination endpoints.</summary>
    [JsonIgnore]
    public QaList<QaPortRange> Ports { get; } = new();

    public int Priority { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public string? Description { get; set; }

    /// <summary>Allows an egress to 0.0.0.0/0 or ::/0, which validation refuses otherwise.</summary>
    public bool AllowAnyDestination { get; set; }

    /// <summary>
    /// A disabled rule (YAML <c>enabled: false</c>, Disable-QaRule) stays in the policy but decides
    /// nothing: the engine skips it and no renderer emits it, as with an expired one.
    /// </summary>
    public bool Enabled { get; set; } = true;

    public static int DefaultPriority(QaRuleKind kind) =>
        kind == QaRuleKind.Block ? DefaultBlockPriority : DefaultGrantPriority;

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } e && e <= now;

    /// <summary>Whether the rule takes part in decisions at <paramref name="now"/>: enabled and not expired.</summary>
    public bool IsActive(DateTimeOffset now) => Enabled && !IsExpired(now);

    public override string ToString() => Id;
}
