using System.Net;
using Newtonsoft.Json;

namespace QaNet.Core.Model;

/// <summary>
/// One entry of the policy's static name map (YAML <c>hosts:</c>): a host name and the addresses
/// endpoint host names resolve to. A view of <see cref="QaPolicy.Hosts"/>, which holds the entries.
/// </summary>
public sealed class QaHostName
{
    public QaHostName(QaPolicy policy, string name, IReadOnlyList<IPAddress> addresses)
    {
        Policy = policy;
        Name = name;
        Address = addresses;
    }

    [JsonIgnore]
    public QaPolicy Policy { get; }

    public string Name { get; }

    /// <summary>Named as Add-QaHostName's parameter, so entries pipe into it by property name.</summary>
    [JsonIgnore]
    public IReadOnlyList<IPAddress> Address { get; }

    public override string ToString() => Name;
}
