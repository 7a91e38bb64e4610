using System.Net;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy.Yaml;

namespace QaNet.Policy.Reading;

/// <summary>
/// Builds a <see cref="QaPolicy"/> from a policy file's node tree: every key checked, every
/// value parsed where it stands, defaults filled only once every explicit value is known, and
/// the whole model validated once, with each validator error pointed back at its line.
/// </summary>
internal sealed partial class PolicyReader
{
    private static readonly string[] PolicyKeys = { "version", "name", "description", "hosts", "networks", "endpoints", "rules", "tests", "jumpHost", "groups", "access", "transports" };
    private static readonly string[] NetworkKeys = { "name", "mode", "subnet", "subnet6", "bridge", "gateway", "virthosts", "dhcp", "uplink", "clients" };
    private static readonly string[] DhcpKeys = { "start", "end" };
    private static readonly string[] UplinkKeys = { "kind", "vni", "port", "underlay", "nic", "nics", "gateway" };
    private static readonly string[] ClientKeys = { "name", "mac", "address", "address6", "roles", "virthost" };
    private static readonly string[] EndpointKeys = { "name", "hostnames", "addresses", "ports", "environment", "description" };
    private static readonly string[] RuleKeys = { "id", "kind", "from", "to", "ports", "priority", "expires", "description", "allowAnyDestination" };
    private static readonly string[] TestKeys = { "from", "to", "port", "expect", "description" };
    private static readonly string[] TransportKeys = { "namespace", "ssh", "libvirt" };
    private static readonly string[] SshKeys = { "host", "user", "port", "configFile", "identityFile", "clientNamespace" };

    // A stand-in for values that failed to parse; the policy is never returned when there are errors.
    private static readonly IPNetwork Unparsed = new(IPAddress.Any, 0);

    private readonly PolicyErrors errors;
    private readonly YamlNode root;

    // PolicyValidator's paths → the nodes they came from. Several nodes share a path only when
    // names repeat, and then the validator's duplicate error belongs to the later one.
    private readonly Dictionary<string, List<YamlNode>> marks = new(StringComparer.Ordinal);
    private readonly List<PendingClient> clients = new();
    private readonly List<PendingRule> rules = new();

    private PolicyReader(PolicyErrors errors, YamlNode root)
    {
        this.errors = errors;
        this.root = root;
    }

    /// <summary>Parses and validates; throws one <see cref="QaValidationException"/> listing every problem found.</summary>
    public static QaPolicy Read(string text, string sourceName)
    {
        var errors = new PolicyErrors(sourceName);
        var root = YamlTreeReader.Read(text, errors);
        if (root is null)
        {
            if (!errors.Any)
            {
                errors.Add(1, 1, new QaValidationError(QaErrorIds.PolicyWrongType, "file", null,
                    "The file holds no policy.", "Write a policy: a mapping that starts with 'version: 1' (see docs/policy-format.md)."));
            }

            throw errors.ToException();
        }

        var reader = new PolicyReader(errors, root);
        var policy = reader.ReadPolicy();

        // Values that did not parse leave stand-ins behind; validating those would only add noise.
        if (policy is null || errors.Any)
        {
            throw errors.ToException();
        }

        reader.Validate(policy);
        if (errors.Any)
        {
            throw errors.ToException();
        }

        return policy;
    }

    private QaPolicy? ReadPolicy()
    {
        var fields = ReadMapping(root, string.Empty, PolicyKeys);
        if (fields is null || !ReadVersion(fields))
        {
            return null;
        }

        var policy = new QaPolicy(ReadString(fields, "name", required: true) ?? string.Empty)
        {
            Description = ReadString(fields, "description"),
        };
        Mark(string.Empty, fields);
        ReadHosts(policy, fields);
        ForEach(fields, "endpoints", (node, i) => ReadEndpoint(policy, node, i));
        ForEach(fields, "networks", (node, i) => ReadNetwork(policy, node, i));
        ForEach(fields, "rules", (node, i) => ReadRule(node, i));
        ForEach(fields, "tests", (node, i) => ReadTest(policy, node, i));
        ReadAccessSections(policy, fields);
        ReadTransports(policy, fields);
        if (errors.Any)
        {
            return policy;
        }

        FillClientDefaults(policy);
        if (!errors.Any)
        {
            BuildRules(policy);
            BuildGrants(policy);
        }

        return policy;
    }

    private bool ReadVersion(Fields fields)
    {
        var node = fields["version"];
        if (node is null)
        {
            Missing(fields, "version");
            return false;
        }

        var text = ScalarText(node, "version");
        if (text is null)
        {
            return false;
        }

        if (text.Trim() == "1")
        {
            return true;
        }

        errors.Add(node, QaErrorIds.PolicyVersionUnsupported, "version",
            $"The policy format version '{text}' is not supported; this QaNet reads version 1.",
            "Write 'version: 1', or use the QaNet release that wrote this file.");
        return false;
    }

    private void ForEach(Fields fields, string key, Action<YamlNode, int> read)
    {
        var items = ReadList(fields, key);
        for (var i = 0; i < items.Count; i++)
        {
            read(items[i], i);
        }
    }

    private void ReadHosts(QaPolicy policy, Fields fields)
    {
        var node = fields["hosts"];
        if (node is null)
        {
            return;
        }

        if (node is not YamlMapping map)
        {
            WrongType(node, "hosts", "a mapping of host names to address lists");
            return;
        }

        foreach (var (key, value) in map.Entries)
        {
            var path = $"hosts[{key.Value}]";
            if (policy.Hosts.ContainsKey(key.Value))
            {
                errors.Add(key, QaErrorIds.PolicyDuplicateKey, path,
                    $"The host name '{key.Value}' appears twice in hosts (host names ignore case).",
                    "Keep one entry and list all its addresses there.");
                continue;
            }

            var addresses = new List<IPAddress>();
            if (value is YamlSequence sequence)
            {
                foreach (var item in sequence.Items)
                {
                    if (ScalarText(item, path) is { } text && ParseAddress(text, item, path) is { } address && !addresses.Contains(address))
                    {
                        addresses.Add(address);
                    }
                }
            }
            else if (!(value is YamlScalar { IsNull: true }))
            {
                WrongType(value, path, "a list of addresses ([203.0.113.10])");
            }

            policy.Hosts[key.Value] = addresses;
            AddMark(path, key);
        }
    }

    /// <summary>
    /// <c>transports:</c> host → <c>local</c> | a short form (<c>namespace:qn-vh1</c>, <c>ssh:root@vh2</c>) |
    /// <c>{namespace: …, ssh: … | {host, user, port, configFile, identityFile}, libvirt: …}</c>.
    /// The long form is checked by the validator, so its errors point at the offending key.
    /// </summary>
    private void ReadTransports(QaPolicy policy, Fields fields)
    {
        var node = fields["transports"];
        if (node is null)
        {
            return;
        }

        if (node is not YamlMapping map)
        {
            WrongType(node, "transports", "a mapping of host names to transports");
            return;
        }

        foreach (var (key, value) in map.Entries)
        {
            var host = key.Value;
            var path = $"transports[{host}]";
            if (policy.Transports.ContainsKey(host))
            {
                errors.Add(key, QaErrorIds.PolicyDuplicateKey, path,
                    $"The host '{host}' has two transports.", "Keep one entry per host.");
                continue;
            }

            QaHostTransport? transport;
            if (value is YamlScalar { IsNull: false } shortForm)
            {
                try
                {
                    transport = QaHostTransport.Parse(host, shortForm.Value);
                }
                catch (QaValidationException ex)
                {
                    foreach (var e in ex.Errors)
                    {
                        errors.Add(value, e with { Path = e.Path ?? path });
                    }

                    continue;
                }
            }
            else if (ReadMapping(value, path, TransportKeys) is { } f)
            {
                transport = ReadLongTransport(host, f, path);
            }
            else
            {
                continue;
            }

            if (transport is not null)
            {
                policy.Transports[host] = transport;
                AddMark(path, key);
            }
        }
    }

    private QaHostTransport? ReadLongTransport(string host, Fields f, string path)
    {
        Mark(path, f);
        var ns = ReadString(f, "namespace");
        var libvirt = ReadString(f, "libvirt");
        var ssh = f["ssh"];
        if (ns is not null && ssh is not null)
        {
            errors.Add(f.Node, QaErrorIds.InvalidTransport, path,
                $"Host '{host}' has both a namespace and ssh.", "Give one of namespace or ssh (neither: the host is local).");
            return null;
        }

        if (ssh is null)
        {
            return new QaHostTransport(host, ns is null ? QaTransportKind.Local : QaTransportKind.Namespace) { Namespace = ns, LibvirtUri = libvirt };
        }

        if (ssh is YamlScalar sshHost)
        {
            return new QaHostTransport(host, QaTransportKind.Ssh) { SshHost = sshHost.Value, LibvirtUri = libvirt };
        }

        if (ReadMapping(ssh, path + ".ssh", SshKeys) is not { } sf)
        {
            return null;
        }

        Mark(path + ".ssh", sf);
        return new QaHostTransport(host, QaTransportKind.Ssh)
        {
            SshHost = ReadString(sf, "host"),
            SshUser = ReadString(sf, "user"),
            SshPort = ReadInt(sf, "port"),
            SshConfigFile = ReadString(sf, "configFile"),
            SshIdentityFile = ReadString(sf, "identityFile"),
            SshClientNamespace = ReadString(sf, "clientNamespace"),
            LibvirtUri = libvirt,
        };
    }

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

    private void ReadNetwork(QaPolicy policy, YamlNode node, int index)
    {
        var path = EntityPath("networks", PeekKey(node, "name"), index);
        if (ReadMapping(node, path, NetworkKeys) is not { } f)
        {
            return;
        }

        var name = ReadString(f, "name", required: true) ?? string.Empty;
        var mode = ReadChoice(f, "mode", required: true,
            ("nat", QaNetworkMode.Nat), ("gateway", QaNetworkMode.Gateway), ("bridged", QaNetworkMode.Bridged)) ?? QaNetworkMode.Nat;
        var subnet = ReadCidr(f, "subnet", required: true) ?? Unparsed;
        var network = PolicyParts.NewNetwork(policy, name, subnet, mode, ReadCidr(f, "subnet6", required: false),
            ReadString(f, "bridge"), ReadString(f, "gateway"), ReadStrings(f, "virthosts").Select(v => v.Text).ToList());
        ReadDhcp(network, f, path);
        ReadUplink(network, f, path);
        policy.Networks.Add(network);
        Mark(path, f);

        var items = ReadList(f, "clients");
        for (var i = 0; i < items.Count; i++)
        {
            ReadClient(network, items[i], path, i);
        }
    }

    private IPNetwork? ReadCidr(Fields f, string key, bool required)
    {
        var text = ReadString(f, key, required);
        return text is null ? null : ParseCidr(text, f[key]!, Fields.Join(f.Path, key));
    }

    private void ReadDhcp(QaNetwork network, Fields f, string path)
    {
        IPAddress? start = null, end = null;
        if (f["dhcp"] is { } node && ReadMapping(node, path + ".dhcp", DhcpKeys) is { } dhcp)
        {
            start = ReadString(dhcp, "start") is { } s ? ParseAddress(s, dhcp["start"]!, path + ".dhcp.start") : null;
            end = ReadString(dhcp, "end") is { } e ? ParseAddress(e, dhcp["end"]!, path + ".dhcp.end") : null;
        }

        PolicyParts.SetDhcp(network, start, end);
    }

    /// <summary><c>uplink: {kind: vxlan, vni, port, underlay: {host: address}, gateway}</c> or <c>{kind: nic, nic, nics: {host: nic}, gateway}</c>.</summary>
    private void ReadUplink(QaNetwork network, Fields f, string path)
    {
        path += ".uplink";
        if (f["uplink"] is not { } node || ReadMapping(node, path, UplinkKeys) is not { } u)
        {
            return;
        }

        var kind = ReadChoice(u, "kind", required: true, ("vxlan", QaUplinkKind.Vxlan), ("nic", QaUplinkKind.Nic));
        if (kind is null)
        {
            return;
        }

        var uplink = new QaUplink(kind.Value)
        {
            Vni = ReadInt(u, "vni") ?? 0,
            Port = ReadInt(u, "port") ?? QaUplink.DefaultVxlanPort,
            Nic = ReadString(u, "nic"),
            Gateway = ReadString(u, "gateway"),
        };
        foreach (var (host, value, key) in ReadHostMap(u, "underlay"))
        {
            if (ScalarText(value, $"{path}.underlay[{host}]") is { } text && ParseAddress(text, value, $"{path}.underlay[{host}]") is { } address)
            {
                uplink.Underlay[host] = address;
                AddMark($"{path}.underlay[{host}]", key);
            }
        }

        foreach (var (host, value, key) in ReadHostMap(u, "nics"))
        {
            if (ScalarText(value, $"{path}.nics[{host}]") is { } nic)
            {
                uplink.Nics[host] = nic;
                AddMark($"{path}.nics[{host}]", key);
            }
        }

        if (kind == QaUplinkKind.Vxlan && u["vni"] is null)
        {
            Missing(u, "vni");
        }

        network.Uplink = uplink;
        PolicyEditor.FillUplinkDefaults(network);
        Mark(path, u);
    }

    /// <summary>A mapping of virthost names to values; a host named twice is an error at its second key.</summary>
    private List<(string Host, YamlNode Value, YamlNode Key)> ReadHostMap(Fields fields, string key)
    {
        var result = new List<(string, YamlNode, YamlNode)>();
        var node = fields[key];
        if (node is null)
        {
            return result;
        }

        var path = Fields.Join(fields.Path, key);
        if (node is not YamlMapping map)
        {
            WrongType(node, path, "a mapping of virthost names to values ({vh1: ..., vh2: ...})");
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, value) in map.Entries)
        {
            if (!seen.Add(k.Value))
            {
                errors.Add(k, QaErrorIds.PolicyDuplicateKey, $"{path}[{k.Value}]",
                    $"The virthost '{k.Value}' appears twice in {path}.", "Keep one entry per virthost.");
                continue;
            }

            result.Add((k.Value, value, k));
        }

        return result;
    }

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

    private void ReadRule(YamlNode node, int index)
    {
        var path = EntityPath("rules", PeekKey(node, "id"), index);
        if (ReadMapping(node, path, RuleKeys) is not { } f)
        {
            return;
        }

        var id = ReadString(f, "id");
        var ports = new List<QaPortRange>();
        var parts = new RuleParts(
            ReadChoice(f, "kind", required: true,
                ("egress", QaRuleKind.Egress), ("ingress", QaRuleKind.Ingress), ("block", QaRuleKind.Block)) ?? QaRuleKind.Egress,
            ReadSelectors(f, "from"),
            ReadSelectors(f, "to"),
            ports)
        {
            Priority = ReadInt(f, "priority"),
            ExpiresAt = ReadDate(f, "expires"),
            Description = ReadString(f, "description"),
            AllowAnyDestination = ReadBool(f, "allowAnyDestination") ?? false,
        };
        AddPorts(ports, f, path + ".ports");
        rules.Add(new PendingRule(f, id, parts));
    }

    private List<QaSelector> ReadSelectors(Fields f, string key)
    {
        var path = Fields.Join(f.Path, key);
        var selectors = new List<QaSelector>();
        foreach (var (text, item) in ReadStrings(f, key, allowSingle: true, required: true))
        {
            if (ParseSelector(text, item, path) is { } selector && !selectors.Contains(selector))
            {
                selectors.Add(selector);
            }
        }

        return selectors;
    }

    private void AddPorts(List<QaPortRange> ports, Fields f, string path)
    {
        foreach (var (text, item) in ReadStrings(f, "ports"))
        {
            if (ParsePort(text, item, path) is { } port && !ports.Contains(port))
            {
                ports.Add(port);
            }
        }
    }

    /// <summary>
    /// Rules keep file order; ids are derived only after every explicit id is taken, so a
    /// derived id never collides with an explicit one further down.
    /// </summary>
    private void BuildRules(QaPolicy policy)
    {
        var built = new QaRule[rules.Count];
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var pending = rules[i];
                if ((pass == 0) != (pending.Id is not null))
                {
                    continue;
                }

                var id = pending.Id ?? PolicyEditor.DeriveRuleId(policy, pending.Parts.Kind, pending.Parts.From, pending.Parts.To);
                built[i] = pending.Parts.Build(policy, id);
                policy.Rules.Add(built[i]);
                Mark($"rules[{id}]", pending.Fields);
            }
        }

        policy.Rules.Clear();
        policy.Rules.AddRange(built);
    }

    private void ReadTest(QaPolicy policy, YamlNode node, int index)
    {
        var path = $"tests[#{index + 1}]";
        if (ReadMapping(node, path, TestKeys) is not { } f)
        {
            return;
        }

        var from = ReadString(f, "from", required: true);
        var to = ReadString(f, "to", required: true);
        var portText = ReadString(f, "port", required: true);
        var port = portText is null ? null : ParsePort(portText, f["port"]!, path + ".port");
        if (port is { IsIcmp: false } p && p.From != p.To)
        {
            errors.Add(f["port"]!, QaErrorIds.InvalidPort, path + ".port",
                $"A test checks one port, but {path}.port is the range '{portText}'.", "Write a single port such as 443/tcp, or icmp.");
            port = null;
        }

        var expect = ReadChoice(f, "expect", required: true, ("allow", true), ("deny", false));
        var description = ReadString(f, "description");
        if (from is null || to is null || port is null || expect is null)
        {
            return;
        }

        var assertion = new QaAssertion(from.Trim(), to.Trim(), port.Value, expect.Value) { Description = description };
        policy.Assertions.Add(assertion);
        Mark(path, f);
    }

    private void Validate(QaPolicy policy)
    {
        var duplicatesSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var error in PolicyValidator.Validate(policy))
        {
            var occurrence = 0;
            if (error.Id is QaErrorIds.DuplicateNetwork or QaErrorIds.DuplicateEndpoint or QaErrorIds.DuplicateClientName or QaErrorIds.DuplicateRuleId or
                QaErrorIds.DuplicateGrantId)
            {
                // The validator reports the second, third, … holder of a name; so do we.
                occurrence = duplicatesSeen[error.Path ?? string.Empty] = duplicatesSeen.GetValueOrDefault(error.Path ?? string.Empty) + 1;
            }

            errors.Add(Locate(error.Path ?? string.Empty, occurrence), error);
        }
    }

    /// <summary>The node a validator path came from, or the nearest enclosing one that is in the file.</summary>
    private YamlNode Locate(string path, int occurrence)
    {
        for (var p = path; ; p = Parent(p))
        {
            if (marks.TryGetValue(p, out var nodes))
            {
                return nodes[Math.Min(occurrence, nodes.Count - 1)];
            }

            if (p.Length == 0)
            {
                return root;
            }
        }
    }

    /// <summary><c>a[x.y].b</c> → <c>a[x.y]</c> → <c>a</c> → "" (names may hold dots, so brackets are respected).</summary>
    internal static string Parent(string path)
    {
        var depth = 0;
        for (var i = path.Length - 1; i >= 0; i--)
        {
            switch (path[i])
            {
                case ']':
                    depth++;
                    break;
                case '[':
                    if (--depth == 0)
                    {
                        return path[..i];
                    }

                    break;
                case '.' when depth == 0:
                    return path[..i];
            }
        }

        return string.Empty;
    }

    private void Mark(string path, Fields f)
    {
        AddMark(path, f.Node);
        foreach (var (key, value) in f.Present)
        {
            AddMark(Fields.Join(path, key.Value), value is YamlScalar { IsNull: true } ? key : value);
        }
    }

    private void AddMark(string path, YamlNode node)
    {
        if (!marks.TryGetValue(path, out var nodes))
        {
            marks[path] = nodes = new List<YamlNode>(1);
        }

        nodes.Add(node);
    }

    /// <summary>A mapping's name (or id) read ahead, so errors inside it can say which one it is.</summary>
    private static string? PeekKey(YamlNode node, string key) =>
        node is YamlMapping mapping &&
        mapping.Entries.FirstOrDefault(e => e.Key.Value == key).Value is YamlScalar { IsNull: false } scalar
            ? scalar.Value
            : null;

    private static string EntityPath(string list, string? name, int index) =>
        name is null ? $"{list}[#{index + 1}]" : $"{list}[{name}]";

    private sealed record PendingClient(QaClient Client, Fields Fields, bool NeedsMac, bool NeedsAddress, bool NeedsAddress6);

    private sealed record PendingRule(Fields Fields, string? Id, RuleParts Parts);
}
