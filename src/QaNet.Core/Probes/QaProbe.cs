using System.Globalization;
using System.Net;
using QaNet.Core.Hosts;
using QaNet.Core.Model;

namespace QaNet.Core.Probes;

/// <summary>What one probe saw: whether the flow got through, and the probe's own words.</summary>
/// <param name="Observed">TCP: the connection was accepted. UDP: the echo came back.</param>
/// <param name="Detail">connected · refused · timed out · unreachable · echo · no echo (or the tool's message).</param>
/// <param name="Attempts">Probes run for this answer (a non-conforming answer is retried).</param>
public sealed record QaProbeResult(bool Observed, string Detail, int Attempts = 1)
{
    public const string Connected = "connected";
    public const string Refused = "refused";
    public const string TimedOut = "timed out";
    public const string Unreachable = "unreachable";
    public const string Echo = "echo";
    public const string NoEcho = "no echo";

    /// <summary>Nothing came back: a filter dropped it (a refusal is a closed port, not a filter).</summary>
    public bool Filtered => Detail is TimedOut or NoEcho;
}

/// <summary>
/// Runs real probes from inside a lab namespace: TCP connect with <c>nc -z</c>, UDP with a socat
/// datagram the lab's listeners echo. Every probe has a timeout; nothing here can hang.
/// </summary>
public sealed class QaProber
{
    public const string Payload = "qanet-probe";

    private readonly ICommandRunner _runner;

    public QaProber(ICommandRunner? runner = null)
    {
        _runner = runner ?? ProcessRunner.Instance;
    }

    /// <summary>Seconds a probe waits for an answer (TCP handshake, UDP echo).</summary>
    public int TimeoutSeconds { get; init; } = 1;

    public async Task<QaProbeResult> ProbeAsync(string ns, IPAddress source, IPAddress destination, int port, QaProtocol protocol, int timeoutSeconds = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        _ = HostTarget.Namespace(ns);
        var wait = timeoutSeconds > 0 ? timeoutSeconds : TimeoutSeconds;
        var w = wait.ToString(CultureInfo.InvariantCulture);
        var p = port.ToString(CultureInfo.InvariantCulture);
        var limit = TimeSpan.FromSeconds(wait + 10);
        if (protocol == QaProtocol.Udp)
        {
            var udp = destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? $"UDP4:{destination}:{p},bind={source}" : $"UDP6:[{destination}]:{p},bind=[{source}]";
            var spec = CommandSpec.Of("ip", "netns", "exec", ns, "socat", "-T", w, "-", udp)
                .WithStdin(Payload + "\n") with { Timeout = limit };
            var r = await _runner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
            if (r.Stdout.Contains(Payload, StringComparison.Ordinal))
            {
                return new QaProbeResult(true, QaProbeResult.Echo);
            }

            return new QaProbeResult(false, Classify(r.Stderr) ?? QaProbeResult.NoEcho);
        }

        if (protocol != QaProtocol.Tcp)
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Live probes are TCP or UDP.");
        }

        var tcp = await _runner.RunAsync(CommandSpec.Of("ip", "netns", "exec", ns, "nc", "-v", "-n", "-z", "-w", w, "-s", source.ToString(), destination.ToString(), p)
            with { Timeout = limit }, cancellationToken).ConfigureAwait(false);
        if (tcp.Succeeded)
        {
            return new QaProbeResult(true, QaProbeResult.Connected);
        }

        return new QaProbeResult(false, Classify(tcp.Stderr) ?? (tcp.TimedOut ? QaProbeResult.TimedOut : FirstLine(tcp.Stderr)));
    }

    private static string? Classify(string stderr)
    {
        if (stderr.Contains("refused", StringComparison.OrdinalIgnoreCase))
        {
            return QaProbeResult.Refused;
        }

        if (stderr.Contains("timed out", StringComparison.OrdinalIgnoreCase))
        {
            return QaProbeResult.TimedOut;
        }

        if (stderr.Contains("unreachable", StringComparison.OrdinalIgnoreCase) || stderr.Contains("No route", StringComparison.OrdinalIgnoreCase))
        {
            return QaProbeResult.Unreachable;
        }

        return null;
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? "failed" : line;
    }
}
