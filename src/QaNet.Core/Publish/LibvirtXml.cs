using System.Xml;
using System.Xml.Linq;

namespace QaNet.Core.Publish;

/// <summary>
/// Semantic comparison of libvirt network XML: what QaNet rendered against what libvirt reports.
/// libvirt adds a uuid, a bridge MAC, STP settings and NAT port defaults; those are not changes.
/// DHCP reservations compare as a set (net-update appends, so order is not meaningful).
/// </summary>
internal static class LibvirtXml
{
    // Elements and attributes libvirt fills in by itself when QaNet's rendering leaves them out.
    private static readonly HashSet<string> AddedElements = new(StringComparer.Ordinal) { "uuid", "mac", "nat", "port" };
    private static readonly HashSet<string> AddedAttributes = new(StringComparer.Ordinal) { "stp", "delay", "connections" };

    public static bool TryParse(string xml, out XElement? root, out string? error)
    {
        try
        {
            root = XDocument.Parse(xml, LoadOptions.None).Root;
            error = root is null ? "empty document" : null;
            return root is not null;
        }
        catch (XmlException ex)
        {
            root = null;
            error = ex.Message;
            return false;
        }
    }

    public static XElement Parse(string xml) =>
        TryParse(xml, out var root, out var error) ? root! : throw new FormatException("Not well-formed libvirt XML: " + error);

    /// <summary>The DHCP reservations by the index of their &lt;ip&gt; element.</summary>
    public static List<DhcpHost> DhcpHosts(XElement network)
    {
        var hosts = new List<DhcpHost>();
        var ips = network.Elements("ip").ToList();
        for (var i = 0; i < ips.Count; i++)
        {
            var position = 0;
            foreach (var h in ips[i].Elements("dhcp").Elements("host"))
            {
                hosts.Add(new DhcpHost(i, position++, Key(h), h.ToString(SaveOptions.DisableFormatting)));
            }
        }

        return hosts;
    }

    /// <summary>
    /// Equal documents, or documents that differ only in the order of DHCP reservations (which
    /// net-update cannot always restore: it adds first or last only).
    /// </summary>
    public static bool SameDocument(string? a, string? b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        if (a is null || b is null || !TryParse(a, out var x, out _) || !TryParse(b, out var y, out _))
        {
            return false;
        }

        return XNode.DeepEquals(SortedHosts(x!), SortedHosts(y!));
    }

    private static XElement SortedHosts(XElement network)
    {
        var copy = new XElement(network);
        foreach (var dhcp in copy.Elements("ip").Elements("dhcp"))
        {
            var hosts = dhcp.Elements("host").OrderBy(Key, StringComparer.Ordinal).ToList();
            dhcp.Elements("host").Remove();
            dhcp.Add(hosts);
        }

        return copy;
    }

    /// <summary><paramref name="xml"/> with the uuid of <paramref name="live"/> when it names none.</summary>
    public static string WithUuidOf(string xml, XElement live)
    {
        var doc = Parse(xml);
        if (doc.Element("uuid") is not null || live.Element("uuid") is not { } uuid)
        {
            return xml;
        }

        doc.Element("name")?.AddAfterSelf(new XElement(uuid));
        return doc.ToString();
    }

    public static XElement WithoutDhcpHosts(XElement network)
    {
        var copy = new XElement(network);
        copy.Elements("ip").Elements("dhcp").Elements("host").Remove();
        return copy;
    }

    /// <summary>
    /// Null when <paramref name="live"/> is what <paramref name="desired"/> asks for; otherwise
    /// the first difference, as a path and a reason.
    /// </summary>
    public static string? Difference(XElement desired, XElement live) => Compare(desired, live, desired.Name.LocalName);

    private static string? Compare(XElement d, XElement l, string path)
    {
        if (d.Name != l.Name)
        {
            return $"{path}: <{l.Name.LocalName}> instead of <{d.Name.LocalName}>";
        }

        foreach (var a in d.Attributes().Where(a => !a.IsNamespaceDeclaration && !IsContentHash(a)))
        {
            var other = l.Attribute(a.Name);
            if (other is null || !SameValue(a.Name.LocalName, a.Value, other.Value))
            {
                return $"{path}/@{a.Name.LocalName}: '{other?.Value}' instead of '{a.Value}'";
            }
        }

        foreach (var a in l.Attributes().Where(a => !a.IsNamespaceDeclaration && d.Attribute(a.Name) is null && !AddedAttributes.Contains(a.Name.LocalName)))
        {
            return $"{path}/@{a.Name.LocalName}: unexpected '{a.Value}'";
        }

        if (!d.HasElements && !l.HasElements && !string.Equals(d.Value.Trim(), l.Value.Trim(), StringComparison.Ordinal))
        {
            return $"{path}: '{l.Value.Trim()}' instead of '{d.Value.Trim()}'";
        }

        var names = d.Elements().Select(e => e.Name).Concat(l.Elements().Select(e => e.Name)).Distinct();
        foreach (var name in names)
        {
            var ds = d.Elements(name).ToList();
            var ls = l.Elements(name).ToList();
            var child = path + "/" + name.LocalName;
            if (ds.Count == 0)
            {
                if (!AddedElements.Contains(name.LocalName))
                {
                    return $"{child}: unexpected element";
                }

                continue;
            }

            if (name.LocalName == "host" && d.Name.LocalName == "dhcp")
            {
                var want = ds.Select(Key).Order(StringComparer.Ordinal);
                var have = ls.Select(Key).Order(StringComparer.Ordinal);
                if (!want.SequenceEqual(have))
                {
                    return $"{child}: reservations differ";
                }

                continue;
            }

            if (ds.Count != ls.Count)
            {
                return $"{child}: {ls.Count} instead of {ds.Count}";
            }

            for (var i = 0; i < ds.Count; i++)
            {
                if (Compare(ds[i], ls[i], child) is { } why)
                {
                    return why;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// QaNet's metadata carries a hash of the whole rendering. A DHCP reservation added with
    /// net-update cannot update it, so it says which full definition came last and is not compared.
    /// </summary>
    private static bool IsContentHash(XAttribute a) =>
        a.Name.LocalName == "hash" && a.Parent?.Name.NamespaceName == Render.Libvirt.LibvirtNetworkWriter.MetadataNamespace;

    private static bool SameValue(string attribute, string a, string b) =>
        string.Equals(a, b, attribute is "mac" or "address" ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>A reservation in a form independent of attribute order and MAC case.</summary>
    public static string Key(XElement host) =>
        string.Join(' ', host.Attributes().OrderBy(a => a.Name.LocalName, StringComparer.Ordinal)
            .Select(a => a.Name.LocalName + "=" + (a.Name.LocalName == "mac" ? a.Value.ToLowerInvariant() : a.Value)));

    internal sealed record DhcpHost(int IpIndex, int Position, string Key, string Xml);
}
