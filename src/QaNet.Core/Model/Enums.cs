namespace QaNet.Core.Model;

/// <summary>How a network's clients are isolated (see docs/architecture.md).</summary>
public enum QaNetworkMode
{
    /// <summary>Private libvirt network; the virthost NATs and filters with nftables.</summary>
    Nat,
    /// <summary>Isolated libvirt network; a gateway host on it routes, NATs and filters.</summary>
    Gateway,
    /// <summary>Clients on the virthost's existing bridge, filtered with ebtables.</summary>
    Bridged,
}

/// <summary>What a rule does.</summary>
public enum QaRuleKind
{
    /// <summary>Clients may open connections to the destinations.</summary>
    Egress,
    /// <summary>The sources (management hosts) may open connections into clients.</summary>
    Ingress,
    /// <summary>Connections from the sources to the destinations are refused.</summary>
    Block,
}

/// <summary>Transport protocol of a port specification.</summary>
public enum QaProtocol
{
    Tcp,
    Udp,
    Icmp,
}

/// <summary>What a selector in a rule names.</summary>
public enum QaSelectorKind
{
    Client,
    Role,
    Endpoint,
    Network,
    Cidr,
}
