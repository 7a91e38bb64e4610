using System.Net;
using QaNet.Core.Diagnostics;
using QaNet.Core.Engine;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Reports;
using Newtonsoft.Json;

namespace QaNet.Core.Probes;

/// <summary>Which part of the live matrix a cell belongs to.</summary>
public enum QaLiveCellKind
{
    /// <summary>Client → endpoint address, on every port the policy mentions (the engine's matrix).</summary>
    Egress,

    /// <summary>Endpoint address → client on ssh and the ingress rules' ports: management hosts may, services and the QA LAN may not.</summary>
    Ingress,

    /// <summary>Client → another client on the ingress ports.</summary>
    ClientToClient,
}

/// <summary>One flow to probe: who, from which lab address and namespace, to what.</summary>
public sealed record QaLiveFlow(string From, string To, IPAddress SourceAddress, IPAddress DestinationAddress, int Port, QaProtocol Protocol, QaLiveCellKind Kind, string SourceNamespace);

/// <summary>
/// One live cell: the engine's verdict and deciding rule next to what a real probe in the lab
/// saw. <see cref="Conforms"/> is <c>Allowed == Observed</c>.
/// </summary>
public sealed record QaLiveResult
{
    public required string From { get; init; }

    public required string To { get; init; }

    [JsonIgnore]
    public required IPAddress SourceAddress { get; init; }

    [JsonIgnore]
    public required IPAddress DestinationAddress { get; init; }

    public required int Port { get; init; }

    [JsonIgnore]
    public required QaProtocol Protocol { get; init; }

    [JsonIgnore]
    public required QaLiveCellKind Kind { get; init; }

    public required bool Allowed { get; init; }

    public string? RuleId { get; init; }

    public string DecidedBy => RuleId ?? "default deny";

    public required string Reason { get; init; }

    public required bool Observed { get; init; }

    /// <summary>connected · refused · timed out · unreachable · echo · no echo.</summary>
    public required string ObservedDetail { get; init; }

    public int Attempts { get; init; } = 1;

    public bool Conforms => Allowed == Observed;

    public string PortText => Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + Protocol.ToString().ToLowerInvariant();

    public override string ToString() =>
        $"{From} -> {To} ({DestinationAddress}) {PortText}: engine {(Allowed ? "allows" : "denies")} ({DecidedBy}), probe {ObservedDetail}{(Conforms ? string.Empty : " — DOES NOT CONFORM")}";
}

public sealed record QaLiveOptions
{
    /// <summary>Probes running at once.</summary>
    public int Parallelism { get; init; } = 128;

    /// <summary>Seconds a probe waits; a retry waits this times its attempt number.</summary>
    public int TimeoutSeconds { get; init; } = 1;

    /// <summary>A non-conforming answer is probed again up to this many times in all (load can delay a handshake; nothing can fake one).</summary>
    public int MaxAttempts { get; init; } = 3;

    public bool Egress { get; init; } = true;

    public bool Ingress { get; init; } = true;

    public bool ClientToClient { get; init; } = true;
}

/// <summary>
/// The live conformance matrix: the engine's cells (clients × endpoints × ports), ingress cells
/// (every endpoint → every client on ssh and the ingress rules' ports) and client → client
/// cells, each decided by the engine and probed in the lab.
/// </summary>
public static class QaLiveMatrix
{
    /// <summary>ssh plus every port an ingress rule names (both ends of a range).</summary>
    public static IReadOnlyList<QaPortRange> IngressPorts(QaPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var set = new SortedSet<(QaProtocol, int)> { (QaProtocol.Tcp, 22) };
        foreach (var p in policy.Rules.Where(r => r.Kind == QaRuleKind.Ingress).SelectMany(r => r.Ports).Where(p => !p.IsIcmp))
        {
            set.Add((p.Protocol, p.From));
            set.Add((p.Protocol, p.To));
        }

        return set.Select(x => new QaPortRange(x.Item1, x.Item2, x.Item2)).ToList();
    }

    /// <summary>The flows of the live matrix of <paramref name="lab"/> for <paramref name="policy"/>.</summary>
    public static IReadOnlyList<QaLiveFlow> Flows(QaLabState lab, QaPolicy policy, QaLiveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(policy);
        options ??= new QaLiveOptions();
        var ports = lab.ListenPorts.Select(QaPortRange.Parse).ToList();
        var ingressPorts = IngressPorts(policy);
        var clients = policy.Clients
            .Select(c => (Client: c, Host: lab.Hosts.Find(h => h.Kind == QaLabHostKind.Client && h.Name == c.Name)))
            .Where(x => x.Host is { Addresses.Count: > 0 })
            .ToList();
        var endpoints = policy.Endpoints
            .SelectMany(e => (lab.EndpointAddresses.TryGetValue(e.Name, out var list) ? list : new List<string>())
                .Select(a => (Endpoint: e.Name, Address: IPAddress.Parse(a), Host: lab.HostOf(a))))
            .Where(x => x.Host is not null)
            .ToList();
        var flows = new List<QaLiveFlow>();
        foreach (var (client, host) in clients)
        {
            if (options.Egress)
            {
                foreach (var (endpoint, address, _) in endpoints)
                {
                    if (SameFamily(client, host!, address) is { } source)
                    {
                        flows.AddRange(ports.Select(p => new QaLiveFlow(client.Name, endpoint, source, address, p.From, p.Protocol, QaLiveCellKind.Egress, host!.Namespace)));
                    }
                }
            }

            if (options.ClientToClient)
            {
                foreach (var (other, otherHost) in clients.Where(o => o.Client != client))
                {
                    foreach (var destination in Addresses(other, otherHost!))
                    {
                        if (SameFamily(client, host!, destination) is { } source)
                        {
                            flows.AddRange(ingressPorts.Select(p => new QaLiveFlow(client.Name, other.Name, source, destination, p.From, p.Protocol, QaLiveCellKind.ClientToClient, host!.Namespace)));
                        }
                    }
                }
            }
        }

        if (options.Ingress)
        {
            foreach (var (endpoint, address, host) in endpoints)
            {
                foreach (var (client, clientHost) in clients)
                {
                    if (SameFamily(client, clientHost!, address) is { } destination)
                    {
                        flows.AddRange(ingressPorts.Select(p => new QaLiveFlow(endpoint, client.Name, address, destination, p.From, p.Protocol, QaLiveCellKind.Ingress, host!.Namespace)));
                    }
                }
            }
        }

        return flows;
    }

    /// <summary>A client's lab addresses: its IPv4 address, and its IPv6 address where the lab gave it one.</summary>
    private static IEnumerable<IPAddress> Addresses(QaClient client, QaLabHost host)
    {
        yield return client.Address;
        if (client.Address6 is { } a6 && host.Addresses.Contains(a6.ToString(), StringComparer.Ordinal))
        {
            yield return a6;
        }
    }

    /// <summary>The client's address in the family of <paramref name="peer"/>, if it has one.</summary>
    private static IPAddress? SameFamily(QaClient client, QaLabHost host, IPAddress peer) =>
        Addresses(client, host).FirstOrDefault(a => a.AddressFamily == peer.AddressFamily);

    /// <summary>
    /// The flows of one query by name: a client stands for its address, an endpoint for each of
    /// its lab addresses (an endpoint as source: from the host holding each address). Throws
    /// <see cref="QaLabException"/> (LabUnknownHost) for a name the lab does not hold.
    /// </summary>
    public static IReadOnlyList<QaLiveFlow> FlowsBetween(QaLabState lab, string from, string to, int port, QaProtocol protocol = QaProtocol.Tcp)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var sources = Side(lab, from);
        var destinations = Side(lab, to);
        var kind = lab.FindHost(from)?.Kind == QaLabHostKind.Client
            ? (lab.FindHost(to)?.Kind == QaLabHostKind.Client ? QaLiveCellKind.ClientToClient : QaLiveCellKind.Egress)
            : QaLiveCellKind.Ingress;
        return sources.SelectMany(s => destinations.Where(d => d.Address.AddressFamily == s.Address.AddressFamily).Select(d => new QaLiveFlow(from, to, s.Address, d.Address, port, protocol, kind, s.Namespace))).ToList();
    }

    private static List<(IPAddress Address, string Namespace)> Side(QaLabState lab, string name)
    {
        List<string>? addresses = null;
        if (lab.Hosts.Find(h => h.Kind == QaLabHostKind.Client && h.Name == name) is { } client)
        {
            addresses = client.Addresses;
        }
        else if (lab.EndpointAddresses.TryGetValue(name, out var list))
        {
            addresses = list;
        }
        else if (IPAddress.TryParse(name, out _) && lab.HostOf(name) is not null)
        {
            addresses = new List<string> { name };
        }

        var side = (addresses ?? new List<string>())
            .Where(a => lab.HostOf(a) is not null)
            .Select(a => (IPAddress.Parse(a), lab.HostOf(a)!.Namespace))
            .ToList();
        return side.Count > 0 ? side
            : throw new QaLabException(QaLabErrorIds.LabUnknownHost, $"'{name}' is not a client, endpoint or address of lab '{lab.Prefix}'.");
    }

    /// <summary>
    /// Probes every flow (bounded parallelism, bounded timeouts and retries) and pairs it with the
    /// engine's verdict. Results come back in the order of <paramref name="flows"/>.
    /// </summary>
    public static async Task<IReadOnlyList<QaLiveResult>> RunAsync(QaReachability engine, IReadOnlyList<QaLiveFlow> flows, QaLiveOptions? options = null,
        QaProber? prober = null, IQaLog? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(flows);
        options ??= new QaLiveOptions();
        prober ??= new QaProber();
        var results = new QaLiveResult[flows.Count];
        var done = 0;
        using var gate = new SemaphoreSlim(Math.Max(1, options.Parallelism));
        await Task.WhenAll(flows.Select(async (flow, i) =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                results[i] = await ProbeAsync(engine, flow, options, prober, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }

            log?.Progress(Interlocked.Increment(ref done), flows.Count);
        })).ConfigureAwait(false);
        return results;
    }

    /// <summary>One flow: the engine's verdict, then probes until they agree or the attempts run out.</summary>
    public static async Task<QaLiveResult> ProbeAsync(QaReachability engine, QaLiveFlow flow, QaLiveOptions? options = null, QaProber? prober = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(flow);
        options ??= new QaLiveOptions();
        prober ??= new QaProber();
        var verdict = engine.Test(flow.SourceAddress, flow.DestinationAddress, flow.Port, flow.Protocol);
        QaProbeResult probe;
        var attempt = 0;
        do
        {
            attempt++;
            probe = await prober.ProbeAsync(flow.SourceNamespace, flow.SourceAddress, flow.DestinationAddress, flow.Port, flow.Protocol,
                options.TimeoutSeconds * attempt, cancellationToken).ConfigureAwait(false);
        }
        while (probe.Observed != verdict.Allowed && attempt < options.MaxAttempts);

        return new QaLiveResult
        {
            From = flow.From,
            To = flow.To,
            SourceAddress = flow.SourceAddress,
            DestinationAddress = flow.DestinationAddress,
            Port = flow.Port,
            Protocol = flow.Protocol,
            Kind = flow.Kind,
            Allowed = verdict.Allowed,
            RuleId = verdict.RuleId,
            Reason = verdict.Reason,
            Observed = probe.Observed,
            ObservedDetail = probe.Detail,
            Attempts = attempt,
        };
    }

    /// <summary>Egress and ingress results as the report's overview flows, marked where the probe disagreed (client → client cells are not in the overview).</summary>
    public static IEnumerable<OverviewFlow> ToOverviewFlows(QaPolicy policy, IEnumerable<QaLiveResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return ReachabilityOverview.FlowsOf(policy, results.Where(r => r.Kind != QaLiveCellKind.ClientToClient)
            .Select(r => new OverviewAnswer(r.From, r.To, new QaPortRange(r.Protocol, r.Port, r.Port), r.Allowed, r.DecidedBy, r.Conforms)));
    }

    /// <summary>The results as report cells; a destination with several lab addresses gets one column group per address.</summary>
    public static IReadOnlyList<ReportCell> ToReportCells(IReadOnlyList<QaLiveResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var multi = results.GroupBy(r => r.To, StringComparer.Ordinal)
            .Where(g => g.Select(r => r.DestinationAddress).Distinct().Skip(1).Any())
            .Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);
        var multiFrom = results.GroupBy(r => r.From, StringComparer.Ordinal)
            .Where(g => g.Select(r => r.SourceAddress).Distinct().Skip(1).Any())
            .Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);
        return results.Select(r => new ReportCell(
            multiFrom.Contains(r.From) ? $"{r.From} ({r.SourceAddress})" : r.From,
            multi.Contains(r.To) ? $"{r.To} ({r.DestinationAddress})" : r.To,
            r.PortText, r.Allowed, r.RuleId, r.Reason, r.Observed, r.ObservedDetail)).ToList();
    }
}
