using System.Globalization;
using System.Net;
using System.Net.Sockets;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

/// <summary>The lab's listeners: a socat on every probed port in the segments, gateways and clients.</summary>
public sealed partial class QaLab
{
    // The listener, detached by start-stop-daemon; one per port (and per address for UDP).
    private const string SocatProgram = "/usr/bin/socat";

    /// <summary>Every probed port listening in every segment and gateway (the clients' listeners start with the clients).</summary>
    private async Task ListenInServiceHostsAsync(QaLabPlan plan, CancellationToken ct)
    {
        _log.Verbose(null, $"Listening on {string.Join(", ", plan.ListenPorts)} in every lab host");
        foreach (var h in State.Hosts.Where(h => h.Kind is QaLabHostKind.Segment or QaLabHostKind.Gateway))
        {
            await ListenAsync(h.Namespace, h.Addresses, plan.ListenPorts, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One socat per TCP port on all addresses; one per UDP port and address, because a datagram
    /// socket bound to any address answers from the outgoing interface's address, which the
    /// prober's conntrack would not take for the echo.
    /// </summary>
    private async Task ListenAsync(string ns, IReadOnlyList<string> addresses, IReadOnlyList<QaPortRange> ports, CancellationToken ct)
    {
        var expected = 0;

        // Where an sshd holds 22/tcp on the management address, a listener on all addresses could not bind.
        var tcpPerAddress = State.Sshd.Exists(d => d.Namespace == ns);
        var families = addresses.Select(a => IPAddress.Parse(a).AddressFamily).Distinct().Order().ToList();
        foreach (var kind in new[] { QaProtocol.Tcp, QaProtocol.Udp })
        {
            var numbers = ports.Where(p => p.Protocol == kind).Select(p => p.From.ToString(CultureInfo.InvariantCulture)).ToList();

            // (socat address, pid file tag): TCP on every address of a family (IPv6 sockets IPv6 only), else per address.
            var list = kind == QaProtocol.Tcp && !tcpPerAddress
                ? numbers.SelectMany(p => families.Select(f => f == AddressFamily.InterNetwork
                    ? ($"TCP4-LISTEN:{p},fork,reuseaddr", p)
                    : ($"TCP6-LISTEN:{p},fork,reuseaddr,ipv6only=1", p + "-6"))).ToList()
                : numbers.SelectMany(p => addresses.Select(a => (Socat(kind, p, IPAddress.Parse(a)), p + "-" + a.Replace(':', '-')))).ToList();
            expected += list.Count;
            foreach (var (address, tag) in list)
            {
                // start-stop-daemon detaches socat (standard streams on /dev/null) and writes its PID
                // to a file: an argument vector, no shell.
                var pidFile = Path.Combine(State.Directory, $"listen-{ns}-{kind.ToString().ToLowerInvariant()}-{tag}.pid");
                await Must(CommandSpec.Of("ip", "netns", "exec", ns, "start-stop-daemon", "--start", "--background", "--make-pidfile",
                    "--pidfile", pidFile, "--exec", SocatProgram, "--", address, "PIPE"), ct).ConfigureAwait(false);
                State.Processes.Add(new QaLabProcess(ns, await ReadPidAsync(pidFile, ct).ConfigureAwait(false), "socat " + kind.ToString().ToLowerInvariant()));
                File.Delete(pidFile);
            }
        }

        await SaveAsync().ConfigureAwait(false);

        // Bounded wait until every port listens, so the first probe does not meet a missing listener.
        for (var i = 0; i < 50; i++)
        {
            var r = await _runner.RunAsync(CommandSpec.Of("ip", "netns", "exec", ns, "ss", "-H", "-l", "-n", "-t", "-u"), ct).ConfigureAwait(false);
            if (r.Succeeded && r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= expected)
            {
                return;
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        State.Warnings.Add($"Not every listener in {ns} was up after 5 s.");
    }

    /// <summary>A socat listener bound to one address: TCP (where an sshd holds the port on another) or UDP.</summary>
    private static string Socat(QaProtocol kind, string port, IPAddress address) =>
        (kind, address.AddressFamily == AddressFamily.InterNetwork) switch
        {
            (QaProtocol.Tcp, true) => $"TCP4-LISTEN:{port},bind={address},fork,reuseaddr",
            (QaProtocol.Tcp, false) => $"TCP6-LISTEN:{port},bind=[{address}],fork,reuseaddr,ipv6only=1",
            (_, true) => $"UDP4-RECVFROM:{port},bind={address},fork",
            _ => $"UDP6-RECVFROM:{port},bind=[{address}],fork",
        };

    /// <summary>The PID start-stop-daemon wrote, waiting a bounded moment for the file.</summary>
    private static async Task<int> ReadPidAsync(string pidFile, CancellationToken ct)
    {
        for (var i = 0; i < 50; i++)
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1)
            {
                return pid;
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        throw new QaHostException(QaErrorIds.HostCommandFailed, $"lab: start-stop-daemon wrote no PID to {pidFile} within a second.");
    }
}
