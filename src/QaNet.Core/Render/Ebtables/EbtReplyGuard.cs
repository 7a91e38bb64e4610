using System.Globalization;

namespace QaNet.Core.Render.Ebtables;

/// <summary>
/// The companion of the ebtables rendering: <c>table bridge qanet</c>, which drops TCP connection
/// openings among the return traffic ebtables accepts by source port. ebtables cannot match TCP
/// flags and this kernel has no bridge conntrack (<c>ct state</c> in the bridge family), so the
/// TCP reply entries set <see cref="Mark"/> and this table, whose chains run after ebtables'
/// (priority -200), drops a marked segment that has SYN without ACK and clears the mark on the
/// rest. UDP has no opening to tell apart: UDP replies stay accepted by source port
/// (docs/rendering.md).
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

    /// <summary>The table's definition for <c>nft -f</c> (no replace lines: the publisher adds them).</summary>
    public static string Definition { get; } = Build();

    private static string Build()
    {
        var mark = "0x" + Mark.ToString("x8", CultureInfo.InvariantCulture);
        var clear = "0x" + (~Mark).ToString("x8", CultureInfo.InvariantCulture);
        var sb = new System.Text.StringBuilder("table bridge qanet {\n");
        foreach (var hook in new[] { "forward", "input" })
        {
            sb.Append("\tchain ").Append(hook).Append(" {\n")
                .Append("\t\ttype filter hook ").Append(hook).Append(" priority ").Append(Priority.ToString(CultureInfo.InvariantCulture)).Append("; policy accept;\n")
                .Append("\t\tmeta mark & ").Append(mark).Append(" == ").Append(mark).Append(" tcp flags & (syn | ack) == syn counter drop comment \"qanet:@reply-syn\"\n")
                .Append("\t\tmeta mark & ").Append(mark).Append(" == ").Append(mark).Append(" meta mark set meta mark & ").Append(clear).Append(" comment \"qanet:@reply-mark\"\n")
                .Append("\t}\n");
        }

        return sb.Append("}\n").ToString();
    }
}
