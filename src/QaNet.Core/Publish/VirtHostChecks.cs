using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using QaNet.Core.Hosts;
using Newtonsoft.Json;

namespace QaNet.Core.Publish;

public enum QaCheckStatus
{
    Pass,
    Warn,
    Fail,
}

/// <summary>
/// One prerequisite of one host, as Test-QaVirtHost reports it and Publish-QaNetwork checks it:
/// what was found there and, unless it passed, how to fix it (the exact package or command).
/// </summary>
public sealed record QaVirtHostCheck(string VirtHost, string Check, [property: JsonIgnore] QaCheckStatus Status, string Found, string? Fix)
{
    /// <summary>Whether what the policy publishes to this host needs it (only needed checks fail).</summary>
    public bool Needed { get; init; } = true;

    public override string ToString() => $"{VirtHost} {Check}: {Status} ({Found}){(Fix is null ? string.Empty : " Fix: " + Fix)}";
}

/// <summary>What a host's artifacts need of it; derived from the rendering, so the checks follow the plan.</summary>
public sealed record VirtHostNeeds
{
    public bool Nft { get; init; }

    public bool Ebtables { get; init; }

    public bool Libvirt { get; init; }

    /// <summary>libvirt runs dnsmasq (a network with addresses): port 53 must be free on the wildcard address.</summary>
    public bool Dnsmasq { get; init; }

    /// <summary>The host routes for clients: a Nat virthost (libvirt turns forwarding on) or a gateway (nobody does).</summary>
    public bool Forwarding { get; init; }

    public bool IsGateway { get; init; }

    /// <summary>
    /// A libvirt network with an IPv4 address that libvirt firewalls itself (no forward mode
    /// 'open' or 'bridge': QaNet's Gateway networks are isolated); libvirt's nftables backend
    /// then needs the kernel's tc csum action.
    /// </summary>
    public bool FirewalledNetworks { get; init; }

    public IReadOnlyList<int> VxlanPorts { get; init; } = Array.Empty<int>();

    /// <summary>A Bridged network (libvirt forward mode 'bridge'): its clients are filtered statelessly.</summary>
    public bool BridgedNetworks { get; init; }

    /// <summary>Everything, for a host no policy describes (Test-QaVirtHost without a policy).</summary>
    public static VirtHostNeeds Everything { get; } = new() { Nft = true, Ebtables = true, Libvirt = true, Dnsmasq = true, Forwarding = true, FirewalledNetworks = true };

    public static VirtHostNeeds Of(HostArtifacts artifacts)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        // The reply guard (table bridge qanet) filters bridged frames; it routes nothing.
        var routes = artifacts.NftTables.Any(t => t.Family != Render.Ebtables.EbtReplyGuard.Family && t.Definition is not null);
        return new VirtHostNeeds
        {
            Nft = artifacts.NftTables.Count > 0,
            Ebtables = artifacts.Ebtables is not null,
            Libvirt = artifacts.Networks.Count > 0,
            Dnsmasq = artifacts.Networks.Any(n => n.Xml is not null && LibvirtXml.TryParse(n.Xml, out var root, out _) && root!.Elements("ip").Any()),
            FirewalledNetworks = artifacts.Networks.Any(n => n.Xml is not null && LibvirtXml.TryParse(n.Xml, out var root, out _)
                && root!.Elements("ip").Any(ip => ip.Attribute("family")?.Value is null or "ipv4")
                && (string?)root.Element("forward")?.Attribute("mode") is not ("open" or "bridge")),
            BridgedNetworks = artifacts.Networks.Any(n => n.Xml is not null && LibvirtXml.TryParse(n.Xml, out var root, out _)
                && (string?)root!.Element("forward")?.Attribute("mode") == "bridge"),
            Forwarding = routes,
            IsGateway = routes && artifacts.Networks.Count == 0,
            VxlanPorts = (artifacts.Uplinks ?? Array.Empty<UplinkArtifact>()).Where(u => u.Kind == Model.QaUplinkKind.Vxlan).Select(u => u.Port).Distinct().Order().ToList(),
        };
    }
}

/// <summary>
/// The host preflight (what libvirt's virt-host-validate is to libvirt): reads only, through the
/// host's own runner (local, namespace, ssh). <see cref="RunAsync"/> with <c>all: false</c> runs just
/// the checks the needs call for (Publish-QaNetwork); with <c>all: true</c> every check (Test-QaVirtHost).
/// </summary>
public static partial class VirtHostChecks
{
    public const string Nftables = "Nftables";
    public const string Ebtables = "Ebtables";
    public const string Libvirt = "Libvirt";
    public const string Firewalld = "Firewalld";
    public const string Bridge = "Bridge";
    public const string BrNetfilter = "BrNetfilter";
    public const string Conntrack = "Conntrack";
    public const string TcCsum = "TcCsum";
    public const string Vxlan = "Vxlan";
    public const string IpForward = "IpForward";
    public const string Ports = "Ports";
    public const string ReturnTraffic = "ReturnTraffic";

    /// <summary>What stateless filtering of Bridged clients leaves open (docs/rendering.md, "Stateless return traffic").</summary>
    public const string StatelessReturnTraffic =
        "Bridged clients are filtered without conntrack (the bridge family has none here: nf_conntrack_bridge): replies are accepted by source port. " +
        "TCP connection openings among them (SYN without ACK) are dropped by table bridge qanet, so a granted service cannot open a TCP connection to a client from its granted port, nor a client to a management host from its granted ingress port. " +
        "UDP stays open that way: a granted service can send datagrams to any UDP port of a client from its granted UDP port (e.g. 69/udp), and a client to a management host from a granted ingress UDP port; ICMP echo-replies pass for granted ICMP. " +
        "TFTP data from a new server port is not accepted.";

    private static readonly string[] VirshWord = { "virsh" };
    private static readonly string[] VersionWords = { "version", "--daemon" };
    private static readonly string[] LsWords = { "ls", "-d" };
    private static readonly string[] KernelValues = { "grep", "-s", "-H", ".", "/proc/sys/kernel/osrelease", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/bridge/bridge-nf-call-iptables" };
    private static readonly string[] SsWords = { "ss", "-H", "-l", "-n", "-t", "-u", "-p" };
    private static readonly string[] Modules = { "bridge", "br_netfilter", "nf_conntrack", "vxlan", "act_csum" };

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [GeneratedRegex(@"v?(\d+\.\d+(?:\.\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionRegex();

    [GeneratedRegex(@"^[A-Za-z0-9._+-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReleaseRegex();

    public static async Task<IReadOnlyList<QaVirtHostCheck>> RunAsync(PublishHost host, VirtHostNeeds needs, bool all, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(needs);
        var checks = new List<QaVirtHostCheck>();
        var name = host.VirtHost;
        void Add(string check, QaCheckStatus status, string found, string? fix, bool needed) =>
            checks.Add(new QaVirtHostCheck(name, check, needed || status != QaCheckStatus.Fail ? status : QaCheckStatus.Warn, found, status == QaCheckStatus.Pass ? null : fix) { Needed = needed });

        // The reads do not depend on each other's answers (one of them only on nft being there at
        // all), so they start together once the host has answered: one wait instead of one per read,
        // which over SSH are sessions of the one shared connection. Each is taken in the order below.
        var started = new Dictionary<string, Task<CommandResult>>(StringComparer.Ordinal);
        Task<CommandResult> Start(string[] argv) => RunSafeAsync(host, new CommandSpec(argv[0], argv.Skip(1)) { Timeout = Timeout }, cancellationToken);
        void Prefetch(params string[] argv) => started[string.Join('\0', argv)] = Start(argv);
        Task<CommandResult> Run(params string[] argv) => started.Remove(string.Join('\0', argv), out var t) ? t : Start(argv);

        // The host must answer at all first: a missing namespace or a failing transport is the
        // host's error (HostCommandFailed, HostUnreachable), not a missing prerequisite.
        var reach = CommandSpec.Of("true") with { Timeout = Timeout };
        var answered = await RunSafeAsync(host, reach, cancellationToken).ConfigureAwait(false);
        if (!answered.Succeeded)
        {
            throw QaHostException.Failed(name, reach, answered);
        }

        var kernel = all || needs.Forwarding || needs.Libvirt || needs.VxlanPorts.Count > 0;
        if (all || needs.Nft)
        {
            Prefetch("nft", "--version");
            Prefetch("nft", "list", "tables");
        }

        if (all || needs.Ebtables)
        {
            Prefetch("ebtables", "--version");
        }

        if (all || needs.Libvirt)
        {
            Prefetch(VirshWord.Concat(host.LibvirtUri is { } lu ? new[] { "-c", lu } : Array.Empty<string>()).Concat(VersionWords).ToArray());
        }

        if (kernel)
        {
            Prefetch(KernelValues);
            Prefetch(LsWords.Concat(Modules.Select(w => "/sys/module/" + w)).ToArray());
        }

        if (all || needs.Dnsmasq || needs.VxlanPorts.Count > 0)
        {
            Prefetch(SsWords);
        }

        try
        {
            return await ChecksAsync().ConfigureAwait(false);
        }
        finally
        {
            // A read nobody took (an early throw, nft missing) still ends before the checks return.
            foreach (var t in started.Values)
            {
                try
                {
                    await t.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is QaHostException or OperationCanceledException)
                {
                }
            }
        }

        async Task<IReadOnlyList<QaVirtHostCheck>> ChecksAsync()
        {
            Version? libvirtVersion = null;

            // nftables: the program, and a kernel that answers it (the tables tell libvirt's and firewalld's backends too).
            string? tables = null;
            if (all || needs.Nft)
            {
                var v = await Run("nft", "--version").ConfigureAwait(false);
                if (NotFound(v))
                {
                    Add(Nftables, QaCheckStatus.Fail, "nft is not installed", "Debian: apt-get install nftables; Fedora/RHEL: dnf install nftables.", needs.Nft);
                }
                else
                {
                    var list = await Run("nft", "list", "tables").ConfigureAwait(false);
                    tables = list.Succeeded ? list.Stdout : null;
                    var version = FirstLine(v.Stdout);
                    Add(Nftables, list.Succeeded ? QaCheckStatus.Pass : QaCheckStatus.Fail,
                        list.Succeeded ? version : $"{version}, but the kernel refuses it: {FirstLine(list.Stderr)}",
                        "The kernel needs nf_tables (CONFIG_NF_TABLES, module nf_tables); run as root.", needs.Nft);
                }
            }

            if (all || needs.Ebtables)
            {
                var v = await Run("ebtables", "--version").ConfigureAwait(false);
                const string fix = "Debian: apt-get install iptables && update-alternatives --set ebtables /usr/sbin/ebtables-nft; " +
                    "Fedora/RHEL: dnf install iptables-nft && alternatives --set ebtables /usr/sbin/ebtables-nft (not ebtables-legacy).";
                if (NotFound(v))
                {
                    Add(Ebtables, QaCheckStatus.Fail, "ebtables is not installed", fix, needs.Ebtables);
                }
                else
                {
                    var found = FirstLine(v.Stdout + v.Stderr);
                    var nf = found.Contains("nf_tables", StringComparison.Ordinal);
                    Add(Ebtables, nf ? QaCheckStatus.Pass : QaCheckStatus.Fail,
                        nf ? found : $"{found}: the legacy backend (QaNet renders for the nf_tables one; kernels without legacy ebtables refuse it)",
                        fix, needs.Ebtables);
                }
            }

            if (all || needs.Libvirt)
            {
                var uri = host.LibvirtUri is { } u ? new[] { "-c", u } : Array.Empty<string>();
                var v = await Run(VirshWord.Concat(uri).Concat(VersionWords).ToArray()).ConfigureAwait(false);
                const string fix = "Debian: apt-get install libvirt-daemon libvirt-clients dnsmasq-base; Fedora/RHEL: dnf install libvirt-daemon-driver-network libvirt-client dnsmasq; " +
                    "then systemctl enable --now libvirtd (or virtnetworkd.socket).";
                if (NotFound(v))
                {
                    Add(Libvirt, QaCheckStatus.Fail, "virsh is not installed", fix, needs.Libvirt);
                }
                else
                {
                    var daemon = v.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("Running against daemon", StringComparison.Ordinal));
                    var lib = v.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("Using library", StringComparison.Ordinal));
                    var text = daemon ?? lib;
                    if (text is null || VersionRegex().Match(text) is not { Success: true } m)
                    {
                        Add(Libvirt, QaCheckStatus.Fail, "libvirtd does not answer: " + FirstLine(v.Stderr), fix, needs.Libvirt);
                    }
                    else
                    {
                        var version = Version.Parse(m.Groups[1].Value.Count(c => c == '.') == 1 ? m.Groups[1].Value + ".0" : m.Groups[1].Value);
                        libvirtVersion = version;
                        var nftBackend = version >= new Version(10, 4, 0);
                        var inUse = tables?.Contains("table ip libvirt_network", StringComparison.Ordinal) == true ? " (table ip libvirt_network present)" : string.Empty;
                        // Both backends are proven by the lab (profiles Debian12 and Libvirt11, docs/lab.md): QaNet's
                        // networks use forward mode 'open', for which libvirt writes no firewall rule in either.
                        Add(Libvirt, QaCheckStatus.Pass,
                            nftBackend ? $"libvirt {version}, firewall backend nftables or iptables (network.conf's firewall_backend; Fedora builds default to nftables){inUse}" : $"libvirt {version}, firewall backend iptables (the only one before 10.4)",
                            fix,
                            needs.Libvirt);
                    }
                }
            }

            if (tables is not null)
            {
                var firewalld = HostFit.Runs(tables);
                // Proven in the lab's Fedora profile (docs/lab.md): QaNet's Nat bridges go into firewalld's
                // zone libvirt-routed (HostFit), bridged frames do not meet firewalld without br_netfilter.
                Add(Firewalld, QaCheckStatus.Pass,
                    firewalld ? $"running (table inet firewalld): QaNet's Nat bridges go into its zone {HostFit.FirewalldZone}" : "not running",
                    "A packet must be accepted by every base chain on its hook; see docs/virthost.md for what QaNet does where firewalld runs.",
                    needs.Libvirt || needs.Forwarding);
            }

            // Kernel: one read of the values, one of the modules.
            if (kernel)
            {
                var values = ParseGrep((await Run(KernelValues).ConfigureAwait(false)).Stdout);
                var release = values.GetValueOrDefault("/proc/sys/kernel/osrelease");
                var wanted = Modules;
                var present = (await Run(LsWords.Concat(wanted.Select(w => "/sys/module/" + w)).ToArray()).ConfigureAwait(false)).Stdout
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p["/sys/module/".Length..]).ToHashSet(StringComparer.Ordinal);
                var available = new HashSet<string>(StringComparer.Ordinal);
                if (release is not null && ReleaseRegex().IsMatch(release) && wanted.Any(w => !present.Contains(w)))
                {
                    var r = await Run("grep", "-s", "-o", "-h", "-E", @"(^|/)(bridge|br_netfilter|nf_conntrack|vxlan|act_csum)\.ko", "/lib/modules/" + release + "/modules.builtin", "/lib/modules/" + release + "/modules.dep").ConfigureAwait(false);
                    foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        available.Add(line.TrimStart('/').Split(".ko")[0]);
                    }
                }

                string Module(string m) => present.Contains(m) ? "loaded" : available.Contains(m) ? "available (loads on first use)" : "not found";
                var bridgeState = Module("bridge");
                Add(Bridge, bridgeState == "not found" && !values.ContainsKey("/proc/sys/net/bridge/bridge-nf-call-iptables") ? QaCheckStatus.Fail : QaCheckStatus.Pass,
                    "bridge: " + (bridgeState == "not found" && values.ContainsKey("/proc/sys/net/bridge/bridge-nf-call-iptables") ? "built in" : bridgeState),
                    "The kernel needs the bridge driver (CONFIG_BRIDGE; modprobe bridge).", needs.Libvirt);
                var call = values.GetValueOrDefault("/proc/sys/net/bridge/bridge-nf-call-iptables");
                Add(BrNetfilter, call == "1" ? QaCheckStatus.Warn : QaCheckStatus.Pass,
                    call is null ? "not loaded (bridged frames see ebtables only)" : $"loaded, bridge-nf-call-iptables = {call}",
                    "With bridge-nf-call-iptables = 1, bridged frames also pass the ip/inet forward chains, where other rules (Docker, firewalld) may drop them; set it to 0 unless something needs it (sysctl -w net.bridge.bridge-nf-call-iptables=0).",
                    false);
                var ct = Module("nf_conntrack");
                Add(Conntrack, ct == "not found" ? QaCheckStatus.Warn : QaCheckStatus.Pass, "nf_conntrack: " + (ct == "not found" ? "not loaded and no module found (it may be built in)" : ct),
                    "QaNet's nft rules match ct state; the kernel needs CONFIG_NF_CONNTRACK (modprobe nf_conntrack).", needs.Forwarding);
                // libvirt >= 10.4's nftables backend fixes DHCP checksums with tc's csum action (iptables had
                // a CHECKSUM target) for every network it firewalls; without it such a network does not start
                // ("Failed to load TC action module"). A Warn: which backend runs is the build's and network.conf's choice.
                if (libvirtVersion is { } lv && lv >= new Version(10, 4, 0) && (all || needs.FirewalledNetworks))
                {
                    var csum = Module("act_csum");
                    Add(TcCsum, csum == "not found" ? QaCheckStatus.Warn : QaCheckStatus.Pass, "act_csum: " + csum,
                        "libvirt's nftables backend needs the kernel's tc csum action (CONFIG_NET_ACT_CSUM; modprobe act_csum) to start a network it firewalls: QaNet's Gateway networks (isolated). " +
                        "Without it, use Nat or Bridged networks, or set firewall_backend = \"iptables\" in /etc/libvirt/network.conf.",
                        needs.FirewalledNetworks);
                }

                if (all || needs.VxlanPorts.Count > 0)
                {
                    var vx = Module("vxlan");
                    Add(Vxlan, vx == "not found" ? QaCheckStatus.Fail : QaCheckStatus.Pass, "vxlan: " + vx,
                        "Spanning networks need the kernel's VXLAN driver (CONFIG_VXLAN; modprobe vxlan).", needs.VxlanPorts.Count > 0);
                }

                var forward = values.GetValueOrDefault("/proc/sys/net/ipv4/ip_forward");
                if (all || needs.Forwarding)
                {
                    // A Warn, not a Fail: the publish itself works, and forwarding is the host's own setting.
                    Add(IpForward, forward == "1" ? QaCheckStatus.Pass : QaCheckStatus.Warn,
                        forward == "1" ? "on" : needs.IsGateway ? "off: this gateway would not route its clients" : "off (libvirt turns it on when it starts a NAT network)",
                        "sysctl -w net.ipv4.ip_forward=1, and keep it in /etc/sysctl.d/90-qanet.conf (net.ipv4.ip_forward = 1).", needs.Forwarding);
                }
            }

            if (needs.BridgedNetworks)
            {
                // Not a prerequisite: what the rendering cannot close on any kernel QaNet targets, said where operators look.
                Add(ReturnTraffic, QaCheckStatus.Warn, StatelessReturnTraffic,
                    "Where UDP replies by source port are not acceptable, put the clients on a Nat or Gateway network (stateful nft).", false);
            }

            if (all || needs.Dnsmasq || needs.VxlanPorts.Count > 0)
            {
                var ss = await Run(SsWords).ConfigureAwait(false);
                var problems = new List<string>();
                foreach (var line in ss.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length < 5)
                    {
                        continue;
                    }

                    var local = f[4];
                    var colon = local.LastIndexOf(':');
                    if (colon < 0 || !int.TryParse(local[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    {
                        continue;
                    }

                    var address = local[..colon];
                    var wildcard = address is "0.0.0.0" or "*" or "[::]";
                    var process = f.Length > 6 ? string.Join(' ', f.Skip(6)) : "the kernel";
                    if ((all || needs.Dnsmasq) && port == 53 && wildcard)
                    {
                        problems.Add($"{f[0]} {local} is taken by {process}: libvirt's dnsmasq cannot bind the networks' addresses");
                    }

                    if (needs.VxlanPorts.Contains(port) && f[0] == "udp" && f.Length > 6)
                    {
                        problems.Add($"udp {local} (the VXLAN port) is taken by {process}");
                    }
                }

                Add(Ports, !ss.Succeeded ? QaCheckStatus.Warn : problems.Count == 0 ? QaCheckStatus.Pass : QaCheckStatus.Fail,
                    !ss.Succeeded ? "ss could not list the listening sockets: " + FirstLine(ss.Stderr) : problems.Count == 0 ? "53 (DNS) and the VXLAN ports are free" : string.Join("; ", problems),
                    "Stop the other listener or bind it to its own addresses only (dnsmasq: bind-interfaces with except-interface=<bridge>; systemd-resolved listens on 127.0.0.53 only).",
                    needs.Dnsmasq || needs.VxlanPorts.Count > 0);
            }

            return checks;
        }
    }

    /// <summary>The failed needed checks as one message: what is missing and how to fix it.</summary>
    public static string Describe(IEnumerable<QaVirtHostCheck> failed) =>
        string.Join(" ", failed.Select(c => $"{c.Check}: {c.Found}. Fix: {c.Fix}"));

    /// <summary>
    /// Runs one read. A host that cannot be reached (ssh's own failure) or does not answer in time
    /// is not a missing prerequisite: that throws <see cref="QaHostException"/> (HostUnreachable, HostCommandTimedOut).
    /// </summary>
    private static async Task<CommandResult> RunSafeAsync(PublishHost host, CommandSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            var r = await host.Runner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
            return r.Unreachable is not null || r.TimedOut ? throw QaHostException.Failed(host.VirtHost, spec, r) : r;
        }
        catch (Win32Exception ex)
        {
            // The local process could not start: the program is not installed here.
            return CommandResult.Fail(127, $"{spec.Program}: {ex.Message}");
        }
    }

    /// <summary>Not installed: a local start failure or the remote shell's 127, or ip netns exec's "exec of "…" failed".</summary>
    private static bool NotFound(CommandResult r) =>
        !r.Succeeded && (r.ExitCode == 127 || r.Stderr.Contains("exec of \"", StringComparison.Ordinal));

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;

    private static Dictionary<string, string> ParseGrep(string stdout)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var i = line.IndexOf(':', StringComparison.Ordinal);
            if (i > 0)
            {
                values[line[..i]] = line[(i + 1)..].Trim();
            }
        }

        return values;
    }
}
