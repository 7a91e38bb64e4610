using QaNet.Core.Model;

namespace QaNet.Core.Engine;

/// <summary>Protocol and destination port partitioned into classes; a direct table per protocol.</summary>
internal sealed class PortPartition
{
    private const int PortCount = 65536;
    private readonly int[] tcp;
    private readonly int[] udp;
    private readonly int icmp;
    private readonly Lazy<List<QaPortRange>[]> ranges;

    private PortPartition(BitRows rows, int[] tcp, int[] udp, int icmp)
    {
        Rows = rows;
        this.tcp = tcp;
        this.udp = udp;
        this.icmp = icmp;
        ranges = new Lazy<List<QaPortRange>[]>(AllRanges);
    }

    public BitRows Rows { get; }

    public static PortPartition Build(BitRows rows, Sweep sweep, IEnumerable<(QaPortRange Range, int Item)> ports)
    {
        var tcpSpans = new List<(UInt128, UInt128, int)>();
        var udpSpans = new List<(UInt128, UInt128, int)>();
        var icmpSpans = new List<(UInt128, UInt128, int)>();
        foreach (var (range, item) in ports)
        {
            switch (range.Protocol)
            {
                case QaProtocol.Tcp: tcpSpans.Add(((UInt128)range.From, (UInt128)range.To, item)); break;
                case QaProtocol.Udp: udpSpans.Add(((UInt128)range.From, (UInt128)range.To, item)); break;
                default: icmpSpans.Add((0, 0, item)); break;
            }
        }

        var (_, icmpClasses) = sweep.Run(icmpSpans, 0);
        return new PortPartition(rows, Table(sweep.Run(tcpSpans, PortCount - 1)), Table(sweep.Run(udpSpans, PortCount - 1)), icmpClasses[0]);
    }

    public int ClassOf(QaProtocol protocol, int port) => protocol switch
    {
        QaProtocol.Icmp => icmp,
        _ when (uint)port >= PortCount => 0,
        QaProtocol.Tcp => tcp[port],
        _ => udp[port],
    };

    /// <summary>The port ranges that make up a class.</summary>
    public IReadOnlyList<QaPortRange> Ranges(int cls) => ranges.Value[cls];

    private List<QaPortRange>[] AllRanges()
    {
        var all = new List<QaPortRange>[Rows.Count];
        for (var c = 0; c < all.Length; c++)
        {
            all[c] = new List<QaPortRange>();
        }

        all[icmp].Add(QaPortRange.Icmp);
        foreach (var (protocol, table) in new[] { (QaProtocol.Tcp, tcp), (QaProtocol.Udp, udp) })
        {
            for (var p = 0; p < PortCount; p++)
            {
                var cls = table[p];
                var start = p;
                while (p + 1 < PortCount && table[p + 1] == cls)
                {
                    p++;
                }

                all[cls].Add(new QaPortRange(protocol, start, p));
            }
        }

        return all;
    }

    private static int[] Table((UInt128[] Starts, int[] Classes) runs)
    {
        var table = new int[PortCount];
        for (var i = 0; i < runs.Starts.Length; i++)
        {
            var from = (int)runs.Starts[i];
            var to = i + 1 < runs.Starts.Length ? (int)runs.Starts[i + 1] : PortCount;
            table.AsSpan(from, to - from).Fill(runs.Classes[i]);
        }

        return table;
    }
}
