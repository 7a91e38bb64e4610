using System.Globalization;
using System.Text;
using QaNet.Core.Model;

namespace QaNet.Core.Render.Ebtables;

/// <summary>
/// Prints an <see cref="EbtTable"/> as an <c>ebtables-restore</c> file laid out the way
/// <c>ebtables-save</c> prints it; <c># qanet:</c> comment lines name the policy rule of the lines below.
/// </summary>
public static class EbtWriter
{
    public static string Write(EbtTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        // One builder for the whole file, left to grow in chunks: one presized buffer for ~20,000
        // lines would land on the large object heap and cost a full collection per rendering.
        var sb = new StringBuilder("*filter\n:INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n");
        foreach (var chain in table.UserChains)
        {
            sb.Append(':').Append(chain).Append(" RETURN\n");
        }

        EbtRule? last = null;
        foreach (var rule in table.Rules)
        {
            if (rule.Id != "@" && (last is null || last.Id != rule.Id || last.IsReply != rule.IsReply))
            {
                sb.Append("# qanet:").Append(rule.Id).Append(rule.IsReply ? " (return traffic)\n" : "\n");
            }

            last = rule.Id == "@" ? null : rule;
            Append(sb, rule).Append('\n');
        }

        return sb.ToString();
    }

    public static string Rule(EbtRule r) => Append(new StringBuilder(), r).ToString();

    private static StringBuilder Append(StringBuilder sb, EbtRule r)
    {
        ArgumentNullException.ThrowIfNull(r);
        sb.Append("-A ").Append(r.Chain);
        if (r.Protocol is { } p)
        {
            sb.Append(" -p ").Append(p);
        }

        if (r.SourceMac is { } sm)
        {
            sb.Append(" -s ").Append(sm);
        }

        if (r.DestinationMac is { } dm)
        {
            sb.Append(" -d ").Append(dm);
        }

        if (r.NotArpMacSource is { } am)
        {
            sb.Append(" --arp-mac-src ! ").Append(am);
        }

        if (r.NotArpIpSource is { } ai)
        {
            sb.Append(" --arp-ip-src ! ").Append(ai.ToString());
        }

        var six = r.Protocol == "IPv6";
        var ip = six ? " --ip6" : " --ip";
        if (r.IpSource is { } s)
        {
            sb.Append(ip).Append("-src ").Append(r.NotIpSource ? "! " : string.Empty).Append(s.ToString());
        }

        if (r.IpDestination is { } d)
        {
            sb.Append(ip).Append("-dst ").Append(r.NotIpDestination ? "! " : string.Empty).Append(d.ToString());
        }

        if (r.Icmp6Types is { } types)
        {
            // As ebtables-save prints them, so a re-read compares equal.
            sb.Append(" --ip6-proto ipv6-icmp --ip6-icmp-type ").Append(types switch
            {
                (134, 134) => "router-advertisement",
                (137, 137) => "redirect",
                var (from, to) => string.Create(CultureInfo.InvariantCulture, $"{from}:{to}/0:255"),
            });
        }

        if (r.IpProtocol is { } proto)
        {
            sb.Append(ip).Append("-proto ").Append(proto switch
            {
                QaProtocol.Tcp => "tcp",
                QaProtocol.Udp => "udp",
                _ => six ? "ipv6-icmp" : "icmp",
            });
        }

        if (r.SourcePorts is { } sp)
        {
            Ports(sb.Append(ip).Append("-sport "), sp);
        }

        if (r.DestinationPorts is { } dp)
        {
            Ports(sb.Append(ip).Append("-dport "), dp);
        }

        if (r.IcmpEcho || r.IcmpEchoReply)
        {
            sb.Append(ip).Append("-icmp-type ").Append(r.IcmpEcho ? "echo-request" : "echo-reply");
        }

        if (r.Log)
        {
            sb.Append(" --limit 5/sec --limit-burst 10 --log-level notice --log-prefix \"qanet-drop \" --log-ip");
        }

        if (r.ReplyMark)
        {
            return sb.Append(" -j mark --mark-or ").Append(EbtReplyGuard.MarkText).Append(" --mark-target ").Append(r.Target);
        }

        return sb.Append(" -j ").Append(r.Target);
    }

    private static void Ports(StringBuilder sb, (int From, int To) p)
    {
        sb.Append(p.From);
        if (p.From != p.To)
        {
            sb.Append(':').Append(p.To);
        }
    }
}
