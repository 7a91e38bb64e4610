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

    public IReadOnlyList<IPAddress> Resolve(string hostName) =>
        map.TryGetValue(hostName.TrimEnd('.'), out var list) ? list : Array.Empty<IPAddress>();
}
