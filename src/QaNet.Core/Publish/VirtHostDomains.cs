using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>One network interface of a libvirt domain, as its XML describes it.</summary>
/// <param name="Type">libvirt's interface type: network, bridge, direct, user, …</param>
/// <param name="Network">The libvirt network it is on (type network); null otherwise.</param>
/// <param name="Bridge">The bridge it is on (type bridge, or the network's bridge while the domain runs).</param>
/// <param name="Target">The host-side device (vnet0) while the domain runs; null when it is shut off.</param>
public sealed record QaDomainInterface(string MacAddress, string Type, string? Network, string? Bridge, string? Model, string? Target)
{
    /// <summary>Where it is plugged, as one word: the network, else the bridge, else the type.</summary>
    public string Source => Network ?? Bridge ?? Type;

    public override string ToString() => $"{MacAddress} on {Source}";
}

/// <summary>
/// A libvirt domain (an existing VM) on a virthost, as Get-QaVirtHostDomain lists it. Name,
/// MacAddress (alias Mac) and Network are those of its first interface, so it pipes into
/// Add-QaClient by property name; <see cref="Interfaces"/> has every interface.
/// </summary>
public sealed record QaVirtHostDomain
{
    public QaVirtHostDomain(string virtHost, string name, string state, bool persistent, IReadOnlyList<QaDomainInterface> interfaces)
    {
        VirtHost = virtHost;
        Name = name;
        State = state;
        Persistent = persistent;
        Interfaces = interfaces;
    }

    public string VirtHost { get; }

    public string Name { get; }

    /// <summary>running, paused, shut off or other (as virsh's list filters name them).</summary>
    public string State { get; }

    /// <summary>Defined (survives a shutdown), not only started from XML (transient).</summary>
    public bool Persistent { get; }

    public bool IsActive => State is VirtHostDomains.Running or VirtHostDomains.Paused;

    [Newtonsoft.Json.JsonIgnore]
    public IReadOnlyList<QaDomainInterface> Interfaces { get; }

    /// <summary>The first interface's MAC; null for a domain without interfaces.</summary>
    public string? MacAddress => Interfaces.Count > 0 ? Interfaces[0].MacAddress : null;

    /// <summary>The libvirt network of the first interface (a QaNet network's libvirt network has its name); null when it is on a bridge.</summary>
    public string? Network => Interfaces.Count > 0 ? Interfaces[0].Network : null;

    /// <summary>The interface with <paramref name="mac"/> (any case), or null.</summary>
    public QaDomainInterface? InterfaceOf(string mac) =>
        Interfaces.FirstOrDefault(i => string.Equals(i.MacAddress, mac, StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"{VirtHost}/{Name} ({State})";
}

/// <summary>
/// What Connect-QaClient does (or, with -WhatIf, would do) to one domain: the interface with the
/// client's MAC moves from <see cref="From"/> to the client's QaNet network, by
/// <see cref="Command"/> with <see cref="InterfaceXml"/> on its standard input.
/// </summary>
public sealed record QaDomainAttachment(string VirtHost, string Domain, string Client, string MacAddress, string From, string Network)
{
    /// <summary>live, config or both (live, config): which definitions change.</summary>
    public string Scope { get; init; } = string.Empty;

    /// <summary>False when the interface was already on the network (nothing ran).</summary>
    public bool Changed { get; init; }

    /// <summary>The virsh command line (its XML goes on stdin); empty when nothing changes.</summary>
    public string Command { get; init; } = string.Empty;

    public string InterfaceXml { get; init; } = string.Empty;

    [JsonIgnore]
    internal CommandSpec? Spec { get; init; }

    public override string ToString() => $"{VirtHost}/{Domain} {MacAddress}: {From} -> {Network}";
}

/// <summary>
/// The libvirt domains of a virthost, read and changed through the host's own runner (local,
/// namespace, ssh) and libvirt URI, as the publisher reaches it. Domains are read with
/// <c>virsh dumpxml</c> and parsed as XML rather than from <c>virsh domiflist</c>'s table: the
/// table is translated text in columns (a '-' for an absent target), while the XML is the same on
/// every libvirt, tells a network from a bridge, and is what the attach must start from anyway.
/// </summary>
public static partial class VirtHostDomains
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string ShutOff = "shut off";
    public const string Other = "other";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string[] ConfigOnly = { "--config" };
    private static readonly string[] LiveAndConfig = { "--live", "--config" };
    private static readonly string[] LiveOnly = { "--live" };
    private static readonly string[] UpdateDevice = { "update-device" };
    private static readonly string[] ListNames = { "list", "--name" };

    // libvirt allows nearly any name; QaNet passes on only names that are one plain word and
    // cannot be taken for an option (no leading '-').
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+:-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainNameRegex();

    public static bool IsValidDomainName(string? name) => name is not null && DomainNameRegex().IsMatch(name);

    public static QaValidationError InvalidDomainName(string? name) =>
        new(QaErrorIds.InvalidName, "domain", null, $"'{name}' is not a libvirt domain name QaNet can pass on.",
            "Use letters, digits and . _ + : - (not first); rename the domain with virsh domrename for other names.");

    /// <summary>
    /// Every domain of the host (running or not), sorted by name. A domain whose name QaNet does
    /// not pass to a command line is left out with a warning; one that vanishes while being read is left out.
    /// </summary>
    public static async Task<IReadOnlyList<QaVirtHostDomain>> ListAsync(PublishHost host, IQaLog? log = null, CancellationToken cancellationToken = default)
    {
        var session = new HostSession(host, log ?? NullQaLog.Instance, cancellationToken);
        var all = await NamesAsync(session, "--all").ConfigureAwait(false);
        var running = (await NamesAsync(session, "--state-running").ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var paused = (await NamesAsync(session, "--state-paused").ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var shutOff = (await NamesAsync(session, "--all", "--state-shutoff").ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var transient = (await NamesAsync(session, "--all", "--transient").ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var domains = new List<QaVirtHostDomain>();
        foreach (var name in all.Order(StringComparer.Ordinal))
        {
            if (!IsValidDomainName(name))
            {
                session.Log.Warning(host.VirtHost, $"Domain '{name}' is left out: its name is not one QaNet passes to virsh (letters, digits, . _ + : -).");
                continue;
            }

            var state = running.Contains(name) ? Running : paused.Contains(name) ? Paused : shutOff.Contains(name) ? ShutOff : Other;
            if (await ReadAsync(session, name, state, !transient.Contains(name)).ConfigureAwait(false) is { } d)
            {
                domains.Add(d);
            }
        }

        return domains;
    }

    /// <summary>One domain by name, or null when the host has none of that name (DomainNotFound is the caller's).</summary>
    public static async Task<QaVirtHostDomain?> GetAsync(PublishHost host, string name, IQaLog? log = null, CancellationToken cancellationToken = default)
    {
        if (!IsValidDomainName(name))
        {
            throw new QaValidationException(InvalidDomainName(name));
        }

        var session = new HostSession(host, log ?? NullQaLog.Instance, cancellationToken);
        var all = await NamesAsync(session, "--all").ConfigureAwait(false);
        if (!all.Contains(name, StringComparer.Ordinal))
        {
            return null;
        }

        var running = await NamesAsync(session, "--state-running").ConfigureAwait(false);
        var paused = await NamesAsync(session, "--state-paused").ConfigureAwait(false);
        var transient = await NamesAsync(session, "--all", "--transient").ConfigureAwait(false);
        var state = running.Contains(name) ? Running : paused.Contains(name) ? Paused : ShutOff;
        return await ReadAsync(session, name, state, !transient.Contains(name)).ConfigureAwait(false);
    }

    /// <summary>
    /// The change that puts the interface with <paramref name="mac"/> of <paramref name="domain"/>
    /// on libvirt network <paramref name="network"/>: the interface's persistent definition
    /// (<c>dumpxml --inactive</c>; the live one for a transient domain) with its source replaced by
    /// the network, applied with <c>virsh update-device</c> to the live domain and its definition
    /// (<c>--live --config</c>) when it runs, to the definition only (<c>--config</c>) when it is
    /// shut off, to the live domain only (<c>--live</c>) when it is transient. Reads only.
    /// </summary>
    public static async Task<QaDomainAttachment> PlanAttachAsync(PublishHost host, QaVirtHostDomain domain, string mac, string network, string client,
        IQaLog? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(domain);
        if (!IsValidDomainName(domain.Name))
        {
            throw new QaValidationException(InvalidDomainName(domain.Name));
        }

        if (!Names.IsValid(network))
        {
            throw new QaValidationException(QaValidationError.Name("network", network));
        }

        var current = domain.InterfaceOf(mac) ?? throw DomainMacNotFound(domain, mac, client);
        var attachment = new QaDomainAttachment(domain.VirtHost, domain.Name, client, current.MacAddress, current.Source, network);
        if (current.Type == "network" && current.Network == network)
        {
            return attachment;
        }

        var session = new HostSession(host, log ?? NullQaLog.Instance, cancellationToken);
        var dump = domain.Persistent ? session.Virsh("dumpxml", "--inactive", "--", domain.Name) : session.Virsh("dumpxml", "--", domain.Name);
        var xml = await session.RequireAsync(dump with { Timeout = Timeout }).ConfigureAwait(false);
        var element = LibvirtXml.Parse(xml.Stdout).Elements("devices").Elements("interface")
            .FirstOrDefault(i => string.Equals((string?)i.Element("mac")?.Attribute("address"), mac, StringComparison.OrdinalIgnoreCase))
            ?? throw DomainMacNotFound(domain, mac, client);
        var changed = Retarget(element, network);
        var flags = !domain.IsActive ? ConfigOnly : domain.Persistent ? LiveAndConfig : LiveOnly;
        var text = Render.Libvirt.LibvirtNetworkWriter.Print(changed);
        var spec = session.Virsh(UpdateDevice.Concat(flags).Append("--").Append(domain.Name).Append("/dev/stdin").ToArray()).WithStdin(text).Mutating() with { Timeout = Timeout };
        return attachment with
        {
            Changed = true,
            Scope = string.Join(", ", flags.Select(f => f.TrimStart('-'))),
            Command = spec.ToString(),
            InterfaceXml = text,
            Spec = spec,
        };
    }

    /// <summary>Runs a planned attachment (nothing for one that changes nothing).</summary>
    public static async Task AttachAsync(PublishHost host, QaDomainAttachment attachment, IQaLog? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        if (attachment.Spec is not { } spec)
        {
            return;
        }

        var session = new HostSession(host, log ?? NullQaLog.Instance, cancellationToken);
        await session.RequireAsync(spec).ConfigureAwait(false);
    }

    public static QaHostException DomainNotFound(string virtHost, string name) =>
        new(QaErrorIds.DomainNotFound, $"Virthost '{virtHost}' has no libvirt domain named '{name}'. " +
            $"Fix: list its domains with Get-QaVirtHostDomain -VirtHost {virtHost} and pass one of them with -Domain.");

    private static QaHostException DomainMacNotFound(QaVirtHostDomain domain, string mac, string client) =>
        new(QaErrorIds.DomainMacNotFound, $"No interface with client '{client}''s MAC {mac} " +
            (domain.Name.Length == 0 ? $"on any domain of virthost '{domain.VirtHost}'." : $"on domain '{domain.Name}' of virthost '{domain.VirtHost}' (it has {(domain.Interfaces.Count == 0 ? "none" : string.Join(", ", domain.Interfaces.Select(i => i.MacAddress)))}).") +
            $" Fix: give the client the VM's MAC (Set-QaClient -Name {client} -MacAddress <mac>, the MACs are in Get-QaVirtHostDomain -VirtHost {domain.VirtHost}), or name the right domain with -Domain.");

    /// <summary>No domain of <paramref name="virtHost"/> has an interface with <paramref name="mac"/>.</summary>
    public static QaHostException NoDomainWithMac(string virtHost, string mac, string client) =>
        DomainMacNotFound(new QaVirtHostDomain(virtHost, string.Empty, Other, true, Array.Empty<QaDomainInterface>()), mac, client);

    /// <summary>The interface on libvirt network <paramref name="network"/>: type network, a plain source; the rest (MAC, model, PCI address, …) kept.</summary>
    private static XElement Retarget(XElement element, string network)
    {
        var copy = new XElement(element);
        copy.SetAttributeValue("type", "network");
        copy.Elements("source").Remove();
        // Live-only or bridge-specific parts that do not belong to a network interface's definition.
        copy.Elements("target").Remove();
        copy.Elements("alias").Remove();
        copy.Elements("virtualport").Remove();
        var source = new XElement("source", new XAttribute("network", network));
        if (copy.Element("mac") is { } macElement)
        {
            macElement.AddAfterSelf(source);
        }
        else
        {
            copy.AddFirst(source);
        }

        return copy;
    }

    private static async Task<List<string>> NamesAsync(HostSession session, params string[] filters)
    {
        var r = await session.RequireAsync(session.Virsh(ListNames.Concat(filters).ToArray()) with { Timeout = Timeout }).ConfigureAwait(false);
        return r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    private static async Task<QaVirtHostDomain?> ReadAsync(HostSession session, string name, string state, bool persistent)
    {
        var r = await session.RunAsync(session.Virsh("dumpxml", "--", name) with { Timeout = Timeout }).ConfigureAwait(false);
        if (!r.Succeeded)
        {
            // Undefined between the list and the read: not there any more.
            if (r.Stderr.Contains("failed to get domain", StringComparison.OrdinalIgnoreCase) || r.Stderr.Contains("Domain not found", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            throw QaHostException.Failed(session.VirtHost, session.Virsh("dumpxml", "--", name), r);
        }

        return new QaVirtHostDomain(session.VirtHost, name, state, persistent, Interfaces(LibvirtXml.Parse(r.Stdout)));
    }

    /// <summary>The interfaces of a domain's XML, in their order.</summary>
    public static IReadOnlyList<QaDomainInterface> Interfaces(XElement domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return domain.Elements("devices").Elements("interface").Select(i =>
        {
            var source = i.Element("source");
            var type = (string?)i.Attribute("type") ?? "unknown";
            return new QaDomainInterface(
                ((string?)i.Element("mac")?.Attribute("address") ?? string.Empty).ToLowerInvariant(),
                type,
                type == "network" ? (string?)source?.Attribute("network") : null,
                (string?)source?.Attribute("bridge"),
                (string?)i.Element("model")?.Attribute("type"),
                (string?)i.Element("target")?.Attribute("dev"));
        }).ToList();
    }
}
