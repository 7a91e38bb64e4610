using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Net;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>
/// The rules a policy's parts follow wherever they come from — <see cref="PolicyEditor"/> (the
/// cmdlets) or the policy file reader: what counts as an address, the defaults a missing value
/// gets, and how a network, client, endpoint, rule or grant is put together from its parts. Each
/// caller words its own errors (the editor names the object, the reader the place in the file),
/// so the error builders take that wording from the caller.
/// </summary>
internal static class PolicyParts
{
    /// <summary>The hint of an invalid prefix, the same from the editor and the reader.</summary>
    private const string SubnetFix = "Write an address (192.0.2.10) or a prefix (192.168.150.0/24, fd00:150::/64).";

    /// <summary>A single IP address: no prefix length, no scope (<c>%eth0</c>); surrounding white space is ignored.</summary>
    public static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        var trimmed = text.Trim();
        if (IPAddress.TryParse(trimmed, out address) && !trimmed.Contains('/', StringComparison.Ordinal) &&
            !trimmed.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        address = null;
        return false;
    }

    /// <summary>InvalidAddress: "'<paramref name="text"/>' <paramref name="where"/> is not an IP address."</summary>
    public static QaValidationError InvalidAddress(string text, string target, string path, string where, string fix) =>
        new(QaErrorIds.InvalidAddress, target, path, $"'{text}' {where} is not an IP address.", fix);

    /// <summary>InvalidSubnet: "'<paramref name="text"/>' <paramref name="where"/> is not an address or prefix …".</summary>
    public static QaValidationError InvalidSubnet(string text, string target, string path, string where) =>
        new(QaErrorIds.InvalidSubnet, target, path, $"'{text}' {where} is not an address or prefix with its host bits zero.", SubnetFix);

    /// <summary>A network as given; a missing bridge gets <see cref="PolicyEditor.DefaultBridgeName"/>.</summary>
    public static QaNetwork NewNetwork(QaPolicy policy, string name, IPNetwork subnet, QaNetworkMode mode, IPNetwork? subnet6,
        string? bridge, string? gateway, IEnumerable<string> virtHosts)
    {
        var network = new QaNetwork(policy, name, subnet, mode)
        {
            Subnet6 = subnet6,
            Bridge = bridge ?? PolicyEditor.DefaultBridgeName(name),
            Gateway = gateway,
        };
        network.VirtHosts.AddRange(virtHosts.Distinct(StringComparer.Ordinal));
        return network;
    }

    /// <summary>
    /// The DHCP range as given when either end is; otherwise, for a Nat or Gateway IPv4 network
    /// of /8 to /28, <see cref="PolicyEditor.DefaultDhcpRange"/>; otherwise none.
    /// </summary>
    public static void SetDhcp(QaNetwork network, IPAddress? start, IPAddress? end)
    {
        if (start is not null || end is not null)
        {
            (network.DhcpStart, network.DhcpEnd) = (start, end);
        }
        else if (network.Mode != QaNetworkMode.Bridged &&
                 network.Subnet.BaseAddress.AddressFamily == AddressFamily.InterNetwork && network.Subnet.PrefixLength is >= 8 and <= 28)
        {
            (network.DhcpStart, network.DhcpEnd) = PolicyEditor.DefaultDhcpRange(network.Subnet);
        }
    }

    /// <summary>A client on <paramref name="network"/>; a missing virthost is the network's first one.</summary>
    public static QaClient NewClient(QaNetwork network, string name, string mac, IPAddress address, string? virtHost, IEnumerable<string> roles)
    {
        var client = new QaClient(network, name, mac, address, virtHost ?? (network.VirtHosts.Count > 0 ? network.VirtHosts[0] : string.Empty));
        client.Roles.AddRange(roles.Distinct(StringComparer.Ordinal));
        return client;
    }

    /// <summary>
    /// The IPv6 address a client without one gets: the same host number in the network's
    /// <c>subnet6</c> as its IPv4 address has in <c>subnet</c>, so the two read side by side.
    /// Null when the network has no <c>subnet6</c> or the address is outside its subnet.
    /// </summary>
    public static IPAddress? DeriveAddress6(QaNetwork network, IPAddress address) =>
        network.Subnet6 is { } s6 && IpMath.Contains(network.Subnet, address)
            ? IpMath.Offset(s6, IpMath.ToNumber(address) - IpMath.ToNumber(network.Subnet.BaseAddress))
            : null;

    /// <summary>An endpoint; host names (ignoring case), addresses and ports each listed once, first occurrence kept.</summary>
    public static QaEndpoint NewEndpoint(QaPolicy policy, string name, string? environment, string? description,
        IEnumerable<string> hostNames, IEnumerable<IPNetwork> addresses, IEnumerable<QaPortRange> ports)
    {
        var endpoint = new QaEndpoint(policy, name) { Environment = environment, Description = description };
        endpoint.HostNames.AddRange(hostNames.Distinct(StringComparer.OrdinalIgnoreCase));
        endpoint.Addresses.AddRange(addresses.Distinct());
        endpoint.Ports.AddRange(ports.Distinct());
        return endpoint;
    }

    /// <summary>A grant; hosts listed once, rights once and in order.</summary>
    public static QaAccessGrant NewGrant(QaPolicy policy, string id, AccessGrantSpec spec)
    {
        var grant = new QaAccessGrant(policy, id, spec.Group) { Description = spec.Description };
        grant.Hosts.AddRange(spec.Hosts.Distinct());
        grant.Rights.AddRange(spec.Rights.Distinct().Order());
        return grant;
    }
}

/// <summary>A rule's parts, parsed; <see cref="Build"/> makes the rule once its id is known.</summary>
internal sealed record RuleParts(QaRuleKind Kind, IReadOnlyList<QaSelector> From, IReadOnlyList<QaSelector> To, IReadOnlyList<QaPortRange> Ports)
{
    /// <summary>Null: the kind's default (<see cref="QaRule.DefaultPriority"/>).</summary>
    public int? Priority { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public string? Description { get; init; }

    public bool AllowAnyDestination { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>The rule; selectors and ports each listed once, first occurrence kept.</summary>
    public QaRule Build(QaPolicy policy, string id)
    {
        var rule = new QaRule(policy, id, Kind)
        {
            Description = Description,
            ExpiresAt = ExpiresAt,
            AllowAnyDestination = AllowAnyDestination,
            Enabled = Enabled,
        };
        if (Priority is { } priority)
        {
            rule.Priority = priority;
        }

        rule.From.AddRange(From.Distinct());
        rule.To.AddRange(To.Distinct());
        rule.Ports.AddRange(Ports.Distinct());
        return rule;
    }
}
