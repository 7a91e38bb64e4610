using System.Net;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>A network's <c>clients:</c>, and the addresses and MACs the file leaves out.</summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] ClientKeys = { "name", "mac", "address", "address6", "roles", "virthost" };

    private readonly List<PendingClient> clients = new();

    private void ReadClient(QaNetwork network, YamlNode node, string networkPath, int index)
    {
        var path = EntityPath(networkPath + ".clients", PeekKey(node, "name"), index);
        if (ReadMapping(node, path, ClientKeys) is not { } f)
        {
            return;
        }

        var name = ReadString(f, "name", required: true) ?? string.Empty;
        var mac = ReadString(f, "mac");
        var addressText = ReadString(f, "address");
        var address6Text = ReadString(f, "address6");
        var client = PolicyParts.NewClient(network, name,
            mac is null ? string.Empty : PolicyEditor.NormalizeMac(mac),
            (addressText is null ? null : ParseAddress(addressText, f["address"]!, path + ".address")) ?? IPAddress.Any,
            ReadString(f, "virthost"),
            ReadStrings(f, "roles").Select(r => r.Text).ToList());
        client.Address6 = address6Text is null ? null : ParseAddress(address6Text, f["address6"]!, path + ".address6");
        network.Clients.Add(client);
        clients.Add(new PendingClient(client, f, NeedsMac: mac is null, NeedsAddress: addressText is null, NeedsAddress6: address6Text is null));
        Mark(path, f);
    }

    /// <summary>
    /// Allocated addresses and MACs avoid every explicit one in the file, wherever it stands,
    /// so they are handed out only now, in file order, by PolicyEditor's allocators (their
    /// bulk forms: one pass per network, not one per client).
    /// </summary>
    private void FillClientDefaults(QaPolicy policy)
    {
        foreach (var group in clients.Where(c => c.NeedsAddress).GroupBy(c => c.Client.NetworkObject))
        {
            var network = group.Key;
            var waiting = group.ToList();
            var free = PolicyEditor.AllocateAddresses(network, waiting.Count);
            for (var i = 0; i < free.Count; i++)
            {
                waiting[i].Client.Address = free[i];
            }

            if (free.Count < waiting.Count)
            {
                try
                {
                    PolicyEditor.AllocateAddress(network);
                }
                catch (QaValidationException ex)
                {
                    // Once, at the first client left without an address.
                    errors.Add(waiting[free.Count].Fields.Node, ex.Errors[0]);
                }
            }
        }

        var macs = new HashSet<string>(policy.Clients.Select(c => c.MacAddress), StringComparer.Ordinal);
        foreach (var pending in clients)
        {
            var client = pending.Client;
            var network = client.NetworkObject;
            if (pending.NeedsAddress6)
            {
                client.Address6 = PolicyParts.DeriveAddress6(network, client.Address);
            }

            if (pending.NeedsMac)
            {
                client.MacAddress = PolicyEditor.AllocateMac(macs, network.Name, client.Name);
                macs.Add(client.MacAddress);
            }
        }
    }

    private sealed record PendingClient(QaClient Client, Fields Fields, bool NeedsMac, bool NeedsAddress, bool NeedsAddress6);
}
