using System.Net;
using QaNet.Core.Model;

namespace QaNet.Core.Resolution;

/// <summary>Turns an endpoint's host names into addresses. Pluggable; tests never use DNS.</summary>
public interface IHostResolver
{
    /// <summary>The addresses of <paramref name="hostName"/>, or an empty list when it is unknown.</summary>
    IReadOnlyList<IPAddress> Resolve(string hostName);
}

/// <summary>The default resolver: the policy's own static name map (<c>hosts:</c>).</summary>
public sealed class StaticNameMapResolver : IHostResolver
{
    private readonly QaDictionary<IReadOnlyList<IPAddress>> map;

    public StaticNameMapResolver(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        map = policy.Hosts;
    }

    /// <summary>
    /// The map's addresses for <paramref name="hostName"/>; a trailing dot (the fully qualified
    /// form) does not matter on either side: <c>koji.example.org.</c> and <c>koji.example.org</c>
    /// are one name, whichever of them the map or the endpoint writes.
    /// </summary>
    public IReadOnlyList<IPAddress> Resolve(string hostName)
    {
        ArgumentNullException.ThrowIfNull(hostName);
        var bare = hostName.TrimEnd('.');
        return map.TryGetValue(bare, out var list) || map.TryGetValue(bare + ".", out list) ? list : Array.Empty<IPAddress>();
    }
}
