using System.Xml.Linq;
using QaNet.Core.Hosts;
using QaNet.Tests.Render;
using Xunit.Abstractions;
using static QaNet.Tests.Policy.HostileCorpus;

namespace QaNet.Tests.Policy;

/// <summary>
/// Every distinct artifact the accepted inputs of the hostile corpus render to, checked by its
/// own parser: nft -c and ebtables-restore in a scratch namespace, visudo -cf, sshd -t; libvirt
/// XML must be well-formed (virsh net-define of the same renderer is LibvirtRealToolTests).
/// </summary>
[Trait("Needs", "Root")]
public sealed class HostileCorpusToolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_accepted_input_renders_artifacts_their_own_parsers_accept()
    {
        var accepted = Inputs().Select(Run).Where(r => r.Outcome == Outcome.Accepted).ToList();
        var distinct = accepted.SelectMany(r => r.Artifacts.Select(a => (r.Input, a)))
            .Where(x => x.a.Kind is "nft" or "ebtables" or "libvirt" or "sudoers" or "sshd")
            .GroupBy(x => (x.a.Kind, x.a.Text)).Select(g => g.First()).ToList();
        Assert.Contains(distinct, x => x.a.Kind == "nft");
        Assert.Contains(distinct, x => x.a.Kind == "sudoers");

        await using var ns = await RenderNamespace.CreateAsync();
        var dir = Directory.CreateTempSubdirectory("qanet-corpus-").FullName;
        try
        {
            var key = Path.Combine(dir, "ssh_host_ed25519_key");
            Assert.True((await Exec(null, "ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", key)).Succeeded);
            var failures = new List<string>();
            var n = 0;
            foreach (var (input, a) in distinct)
            {
                var file = Path.Combine(dir, $"a{n++}");
                CommandResult r;
                switch (a.Kind)
                {
                    case "nft":
                        r = await ns.Exec(a.Text, "nft", "-c", "-f", "-");
                        break;
                    case "ebtables":
                        r = await ns.Exec(a.Text, "ebtables-restore");
                        break;
                    case "sudoers":
                        await File.WriteAllTextAsync(file, a.Text);
                        r = await Exec(null, "visudo", "-cf", file);
                        break;
                    case "sshd":
                        await File.WriteAllTextAsync(file, a.Text);
                        await File.WriteAllTextAsync(file + ".main", $"HostKey {key}\nInclude {file}\n");
                        r = await Exec(null, "/usr/sbin/sshd", "-t", "-f", file + ".main");
                        break;
                    default:
                        try
                        {
                            XDocument.Parse(a.Text);
                            r = CommandResult.Ok(string.Empty);
                        }
                        catch (System.Xml.XmlException ex)
                        {
                            r = CommandResult.Fail(1, ex.Message);
                        }

                        break;
                }

                if (!r.Succeeded)
                {
                    failures.Add($"{input}: {a.Kind} for {a.Where} refused by its parser: {r.Stderr.Trim()}");
                }
            }

            output.WriteLine($"hostile corpus, real parsers: {accepted.Count} accepted inputs rendered {distinct.Count} distinct artifacts; " +
                             string.Join(", ", distinct.GroupBy(x => x.a.Kind).Select(g => $"{g.Count()} {g.Key}")) + $"; {failures.Count} refused");
            Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Task<CommandResult> Exec(string? stdin, params string[] argv) => ProcessRunner.Instance.RunAsync(RenderNamespace.Spec(stdin, argv));
}
