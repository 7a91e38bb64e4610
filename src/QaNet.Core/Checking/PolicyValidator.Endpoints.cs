using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Checking;

/// <summary>Endpoints (services outside the networks) and the name map (<c>hosts:</c>).</summary>
public static partial class PolicyValidator
{
    private const string HostNameFix = "Write a DNS name such as koji.fedoraproject.org.";

    private static void ValidateEndpoints(QaPolicy policy, Collector v)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in policy.Endpoints)
        {
            var path = $"endpoints[{e.Name}]";
            var target = $"endpoint '{e.Name}'";
            v.UniqueName(seen, e.Name, target, path + ".name",
                QaErrorIds.DuplicateEndpoint, $"There are two endpoints named '{e.Name}'.", "Give every endpoint its own name.");
            foreach (var h in e.HostNames.Where(h => !Names.IsValidHostName(h)))
            {
                v.Add(QaErrorIds.InvalidHostName, target, path + ".hostnames", $"'{h}' of {target} is not a host name.", HostNameFix);
            }

            if (e.HostNames.Count == 0 && e.Addresses.Count == 0)
            {
                v.Add(QaErrorIds.EndpointWithoutTarget, target, path,
                    $"{Cap(target)} has neither host names nor addresses.",
                    "Give it -HostName (resolved through the policy's name map) and/or -Address.");
            }

            ValidatePorts(e.Ports, target, path + ".ports", v);
        }
    }

    private static void ValidateHosts(QaPolicy policy, Collector v)
    {
        foreach (var (name, addresses) in policy.Hosts)
        {
            var path = $"hosts[{name}]";
            if (!Names.IsValidHostName(name))
            {
                v.Add(QaErrorIds.InvalidHostName, $"host '{name}'", path,
                    $"'{name}' in the name map is not a host name.", HostNameFix);
            }

            if (addresses.Count == 0)
            {
                v.Add(QaErrorIds.InvalidAddress, $"host '{name}'", path,
                    $"Host '{name}' in the name map has no address.", "List at least one address for it, or remove it.");
            }
        }
    }
}
