using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Access;
using static QaNet.Tests.Access.AccessPolicies;

namespace QaNet.Tests.Access;

/// <summary>
/// Access renderings: golden files for the Fedora example, and every sudoers and sshd text
/// checked by the real programs (<c>visudo -cf</c>, <c>sshd -t</c>). Regenerate goldens with
/// <c>QANET_UPDATE_GOLDEN=1 dotnet test tests/QaNet.Tests --filter FullyQualifiedName~AccessRenderTests</c>.
/// </summary>
public sealed class AccessRenderTests
{
    private static readonly string[] GoldenHosts = { "bastion", "lockbox", "taskotron-client01", "virthost-comm01" };

    public static TheoryData<string> Hosts() => new(GoldenHosts);

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Host_files_match_their_golden_file(string host) =>
        Golden.Check($"fedora-qa.{host}.access", RenderAccessFiles(host).Text);

    [Fact]
    public void FreeIpa_commands_match_their_golden_file()
    {
        var commands = AccessRenderer.FreeIpaCommands(new QaAccessEngine(ExamplePolicies.Fedora()));
        Assert.All(commands, c => Assert.Equal("ipa", c.Program));
        Golden.Check("fedora-qa.freeipa.sh", string.Concat(commands.Select(c => c + "\n")));
    }

    [Fact]
    public void FreeIpa_commands_are_argument_vectors_with_one_host_per_argument()
    {
        var commands = AccessRenderer.FreeIpaCommands(new QaAccessEngine(ExamplePolicies.Fedora()));
        var hosts = commands.Single(c => c.Arguments[0] == "hbacrule-add-host" && c.Arguments[1] == "qanet-sysadmin-main");
        Assert.Contains("--hosts=bastion.fedoraproject.org", hosts.Arguments);
        Assert.Contains("--hosts=taskotron-client01", hosts.Arguments);
        Assert.Contains(commands, c => c.Arguments.SequenceEqual(new[] { "sudorule-add-user", "qanet-sysadmin-qa-sudo", "--groups=sysadmin-qa" }));
        Assert.DoesNotContain(commands, c => c.Arguments[1] == "qanet-qa-automation-shell-sudo");
    }

    [Fact]
    public void Host_files_say_what_the_engine_decides()
    {
        var engine = new QaAccessEngine(ExamplePolicies.Fedora());
        foreach (var host in engine.Hosts.All)
        {
            var files = AccessRenderer.RenderHost(engine, host.Name);
            var shell = engine.Policy.Groups.Where(g => engine.Decide(g.Name, host.Name, QaAccessRight.Shell).Allowed).Select(g => g.Name).ToList();
            var sudo = engine.Policy.Groups.Where(g => engine.Decide(g.Name, host.Name, QaAccessRight.Sudo).Allowed).Select(g => g.Name).ToList();
            Assert.Contains("groups = " + string.Join(',', shell) + "\n", files.FasConf, StringComparison.Ordinal);
            Assert.Equal(sudo, files.Sudoers.Split('\n').Where(l => l.StartsWith('%')).Select(l => l[1..l.IndexOf(' ', StringComparison.Ordinal)]));
            Assert.Contains(shell.Count == 0 ? "DenyUsers *" : "AllowGroups " + string.Join(' ', shell), files.SshdConfig, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_sudoers_drop_in_passes_visudo_and_a_broken_one_does_not()
    {
        var engine = new QaAccessEngine(ExamplePolicies.Fedora());
        using var dir = new TempDir();
        foreach (var host in engine.Hosts.All)
        {
            var file = dir.Write($"{host.Name}.sudoers", AccessRenderer.RenderHost(engine, host.Name).Sudoers);
            var result = Run("visudo", "-cf", file);
            Assert.True(result.Succeeded, $"{host.Name}: {result.Stdout}{result.Stderr}");
        }

        Assert.False(Run("visudo", "-cf", dir.Write("broken.sudoers", "%sys admin ALL=(ALL) ALL\n")).Succeeded);
    }

    [Fact]
    public void Every_sshd_fragment_passes_sshd_t_and_a_broken_one_does_not()
    {
        var engine = new QaAccessEngine(ExamplePolicies.Fedora());
        using var dir = new TempDir();
        var key = Path.Combine(dir.Path, "ssh_host_ed25519_key");
        Assert.True(Run("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-f", key).Succeeded);
        string Config(string fragment) => dir.Write(fragment + ".sshd_config", $"HostKey {key}\nInclude {fragment}\n");

        // Hosts that grant shell to nobody render DenyUsers, so both shapes are checked.
        var p = ExamplePolicies.Fedora();
        QaNet.Core.Editing.PolicyEditor.AddEndpoint(p, new QaNet.Core.Editing.EndpointSpec("nobody-host") { Addresses = new[] { "198.51.100.99" } });
        var renderings = engine.Hosts.All.Select(h => (h.Name, AccessRenderer.RenderHost(engine, h.Name).SshdConfig))
            .Append(("nobody-host", AccessRenderer.RenderHost(new QaAccessEngine(p), "nobody-host").SshdConfig));
        foreach (var (host, text) in renderings)
        {
            var result = Run("/usr/sbin/sshd", "-t", "-f", Config(dir.Write(host + ".conf", text)));
            Assert.True(result.Succeeded, $"{host}: {result.Stderr}");
        }

        Assert.False(Run("/usr/sbin/sshd", "-t", "-f", Config(dir.Write("broken.conf", "AllowGroups\n"))).Succeeded);
    }

    [Fact]
    public void Rulesets_hook_gives_one_access_ruleset_per_host_and_the_freeipa_commands()
    {
        var p = ExamplePolicies.Fedora();
        var all = AccessRenderer.Rulesets(p);
        Assert.All(all, r => Assert.Equal(QaBackend.Access, r.Backend));
        Assert.Equal(new QaAccessEngine(p).ManagedHosts.Select(h => h.Name).Append(AccessRenderer.FreeIpaHost), all.Select(r => r.Host));
        Assert.DoesNotContain(all, r => r.Host == "koji");
        var bastion = Assert.Single(AccessRenderer.Rulesets(p, "bastion"));
        Assert.Equal(RenderAccessFiles("bastion").Text, bastion.Text);
        Assert.StartsWith("ipa hbacrule-add ", Assert.Single(AccessRenderer.Rulesets(p, AccessRenderer.FreeIpaHost)).Text, StringComparison.Ordinal);
    }

    private static QaAccessFiles RenderAccessFiles(string host) => AccessRenderer.RenderHost(new QaAccessEngine(ExamplePolicies.Fedora()), host);

    private static CommandResult Run(string program, params string[] args) =>
        ProcessRunner.Instance.RunAsync(CommandSpec.Of(program, args)).GetAwaiter().GetResult();

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("qanet-access-").FullName;

        public string Write(string name, string text)
        {
            var file = System.IO.Path.Combine(Path, name);
            File.WriteAllText(file, text);
            return file;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
