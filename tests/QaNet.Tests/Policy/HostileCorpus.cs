using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Access;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Tests.Policy;

/// <summary>
/// The hostile corpus (issue 20): payloads that break shells, config files and parsers, each put
/// in every field of the Fedora example through which a string reaches an artifact (names,
/// roles, ids, groups, users, host names, descriptions), written into the YAML as an exactly
/// escaped double-quoted scalar so the reader sees the payload byte for byte. Each input is
/// either refused with a stable id and a location, or accepted and rendered to every backend,
/// where the payload must not change the structure of any artifact or argument vector.
/// </summary>
internal static partial class HostileCorpus
{
    public const string SourceName = "corpus.yaml";

    /// <summary>Payloads (each used alone, after a letter, and between letters).</summary>
    public static readonly string[] Payloads =
    {
        "\n", "\r\n", "\r", "\0", "\t", " ", ";", "&&", "|", "$(id)", "`id`", "${IFS}", "\"", "'", "#", "{", "}", "\\", "\\n",
        "-o", "--help", "*", "?", "!", "%", "=", ",", ":", "/", "../../etc/passwd", "ALL", "@", "<", ">", "&", "\u00e9",
        "\u0430", "\u202e", "\u200b", "\u2028", "\ufeff", "\u0085", "A", "..", ".",
        new string('a', 10_000),
    };

    /// <summary>One field: the example's token, the selector kinds it may stand after, and a benign stand-in.</summary>
    public sealed record Field(string Name, string Token, string Benign = "qzbenign");

    public static readonly Field[] Fields =
    {
        new("policy name", "fedora-qa"),
        new("network name", "qa-clients"),
        new("client name", "taskotron-client01"),
        new("role", "taskotron"),
        new("endpoint name", "lockbox"),
        new("virthost", "virthost-comm02"),
        new("rule id", "lockbox-ssh"),
        new("group", "sysadmin-qa"),
        new("user", "qaadmin1"),
        new("access id", "sysadmin-qa-bastion"),
        new("host name (the hosts map)", "bastion.fedoraproject.org", "qzbenign.example.org"),
        new("environment", "prod"),
        new("endpoint description", "ssh jump host", "plain words"),
        new("rule description", "restraint (8081) and beah (7080-7099) harness ports", "plain words"),
        new("test description", "clients cannot reach each other", "plain words"),
        new("policy description", "Taskotron and Beaker test clients on the Fedora QA virthosts", "plain words"),
    };

    public sealed record Input(Field Field, string Value)
    {
        public override string ToString() => $"{Field.Name} = {Show(Value)}";
    }

    /// <summary>Every input: each payload alone, after a letter and between letters, in each field.</summary>
    public static IEnumerable<Input> Inputs() =>
        from f in Fields
        from p in Payloads
        from v in new[] { p, "x" + p, "x" + p + "y" }.Distinct(StringComparer.Ordinal)
        select new Input(f, v);

    private static readonly Lazy<string> Template = new(() => ExamplePolicies.Text(ExamplePolicies.FedoraQaFile));

    /// <summary>The example with every occurrence of the field's token (as a whole scalar, after a selector kind, or as a key) set to <paramref name="value"/>.</summary>
    public static string Yaml(Field field, string value)
    {
        var text = Template.Value;
        if (field.Token.Contains(' ', StringComparison.Ordinal))
        {
            var line = new Regex(@"(?<=(description): )" + Regex.Escape(field.Token) + "$", RegexOptions.Multiline);
            Assert.True(line.IsMatch(text), $"the example has no description '{field.Token}'");
            return line.Replace(text, _ => Quote(value), 1);
        }

        var token = new Regex(@"(?<=^|[\s\[,])(?<kind>(?:client|role|endpoint|network|host|virthost|cidr):)?" + Regex.Escape(field.Token) + @"(?=$|[\s\],:])", RegexOptions.Multiline);
        Assert.True(token.IsMatch(text), $"the example has no '{field.Token}'");
        return token.Replace(text, m => Quote(m.Groups["kind"].Value + value));
    }

    /// <summary>A YAML double-quoted scalar that reads back as exactly <paramref name="value"/>.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when c < 0x20 || c is '\u007f' or '\u0085' or '\u2028' or '\u2029' or '\ufeff' || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    public static string Show(string value) =>
        value.Length > 40 ? $"<{value.Length} × '{value[0]}'>" : string.Concat(value.Select(c => c < 0x20 || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString()));

    public enum Outcome { Refused, Accepted }

    /// <summary>What one input gave: refused (with its errors) or the artifacts it rendered to, with the cost.</summary>
    public sealed record Result(Input Input, Outcome Outcome, IReadOnlyList<QaValidationError> Errors, IReadOnlyList<Artifact> Artifacts, TimeSpan Time, long AllocatedBytes);

    /// <summary>One rendered text or argument vector: its kind (nft, ebtables, libvirt, sudoers, sshd, fas, ipa-argv, yaml), where it goes, its text.</summary>
    public sealed record Artifact(string Kind, string Where, string Text);

    private static readonly QaRenderOptions Options = new() { Now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) };

    public static Result Run(Input input) => Run(input, input.Value);

    /// <summary>The same field with its benign stand-in: what the structure of the artifacts must be.</summary>
    public static Result Baseline(Field field) => Run(new Input(field, field.Benign), field.Benign);

    private static Result Run(Input input, string value)
    {
        var yaml = Yaml(input.Field, value);
        var watch = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        QaPolicy policy;
        try
        {
            policy = PolicyYaml.Parse(yaml, SourceName);
        }
        catch (QaValidationException ex)
        {
            return new Result(input, Outcome.Refused, ex.Errors, Array.Empty<Artifact>(), watch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        var artifacts = Render(policy);
        return new Result(input, Outcome.Accepted, Array.Empty<QaValidationError>(), artifacts, watch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Every backend's artifacts, the FreeIPA argument vectors and the exported YAML.</summary>
    public static List<Artifact> Render(QaPolicy policy)
    {
        var list = new List<Artifact>();
        foreach (var r in QaRenderer.RenderAll(ResolvedPolicy.Create(policy), Options))
        {
            var kind = r.Backend switch
            {
                QaBackend.Nftables => "nft",
                QaBackend.Ebtables => "ebtables",
                QaBackend.LibvirtXml => "libvirt",
                _ => r.Backend.ToString(),
            };
            list.Add(new Artifact(kind, $"{r.Host}/{r.Network}", r.Text));
        }

        var engine = new QaAccessEngine(policy);
        foreach (var host in engine.Hosts.All)
        {
            var files = AccessRenderer.RenderHost(engine, host.Name);
            list.Add(new Artifact("sudoers", host.Name, files.Sudoers));
            list.Add(new Artifact("sshd", host.Name, files.SshdConfig));
            list.Add(new Artifact("fas", host.Name, files.FasConf));
        }

        foreach (var command in AccessRenderer.FreeIpaCommands(engine))
        {
            // One line per argument: an argument that grew a line or split shows in the line count.
            list.Add(new Artifact("ipa-argv", command.Program, string.Join("\n", new[] { command.Program }.Concat(command.Arguments))));
        }

        list.Add(new Artifact("yaml", "export", PolicyYaml.Serialize(policy)));
        return list;
    }

    /// <summary>The shape of a rendering: per kind, the sorted line counts of its artifacts.</summary>
    public static string Shape(IEnumerable<Artifact> artifacts) =>
        string.Join("; ", artifacts.GroupBy(a => a.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {string.Join(",", g.Where(a => a.Kind != "yaml").Select(a => a.Text.Split('\n').Length).Order())}"));
}
