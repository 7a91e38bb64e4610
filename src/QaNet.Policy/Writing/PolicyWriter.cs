using System.Globalization;
using System.Text.RegularExpressions;
using QaNet.Core.Model;
using QaNet.Core.Net;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace QaNet.Policy.Writing;

/// <summary>
/// Writes a policy in the documented key order with YamlDotNet's emitter (which quotes what
/// needs quoting). Every value is written, defaults included, so the file says exactly what
/// QaNet will do and reading it back gives the same text.
/// </summary>
internal static partial class PolicyWriter
{
    // Plain scalars that YAML 1.1 or 1.2 readers would take for null, a boolean or a number.
    [GeneratedRegex(@"^(~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|\.[0-9_]+([eE][-+]?[0-9]+)?))$", RegexOptions.CultureInvariant)]
    private static partial Regex NonStringPlain();

    public static string Write(QaPolicy policy)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var settings = new EmitterSettings().WithBestWidth(120).WithNewLine("\n").WithIndentedSequences();
        var emitter = new Emitter(text, settings);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));

        Key(emitter, "version");
        Number(emitter, 1);
        Pair(emitter, "name", policy.Name);
        OptionalPair(emitter, "description", policy.Description);
        if (policy.Hosts.Count > 0)
        {
            Key(emitter, "hosts");
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
            foreach (var (name, addresses) in policy.Hosts)
            {
                Key(emitter, name);
                FlowList(emitter, addresses.Select(a => a.ToString()));
            }

            emitter.Emit(new MappingEnd());
        }

        BlockList(emitter, "networks", policy.Networks, WriteNetwork);
        BlockList(emitter, "endpoints", policy.Endpoints, WriteEndpoint);
        BlockList(emitter, "rules", policy.Rules, WriteRule);
        BlockList(emitter, "tests", policy.Assertions, WriteTest);
        OptionalPair(emitter, "jumpHost", policy.JumpHost);
        if (policy.Directory is { } directory)
        {
            WriteDirectory(emitter, directory);
        }

        if (policy.Groups.Count > 0)
        {
            Key(emitter, "groups");
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
            foreach (var group in policy.Groups)
            {
                WriteGroup(emitter, group);
            }

            emitter.Emit(new MappingEnd());
        }

        BlockList(emitter, "access", policy.AccessGrants, WriteGrant);
        if (policy.Transports.Count > 0)
        {
            Key(emitter, "transports");
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
            foreach (var (host, transport) in policy.Transports)
            {
                Key(emitter, host);
                WriteTransport(emitter, transport);
            }

            emitter.Emit(new MappingEnd());
        }

        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void WriteNetwork(IEmitter emitter, QaNetwork network)
    {
        Pair(emitter, "name", network.Name);
        Pair(emitter, "mode", network.Mode.ToString().ToLowerInvariant());
        Pair(emitter, "subnet", network.Subnet.ToString());
        OptionalPair(emitter, "subnet6", network.Subnet6?.ToString());
        OptionalPair(emitter, "bridge", network.Bridge);
        OptionalPair(emitter, "gateway", network.Gateway);
        OptionalList(emitter, "virthosts", network.VirtHosts);
        if (network.DhcpStart is not null || network.DhcpEnd is not null)
        {
            Key(emitter, "dhcp");
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Flow));
            OptionalPair(emitter, "start", network.DhcpStart?.ToString());
            OptionalPair(emitter, "end", network.DhcpEnd?.ToString());
            emitter.Emit(new MappingEnd());
        }

        if (network.Uplink is { } uplink)
        {
            Key(emitter, "uplink");
            WriteUplink(emitter, uplink);
        }

        BlockList(emitter, "clients", network.Clients, WriteClient);
    }

    private static void WriteUplink(IEmitter emitter, QaUplink uplink)
    {
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        Pair(emitter, "kind", uplink.Kind.ToString().ToLowerInvariant());
        if (uplink.Kind == QaUplinkKind.Vxlan || uplink.Vni != 0)
        {
            Key(emitter, "vni");
            Number(emitter, uplink.Vni);
        }

        if (uplink.Kind == QaUplinkKind.Vxlan || uplink.Port != QaUplink.DefaultVxlanPort)
        {
            Key(emitter, "port");
            Number(emitter, uplink.Port);
        }

        HostMap(emitter, "underlay", uplink.Underlay.Select(e => (e.Key, e.Value.ToString())));
        OptionalPair(emitter, "nic", uplink.Nic);
        HostMap(emitter, "nics", uplink.Nics.Select(e => (e.Key, e.Value)));
        OptionalPair(emitter, "gateway", uplink.Gateway);
        emitter.Emit(new MappingEnd());
    }

    private static void HostMap(IEmitter emitter, string key, IEnumerable<(string Host, string Value)> entries)
    {
        var list = entries.ToList();
        if (list.Count == 0)
        {
            return;
        }

        Key(emitter, key);
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        foreach (var (host, value) in list)
        {
            Pair(emitter, host, value);
        }

        emitter.Emit(new MappingEnd());
    }

    private static void WriteClient(IEmitter emitter, QaClient client)
    {
        Pair(emitter, "name", client.Name);
        OptionalPair(emitter, "mac", client.MacAddress);
        Pair(emitter, "address", client.Address.ToString());
        OptionalPair(emitter, "address6", client.Address6?.ToString());
        OptionalList(emitter, "roles", client.Roles);
        OptionalPair(emitter, "virthost", client.VirtHost);
    }

    private static void WriteEndpoint(IEmitter emitter, QaEndpoint endpoint)
    {
        Pair(emitter, "name", endpoint.Name);
        OptionalList(emitter, "hostnames", endpoint.HostNames);
        OptionalList(emitter, "addresses", endpoint.Addresses.Select(IpMath.Format));
        OptionalList(emitter, "ports", endpoint.Ports.Select(p => p.ToString()));
        OptionalPair(emitter, "environment", endpoint.Environment);
        OptionalPair(emitter, "description", endpoint.Description);
    }

    private static void WriteRule(IEmitter emitter, QaRule rule)
    {
        Pair(emitter, "id", rule.Id);
        Pair(emitter, "kind", rule.Kind.ToString().ToLowerInvariant());
        Selectors(emitter, "from", rule.From);
        Selectors(emitter, "to", rule.To);
        OptionalList(emitter, "ports", rule.Ports.Select(p => p.ToString()));
        Key(emitter, "priority");
        Number(emitter, rule.Priority);
        OptionalPair(emitter, "expires", rule.ExpiresAt?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
        OptionalPair(emitter, "description", rule.Description);
        if (rule.AllowAnyDestination)
        {
            Key(emitter, "allowAnyDestination");
            Plain(emitter, "true");
        }

        if (!rule.Enabled)
        {
            Key(emitter, "enabled");
            Plain(emitter, "false");
        }
    }

    /// <summary><c>local</c> bare; everything else as a flow mapping on the host's line.</summary>
    private static void WriteTransport(Emitter emitter, QaHostTransport t)
    {
        if (t.Kind == QaTransportKind.Local && t.LibvirtUri is null)
        {
            String(emitter, "local");
            return;
        }

        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Flow));
        OptionalPair(emitter, "namespace", t.Namespace);
        if (t.Kind == QaTransportKind.Ssh)
        {
            Key(emitter, "ssh");
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Flow));
            OptionalPair(emitter, "host", t.SshHost);
            OptionalPair(emitter, "user", t.SshUser);
            if (t.SshPort is { } port)
            {
                Key(emitter, "port");
                Number(emitter, port);
            }

            OptionalPair(emitter, "configFile", t.SshConfigFile);
            OptionalPair(emitter, "identityFile", t.SshIdentityFile);
            OptionalPair(emitter, "clientNamespace", t.SshClientNamespace);
            emitter.Emit(new MappingEnd());
        }

        OptionalPair(emitter, "libvirt", t.LibvirtUri);
        emitter.Emit(new MappingEnd());
    }

    private static void WriteTest(IEmitter emitter, QaAssertion test)
    {
        Pair(emitter, "from", test.From);
        Pair(emitter, "to", test.To);
        Pair(emitter, "port", test.Port.ToString());
        Pair(emitter, "expect", test.ExpectAllowed ? "allow" : "deny");
        OptionalPair(emitter, "description", test.Description);
    }

    /// <summary>The directory: what differs from FreeIPA's defaults only.</summary>
    private static void WriteDirectory(Emitter emitter, QaDirectory d)
    {
        var defaults = new QaDirectory { Uri = d.Uri, BaseDn = d.BaseDn };
        Key(emitter, "directory");
        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        Pair(emitter, "uri", d.Uri);
        Pair(emitter, "base", d.BaseDn);
        OptionalPair(emitter, "groupBase", d.GroupBaseDn);
        OptionalPair(emitter, "groupAttribute", d.GroupNameAttribute == defaults.GroupNameAttribute ? null : d.GroupNameAttribute);
        OptionalPair(emitter, "memberAttribute", d.MemberAttribute == defaults.MemberAttribute ? null : d.MemberAttribute);
        OptionalPair(emitter, "userAttribute", d.UserNameAttribute == defaults.UserNameAttribute ? null : d.UserNameAttribute);
        OptionalPair(emitter, "nested", d.NestedGroups ? null : "false");
        OptionalPair(emitter, "tls", d.Tls?.ToString().ToLowerInvariant());
        OptionalPair(emitter, "ca", d.CaFile);
        OptionalPair(emitter, "bindDn", d.BindDn);
        emitter.Emit(new MappingEnd());
    }

    /// <summary>A plain group is its member list; one from NSS or with a description is a mapping.</summary>
    private static void WriteGroup(Emitter emitter, QaGroup group)
    {
        Key(emitter, group.Name);
        if (group.Source == QaGroupSource.Policy && group.Description is null)
        {
            FlowList(emitter, group.Members);
            return;
        }

        emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        OptionalList(emitter, "members", group.Members);
        if (group.Source != QaGroupSource.Policy)
        {
            Pair(emitter, "source", group.Source.ToString().ToLowerInvariant());
        }

        OptionalPair(emitter, "description", group.Description);
        emitter.Emit(new MappingEnd());
    }

    private static void WriteGrant(IEmitter emitter, QaAccessGrant grant)
    {
        Pair(emitter, "id", grant.Id);
        Pair(emitter, "group", grant.Group);
        Key(emitter, "hosts");
        FlowList(emitter, grant.Hosts.Select(h => h.ToString()));
        Key(emitter, "rights");
        FlowList(emitter, grant.Rights.Select(r => r.ToString().ToLowerInvariant()));
        OptionalPair(emitter, "description", grant.Description);
    }

    /// <summary>One selector reads best bare (<c>from: role:taskotron</c>); several go in a flow list.</summary>
    private static void Selectors(IEmitter emitter, string key, QaList<QaSelector> selectors)
    {
        if (selectors.Count == 1)
        {
            Pair(emitter, key, selectors[0].ToString());
        }
        else
        {
            Key(emitter, key);
            FlowList(emitter, selectors.Select(s => s.ToString()));
        }
    }

    private static void BlockList<T>(IEmitter emitter, string key, IReadOnlyList<T> items, Action<IEmitter, T> write)
    {
        if (items.Count == 0)
        {
            return;
        }

        Key(emitter, key);
        emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Block));
        foreach (var item in items)
        {
            emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
            write(emitter, item);
            emitter.Emit(new MappingEnd());
        }

        emitter.Emit(new SequenceEnd());
    }

    private static void OptionalList(IEmitter emitter, string key, IEnumerable<string> values)
    {
        var list = values.ToList();
        if (list.Count > 0)
        {
            Key(emitter, key);
            FlowList(emitter, list);
        }
    }

    private static void FlowList(IEmitter emitter, IEnumerable<string> values)
    {
        emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Flow));
        foreach (var value in values)
        {
            String(emitter, value);
        }

        emitter.Emit(new SequenceEnd());
    }

    private static void OptionalPair(IEmitter emitter, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Pair(emitter, key, value);
        }
    }

    private static void Pair(IEmitter emitter, string key, string value)
    {
        Key(emitter, key);
        String(emitter, value);
    }

    private static void Key(IEmitter emitter, string key) => String(emitter, key);

    private static void Number(IEmitter emitter, int value) =>
        Plain(emitter, value.ToString(CultureInfo.InvariantCulture));

    private static void Plain(IEmitter emitter, string text) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, true, false));

    /// <summary>
    /// A string the emitter may leave plain unless a YAML reader would then see something else in
    /// it. Leading or trailing white space (a lone line break, a trailing tab) is lost by the plain
    /// and block styles, and a reader turns CR, CR LF, NEL, LS and PS inside them into LF, so such
    /// a string is written double-quoted, with escapes: it reads back exactly (HostileCorpusTests,
    /// WriterQuotingProperties), and what the reader then refuses it refuses with an error.
    /// </summary>
    private static void String(IEmitter emitter, string value)
    {
        var quoted = value.Length > 0 && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]) || value.Any(NotLiteral));
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, quoted ? ScalarStyle.DoubleQuoted : ScalarStyle.Any,
            isPlainImplicit: !quoted && value.Length > 0 && !NonStringPlain().IsMatch(value), isQuotedImplicit: true));
    }

    // What only a double-quoted escape carries through a YAML reader unchanged: line breaks other
    // than LF, the other control characters and the byte-order mark.
    private static bool NotLiteral(char c) =>
        (char.IsControl(c) && c is not '\n' and not '\t') || c is '\u2028' or '\u2029' or '\ufeff';
}
