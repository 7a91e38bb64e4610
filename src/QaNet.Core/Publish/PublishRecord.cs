using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using QaNet.Core.Hosts;
using Newtonsoft.Json;

namespace QaNet.Core.Publish;

/// <summary>
/// What the last publish that changed (or first found) a host left there: <c>&lt;state&gt;/published</c>,
/// a few <c>key=value</c> lines — the publish id (one id for all hosts of one multi-host publish),
/// the digest of the artifacts the host then received, when (UTC, the caller's clock), the policy
/// and who. It lets an unchanged re-publish stop after a read and a compare, and lets
/// Test-QaNetwork -Summary say which host carries which publish.
/// </summary>
public sealed record QaPublishRecord(string Id, string Digest, DateTimeOffset PublishedAt, string? Policy, string? By)
{
    public const string FileName = "published";

    /// <summary>The first 12 hex digits of the digest, as messages show it.</summary>
    public string ShortDigest => Digest.Length > 12 ? Digest[..12] : Digest;

    /// <summary>
    /// SHA-256 over the artifacts in a fixed order: every network (name, state flags, XML), every nft
    /// table (key, definition), ebtables (prefix, text). The same rendering gives the same digest on
    /// every machine; it says nothing about other hosts.
    /// </summary>
    public static string DigestOf(HostArtifacts artifacts)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        var sb = new StringBuilder();
        void Part(string kind, params string?[] fields)
        {
            sb.Append(kind);
            foreach (var f in fields)
            {
                // Length-prefixed, so no text can imitate a field boundary.
                var text = f ?? "\0null";
                sb.Append('\n').Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(text);
            }

            sb.Append('\n');
        }

        foreach (var n in artifacts.Networks.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            Part("network", n.Name, n.Active ? "active" : "inactive", n.Autostart ? "autostart" : "manual", n.Xml);
        }

        foreach (var t in artifacts.NftTables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Part("nft", t.Key, t.Definition);
        }

        if (artifacts.Ebtables is { } eb)
        {
            Part("ebtables", eb.ChainPrefix, eb.Text);
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()))).ToLowerInvariant();
    }

    public string ToText() =>
        $"id={Id}\ndigest={Digest}\ntime={PublishedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}\npolicy={Policy}\nby={By}\n";

    /// <summary>The record from its file's text; null when it is not one (a damaged record counts as none).</summary>
    public static QaPublishRecord? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var map = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last()[1], StringComparer.Ordinal);
        return map.TryGetValue("id", out var id) && id.Length > 0
            && map.TryGetValue("digest", out var digest) && digest.Length > 0
            && map.TryGetValue("time", out var time) && long.TryParse(time, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch)
            ? new QaPublishRecord(id, digest, DateTimeOffset.FromUnixTimeSeconds(epoch), Empty(map.GetValueOrDefault("policy")), Empty(map.GetValueOrDefault("by")))
            : null;
    }

    internal static string PathOn(PublishHost host) => host.StateDirectory + "/" + FileName;

    internal static async Task<(QaPublishRecord? Record, string? Text)> ReadAsync(HostSession s)
    {
        var r = await s.RunAsync(CommandSpec.Of("cat", PathOn(s.Host))).ConfigureAwait(false);
        return r.Succeeded ? (Parse(r.Stdout), r.Stdout) : (null, null);
    }

    /// <summary>
    /// Writes the record: argv only, the text on stdin. A reader that meets a half-written record
    /// parses it as none (or as another digest) and only reads the host in full: the record is a
    /// shortcut, never the truth.
    /// </summary>
    internal static CommandSpec Write(PublishHost host, string text) =>
        HostSession.WriteFile(PathOn(host), text);

    /// <summary>Puts back the record found before a publish (its undo): the old text, or no record.</summary>
    internal static CommandSpec Restore(PublishHost host, string? previousText) =>
        previousText is null ? CommandSpec.Of("rm", "-f", PathOn(host)).Mutating() : Write(host, previousText);

    private static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}

/// <summary>Where one host stands (Test-QaNetwork -Summary): drift against the policy, its pending publish, the publish it carries.</summary>
public sealed record QaHostStatus
{
    public required string VirtHost { get; init; }

    /// <summary>No drift: what QaNet owns on the host equals the policy's rendering for it.</summary>
    public bool InSync { get; init; }

    public int DriftCount { get; init; }

    [JsonIgnore]
    public IReadOnlyList<QaDriftItem> Drift { get; init; } = Array.Empty<QaDriftItem>();

    /// <summary>A publish made with a confirm timeout waits for Confirm-QaPublish / Undo-QaPublish.</summary>
    public bool PendingConfirm { get; init; }

    public string? PendingId { get; init; }

    /// <summary>The on-host record of the last publish; null when the host has none.</summary>
    public QaPublishRecord? Record { get; init; }

    public string? PublishId => Record?.Id;

    public DateTimeOffset? PublishedAt => Record?.PublishedAt;

    /// <summary>The digest of what the current policy renders for this host.</summary>
    public string Digest { get; init; } = string.Empty;

    /// <summary>Whether the host's record names the current rendering (<see cref="Digest"/>).</summary>
    public bool CarriesPolicy => Record is not null && string.Equals(Record.Digest, Digest, StringComparison.Ordinal);

    /// <summary>Why the host could not be read; the rest is then unknown.</summary>
    public QaPublishError? Error { get; init; }

    public override string ToString() =>
        $"{VirtHost}: {(Error is not null ? "unknown (" + Error.Id + ")" : InSync ? "in sync" : DriftCount + " drift items")}"
        + (PendingConfirm ? ", pending confirm" : string.Empty)
        + (Record is null ? ", no publish record" : $", carries {Record.Id} of {Record.PublishedAt:u}");
}
