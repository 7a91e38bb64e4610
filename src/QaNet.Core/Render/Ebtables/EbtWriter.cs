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
        var sb = new StringBuilder("*filter\n:INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n");
        foreach (var chain in table.UserChains)
        {
            sb.Append(':').Append(chain).Append(" RETURN\n");
        }

        string? lastComment = null;
        foreach (var rule in table.Rules)
        {
            var comment = rule.Id == "@" ? null : "# qanet:" + rule.Id + (rule.IsReply ? " (return traffic)" : string.Empty);
            if (comment is not null && comment != lastComment)
            {
                sb.Append(comment).Append('\n');
            }

            lastComment = comment;
            sb.Append(Rule(rule)).Append('\n');
        }

        return sb.ToString();
    }

    public static string Rule(EbtRule r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var parts = new List<string> { "-A", r.Chain };
        if (r.Protocol is { } p)
        {
            parts.Add("-p");
            parts.Add(p);
        }

        if (r.SourceMac is { } sm)
        {
            parts.Add("-s");
            parts.Add(sm);
        }

        if (r.DestinationMac is { } dm)
        {
            parts.Add("-d");
            parts.Add(dm);
        }

        if (r.NotArpMacSource is { } am)
        {
            parts.Add("--arp-mac-src ! " + am);
        }

        if (r.NotArpIpSource is { } ai)
        {
            parts.Add("--arp-ip-src ! " + ai);
        }

        var six = r.Protocol == "IPv6";
        var ip = six ? "--ip6" : "--ip";
        if (r.IpSource is { } s)
        {
            parts.Add($"{ip}-src {(r.NotIpSource ? "! " : string.Empty)}{Address(s)}");
        }

        if (r.IpDestination is { } d)
        {
            parts.Add($"{ip}-dst {(r.NotIpDestination ? "! " : string.Empty)}{Address(d)}");
        }

        if (r.NeighbourDiscovery)
        {
            parts.Add("--ip6-proto ipv6-icmp --ip6-icmp-type 133:136/0:255");
        }

        if (r.IpProtocol is { } proto)
        {
            parts.Add($"{ip}-proto " + proto switch
            {
                QaProtocol.Tcp => "tcp",
                QaProtocol.Udp => "udp",
                _ => six ? "ipv6-icmp" : "icmp",
            });
        }

        if (r.SourcePorts is { } sp)
        {
            parts.Add($"{ip}-sport {Ports(sp)}");
        }

        if (r.DestinationPorts is { } dp)
        {
            parts.Add($"{ip}-dport {Ports(dp)}");
        }

        if (r.IcmpEcho || r.IcmpEchoReply)
        {
            parts.Add($"{ip}-icmp-type " + (r.IcmpEcho ? "echo-request" : "echo-reply"));
        }

        if (r.Log)
        {
            parts.Add("--limit 5/sec --limit-burst 10 --log-level notice --log-prefix \"qanet-drop \" --log-ip");
        }

        parts.Add("-j");
        parts.Add(r.Target);
        return string.Join(' ', parts);
    }

    private static string Address(AddressRange a) => a.ToString();

    private static string Ports((int From, int To) p) =>
        p.From == p.To ? p.From.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{p.From}:{p.To}");
}
