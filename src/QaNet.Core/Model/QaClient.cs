using System.Net;
using Newtonsoft.Json;

namespace QaNet.Core.Model;

/// <summary>A test client VM: one MAC and one reserved address on a network.</summary>
public sealed class QaClient
{
    public QaClient(QaNetwork network, string name, string macAddress, IPAddress address, string virtHost)
    {
        NetworkObject = network;
        Name = name;
        MacAddress = macAddress;
        Address = address;
        VirtHost = virtHost;
    }

    [JsonIgnore]
    public QaPolicy Policy => NetworkObject.Policy;

    [JsonIgnore]
    public QaNetwork NetworkObject { get; internal set; }

    /// <summary>The network's name (binds to <c>-Network</c> down the pipeline).</summary>
    public string Network => NetworkObject.Name;

    /// <summary>Renamed only through PolicyEditor.RenameClient, which renames every reference with it.</summary>
    public string Name { get; internal set; }

    /// <summary>Lowercase, colon-separated.</summary>
    public string MacAddress { get; set; }

    [JsonIgnore]
    public IPAddress Address { get; set; }

    [JsonIgnore]
    public IPAddress? Address6 { get; set; }

    public QaList<string> Roles { get; } = new();

    public string VirtHost { get; set; }

    public override string ToString() => Name;
}
