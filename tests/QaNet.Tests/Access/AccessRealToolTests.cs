using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Render.Access;

namespace QaNet.Tests.Access;

/// <summary>Every rendered sudoers and sshd text checked by the real programs (<c>visudo -cf</c>, <c>sshd -t</c>).</summary>
[Trait("Needs", "Root")]
public sealed class AccessRealToolTests
{
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
        QaNet.Core.Lab.LabSshAccess.EnsurePrivsepDirectory();   // sshd -t checks it exists

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
