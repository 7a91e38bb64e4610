using System.Net;
using System.Net.Sockets;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Core.Engine;

/// <summary>
/// An IPv4 or IPv6 address as a number: the engine's key. IPv4 and IPv6 are separate
/// spaces (a v4 prefix never contains a v6 address, an IPv4-mapped one included), as
/// <see cref="IpMath.Contains"/> has it (unlike <see cref="IPNetwork.Contains"/>, which maps it to IPv4).
/// </summary>
/// <remarks>
/// Kept as two 64-bit halves rather than one <see cref="UInt128"/>: a <see cref="UInt128"/>
/// field is 16-byte aligned, which made the value 32 bytes and a <see cref="QaFlow"/> 80; as
/// halves they are 24 and 56 bytes (less to read per decision, less to keep per result).
/// </remarks>
public readonly record struct QaAddress
{
    private readonly ulong upper;
    private readonly ulong lower;

    public QaAddress(UInt128 Value, bool IsV6)
    {
        (upper, lower) = ((ulong)(Value >> 64), (ulong)Value);
        this.IsV6 = IsV6;
    }

    public UInt128 Value
    {
        get => new(upper, lower);
        init => (upper, lower) = ((ulong)(value >> 64), (ulong)value);
    }

    public bool IsV6 { get; init; }

    /// <summary>The upper 64 bits (an IPv6 address's network half).</summary>
    internal ulong Upper => upper;

    /// <summary>The lower 64 bits (all of an IPv4 address).</summary>
    internal ulong Lower => lower;

    public void Deconstruct(out UInt128 Value, out bool IsV6) => (Value, IsV6) = (this.Value, this.IsV6);

    public static QaAddress From(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new QaAddress(IpMath.ToNumber(address), address.AddressFamily == AddressFamily.InterNetworkV6);
    }

    public static QaAddress Parse(string text) => From(IPAddress.Parse(text));

    public IPAddress ToIPAddress() => IpMath.FromNumber(Value, IsV6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);

    public override string ToString() => ToIPAddress().ToString();
}

/// <summary>
/// One connection attempt: who opens it (<see cref="Source"/>), to where, protocol and
/// destination port (ignored for icmp). Return traffic of an allowed flow is allowed
/// (stateful); the reverse direction is a flow of its own.
/// </summary>
public readonly record struct QaFlow(QaAddress Source, QaAddress Destination, QaProtocol Protocol, int Port)
{
    public static QaFlow Create(IPAddress source, IPAddress destination, QaProtocol protocol, int port) =>
        new(QaAddress.From(source), QaAddress.From(destination), protocol, port);
}

/// <summary>
/// The outcome of one decision: the deciding rule or none (default deny). A value type so
/// that deciding allocates nothing.
/// </summary>
/// <remarks>
/// The verdict is kept beside the rule rather than read through it: reading it from the rule
/// is two dependent loads into objects spread over the heap, measured at a quarter of a
/// decision's time (docs/performance.md). It is a function of <see cref="Rule"/> however the
/// value is made (constructor, <c>with</c>, the engine's per-slot table), so equality is unchanged.
/// </remarks>
public readonly record struct QaDecision
{
    // Rank and verdict share one int (rank << 1 | allowed) so that the value stays 16 bytes,
    // returned in registers.
    private readonly Resolution.ResolvedRule? resolved;
    private readonly int rankAndAllowed;

    public QaDecision(ResolvedRuleRef Rule) => this.Rule = Rule;

    public ResolvedRuleRef Rule
    {
        get => new(resolved, rankAndAllowed >> 1);
        init => (resolved, rankAndAllowed) = (value.Resolved, (value.Rank << 1) | (value.Resolved is { } r && r.Rule.Kind != QaRuleKind.Block ? 1 : 0));
    }

    public bool Allowed => (rankAndAllowed & 1) != 0;

    public bool IsDefaultDeny => resolved is null;

    public string? RuleId => resolved?.Rule.Id;

    public void Deconstruct(out ResolvedRuleRef Rule) => Rule = this.Rule;
}

/// <summary>A resolved rule with its rank in precedence order (-1 and null for "no rule").</summary>
public readonly record struct ResolvedRuleRef(Resolution.ResolvedRule? Resolved, int Rank)
{
    public static ResolvedRuleRef None => new(null, -1);
}
