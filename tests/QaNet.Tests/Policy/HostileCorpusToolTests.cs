using System.Xml.Linq;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Tests.Render;
using Xunit.Abstractions;
using static QaNet.Tests.Policy.HostileCorpus;

namespace QaNet.Tests.Policy;

/// <summary>
/// Every distinct artifact the accepted inputs of the hostile corpus render to, checked by its
/// own parser: nft -c and ebtables-restore in a scratch namespace, visudo -cf, sshd -t, and each
/// libvirt network XML defined by a real libvirtd in that namespace (<c>virsh net-define</c>), read
/// back with <c>net-dumpxml</c> and compared setting by setting (so a payload changed nothing of
/// its structure), then undefined.
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
        await using var libvirtd = await LibvirtdInstance.StartAsync(ns.Name, Path.Combine(Path.GetTempPath(), ns.Name));
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
                        QaNet.Core.Lab.LabSshAccess.EnsurePrivsepDirectory();   // sshd -t checks it exists
                        await File.WriteAllTextAsync(file, a.Text);
                        await File.WriteAllTextAsync(file + ".main", $"HostKey {key}\nInclude {file}\n");
                        r = await Exec(null, "/usr/sbin/sshd", "-t", "-f", file + ".main");
                        break;
                    default:
                        r = await DefineAndReadBack(libvirtd, a.Text);
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

    /// <summary>
    /// <c>virsh net-define</c> of the XML on stdin, <c>net-dumpxml</c> of the network it names, and
    /// <c>net-undefine</c>; fails when libvirt refuses it or reads back other settings than were given.
    /// </summary>
    private static async Task<CommandResult> DefineAndReadBack(LibvirtdInstance libvirtd, string xml)
    {
        XElement given;
        try
        {
            given = XElement.Parse(xml);
        }
        catch (System.Xml.XmlException ex)
        {
            return CommandResult.Fail(1, "not well-formed: " + ex.Message);
        }

        var name = given.Element("name")?.Value ?? string.Empty;
        var define = await Exec(xml, "virsh", "-c", libvirtd.Uri, "net-define", "/dev/stdin");
        if (!define.Succeeded)
        {
            return define;
        }

        try
        {
            var dump = await Exec(null, "virsh", "-c", libvirtd.Uri, "net-dumpxml", "--", name);
            if (!dump.Succeeded)
            {
                return dump;
            }

            var expected = LibvirtRealToolTests.Canonical(given);
            var actual = LibvirtRealToolTests.Canonical(XElement.Parse(dump.Stdout));
            return expected == actual ? CommandResult.Ok(string.Empty)
                : CommandResult.Fail(1, $"libvirt read back other settings:\n  given {expected}\n  read  {actual}");
        }
        finally
        {
            await Exec(null, "virsh", "-c", libvirtd.Uri, "net-undefine", "--", name);
        }
    }

    private static Task<CommandResult> Exec(string? stdin, params string[] argv) => ProcessRunner.Instance.RunAsync(RenderNamespace.Spec(stdin, argv));
}
