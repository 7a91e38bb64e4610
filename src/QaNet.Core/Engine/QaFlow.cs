using System.Net;
using System.Net.Sockets;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Core.Engine;

/// <summary>
/// An IPv4 or IPv6 address as a number: the engine's key. IPv4 and IPv6 are separate
/// spaces (a v4 prefix never contains a v6 address), exactly as <see cref="IPNetwork.Contains"/> has it.
/// </summary>
public readonly record struct QaAddress(UInt128 Value, bool IsV6)
{
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
public readonly record struct QaDecision(ResolvedRuleRef Rule)
{
    public bool Allowed => Rule.Resolved is { } r && r.Rule.Kind != QaRuleKind.Block;

    public bool IsDefaultDeny => Rule.Resolved is null;

    public string? RuleId => Rule.Resolved?.Rule.Id;
}

/// <summary>A resolved rule with its rank in precedence order (-1 and null for "no rule").</summary>
public readonly record struct ResolvedRuleRef(Resolution.ResolvedRule? Resolved, int Rank)
{
    public static ResolvedRuleRef None => new(null, -1);
}
