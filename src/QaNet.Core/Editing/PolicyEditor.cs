using System.Net;
using System.Security.Cryptography;
using System.Text;
using QaNet.Core.Model;
using QaNet.Core.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>
/// Every change to a policy goes through here: fill in defaults, apply, validate the whole
/// policy, and undo the change if it made the policy invalid — bad input changes nothing.
/// </summary>
public static class PolicyEditor
{
    public static QaNetwork AddNetwork(QaPolicy policy, NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var subnet = ParseSubnet(spec.Subnet, $"networks[{spec.Name}].subnet", $"network '{spec.Name}'");
        var network = PolicyParts.NewNetwork(policy, spec.Name, subnet, spec.Mode,
            spec.Subnet6 is null ? null : ParseSubnet(spec.Subnet6, $"networks[{spec.Name}].subnet6", $"network '{spec.Name}'"),
            string.IsNullOrEmpty(spec.Bridge) ? null : spec.Bridge,
            string.IsNullOrEmpty(spec.Gateway) ? null : spec.Gateway,
            spec.VirtHosts);
        network.Uplink = spec.Uplink is { } u ? BuildUplink(spec.Name, u) : null;
        FillUplinkDefaults(network);
        PolicyParts.SetDhcp(network,
            spec.DhcpStart is null ? null : ParseAddress(spec.DhcpStart, $"networks[{spec.Name}].dhcp", $"network '{spec.Name}'"),
            spec.DhcpEnd is null ? null : ParseAddress(spec.DhcpEnd, $"networks[{spec.Name}].dhcp", $"network '{spec.Name}'"));

        return Apply(policy, () => policy.Networks.Add(network), () => policy.Networks.Remove(network), network);
    }

    private static QaUplink BuildUplink(string network, UplinkSpec spec)
    {
        var uplink = new QaUplink(spec.Kind)
        {
            Vni = spec.Vni,
            Port = spec.Port ?? QaUplink.DefaultVxlanPort,
            Nic = string.IsNullOrEmpty(spec.Nic) ? null : spec.Nic,
            Gateway = string.IsNullOrEmpty(spec.Gateway) ? null : spec.Gateway,
        };
        foreach (var (host, address) in spec.Underlay)
        {
            uplink.Underlay[host] = ParseAddress(address, $"networks[{network}].uplink.underlay[{host}]", $"network '{network}'");
        }

        foreach (var (host, nic) in spec.Nics)
        {
            uplink.Nics[host] = nic;
        }

        return uplink;
    }

    /// <summary>A Nat or Gateway network's uplink names its serving virthost explicitly (the first one unless given), so the policy file says it.</summary>
    public static void FillUplinkDefaults(QaNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.Uplink is { Gateway: null } u && network.Mode != QaNetworkMode.Bridged && network.VirtHosts.Count > 0)
        {
            u.Gateway = network.VirtHosts[0];
        }
    }

    public static QaClient AddClient(QaPolicy policy, string networkName, ClientSpec spec)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var network = policy.FindNetwork(networkName) ?? throw NotFound("network", networkName, "Get-QaNetwork");
        var path = $"networks[{network.Name}].clients[{spec.Name}]";
        var target = $"client '{spec.Name}'";
        var address = spec.Address is null ? AllocateAddress(network) : ParseAddress(spec.Address, path + ".address", target);
        var mac = spec.MacAddress is null ? AllocateMac(policy, network.Name, spec.Name) : NormalizeMac(spec.MacAddress);
        var client = PolicyParts.NewClient(network, spec.Name, mac, address, spec.VirtHost, spec.Roles);
        client.Address6 = spec.Address6 is null ? PolicyParts.DeriveAddress6(network, address) : ParseAddress(spec.Address6, path + ".address6", target);
        return Apply(policy, () => network.Clients.Add(client), () => network.Clients.Remove(client), client);
    }

    public static QaEndpoint AddEndpoint(QaPolicy policy, EndpointSpec spec)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var addresses = spec.Addresses.Select(a => ParseSubnet(a, $"endpoints[{spec.Name}].addresses", $"endpoint '{spec.Name}'")).ToList();
        var endpoint = PolicyParts.NewEndpoint(policy, spec.Name, spec.Environment, spec.Description, spec.HostNames, addresses,
            ParsePorts(spec.Ports, $"endpoints[{spec.Name}].ports"));
        return Apply(policy, () => policy.Endpoints.Add(endpoint), () => policy.Endpoints.Remove(endpoint), endpoint);
    }

    public static QaRule AddRule(QaPolicy policy, RuleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var id = spec.Id ?? DeriveRuleId(policy, spec.Kind, spec.From, spec.To);
        var rule = new RuleParts(spec.Kind, spec.From, spec.To, ParsePorts(spec.Ports, $"rules[{id}].ports"))
        {
            Priority = spec.Priority,
            ExpiresAt = spec.ExpiresAt,
            Description = spec.Description,
            AllowAnyDestination = spec.AllowAnyDestination,
        }.Build(policy, id);
        return Apply(policy, () => policy.Rules.Add(rule), () => policy.Rules.Remove(rule), rule);
    }

    /// <summary>Adds or replaces a name-map entry.</summary>
    public static void SetHost(QaPolicy policy, string hostName, IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var list = addresses.Select(a => ParseAddress(a, $"hosts[{hostName}]", $"host '{hostName}'")).Distinct().ToList();
        var had = policy.Hosts.TryGetValue(hostName, out var old);
        Apply(policy, () => policy.Hosts[hostName] = list,
            () => { if (had) { policy.Hosts[hostName] = old!; } else { policy.Hosts.Remove(hostName); } }, list);
    }

    /// <summary>
    /// Changes an existing client (see <see cref="ClientChangeSpec"/>): all given properties at
    /// once, validated as a whole, all undone on error. Taking away the last member of a role that
    /// rules or grants name is refused (InUse) as for <see cref="RemoveClient"/>.
    /// </summary>
    public static QaClientChange SetClient(QaPolicy policy, ClientChangeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var client = policy.FindClient(spec.Name) ?? throw NotFound("client", spec.Name, "Get-QaClient");
        var network = client.NetworkObject;
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
            0);
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

    /// <summary>Removes a network and its clients. Refuses when rules name them, unless <paramref name="removeRules"/>.</summary>
    /// <summary>
    /// Removes a network and its clients. Refuses (InUse) when rules or access grants name it,
    /// its clients, roles only its clients have, or virthosts only it uses — unless
    /// <paramref name="force"/>, which removes those too.
    /// </summary>
    public static QaRemoval RemoveNetwork(QaPolicy policy, string name, bool force)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var network = policy.FindNetwork(name) ?? throw NotFound("network", name, "Get-QaNetwork");
        var index = policy.Networks.IndexOf(network);
        var orphaned = RolesLeftWithoutMembers(policy, network.Clients);
        var clients = new HashSet<string>(network.Clients.Select(c => c.Name), StringComparer.Ordinal);
        var virtHosts = network.VirtHosts.Except(policy.Networks.Where(n => n != network).SelectMany(n => n.VirtHosts), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var rules = RulesNaming(policy, s =>
            (s.Kind == QaSelectorKind.Network && s.Value == name) ||
            (s.Kind == QaSelectorKind.Client && clients.Contains(s.Value)) ||
            (s.Kind == QaSelectorKind.Role && orphaned.Contains(s.Value)));
        var grants = GrantsNaming(policy, t =>
            (t.Kind == QaAccessTargetKind.Network && t.Value == name) ||
            (t.Kind == QaAccessTargetKind.Host && clients.Contains(t.Value)) ||
            (t.Kind == QaAccessTargetKind.Role && orphaned.Contains(t.Value)) ||
            (t.Kind == QaAccessTargetKind.VirtHost && virtHosts.Contains(t.Value)));
        return RemoveWithDependents(policy, $"network '{name}'", rules, grants, force,
            () => policy.Networks.Remove(network), () => policy.Networks.Insert(index, network));
    }

    /// <summary>Removes a client; rules and grants naming it (or a role only it has) as for <see cref="RemoveNetwork"/>.</summary>
    public static QaRemoval RemoveClient(QaPolicy policy, string name, bool force)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var client = policy.FindClient(name) ?? throw NotFound("client", name, "Get-QaClient");
        var network = client.NetworkObject;
        var index = network.Clients.IndexOf(client);
        var orphaned = RolesLeftWithoutMembers(policy, new[] { client });
        var rules = RulesNaming(policy, s =>
            (s.Kind == QaSelectorKind.Client && s.Value == name) ||
            (s.Kind == QaSelectorKind.Role && orphaned.Contains(s.Value)));
        var grants = GrantsNaming(policy, t =>
            (t.Kind == QaAccessTargetKind.Host && t.Value == name) ||
            (t.Kind == QaAccessTargetKind.Role && orphaned.Contains(t.Value)));
        return RemoveWithDependents(policy, $"client '{name}'", rules, grants, force,
            () => network.Clients.Remove(client), () => network.Clients.Insert(index, client));
    }

    /// <summary>Removes an endpoint; rules and grants naming it as for <see cref="RemoveNetwork"/>.</summary>
    public static QaRemoval RemoveEndpoint(QaPolicy policy, string name, bool force)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var endpoint = policy.FindEndpoint(name) ?? throw NotFound("endpoint", name, "Get-QaEndpoint");
        var index = policy.Endpoints.IndexOf(endpoint);
        var rules = RulesNaming(policy, s => s.Kind == QaSelectorKind.Endpoint && s.Value == name);
        var grants = GrantsNaming(policy, t => t.Kind == QaAccessTargetKind.Host && t.Value == name);
        return RemoveWithDependents(policy, $"endpoint '{name}'", rules, grants, force,
            () => policy.Endpoints.Remove(endpoint), () => policy.Endpoints.Insert(index, endpoint));
    }

    public static QaRule RemoveRule(QaPolicy policy, string id)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var rule = policy.FindRule(id) ?? throw NotFound("rule", id, "Get-QaRule");
        var index = policy.Rules.IndexOf(rule);
        return Apply(policy, () => policy.Rules.Remove(rule), () => policy.Rules.Insert(index, rule), rule);
    }

    /// <summary>
    /// Adds an expected verdict (the file's <c>tests:</c>). Its sides must name a client, an
    /// endpoint or an address — checked by the validator like the file's own tests.
    /// </summary>
    public static QaAssertion AddAssertion(QaPolicy policy, AssertionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var path = $"tests[#{policy.Assertions.Count + 1}].port";
        if (!QaPortRange.TryParse(spec.Port, out var port, out var error))
        {
            throw new QaValidationException(error! with { Path = path });
        }

        if (!port.IsIcmp && port.From != port.To)
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidPort, $"test port '{spec.Port}'", path,
                $"A test checks one port, but '{spec.Port}' is a range.", "Give a single port such as 443/tcp, or icmp."));
        }

        var assertion = new QaAssertion(spec.From.Trim(), spec.To.Trim(), port, spec.ExpectAllowed) { Description = spec.Description };
        return Apply(policy, () => policy.Assertions.Add(assertion), () => policy.Assertions.Remove(assertion), assertion);
    }

    /// <summary>Removes this very assertion object (assertions have no name; equal ones may be stated twice).</summary>
    public static QaAssertion RemoveAssertion(QaPolicy policy, QaAssertion assertion)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(assertion);
        var index = policy.Assertions.FindIndex(a => ReferenceEquals(a, assertion));
        if (index < 0)
        {
            throw NotFound("assertion", assertion.ToString(), "Get-QaAssertion");
        }

        return Apply(policy, () => policy.Assertions.RemoveAt(index), () => policy.Assertions.Insert(index, assertion), assertion);
    }

    private static QaRemoval RemoveWithDependents(QaPolicy policy, string what, List<QaRule> rules, List<QaAccessGrant> grants,
        bool force, Action remove, Action restore)
    {
        if ((rules.Count > 0 || grants.Count > 0) && !force)
        {
            var named = new List<string>();
            if (rules.Count > 0)
            {
                named.Add($"rule(s) {string.Join(", ", rules.Select(r => r.Id))}");
            }

            if (grants.Count > 0)
            {
                named.Add($"access grant(s) {string.Join(", ", grants.Select(g => g.Id))}");
            }

            throw new QaValidationException(new QaValidationError(QaErrorIds.InUse, what, null,
                $"{char.ToUpperInvariant(what[0])}{what[1..]} is named by {string.Join(" and ", named)}.",
                "Revoke those first (Revoke-QaRule, Revoke-QaAccess), or use -Force to remove them too."));
        }

        var rulePositions = rules.Select(r => (Item: r, Index: policy.Rules.IndexOf(r))).ToList();
        var grantPositions = grants.Select(g => (Item: g, Index: policy.AccessGrants.IndexOf(g))).ToList();
        Apply(policy,
            () =>
            {
                remove();
                rules.ForEach(r => policy.Rules.Remove(r));
                grants.ForEach(g => policy.AccessGrants.Remove(g));
            },
            () =>
            {
                foreach (var (rule, index) in rulePositions)
                {
                    policy.Rules.Insert(Math.Min(index, policy.Rules.Count), rule);
                }

                foreach (var (grant, index) in grantPositions)
                {
                    policy.AccessGrants.Insert(Math.Min(index, policy.AccessGrants.Count), grant);
                }

                restore();
            },
            0);
        return new QaRemoval(rules, grants);
    }

    private static List<QaAccessGrant> GrantsNaming(QaPolicy policy, Func<QaAccessTarget, bool> names) =>
        policy.AccessGrants.Where(g => g.Hosts.Any(names)).ToList();

    /// <summary>
    /// Roles that only the leaving clients have: a rule naming one would name nothing
    /// afterwards, so it counts as naming the clients themselves.
    /// </summary>
    private static HashSet<string> RolesLeftWithoutMembers(QaPolicy policy, IReadOnlyCollection<QaClient> leaving)
    {
        var staying = new HashSet<string>(policy.Clients.Except(leaving).SelectMany(c => c.Roles), StringComparer.Ordinal);
        return new HashSet<string>(leaving.SelectMany(c => c.Roles).Where(r => !staying.Contains(r)), StringComparer.Ordinal);
    }

    private static List<QaRule> RulesNaming(QaPolicy policy, Func<QaSelector, bool> names) =>
        policy.Rules.Where(r => r.From.Any(names) || r.To.Any(names)).ToList();

    internal static T Apply<T>(QaPolicy policy, Action change, Action undo, T result)
    {
        change();
        var errors = PolicyValidator.Validate(policy);
        if (errors.Count > 0)
        {
            undo();
            throw new QaValidationException(errors);
        }

        return result;
    }

    public static QaValidationException NotFound(string kind, string name, string lister) =>
        new(new QaValidationError(QaErrorIds.NotFound, $"{kind} '{name}'", null,
            $"There is no {kind} named '{name}' in the policy.", $"Check the name with {lister}."));

    /// <summary>
    /// libvirt's bridges are Linux interfaces (at most 15 characters); long network names get
    /// a short, stable hash suffix instead of being cut into collisions.
    /// </summary>
    public static string DefaultBridgeName(string networkName)
    {
        var simple = "br-" + networkName;
        if (simple.Length <= 15)
        {
            return simple;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(networkName)))[..4].ToLowerInvariant();
        return "br-" + networkName[..7].TrimEnd('.', '-') + "-" + hash;
    }

    /// <summary>The upper half of the host addresses; clients get reserved addresses below it.</summary>
    public static (IPAddress Start, IPAddress End) DefaultDhcpRange(IPNetwork subnet)
    {
        var size = IpMath.Size(subnet);
        return (IpMath.Offset(subnet, size / 2), IpMath.Offset(subnet, size - 2));
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

    /// <summary>A readable id from the rule's kind and sides (<c>egress-taskotron-koji</c>), unique in the policy.</summary>
    public static string DeriveRuleId(QaPolicy policy, QaRuleKind kind, IEnumerable<QaSelector> from, IEnumerable<QaSelector> to)
    {
        ArgumentNullException.ThrowIfNull(policy);
        static string Part(IEnumerable<QaSelector> side) => string.Join("-", side.Select(s => s.Value));
        var raw = $"{kind.ToString().ToLowerInvariant()}-{Part(from)}-{Part(to)}";
        return UniqueId(raw, id => policy.FindRule(id) is not null);
    }

    /// <summary>
    /// A raw id made a valid name: trimmed, long ones cut with a short stable hash, and made
    /// unique with <c>-2</c>, <c>-3</c>, … against <paramref name="taken"/>.
    /// </summary>
    internal static string UniqueId(string raw, Func<string, bool> taken)
    {
        raw = new string(raw.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) || ch == '.' ? ch : '-').ToArray());
        while (raw.Contains("--", StringComparison.Ordinal))
        {
            raw = raw.Replace("--", "-", StringComparison.Ordinal);
        }

        raw = raw.Trim('-', '.');
        if (raw.Length > 56)
        {
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(raw)))[..6].ToLowerInvariant();
            raw = raw[..49].TrimEnd('-', '.') + "-" + hash;
        }

        var id = raw;
        for (var i = 2; taken(id); i++)
        {
            id = $"{raw}-{i}";
        }

        return id;
    }

    private static List<QaPortRange> ParsePorts(IEnumerable<string> ports, string path)
    {
        var list = new List<QaPortRange>();
        foreach (var p in ports)
        {
            if (!QaPortRange.TryParse(p, out var range, out var error))
            {
                throw new QaValidationException(error! with { Path = path });
            }

            list.Add(range);
        }

        return list;
    }

    private static IPNetwork ParseSubnet(string text, string path, string target) =>
        IpMath.TryParseCidr(text, out var n)
            ? n
            : throw new QaValidationException(PolicyParts.InvalidSubnet(text, target, path, $"of {target}"));

    private static IPAddress ParseAddress(string text, string path, string target) =>
        PolicyParts.TryParseAddress(text, out var a)
            ? a
            : throw new QaValidationException(PolicyParts.InvalidAddress(text, target, path, $"of {target}",
                "Write a single address such as 192.168.150.10."));
}
