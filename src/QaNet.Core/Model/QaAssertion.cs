using Newtonsoft.Json;

namespace QaNet.Core.Model;

/// <summary>
/// An expected verdict stated in the policy (YAML <c>tests:</c>, <c>Add-QaAssertion</c>):
/// "from this host to that one on this port, it must be allowed / denied".
/// <see cref="From"/> and <see cref="To"/> are client or endpoint names, or addresses.
/// </summary>
public sealed class QaAssertion
{
    public QaAssertion(string from, string to, QaPortRange port, bool expectAllowed)
    {
        From = from;
        To = to;
        Port = port;
        ExpectAllowed = expectAllowed;
    }

    public string From { get; internal set; }

    public string To { get; internal set; }

    /// <summary>A single port and protocol (From == To), or icmp.</summary>
    [JsonIgnore]
    public QaPortRange Port { get; }

    public bool ExpectAllowed { get; }

    public string? Description { get; set; }

    public override string ToString() => $"{From} -> {To} {Port}: {(ExpectAllowed ? "allow" : "deny")}";
}
