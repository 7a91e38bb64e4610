using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using QaNet.Core.Engine;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Render.Ebtables;
using QaNet.Core.Render.Nftables;

namespace QaNet.Core.Probes;

/// <summary>
/// Traces one probe through the kernels of a lab's enforcing hosts: a temporary table
/// <c>table inet qanet-trace</c> on every virthost and gateway sets <c>meta nftrace</c> for the
/// flow's first packet (its own table, so QaNet's <c>table inet qanet</c> never changes and no
/// drift appears), <c>nft monitor trace</c> records what each kernel did with it for a bounded
/// time, the table is removed again whatever happens, and each hop is mapped back to its policy
/// rule through the rule comment.
/// </summary>
/// <remarks>
/// Nat and Gateway networks only: there the routed nft table decides. Bridged networks, and
/// traffic between two clients of one bridge in any mode, are decided by ebtables, whose rules
/// carry no comments to map back (<see cref="QaLabErrorIds.TraceUnsupported"/>).
/// </remarks>
public sealed partial class QaFlowTracer
{
    /// <summary>The table the tracer adds and removes on each enforcing host.</summary>
    public const string TraceTable = "qanet-trace";

    private readonly ICommandRunner _runner;

    public QaFlowTracer(ICommandRunner? runner = null)
    {
        _runner = runner ?? ProcessRunner.Instance;
    }

    /// <summary>How long each host's <c>nft monitor trace</c> waits for the monitor to listen before the probe is sent.</summary>
    public TimeSpan MonitorStartup { get; init; } = TimeSpan.FromMilliseconds(700);

    /// <summary>Seconds the probe waits for an answer.</summary>
    public int ProbeTimeoutSeconds { get; init; } = 1;

    /// <summary>Throws <see cref="QaLabException"/> (TraceUnsupported) when the flow is decided by ebtables, not by a traceable nft table.</summary>
    public static void EnsureTraceable(QaPolicy policy, QaLabState lab, QaLiveFlow flow)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(flow);
        var from = policy.FindClient(flow.From);
        var to = policy.FindClient(flow.To);
        if (from is not null && to is not null)
        {
            throw new QaLabException(QaLabErrorIds.TraceUnsupported,
                $"{flow.From} -> {flow.To} is between two clients: ebtables on the bridge decides it, and ebtables rules carry no rule ids to trace. Trace supports client <-> endpoint flows of Nat and Gateway networks.");
        }

        var client = from ?? to ?? throw new QaLabException(QaLabErrorIds.TraceUnsupported,
            $"{flow.From} -> {flow.To} has no client end: QaNet's tables do not decide it.");
        var mode = lab.Networks.FirstOrDefault(n => n.Name == client.Network)?.Mode ?? client.NetworkObject.Mode;
        if (mode == QaNetworkMode.Bridged)
        {
            throw new QaLabException(QaLabErrorIds.TraceUnsupported,
                $"Network '{client.Network}' is Bridged: ebtables decides its traffic, and nft tracing does not reach ebtables rules with rule ids. Trace supports Nat and Gateway networks.");
        }
    }

    /// <summary>
    /// Probes <paramref name="flow"/> once with tracing on every virthost and gateway of the lab
    /// and returns the kernel's path beside the engine's verdict. Bounded: the monitors stop after
    /// <see cref="MonitorStartup"/> + the probe's timeout + 2 s.
    /// </summary>
    public async Task<QaFlowTrace> TraceAsync(QaReachability engine, QaLabState lab, QaLiveFlow flow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(flow);
        EnsureTraceable(engine.Policy, lab, flow);
        var hosts = lab.Hosts.Where(h => h.Kind is QaLabHostKind.VirtHost or QaLabHostKind.Gateway).ToList();
        var table = TraceTableText(flow);
        QaLiveResult? probe = null;
        var outputs = new string[hosts.Count];
        try
        {
            foreach (var h in hosts)
            {
                await RequireAsync(h.Namespace, CommandSpec.Of("nft", "-f", "-").WithStdin(table), cancellationToken).ConfigureAwait(false);
            }

            var seconds = (int)Math.Ceiling(MonitorStartup.TotalSeconds) + ProbeTimeoutSeconds + 2;
            // coreutils timeout ends the monitor with SIGINT; nft flushes each event as it prints it.
            var monitors = hosts.Select(h => _runner.RunAsync(CommandSpec.Of("ip", "netns", "exec", h.Namespace, "timeout", "-s", "INT",
                seconds.ToString(CultureInfo.InvariantCulture), "nft", "monitor", "trace") with { Timeout = TimeSpan.FromSeconds(seconds + 10) }, cancellationToken)).ToList();
            await Task.Delay(MonitorStartup, cancellationToken).ConfigureAwait(false);
            probe = await QaLiveMatrix.ProbeAsync(engine, flow, new QaLiveOptions { TimeoutSeconds = ProbeTimeoutSeconds, MaxAttempts = 1 },
                new QaProber(_runner), cancellationToken).ConfigureAwait(false);
            var done = await Task.WhenAll(monitors).ConfigureAwait(false);
            for (var i = 0; i < done.Length; i++)
            {
                // 124: timeout ended it, as intended. Anything else means nft monitor could not run.
                if (done[i].ExitCode is not (0 or 124 or 130) && done[i].Stdout.Length == 0)
                {
                    throw new QaLabException(QaLabErrorIds.TraceFailed, $"nft monitor trace failed on {hosts[i].Name}: {done[i].Stderr.Trim()}");
                }

                outputs[i] = done[i].Stdout;
            }
        }
        finally
        {
            foreach (var h in hosts)
            {
                // Removed whatever happened above; a table that was never added is no error.
                await _runner.RunAsync(CommandSpec.Of("ip", "netns", "exec", h.Namespace, "nft", "delete", "table", "inet", TraceTable).Mutating(), CancellationToken.None).ConfigureAwait(false);
            }
        }

        var path = hosts.SelectMany((h, i) => Parse(h.Name, outputs[i])).ToList();
        return Build(flow, probe!, path);
    }

    /// <summary>The trace table for one flow: its first packet (conntrack new) gets <c>meta nftrace</c>, arriving (prerouting) or sent by the host itself (output).</summary>
    public static string TraceTableText(QaLiveFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var ip = flow.SourceAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip";
        var proto = flow.Protocol == QaProtocol.Udp ? "udp" : "tcp";
        var match = $"{ip} saddr {flow.SourceAddress} {ip} daddr {flow.DestinationAddress} meta l4proto {proto} th dport {flow.Port.ToString(CultureInfo.InvariantCulture)} ct state new meta nftrace set 1";
        return $"table inet {TraceTable}\ndelete table inet {TraceTable}\ntable inet {TraceTable} {{\n" +
               "\tchain prerouting {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n\t\t" + match + "\n\t}\n" +
               "\tchain output {\n\t\ttype filter hook output priority mangle; policy accept;\n\t\t" + match + "\n\t}\n}\n";
    }

    [GeneratedRegex(@"^trace id (?<id>[0-9a-f]+) (?<family>\S+) (?<table>\S+) (?<chain>\S+) (?<what>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex TraceLineRegex();

    [GeneratedRegex(@"^rule (?<rule>.*) \(verdict (?<verdict>[^)]*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex RuleRegex();

    [GeneratedRegex(@"comment ""qanet:(?<id>[^""]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"\b(?<field>ip6? (?:saddr|daddr|id)|ip6 flowlabel|(?:tcp|udp) (?:sport|dport)) (?<value>\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex PacketFieldRegex();

    /// <summary>
    /// The hops of the first packet the trace table marked, in one host's <c>nft monitor trace</c>
    /// output: rule lines and base-chain policies after the marking rule, under the marked packet's
    /// trace ids, QaNet's own trace table left out.
    /// </summary>
    /// <remarks>
    /// <para>The kernel's trace id is a hash of the packet's buffer, its flow hash and its input
    /// interface (<c>skb_iif</c>; <c>nft_trace_init</c>), so one packet changes its id when that
    /// interface changes. On a virthost with br_netfilter on (<c>bridge-nf-call-iptables = 1</c>)
    /// a client's packet is marked in the bridge's prerouting (br_netfilter runs the inet prerouting
    /// hooks there, input interface the bridge port), passes the bridge's input chains under that
    /// id, and reaches inet forward and postrouting after the bridge hands it up, under a new id
    /// (input interface the bridge). An id first seen after the mark whose first line is a
    /// <c>packet:</c> line with the marked packet's addresses, ports and IPv4 id (not its TTL,
    /// interfaces or MACs, which routing changes) is the marked packet again and its hops belong to
    /// the path.</para>
    /// <para>The path ends where a later packet (a retransmission) reaches the trace table: the
    /// marked packet meets it only once (br_netfilter skips the inet prerouting hooks it already ran).</para>
    /// </remarks>
    public static IReadOnlyList<QaTraceHop> Parse(string host, string monitorOutput)
    {
        ArgumentNullException.ThrowIfNull(monitorOutput);
        var lastPacket = new Dictionary<string, string>(StringComparer.Ordinal); // trace id -> its last packet line's identity
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal); // the marked packet's ids
        string? markedPacket = null;
        var hops = new List<QaTraceHop>();
        foreach (var raw in monitorOutput.Split('\n'))
        {
            var m = TraceLineRegex().Match(raw.Trim()); // nft ends packet and policy lines with a blank
            if (!m.Success)
            {
                continue;
            }

            var id = m.Groups["id"].Value;
            var what = m.Groups["what"].Value;
            var table = m.Groups["family"].Value + " " + m.Groups["table"].Value;
            var isPacket = what.StartsWith("packet: ", StringComparison.Ordinal);
            var firstSeen = seen.Add(id);
            if (isPacket)
            {
                lastPacket[id] = PacketIdentity(what);
            }

            if (m.Groups["table"].Value == TraceTable)
            {
                if (ids.Count == 0 && what.StartsWith("rule ", StringComparison.Ordinal))
                {
                    ids.Add(id);
                    markedPacket = lastPacket.GetValueOrDefault(id);
                }
                else if (ids.Count > 0 && isPacket)
                {
                    break; // a later packet (a retransmission): it takes the same path
                }

                continue;
            }

            if (ids.Count == 0)
            {
                continue;
            }

            if (!ids.Contains(id))
            {
                // The marked packet under a new id: its input interface changed (the bridge handed it up).
                if (firstSeen && isPacket && markedPacket is { Length: > 0 } && lastPacket[id] == markedPacket)
                {
                    ids.Add(id);
                }

                continue;
            }

            string rule;
            string verdict;
            if (RuleRegex().Match(what) is { Success: true } r)
            {
                rule = r.Groups["rule"].Value;
                verdict = r.Groups["verdict"].Value;
            }
            else if (what.StartsWith("policy ", StringComparison.Ordinal))
            {
                rule = what;
                verdict = what["policy ".Length..];
            }
            else
            {
                continue; // "packet: …" and "verdict continue" lines add nothing to the path
            }

            // QaNet's own tables: table inet qanet, and table bridge qanet (neighbour-advertisement and reply guards).
            var qanetTable = table == "inet " + NftTable.Name || table == "bridge " + EbtReplyGuard.Name;
            var ruleId = CommentRegex().Match(rule) is { Success: true } c ? c.Groups["id"].Value : null;
            var owner = !qanetTable || ruleId is null ? QaTraceOwner.Foreign : ruleId.StartsWith('@') ? QaTraceOwner.BuiltIn : QaTraceOwner.Policy;
            hops.Add(new QaTraceHop
            {
                Host = host,
                Table = table,
                Chain = m.Groups["chain"].Value,
                Rule = rule,
                Verdict = verdict,
                RuleId = owner == QaTraceOwner.Foreign ? null : ruleId,
                Owner = owner,
            });
        }

        return hops;
    }

    /// <summary>What stays the same of one packet along its way through a host: addresses, ports, IPv4 id and IPv6 flow label, in the order nft prints them.</summary>
    private static string PacketIdentity(string packetLine) =>
        string.Join(' ', PacketFieldRegex().Matches(packetLine).Select(f => f.Groups["field"].Value + " " + f.Groups["value"].Value));

    /// <summary>The kernel's decision in a path: the first drop (final in every table), else QaNet's last accept.</summary>
    public static QaFlowTrace Build(QaLiveFlow flow, QaLiveResult probe, IReadOnlyList<QaTraceHop> path)
    {
        ArgumentNullException.ThrowIfNull(flow);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(path);
        var drop = path.FirstOrDefault(h => h.Verdict is "drop" || h.Verdict.StartsWith("reject", StringComparison.Ordinal));
        // Masquerading on postrouting ends its chain with "accept" too, but decides nothing.
        var accept = path.LastOrDefault(h => h.Table == "inet " + NftTable.Name && h.Verdict == "accept" && h.RuleId != "@masquerade");
        return new QaFlowTrace
        {
            From = flow.From,
            To = flow.To,
            SourceAddress = flow.SourceAddress,
            DestinationAddress = flow.DestinationAddress,
            Port = flow.Port,
            Protocol = flow.Protocol,
            Allowed = probe.Allowed,
            RuleId = probe.RuleId,
            Observed = probe.Observed,
            ObservedDetail = probe.ObservedDetail,
            Path = path,
            KernelAllowed = drop is null && path.Count > 0,
            DecidingHop = drop ?? accept,
        };
    }

    private async Task RequireAsync(string ns, CommandSpec spec, CancellationToken cancellationToken)
    {
        _ = HostTarget.Namespace(ns); // validates the name before it reaches argv
        var r = await _runner.RunAsync(new CommandSpec("ip", new[] { "netns", "exec", ns, spec.Program }.Concat(spec.Arguments)) { Stdin = spec.Stdin }.Mutating(), cancellationToken).ConfigureAwait(false);
        if (!r.Succeeded)
        {
            throw new QaLabException(QaLabErrorIds.TraceFailed, $"Adding the trace table in {ns} failed: {r.Stderr.Trim()}");
        }
    }
}
