using System.Text.Json;
using System.Text.Json.Serialization;
using QaNet.Core.Model;

namespace QaNet.Core.Lab;

/// <summary>What a lab namespace stands for.</summary>
public enum QaLabHostKind
{
    /// <summary>The lab's "internet": routes between virthosts, gateways and segments; reaches nothing outside the lab.</summary>
    Router,

    /// <summary>A virthost with its own libvirtd.</summary>
    VirtHost,

    /// <summary>The gateway endpoint of a Gateway network: on the client network and routing for it.</summary>
    Gateway,

    /// <summary>A segment holding endpoint addresses (management hosts, public services, the QA LAN).</summary>
    Segment,

    /// <summary>A test client "VM".</summary>
    Client,

    /// <summary>The operator's host (host access Ssh): runs the ssh client; linked to the router only.</summary>
    Operator,
}

/// <summary>How the publish cmdlets reach a lab's virthosts and gateways.</summary>
public enum QaLabHostAccess
{
    /// <summary><c>ip netns exec</c> into each host's namespace (fast; the default).</summary>
    Namespace,

    /// <summary>
    /// Real OpenSSH: an sshd in every virthost and gateway namespace on its management address,
    /// reached from the operator namespace with the lab's own keys, known_hosts and ssh_config.
    /// </summary>
    Ssh,
}

/// <summary>One lab namespace: who it stands for and the lab addresses it holds.</summary>
public sealed record QaLabHost
{
    public required string Name { get; init; }

    public required QaLabHostKind Kind { get; init; }

    public required string Namespace { get; init; }

    /// <summary>IPv4 addresses other lab hosts reach it on (clients: the leased address).</summary>
    public List<string> Addresses { get; init; } = new();

    /// <summary>The clients or endpoints this namespace stands for.</summary>
    public List<string> Members { get; init; } = new();

    /// <summary>Clients: "dhcp" when libvirt's dnsmasq leased the reserved address, else "static (…why…)".</summary>
    public string? AddressSource { get; set; }

    /// <summary>Clients: the virthost whose bridge the client is plugged into.</summary>
    public string? VirtHost { get; init; }

    /// <summary>The name, as in a list of hosts (a record's generated text prints its lists as type names).</summary>
    public override string ToString() => Name;
}

/// <summary>A libvirtd the lab runs, enough to stop it from another process.</summary>
public sealed record QaLabLibvirtd(string VirtHost, string Namespace, string Directory, int? Pid, string Uri)
{
    /// <summary>The stack it runs (<see cref="QaVirtHostProfile"/>).</summary>
    public QaVirtHostProfile Profile { get; init; }

    /// <summary>The profile's root filesystem its libvirtd runs from; null for this machine's own libvirtd.</summary>
    public string? Root { get; init; }
}

/// <summary>An sshd the lab runs for a virthost or gateway (host access Ssh), stopped by PID.</summary>
public sealed record QaLabSshd(string Host, string Namespace, string Address, string Directory, int? Pid);

/// <summary>A background process the lab started (listeners), killed by PID on stop.</summary>
public sealed record QaLabProcess(string Namespace, int Pid, string Purpose);

/// <summary>A network of the policy as the lab built it.</summary>
public sealed record QaLabNetwork(string Name, QaNetworkMode Mode, string Subnet, IReadOnlyList<string> VirtHosts, IReadOnlyDictionary<string, string> Bridges, string? Gateway)
{
    public override string ToString() => $"{Name} ({Mode})";
}

/// <summary>The lab's state file (/run/qanet-lab/&lt;prefix&gt;/state.json): what Stop removes, what probes use.</summary>
public sealed record QaLabState
{
    public const string Starting = "Starting";
    public const string Running = "Running";
    public const string Failed = "Failed";
    public const string Stopping = "Stopping";

    public required string Prefix { get; init; }

    public required string Policy { get; init; }

    public required string Directory { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public string Status { get; set; } = Starting;

    /// <summary>Why the start failed, when it did.</summary>
    public string? Error { get; set; }

    /// <summary>Every namespace created, in creation order (removed in reverse).</summary>
    public List<string> Namespaces { get; init; } = new();

    public List<QaLabHost> Hosts { get; init; } = new();

    public List<QaLabNetwork> Networks { get; init; } = new();

    public List<QaLabLibvirtd> Libvirtd { get; init; } = new();

    public List<QaLabProcess> Processes { get; init; } = new();

    /// <summary>How the publish cmdlets reach the virthosts and gateways.</summary>
    public QaLabHostAccess HostAccess { get; init; }

    /// <summary>The software stack the lab's virthosts run.</summary>
    public QaVirtHostProfile VirtHostProfile { get; init; }

    /// <summary>Host access Ssh: the operator namespace the ssh client runs in.</summary>
    public string? OperatorNamespace { get; set; }

    /// <summary>Host access Ssh: the lab's ssh_config (host name → management address, keys, known_hosts, control sockets).</summary>
    public string? SshConfigFile { get; set; }

    /// <summary>Host access Ssh: one sshd per virthost and gateway.</summary>
    public List<QaLabSshd> Sshd { get; init; } = new();

    /// <summary>Endpoint name → the lab addresses it stands for (CIDR endpoints: a few hosts inside).</summary>
    public Dictionary<string, List<string>> EndpointAddresses { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Ports every lab host listens on, as <c>443/tcp</c>.</summary>
    public List<string> ListenPorts { get; init; } = new();

    /// <summary>Things the lab could not do as asked (a client without DHCP lease, an IPv6 address left out).</summary>
    public List<string> Warnings { get; init; } = new();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static QaLabState FromJson(string json) =>
        JsonSerializer.Deserialize<QaLabState>(json, Json) ?? throw new JsonException("The lab state file is empty.");

    public QaLabHost? FindHost(string name) =>
        Hosts.Find(h => string.Equals(h.Name, name, StringComparison.Ordinal))
        ?? Hosts.Find(h => h.Members.Contains(name, StringComparer.Ordinal));

    /// <summary>The namespace holding a lab address, if any.</summary>
    public QaLabHost? HostOf(string address) => Hosts.Find(h => h.Kind is (QaLabHostKind.Client or QaLabHostKind.Segment or QaLabHostKind.Gateway) && h.Addresses.Contains(address, StringComparer.Ordinal));
}
