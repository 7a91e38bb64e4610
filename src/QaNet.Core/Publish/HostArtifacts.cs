using System.Text.RegularExpressions;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>
/// Everything QaNet wants on one virthost, as rendered text. A mechanism that is not listed is
/// not managed on that host (never read, never changed); a listed item without text must not exist.
/// </summary>
public sealed partial record HostArtifacts(string VirtHost)
{
    /// <summary>All parts at once (convenient from PowerShell, which cannot set init-only properties).</summary>
    public HostArtifacts(string virtHost, IEnumerable<LibvirtNetworkArtifact>? networks, IEnumerable<NftTableArtifact>? nftTables, EbtablesArtifact? ebtables)
        : this(virtHost)
    {
        Networks = networks?.ToList() ?? new List<LibvirtNetworkArtifact>();
        NftTables = nftTables?.ToList() ?? new List<NftTableArtifact>();
        Ebtables = ebtables;
    }

    /// <summary>libvirt networks QaNet owns on the host, by name.</summary>
    public IReadOnlyList<LibvirtNetworkArtifact> Networks { get; init; } = Array.Empty<LibvirtNetworkArtifact>();

    /// <summary>nftables tables QaNet owns (normally <c>table inet qanet</c>).</summary>
    public IReadOnlyList<NftTableArtifact> NftTables { get; init; } = Array.Empty<NftTableArtifact>();

    /// <summary>QaNet's ebtables chains; null when ebtables is not managed on this host.</summary>
    public EbtablesArtifact? Ebtables { get; init; }

    /// <summary>
    /// The uplink devices of spanning networks on this host; null when uplinks are not managed.
    /// When managed, QaNet's VXLAN devices (<c>qnvx*</c>) not listed are removed.
    /// </summary>
    public IReadOnlyList<UplinkArtifact>? Uplinks { get; init; }

    [GeneratedRegex("^(ip|ip6|inet|arp|bridge|netdev)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex FamilyRegex();

    [GeneratedRegex("^[A-Z][A-Z0-9_-]{0,15}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ChainPrefixRegex();

    /// <summary>Throws <see cref="QaValidationException"/> (InvalidArtifact, InvalidName) when an item cannot be published.</summary>
    public void Validate()
    {
        var errors = new List<QaValidationError>();
        void Bad(string target, string message, string fix) =>
            errors.Add(new QaValidationError(QaErrorIds.InvalidArtifact, target, null, message, fix));

        if (!Names.IsValidVirtHost(VirtHost))
        {
            errors.Add(QaValidationError.Name("virthost", VirtHost));
        }

        foreach (var n in Networks)
        {
            if (!Names.IsValid(n.Name))
            {
                errors.Add(QaValidationError.Name("libvirt network", n.Name));
                continue;
            }

            if (n.Xml is null)
            {
                continue;
            }

            var name = LibvirtXml.TryParse(n.Xml, out var root, out var why) ? root!.Element("name")?.Value : null;
            if (root is null)
            {
                Bad("libvirt network " + n.Name, $"The XML of network '{n.Name}' is not well-formed: {why}", "Render the network again; the XML must be a <network> document.");
            }
            else if (root.Name.LocalName != "network" || !string.Equals(name, n.Name, StringComparison.Ordinal))
            {
                Bad("libvirt network " + n.Name, $"The XML given for network '{n.Name}' is a <{root.Name.LocalName}> named '{name}'.", "Give a <network> whose <name> is the network's name.");
            }
        }

        foreach (var t in NftTables)
        {
            if (!FamilyRegex().IsMatch(t.Family) || !Names.IsValid(t.Name))
            {
                Bad("nft table", $"'{t.Family} {t.Name}' is not an nftables table QaNet can own.", "Use a family (ip, ip6, inet, arp, bridge, netdev) and a QaNet name.");
            }
        }

        foreach (var u in Uplinks ?? Array.Empty<UplinkArtifact>())
        {
            if (!Names.IsValidInterfaceName(u.Device) || !Names.IsValidInterfaceName(u.Bridge) || !Names.IsValid(u.Network) ||
                (u.Kind == Model.QaUplinkKind.Vxlan && (!u.Device.StartsWith(Model.QaUplink.VxlanDevicePrefix, StringComparison.Ordinal) || u.Local is null)))
            {
                Bad("uplink " + u.Device, $"The uplink '{u.Device}' of network '{u.Network}' (bridge '{u.Bridge}') cannot be published.",
                    $"Use interface names (VXLAN devices named {Model.QaUplink.VxlanDevicePrefix}<vni>, with a local address).");
            }
        }

        if (Ebtables is { } eb && !ChainPrefixRegex().IsMatch(eb.ChainPrefix))
        {
            Bad("ebtables", $"'{eb.ChainPrefix}' is not a usable ebtables chain prefix.", "Use upper-case letters, digits, '-' and '_' (e.g. QANET).");
        }

        if (errors.Count > 0)
        {
            throw new QaValidationException(errors);
        }
    }
}

/// <summary>A libvirt network: its XML (null: the network must not exist) and whether it runs and autostarts.</summary>
public sealed record LibvirtNetworkArtifact(string Name, string? Xml, bool Active = true, bool Autostart = true);

/// <summary>
/// An nftables table QaNet owns: its full definition (<c>table inet qanet { … }</c>) or null when it
/// must not exist. The publisher replaces the whole table in one transaction.
/// </summary>
public sealed record NftTableArtifact(string Family, string Name, string? Definition)
{
    public string Key => Family + " " + Name;
}

/// <summary>
/// QaNet's ebtables chains as <c>ebtables-restore</c> text: the chains whose names start with
/// <see cref="ChainPrefix"/> and the jump rules into them from built-in chains. Everything else
/// on the host's ebtables is left as it is.
/// </summary>
public sealed record EbtablesArtifact(string Text, string ChainPrefix = "QANET");
