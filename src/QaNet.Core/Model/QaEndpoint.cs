using System.Net;
using Newtonsoft.Json;

namespace QaNet.Core.Model;

/// <summary>
/// A named service or management host: host names (resolved through the policy's name map)
/// and/or addresses and CIDRs, and the ports it serves.
/// </summary>
public sealed class QaEndpoint
{
    public QaEndpoint(QaPolicy policy, string name)
    {
        Policy = policy;
        Name = name;
    }

    [JsonIgnore]
    public QaPolicy Policy { get; internal set; }

    /// <summary>Renamed only through PolicyEditor.RenameEndpoint, which renames every reference with it.</summary>
    public string Name { get; internal set; }

    public QaList<string> HostNames { get; } = new();

    [JsonIgnore]
    public QaList<IPNetwork> Addresses { get; } = new();

    [JsonIgnore]
    public QaList<QaPortRange> Ports { get; } = new();

    /// <summary>A free tag such as <c>prod</c> or <c>stg</c>.</summary>
    public string? Environment { get; set; }

    public string? Description { get; set; }

    public override string ToString() => Name;
}
