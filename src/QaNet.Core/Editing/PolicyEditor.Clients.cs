using System.Net;
using System.Security.Cryptography;
using System.Text;
using QaNet.Core.Checking;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>A network's clients: adding, changing and removing them, and the addresses and MACs they are given.</summary>
public static partial class PolicyEditor
{
    /// <param name="whatIf">Only try: the same client (address and MAC allocated as for real) or error, and no change.</param>
    public static QaClient AddClient(QaPolicy policy, string networkName, ClientSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var network = policy.FindNetwork(networkName) ?? throw NotFound("network", networkName, "Get-QaNetwork");
        var roles = policy.Roles;
        spec = spec with
        {
            VirtHost = spec.VirtHost is null ? null : Names.Canonical(spec.VirtHost, network.VirtHosts),
            Roles = spec.Roles.Select(r => Names.Canonical(r, roles)).ToList(),
        };
        var path = $"networks[{network.Name}].clients[{spec.Name}]";
        var target = $"client '{spec.Name}'";
        var address = spec.Address is null ? AllocateAddress(network) : ParseAddress(spec.Address, path + ".address", target);
        var mac = spec.MacAddress is null ? AllocateMac(policy, network.Name, spec.Name) : NormalizeMac(spec.MacAddress);
        var client = PolicyParts.NewClient(network, spec.Name, mac, address, spec.VirtHost, spec.Roles);
        client.Address6 = spec.Address6 is null ? PolicyParts.DeriveAddress6(network, address) : ParseAddress(spec.Address6, path + ".address6", target);
        return Apply(policy, () => network.Clients.Add(client), () => network.Clients.Remove(client), client, whatIf);
    }

    /// <summary>
    /// Changes an existing client (see <see cref="ClientChangeSpec"/>): all given properties at
    /// once, validated as a whole, all undone on error. Taking away the last member of a role that
    /// rules or grants name is refused (InUse) as for <see cref="RemoveClient"/>.
    /// </summary>
    /// <param name="whatIf">Only try: the same change (or error) as for real, and no change.</param>
    public static QaClientChange SetClient(QaPolicy policy, ClientChangeSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var client = policy.FindClient(spec.Name) ?? throw NotFound("client", spec.Name, "Get-QaClient");
        var network = client.NetworkObject;
        var known = policy.Roles;
        spec = spec with
        {
            VirtHost = string.IsNullOrEmpty(spec.VirtHost) ? spec.VirtHost : Names.Canonical(spec.VirtHost, VirtHostsOf(policy).ToList()),
            Roles = spec.Roles?.Select(r => Names.Canonical(r, known)).ToList(),
            AddRoles = spec.AddRoles.Select(r => Names.Canonical(r, known)).ToList(),
            RemoveRoles = spec.RemoveRoles.Select(r => Names.Canonical(r, client.Roles)).ToList(),
        };
        var path = $"networks[{network.Name}].clients[{client.Name}]";
        var target = $"client '{client.Name}'";
        var mac = string.IsNullOrEmpty(spec.MacAddress) ? client.MacAddress : NormalizeMac(spec.MacAddress);
        var address = string.IsNullOrEmpty(spec.Address) ? client.Address : ParseAddress(spec.Address, path + ".address", target);
        var address6 = string.IsNullOrEmpty(spec.Address6) ? client.Address6 : ParseAddress(spec.Address6, path + ".address6", target);
        var virtHost = string.IsNullOrEmpty(spec.VirtHost) ? client.VirtHost : spec.VirtHost;
        var roles = (spec.Roles ?? client.Roles).Concat(spec.AddRoles).Distinct(StringComparer.Ordinal)
            .Where(r => !spec.RemoveRoles.Contains(r, StringComparer.Ordinal)).ToList();
        var extend = !network.VirtHosts.Contains(virtHost, StringComparer.Ordinal);
        if (extend && !spec.ExtendNetwork)
        {
            // Usually a typo; spreading a network to another host is a decision of its own.
            throw new QaValidationException(new QaValidationError(QaErrorIds.UnknownVirtHost, target, path + ".virthost",
                $"Network '{network.Name}' of {target} does not span virthost '{virtHost}' (it spans {string.Join(", ", network.VirtHosts)}).",
                $"Move the client to one of those, or add -ExtendNetwork to make network '{network.Name}' span '{virtHost}' too."));
        }

        var changes = new List<QaPropertyChange>();
        void Note(string property, object? before, object? after)
        {
            if (!Equals(before, after))
            {
                changes.Add(new QaPropertyChange(property, before?.ToString(), after?.ToString()));
            }
        }

        Note(nameof(QaClient.VirtHost), client.VirtHost, virtHost);
        Note(nameof(QaClient.MacAddress), client.MacAddress, mac);
        Note(nameof(QaClient.Address), client.Address, address);
        Note(nameof(QaClient.Address6), client.Address6, address6);
        if (!client.Roles.SequenceEqual(roles, StringComparer.Ordinal))
        {
            changes.Add(new QaPropertyChange(nameof(QaClient.Roles), string.Join(", ", client.Roles), string.Join(", ", roles)));
        }

        RefuseOrphanedRoles(policy, client, roles);
        var old = (client.VirtHost, client.MacAddress, client.Address, client.Address6, Roles: client.Roles.ToList());
        Apply(policy,
            () =>
            {
                if (extend)
                {
                    network.VirtHosts.Add(virtHost);
                }

                (client.VirtHost, client.MacAddress, client.Address, client.Address6) = (virtHost, mac, address, address6);
                client.Roles.Clear();
                client.Roles.AddRange(roles);
            },
            () =>
            {
                (client.VirtHost, client.MacAddress, client.Address, client.Address6) = (old.VirtHost, old.MacAddress, old.Address, old.Address6);
                client.Roles.Clear();
                client.Roles.AddRange(old.Roles);
                if (extend)
                {
                    network.VirtHosts.Remove(virtHost);
                }
            },
            0,
            whatIf);
        return new QaClientChange(client, changes)
        {
            FromVirtHost = string.Equals(old.VirtHost, virtHost, StringComparison.Ordinal) ? null : old.VirtHost,
            AddedNetworkVirtHost = extend ? virtHost : null,
        };
    }

    /// <summary>A role the client gives up that no other client has leaves rules and grants naming nothing.</summary>
    private static void RefuseOrphanedRoles(QaPolicy policy, QaClient client, IReadOnlyCollection<string> newRoles)
    {
        var orphaned = RolesLeftWithoutMembers(policy, new[] { client });
        orphaned.ExceptWith(newRoles);
        if (orphaned.Count == 0)
        {
            return;
        }

        var rules = RulesNaming(policy, s => s.Kind == QaSelectorKind.Role && orphaned.Contains(s.Value));
        var grants = GrantsNaming(policy, t => t.Kind == QaAccessTargetKind.Role && orphaned.Contains(t.Value));
        if (rules.Count == 0 && grants.Count == 0)
        {
            return;
        }

        var named = rules.Select(r => $"rule '{r.Id}'").Concat(grants.Select(g => $"access grant '{g.Id}'"));
        var list = string.Join(", ", orphaned.Order(StringComparer.Ordinal).Select(r => $"'{r}'"));
        throw new QaValidationException(new QaValidationError(QaErrorIds.InUse, $"client '{client.Name}'",
            $"networks[{client.Network}].clients[{client.Name}].roles",
            $"Client '{client.Name}' is the last client with role {list}, which {string.Join(", ", named)} name(s).",
            "Give another client the role first (Set-QaClient -AddRole), or revoke those rules and grants (Revoke-QaRule, Revoke-QaAccess)."));
    }

    /// <summary>
    /// Removes a client; rules, grants (naming it or a role only it has) and assertions naming it
    /// as for <see cref="RemoveNetwork"/>.
    /// </summary>
    public static QaRemoval RemoveClient(QaPolicy policy, string name, bool force, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var client = policy.FindClient(name) ?? throw NotFound("client", name, "Get-QaClient");
        name = client.Name;
        var network = client.NetworkObject;
        var index = network.Clients.IndexOf(client);
        var orphaned = RolesLeftWithoutMembers(policy, new[] { client });
        return RemoveWithDependents(policy, $"client '{name}'",
            RulesNaming(policy, s =>
                (s.Kind == QaSelectorKind.Client && s.Value == name) ||
                (s.Kind == QaSelectorKind.Role && orphaned.Contains(s.Value))),
            GrantsNaming(policy, t =>
                (t.Kind == QaAccessTargetKind.Host && t.Value == name) ||
                (t.Kind == QaAccessTargetKind.Role && orphaned.Contains(t.Value))),
            new HashSet<string>(StringComparer.Ordinal) { name }, force, whatIf,
            () => network.Clients.Remove(client), () => network.Clients.Insert(index, client));
    }

    /// <summary>The lowest free host address above the virthost's own, outside the DHCP range.</summary>
    public static IPAddress AllocateAddress(QaNetwork network)
    {
        var free = AllocateAddresses(network, 1);
        return free.Count == 1
            ? free[0]
            : throw new QaValidationException(new QaValidationError(QaErrorIds.AddressPoolExhausted, $"network '{network.Name}'",
                $"networks[{network.Name}].clients", $"Network '{network.Name}' ({network.Subnet}) has no free address outside its DHCP range.",
                "Give the client an address, shrink the DHCP range, or use a larger subnet."));
    }

    /// <summary>
    /// The addresses <see cref="AllocateAddress"/> would hand out to <paramref name="count"/> new
    /// clients one after another (fewer when the pool runs out), found in one pass so that
    /// loading a file with thousands of clients stays linear.
    /// </summary>
    public static IReadOnlyList<IPAddress> AllocateAddresses(QaNetwork network, int count)
    {
        ArgumentNullException.ThrowIfNull(network);
        var used = new HashSet<IPAddress>(network.Clients.Select(c => c.Address));
        foreach (var e in network.Policy.Endpoints)
        {
            foreach (var a in e.Addresses.Where(a => a.PrefixLength == 32))
            {
                used.Add(a.BaseAddress);
            }
        }

        var free = new List<IPAddress>();
        var size = IpMath.Size(network.Subnet);
        for (ulong i = 2; i < size - 1 && free.Count < count; i++)
        {
            var candidate = IpMath.Offset(network.Subnet, i);
            if (!used.Contains(candidate) && !PolicyValidator.InRange(network, candidate) && !PolicyValidator.IsReserved(network, candidate))
            {
                free.Add(candidate);
            }
        }

        return free;
    }

    /// <summary>A MAC in QEMU's 52:54:00 range derived from the network and client name, so it is the same every time.</summary>
    public static string AllocateMac(QaPolicy policy, string networkName, string clientName)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return AllocateMac(new HashSet<string>(policy.Clients.Select(c => c.MacAddress), StringComparer.Ordinal), networkName, clientName);
    }

    /// <summary>
    /// <see cref="AllocateMac(QaPolicy, string, string)"/> against MACs the caller keeps track of
    /// (it does not add the result), for allocating many without rescanning the policy each time.
    /// </summary>
    public static string AllocateMac(IReadOnlySet<string> used, string networkName, string clientName)
    {
        ArgumentNullException.ThrowIfNull(used);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(networkName + "/" + clientName));
        var n = (hash[0] << 16) | (hash[1] << 8) | hash[2];
        for (var attempt = 0; attempt < 1 << 24; attempt++)
        {
            var v = (n + attempt) & 0xffffff;
            var mac = $"52:54:00:{(v >> 16) & 0xff:x2}:{(v >> 8) & 0xff:x2}:{v & 0xff:x2}";
            if (!used.Contains(mac))
            {
                return mac;
            }
        }

        throw new InvalidOperationException("The 52:54:00 MAC range is exhausted.");
    }

    public static string NormalizeMac(string mac) =>
        mac.Trim().Replace('-', ':').ToLowerInvariant();
}
