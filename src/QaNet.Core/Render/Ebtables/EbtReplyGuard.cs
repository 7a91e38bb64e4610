using System.Globalization;
using System.Net;

namespace QaNet.Core.Render.Ebtables;

/// <summary>
/// The companion of the ebtables rendering: <c>table bridge qanet</c>, which drops TCP connection
/// openings among the return traffic ebtables accepts by source port. ebtables cannot match TCP
/// flags and this kernel has no bridge conntrack (<c>ct state</c> in the bridge family), so the
/// TCP reply entries set <see cref="Mark"/> and this table, whose chains run after ebtables'
/// (priority -200), drops a marked segment that has SYN without ACK and clears the mark on the
/// rest. UDP has no opening to tell apart: UDP replies stay accepted by source port
/// (docs/rendering.md). The same table drops a client's IPv6 neighbour advertisement whose
/// target is not the client's own address, which ebtables cannot read either.
/// </summary>
public static class EbtReplyGuard
{
    public const string Family = "bridge";

    public const string Name = "qanet";

    /// <summary>The one bit of the packet mark QaNet uses, only on bridged frames, only between the two tables.</summary>
    public const uint Mark = 0x00100000;

    /// <summary>The mark as ebtables-save prints it (nft prints eight digits).</summary>
    public static string MarkText => "0x" + Mark.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>After ebtables-nft's filter chains (priority -200 in the bridge family).</summary>
    public const int Priority = -190;

    /// <summary>The table's definition for <c>nft -f</c> with the reply guard only (no replace lines: the publisher adds them).</summary>
    public static string Definition { get; } = Build(true, Array.Empty<(string, IPAddress)>())!;

    /// <summary>
    /// The table a host's ebtables rendering needs: the reply guard where TCP replies are marked,
    /// the neighbour-advertisement target check where clients have IPv6 addresses; null for neither.
    /// </summary>
    public static string? For(EbtTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Build(table.MarksReplies, table.NeighbourTargets);
    }

    private static string? Build(bool replies, IReadOnlyList<(string Mac, IPAddress Address)> targets)
    {
        if (!replies && targets.Count == 0)
        {
            return null;
        }

        var mark = "0x" + Mark.ToString("x8", CultureInfo.InvariantCulture);
        var clear = "0x" + (~Mark).ToString("x8", CultureInfo.InvariantCulture);
        var sb = new System.Text.StringBuilder("table bridge qanet {\n");
        if (targets.Count > 0)
        {
            // A client advertises only its own address: a neighbour advertisement for another
            // host's (the router's, another client's) would redirect that host's traffic to it.
            // The target is the 16 bytes after the ICMPv6 header's first 8; the MAC was checked by ebtables.
            sb.Append("\tset nd-clients {\n\t\ttype ether_addr\n\t\telements = { ")
                .Append(string.Join(", ", targets.Select(t => t.Mac.ToLowerInvariant()).Distinct(StringComparer.Ordinal)))
                .Append(" }\n\t}\n");
            sb.Append("\tset nd-targets {\n\t\ttypeof ether saddr . @th,64,128\n\t\telements = { ")
                .Append(string.Join(", ", targets.Select(t => t.Mac.ToLowerInvariant() + " . 0x" + Convert.ToHexString(t.Address.GetAddressBytes()).ToLowerInvariant())))
                .Append(" }\n\t}\n");
        }

        foreach (var hook in new[] { "forward", "input" })
        {
            sb.Append("\tchain ").Append(hook).Append(" {\n")
                .Append("\t\ttype filter hook ").Append(hook).Append(" priority ").Append(Priority.ToString(CultureInfo.InvariantCulture)).Append("; policy accept;\n");
            if (targets.Count > 0)
            {
                sb.Append("\t\tether saddr @nd-clients icmpv6 type nd-neighbor-advert ether saddr . @th,64,128 != @nd-targets counter drop comment \"qanet:@nd-target\"\n");
            }

            if (replies)
            {
                sb.Append("\t\tmeta mark & ").Append(mark).Append(" == ").Append(mark).Append(" tcp flags & (syn | ack) == syn counter drop comment \"qanet:@reply-syn\"\n")
                    .Append("\t\tmeta mark & ").Append(mark).Append(" == ").Append(mark).Append(" meta mark set meta mark & ").Append(clear).Append(" comment \"qanet:@reply-mark\"\n");
            }

            sb.Append("\t}\n");
        }

        return sb.Append("}\n").ToString();
    }
}
