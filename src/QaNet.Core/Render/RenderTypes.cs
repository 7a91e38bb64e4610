using System.Net;
using QaNet.Core.Model;
using Newtonsoft.Json;

namespace QaNet.Core.Render;

/// <summary>What a rendered rule does with a new connection.</summary>
public enum RenderVerdict
{
    Accept,
    Drop,
    /// <summary>Not QaNet's traffic: the rendering leaves it to whatever else the host does.</summary>
    Untouched,
}

/// <summary>
/// A new connection as the rendered rules see it. <see cref="SourcePort"/> only matters to
/// stateless (ebtables) renderings, which accept replies by source port.
/// </summary>
public readonly record struct PacketFlow(IPAddress Source, IPAddress Destination, QaProtocol Protocol, int Port, int SourcePort = PacketFlow.EphemeralPort)
{
    /// <summary>A typical client-side port (Linux's ephemeral range starts at 32768).</summary>
    public const int EphemeralPort = 49152;
}

/// <summary>The verdict of a rendering for a flow and the policy rule id that decided it (null for the default deny).</summary>
public readonly record struct RenderDecision(RenderVerdict Verdict, string? RuleId)
{
    public static RenderDecision Untouched => new(RenderVerdict.Untouched, null);

    public override string ToString() => RuleId is null ? Verdict.ToString() : $"{Verdict} ({RuleId})";
}

/// <summary>Compiled rules before text: what <see cref="QaRuleset.Text"/> is printed from, and can be evaluated.</summary>
public interface IRuleProgram
{
    RenderDecision Evaluate(PacketFlow flow);

    int RuleCount { get; }

    int ElementCount { get; }
}

/// <summary>Rendering settings.</summary>
public sealed record QaRenderOptions
{
    /// <summary>
    /// The moment the rendering is for: expired rules are left out and expiring ones get
    /// element timeouts counted from here. Tests pin it; the default is now.
    /// </summary>
    public DateTimeOffset? Now { get; init; }

    public DateTimeOffset NowOrClock => Now ?? DateTimeOffset.UtcNow;
}

/// <summary>One rendered artifact for one host: exactly what would be applied there.</summary>
public sealed class QaRuleset
{
    internal QaRuleset(string network, string? virtHost, string host, QaBackend backend, string text, IRuleProgram? program,
        IReadOnlyList<string> networks, int ruleCount, int elementCount)
    {
        Network = network;
        VirtHost = virtHost;
        Host = host;
        Backend = backend;
        Text = text;
        Program = program;
        Networks = networks;
        RuleCount = ruleCount;
        ElementCount = elementCount;
    }

    /// <summary>The network asked for.</summary>
    public string Network { get; }

    /// <summary>The virthost asked for (null for a gateway's table).</summary>
    public string? VirtHost { get; }

    /// <summary>Where the text is applied: the virthost, or the gateway endpoint in Gateway mode.</summary>
    public string Host { get; }

    [JsonIgnore]
    public QaBackend Backend { get; }

    /// <summary>Every network the text covers (host-wide tables cover all of a host's networks).</summary>
    public IReadOnlyList<string> Networks { get; }

    public string Text { get; }

    /// <summary>nft or ebtables rules; for libvirt XML the number of DHCP host reservations.</summary>
    public int RuleCount { get; }

    /// <summary>Set elements (nft) or 0; for libvirt XML the number of DNS host entries.</summary>
    public int ElementCount { get; }

    /// <summary>The compiled rules the text was printed from; null for libvirt XML.</summary>
    [JsonIgnore]
    [System.ComponentModel.Browsable(false)]
    public IRuleProgram? Program { get; }

    public override string ToString() => $"{Backend} {Network} on {Host}";
}
