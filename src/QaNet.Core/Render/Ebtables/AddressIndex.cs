using System.Net;
using QaNet.Core.Net;

namespace QaNet.Core.Render.Ebtables;

/// <summary>
/// Which items (rules, targets) hold an address among their prefixes: host prefixes — the
/// clients and endpoints most selectors resolve to — by hash, only wider ones by a scan.
/// </summary>
internal sealed class AddressIndex
{
    private readonly Dictionary<IPAddress, List<int>> hosts = new();
    private readonly List<(IPNetwork Prefix, int Item)> wide = new();

    public void Add(IEnumerable<IPNetwork> prefixes, int item)
    {
        foreach (var p in prefixes)
        {
            if (p.PrefixLength == IpMath.Bits(p.BaseAddress.AddressFamily))
            {
                if (!hosts.TryGetValue(p.BaseAddress, out var items))
                {
                    hosts[p.BaseAddress] = items = new List<int>();
                }

                items.Add(item);
            }
            else
            {
                wide.Add((p, item));
            }
        }
    }

    /// <summary>The items holding <paramref name="address"/>, ascending, each once.</summary>
    public List<int> Covering(IPAddress address)
    {
        var result = new List<int>();
        if (hosts.TryGetValue(address, out var items))
        {
            result.AddRange(items);
        }

        result.AddRange(wide.Where(w => IpMath.Contains(w.Prefix, address)).Select(w => w.Item));
        result.Sort();
        return result.Distinct().ToList();
    }
}
