using System.Globalization;
using System.Text;
using QaNet.Core.Model;

namespace QaNet.Core.Render.Nftables;

/// <summary>
/// Prints an <see cref="NftTable"/> in the layout <c>nft list table</c> uses, so a live table
/// can be compared with its rendering token for token.
/// </summary>
public static class NftWriter
{
    /// <summary>The lines that make <c>nft -f</c> replace the table in the same transaction.</summary>
    public const string Preamble = "table inet qanet\ndelete table inet qanet\n";

    public static string Write(NftTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder(Preamble);
        sb.Append("table inet ").Append(NftTable.Name).Append(" {\n");
        var first = true;
        foreach (var set in table.Sets)
        {
            Separate(sb, ref first);
            sb.Append("\tset ").Append(set.Name).Append(" {\n");
            sb.Append("\t\ttype ").Append(set.Family == NftFamily.Ip ? "ipv4_addr" : "ipv6_addr").Append('\n');
            sb.Append("\t\tflags interval\n");
            if (set.Elements.Count > 0)
            {
                sb.Append("\t\telements = { ")
                  .AppendJoin(", ", set.Elements)
                  .Append(" }\n");
            }

            sb.Append("\t}\n");
        }

        foreach (var chain in table.Chains)
        {
            Separate(sb, ref first);
            sb.Append("\tchain ").Append(chain.Name).Append(" {\n");
            if (chain.Hook is { } hook)
            {
                var parts = hook.Split(' ');
                sb.Append("\t\ttype ").Append(parts[0]).Append(" hook ").Append(parts[1])
                  .Append(" priority ").Append(chain.Priority).Append("; policy accept;\n");
            }

            foreach (var rule in chain.Rules)
            {
                sb.Append("\t\t").Append(Rule(rule)).Append('\n');
            }

            sb.Append("\t}\n");
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    private static void Separate(StringBuilder sb, ref bool first)
    {
        if (!first)
        {
            sb.Append('\n');
        }

        first = false;
    }

    public static string Rule(NftRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var parts = new List<string>();
        var ip = rule.Family == NftFamily.Ip6 ? "ip6" : "ip";
        if (rule.Source is { } s)
        {
            parts.Add($"{ip} saddr {Address(s)}");
        }

        if (rule.Destination is { } d)
        {
            parts.Add($"{ip} daddr {Address(d)}");
        }

        if (rule.Ports is { Count: > 0 } ports)
        {
            parts.Add(Ports(ports, rule.Family));
        }

        if (rule.Until is { } until)
        {
            // Epoch seconds: nft reads and prints dates in the host's local time zone, a number means the same everywhere.
            parts.Add("meta time < " + until.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        }

        if (rule.NeighbourDiscovery)
        {
            parts.Add(rule.AsRouter ? "icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert }" : "icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert }");
        }

        if (rule.Established)
        {
            parts.Add("ct state established,related");
        }

        if (rule.Counter)
        {
            parts.Add("counter");
        }

        parts.Add(rule.Verdict switch
        {
            NftVerdict.Accept => "accept",
            NftVerdict.Drop => "drop",
            NftVerdict.Jump => "jump " + rule.JumpTarget,
            NftVerdict.Masquerade => "masquerade",
            _ => "limit rate 5/second burst 10 packets log prefix \"qanet-drop \"",
        });
        parts.Add($"comment \"qanet:{rule.Comment}\"");
        return string.Join(' ', parts);
    }

    private static string Address(NftAddressMatch m)
    {
        var not = m.Negate ? "!= " : string.Empty;
        if (m.SetName is { } name)
        {
            return not + "@" + name;
        }

        return m.Inline.Count == 1 ? not + m.Inline[0] : not + "{ " + string.Join(", ", m.Inline) + " }";
    }

    private static string Ports(IReadOnlyList<QaPortRange> ports, NftFamily? family)
    {
        if (ports[0].IsIcmp)
        {
            return family == NftFamily.Ip6 ? "meta l4proto ipv6-icmp" : "meta l4proto icmp";
        }

        static string One(QaPortRange p) =>
            (p.Protocol == QaProtocol.Tcp ? "tcp" : "udp") + " . " +
            (p.From == p.To ? p.From.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{p.From}-{p.To}"));
        return "meta l4proto . th dport { " + string.Join(", ", ports.Select(One)) + " }";
    }
}
