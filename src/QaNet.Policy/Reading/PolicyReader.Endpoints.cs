using System.Net;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>The <c>endpoints:</c> section.</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] EndpointKeys = { "name", "hostnames", "addresses", "ports", "environment", "description" };

    private void ReadEndpoint(QaPolicy policy, YamlNode node, int index)
    {
        var path = EntityPath("endpoints", PeekKey(node, "name"), index);
        if (ReadMapping(node, path, EndpointKeys) is not { } f)
        {
            return;
        }

        var name = ReadString(f, "name", required: true) ?? string.Empty;
        var environment = ReadString(f, "environment");
        var description = ReadString(f, "description");
        var hostNames = ReadStrings(f, "hostnames").Select(h => h.Text).ToList();
        var addresses = new List<IPNetwork>();
        foreach (var (text, item) in ReadStrings(f, "addresses"))
        {
            if (ParseCidr(text, item, path + ".addresses") is { } cidr)
            {
                addresses.Add(cidr);
            }
        }

        var ports = new List<QaPortRange>();
        AddPorts(ports, f, path + ".ports");
        policy.Endpoints.Add(PolicyParts.NewEndpoint(policy, name, environment, description, hostNames, addresses, ports));
        Mark(path, f);
    }
}
