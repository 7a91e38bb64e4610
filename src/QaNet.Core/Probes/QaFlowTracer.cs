using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using QaNet.Core.Engine;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
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

    /// <summary>
    /// The hops of the first packet the trace table marked, in one host's <c>nft monitor trace</c>
    /// output: rule lines and base-chain policies after the marking rule, with its trace id, QaNet's
    /// own trace table left out.
    /// </summary>
    /// <remarks>
    /// The kernel derives a trace id from the packet's buffer, so another packet (seen in the Nat
    /// lab: the bridge's ebtables hops of a frame before the marked one) can carry the same id; only
    /// lines after the marking rule belong to the marked packet, up to the next packet of that id.
    /// </remarks>
    public static IReadOnlyList<QaTraceHop> Parse(string host, string monitorOutput)
    {
        ArgumentNullException.ThrowIfNull(monitorOutput);
        string? marked = null;
        var hops = new List<QaTraceHop>();
        foreach (var raw in monitorOutput.Split('\n'))
        {
            var m = TraceLineRegex().Match(raw.Trim()); // nft ends packet and policy lines with a blank
            if (!m.Success)
            {
                continue;
            }

            var id = m.Groups["id"].Value;
            var table = m.Groups["family"].Value + " " + m.Groups["table"].Value;
            if (m.Groups["table"].Value == TraceTable)
            {
                if (marked is null && m.Groups["what"].Value.StartsWith("rule ", StringComparison.Ordinal))
                {
                    marked = id;
                }
                else if (marked == id && m.Groups["what"].Value.StartsWith("packet: ", StringComparison.Ordinal))
                {
                    break; // the next packet with that id (a retransmission) takes the same path
                }

                continue;
            }

            if (marked is null || id != marked)
            {
                continue;
            }

            var what = m.Groups["what"].Value;
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

            var qanetTable = table == "inet " + NftTable.Name;
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
