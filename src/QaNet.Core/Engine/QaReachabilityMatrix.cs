using System.Runtime.CompilerServices;
using QaNet.Core.Model;
using QaNet.Core.Resolution;
using Newtonsoft.Json;

namespace QaNet.Core.Engine;

/// <summary>What a matrix covers; every list defaults to the whole policy.</summary>
public sealed class QaMatrixOptions
{
    /// <summary>Ports probed on every endpoint even when no rule names them, so that denials show.</summary>
    public static IReadOnlyList<QaPortRange> ProbePorts { get; } = new[]
    {
        new QaPortRange(QaProtocol.Tcp, 22, 22),
        new QaPortRange(QaProtocol.Tcp, 80, 80),
        new QaPortRange(QaProtocol.Tcp, 443, 443),
    };

    public IReadOnlyList<QaClient>? Clients { get; init; }

    public IReadOnlyList<QaEndpoint>? Endpoints { get; init; }

    /// <summary>Single ports (From == To) or icmp; null for every port the policy mentions plus <see cref="ProbePorts"/>.</summary>
    public IReadOnlyList<QaPortRange>? Ports { get; init; }
}

/// <summary>One row of the <see cref="QaReachabilityMatrix.ByRole"/> view: a role's members towards one endpoint port.</summary>
public sealed record QaRoleReachabilityResult(string Role, string To, int Port, [property: JsonIgnore] QaProtocol Protocol, int Members, int AllowedMembers, IReadOnlyList<string> DecidedBy)
{
    /// <summary>Every member may connect.</summary>
    public bool Allowed => Members > 0 && AllowedMembers == Members;

    /// <summary>Some members may and some may not.</summary>
    public bool Partial => AllowedMembers > 0 && AllowedMembers < Members;
}

/// <summary>
/// Every client × every endpoint × a port set. Verdicts are computed once per triple of
/// equivalence classes (clients with the same source class, endpoint addresses with the
/// same destination class, ports with the same port class) and expanded lazily, one result
/// per cell; an endpoint whose addresses disagree gets one result per address.
/// </summary>
public sealed class QaReachabilityMatrix
{
    private readonly QaReachability reachability;
    private readonly QaRuleEngine engine;
    private readonly QaClient[] clients;
    private readonly QaEndpoint[] endpoints;
    private readonly QaPortRange[] ports;
    private readonly int[] client4;
    private readonly int[] client6;
    private readonly QaAddress[][] clientAddress4And6;
    private readonly (QaAddress Address, int Class)[][] endpointAddresses;
    private readonly int[] portClass;
    private readonly int[] table;
    private readonly int dCount;
    private readonly int pCount;

    internal QaReachabilityMatrix(QaReachability reachability, QaMatrixOptions options)
    {
        this.reachability = reachability;
        engine = reachability.Engine;
        var policy = reachability.Policy;
        clients = (options.Clients ?? policy.Clients.ToList()).ToArray();
        endpoints = (options.Endpoints ?? policy.Endpoints).ToArray();
        ports = (options.Ports ?? PolicyPorts(policy)).ToArray();

        var srcIndex = new Dictionary<int, int>();
        var dstIndex = new Dictionary<int, int>();
        var portIndex = new Dictionary<int, int>();
        var srcClasses = new List<int>();
        var dstClasses = new List<int>();
        var portClasses = new List<int>();
        int Compact(Dictionary<int, int> index, List<int> list, int cls)
        {
            if (!index.TryGetValue(cls, out var i))
            {
                index[cls] = i = list.Count;
                list.Add(cls);
            }

            return i;
        }

        client4 = new int[clients.Length];
        client6 = new int[clients.Length];
        clientAddress4And6 = new QaAddress[clients.Length][];
        for (var c = 0; c < clients.Length; c++)
        {
            var v4 = QaAddress.From(clients[c].Address);
            var v6 = clients[c].Address6 is { } a6 ? QaAddress.From(a6) : default;
            clientAddress4And6[c] = new[] { v4, v6 };
            client4[c] = Compact(srcIndex, srcClasses, engine.Source.ClassOf(v4));
            client6[c] = clients[c].Address6 is null ? -1 : Compact(srcIndex, srcClasses, engine.Source.ClassOf(v6));
        }

        endpointAddresses = new (QaAddress, int)[endpoints.Length][];
        for (var e = 0; e < endpoints.Length; e++)
        {
            endpointAddresses[e] = reachability.Resolved.EndpointAddresses(endpoints[e].Name)
                .Select(p => QaAddress.From(p.BaseAddress))
                .Select(a => (a, Compact(dstIndex, dstClasses, engine.Destination.ClassOf(a))))
                .ToArray();
        }

        portClass = ports.Select(p => Compact(portIndex, portClasses, engine.Port.ClassOf(p.Protocol, p.From))).ToArray();

        dCount = dstClasses.Count;
        pCount = portClasses.Count;
        table = new int[srcClasses.Count * dCount * pCount];
        for (var s = 0; s < srcClasses.Count; s++)
        {
            for (var d = 0; d < dCount; d++)
            {
                for (var p = 0; p < pCount; p++)
                {
                    var (sc, dc, pc) = (srcClasses[s], dstClasses[d], portClasses[p]);
                    table[(((s * dCount) + d) * pCount) + p] = sc == 0 || dc == 0 || pc == 0 ? -1 : engine.FirstSlot(sc, dc, pc);
                }
            }
        }

        SourceClassCount = srcClasses.Count;
        DestinationClassCount = dCount;
        PortClassCount = pCount;
    }

    public IReadOnlyList<QaClient> Clients => clients;

    public IReadOnlyList<QaEndpoint> Endpoints => endpoints;

    public IReadOnlyList<QaPortRange> Ports => ports;

    /// <summary>Clients × endpoints × ports (an endpoint whose addresses disagree adds cells).</summary>
    public long CellCount => (long)clients.Length * endpoints.Length * ports.Length;

    /// <summary>Distinct source classes among the clients: the rows actually computed.</summary>
    public int SourceClassCount { get; }

    public int DestinationClassCount { get; }

    public int PortClassCount { get; }

    /// <summary>Verdicts actually computed (class triples), against <see cref="CellCount"/> cells.</summary>
    public long ComputedCount => (long)SourceClassCount * DestinationClassCount * PortClassCount;

    /// <summary>
    /// Every port a rule or endpoint names (both ends of a range), plus <see cref="QaMatrixOptions.ProbePorts"/>
    /// and <paramref name="extra"/> (single ports or icmp), sorted by protocol and port.
    /// </summary>
    public static IReadOnlyList<QaPortRange> PolicyPorts(QaPolicy policy, IEnumerable<QaPortRange>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var set = new SortedSet<QaPortRange>(Comparer<QaPortRange>.Create((a, b) =>
            a.Protocol != b.Protocol ? a.Protocol.CompareTo(b.Protocol) : a.From.CompareTo(b.From)));
        foreach (var r in policy.Rules.SelectMany(r => r.Ports).Concat(policy.Endpoints.SelectMany(e => e.Ports)).Concat(QaMatrixOptions.ProbePorts).Concat(extra ?? Array.Empty<QaPortRange>()))
        {
            set.Add(r.IsIcmp ? QaPortRange.Icmp : new QaPortRange(r.Protocol, r.From, r.From));
            if (!r.IsIcmp && r.To != r.From)
            {
                set.Add(new QaPortRange(r.Protocol, r.To, r.To));
            }
        }

        return set.ToList();
    }

    /// <summary>The decision for one client, one address of an endpoint, one port; default deny when the families differ.</summary>
    public QaDecision Decide(int client, int endpoint, int address, int port) => engine.ToDecision(Slot(client, endpoint, address, port));

    /// <summary>One result per cell, built as it is enumerated (one client × endpoint at a time).</summary>
    public IEnumerable<QaReachabilityResult> Cells() => new CellEnumerator(this);

    /// <summary>The results of one client towards one endpoint, every port.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddCells(int c, int e, List<QaReachabilityResult> into)
    {
        var explainer = reachability.Explainer;
        var client = clients[c];
        var addresses = endpointAddresses[e];
        var name = endpoints[e].Name;
        for (var p = 0; p < ports.Length; p++)
        {
            var port = ports[p];
            int firstAddress = -1, firstRank = -2;
            var agree = true;
            for (var a = 0; a < addresses.Length; a++)
            {
                if (!Reachable(c, e, a))
                {
                    continue;
                }

                var slot = Slot(c, e, a, p);
                var rank = slot < 0 ? -1 : engine.RankOfSlot(slot);
                if (firstAddress < 0)
                {
                    (firstAddress, firstRank) = (a, rank);
                }
                else if (rank != firstRank)
                {
                    agree = false;
                }
            }

            if (firstAddress < 0)
            {
                var flow = new QaFlow(clientAddress4And6[c][0], addresses.Length > 0 ? addresses[0].Address : default, port.Protocol, port.From);
                into.Add(new QaReachabilityResult(client.Name, name, flow,
                    addresses.Length == 0
                        ? $"endpoint {name} has no address → no connection is possible"
                        : $"client {client.Name} has no address of the family of endpoint {name} → no connection is possible"));
                continue;
            }

            for (var a = firstAddress; a < addresses.Length; a++)
            {
                if (!Reachable(c, e, a))
                {
                    continue;
                }

                var flow = new QaFlow(clientAddress4And6[c][addresses[a].Address.IsV6 ? 1 : 0], addresses[a].Address, port.Protocol, port.From);
                into.Add(new QaReachabilityResult(client.Name, name, flow, engine.ToDecision(Slot(c, e, a, p)), explainer));
                if (agree)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Clients folded into their roles (clients without a role under "(none)"): how many members may connect.</summary>
    public IEnumerable<QaRoleReachabilityResult> ByRole()
    {
        var roles = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (var c = 0; c < clients.Length; c++)
        {
            foreach (var role in clients[c].Roles.Count == 0 ? new[] { "(none)" } : (IEnumerable<string>)clients[c].Roles)
            {
                if (!roles.TryGetValue(role, out var members))
                {
                    roles[role] = members = new List<int>();
                }

                members.Add(c);
            }
        }

        foreach (var (role, members) in roles)
        {
            // Members with the same source classes decide alike: count them once.
            var groups = members.GroupBy(c => (client4[c], client6[c])).Select(g => (Client: g.First(), Count: g.Count())).ToList();
            for (var e = 0; e < endpoints.Length; e++)
            {
                for (var p = 0; p < ports.Length; p++)
                {
                    var allowed = 0;
                    var decidedBy = new SortedSet<string>(StringComparer.Ordinal);
                    foreach (var (c, count) in groups)
                    {
                        var all = true;
                        var any = false;
                        for (var a = 0; a < endpointAddresses[e].Length; a++)
                        {
                            if (!Reachable(c, e, a))
                            {
                                continue;
                            }

                            var d = Decide(c, e, a, p);
                            any = true;
                            all &= d.Allowed;
                            decidedBy.Add(d.RuleId ?? "default deny");
                        }

                        if (any && all)
                        {
                            allowed += count;
                        }
                    }

                    yield return new QaRoleReachabilityResult(role, endpoints[e].Name, ports[p].From, ports[p].Protocol,
                        members.Count, allowed, decidedBy.ToList());
                }
            }
        }
    }

    /// <remarks>
    /// A hand-written enumerator rather than an iterator: its <see cref="MoveNext"/> is compiled
    /// optimised from the start, where an iterator's state machine runs unoptimised until tiered
    /// compilation replaces it — with tiered compilation off, a 10⁷-cell matrix's first
    /// enumeration took 0.9 instead of 1.6 s (docs/performance.md). Results are made one client ×
    /// endpoint at a time, so they die young.
    /// </remarks>
    private sealed class CellEnumerator : IEnumerable<QaReachabilityResult>, IEnumerator<QaReachabilityResult>
    {
        private readonly QaReachabilityMatrix matrix;
        private readonly List<QaReachabilityResult> batch = new();
        private int client;
        private int endpoint = -1;
        private int next;
        private bool started;

        public CellEnumerator(QaReachabilityMatrix matrix) => this.matrix = matrix;

        public QaReachabilityResult Current { get; private set; } = null!;

        object System.Collections.IEnumerator.Current => Current;

        public IEnumerator<QaReachabilityResult> GetEnumerator()
        {
            if (!started)
            {
                started = true;
                return this;
            }

            return new CellEnumerator(matrix) { started = true };
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool MoveNext()
        {
            while (next == batch.Count)
            {
                if (++endpoint == matrix.endpoints.Length)
                {
                    (endpoint, client) = (0, client + 1);
                }

                if (client >= matrix.clients.Length || matrix.endpoints.Length == 0)
                {
                    return false;
                }

                batch.Clear();
                next = 0;
                matrix.AddCells(client, endpoint, batch);
            }

            Current = batch[next++];
            return true;
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }

    private bool Reachable(int client, int endpoint, int address) =>
        !endpointAddresses[endpoint][address].Address.IsV6 || client6[client] >= 0;

    private int Slot(int client, int endpoint, int address, int port)
    {
        var (a, d) = endpointAddresses[endpoint][address];
        var s = a.IsV6 ? client6[client] : client4[client];
        return s < 0 ? -1 : table[(((s * dCount) + d) * pCount) + portClass[port]];
    }
}
