using System.Security.Cryptography;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using static QaNet.Tests.Hosts.HostsTests;

namespace QaNet.Tests.Hosts;

/// <summary>The ssh target against a real sshd in a network namespace of its own.</summary>
[Trait("Needs", "Root")]
public sealed class RealSshdTests
{
    [Fact]
    public async Task Ssh_target_against_a_real_sshd_in_a_namespace()
    {
        var ns = "qn-ssh-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var dir = Directory.CreateTempSubdirectory("qn-ssh-").FullName;
        using var sshdStop = new CancellationTokenSource();
        Task<CommandResult>? sshd = null;
        await Namespaces.CreateAsync(ns);
        try
        {
            var inNs = HostTarget.Namespace(ns).CreateRunner();
            async Task Must(ICommandRunner runner, params string[] argv)
            {
                var r = await runner.RunAsync(new CommandSpec(argv[0], argv.Skip(1)));
                Assert.True(r.Succeeded, string.Join(' ', argv) + ": " + r.Stderr);
            }

            await Must(inNs, "ip", "addr", "add", "198.51.100.10/32", "dev", "lo");
            await Must(ProcessRunner.Instance, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir + "/host");
            await Must(ProcessRunner.Instance, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir + "/client");
            File.Copy(dir + "/client.pub", dir + "/authorized_keys");
            QaNet.Core.Lab.LabSshAccess.EnsurePrivsepDirectory();
            await File.WriteAllTextAsync(dir + "/sshd_config", $"""
                ListenAddress 198.51.100.10:2222
                HostKey {dir}/host
                AuthorizedKeysFile {dir}/authorized_keys
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                PidFile {dir}/sshd.pid
                """);
            // The operator's ssh config maps the virthost's name to the lab address.
            await File.WriteAllTextAsync(dir + "/ssh_config", $"""
                Host vh1.lab.example
                    HostName 198.51.100.10
                    Port 2222
                    User root
                    IdentityFile {dir}/client
                    StrictHostKeyChecking no
                    UserKnownHostsFile /dev/null
                    LogLevel ERROR
                """);
            sshd = HostTarget.Namespace(ns).CreateRunner().RunAsync(
                CommandSpec.Of("/usr/sbin/sshd", "-f", dir + "/sshd_config", "-D", "-e") with { Timeout = TimeSpan.FromSeconds(60) }, sshdStop.Token);

            var target = HostTarget.Ssh("vh1.lab.example", new SshOptions { ConfigFile = dir + "/ssh_config", ClientNamespace = ns, ControlPath = dir + "/cm-%C" });
            var remote = target.CreateRunner();
            CommandResult? hello = null;
            for (var i = 0; i < 50 && hello?.Succeeded != true; i++)
            {
                await Task.Delay(100);
                hello = await remote.RunAsync(CommandSpec.Of("true") with { Timeout = TimeSpan.FromSeconds(10) });
            }

            Assert.True(hello!.Succeeded, hello.Stderr);
            var r = await remote.RunAsync(CommandSpec.Of("printf", "%s\\n", Nasty, "second word"));
            Assert.True(r.Succeeded, r.Stderr);
            Assert.Equal(Nasty + "\nsecond word\n", r.Stdout);
            Assert.False(File.Exists("/tmp/qanet-pwned"));

            var cat = await remote.RunAsync(CommandSpec.Of("cat").WithStdin("payload\n" + Nasty));
            Assert.Equal("payload\n" + Nasty, cat.Stdout);

            // The same target with explicit options instead of a config file.
            var direct = HostTarget.Ssh("198.51.100.10", new SshOptions
            {
                ClientNamespace = ns,
                User = "root",
                Port = 2222,
                IdentityFile = dir + "/client",
                Options = new[] { KeyValuePair.Create("StrictHostKeyChecking", "no"), KeyValuePair.Create("UserKnownHostsFile", "/dev/null"), KeyValuePair.Create("LogLevel", "ERROR") },
            }).CreateRunner();
            var who = await direct.RunAsync(CommandSpec.Of("id", "-u"));
            Assert.Equal("0\n", who.Stdout);
            await ProcessRunner.Instance.RunAsync(CommandSpec.Of("ssh", "-F", dir + "/ssh_config", "-o", "ControlPath=" + dir + "/cm-%C", "-O", "exit", "vh1.lab.example"));
        }
        finally
        {
            sshdStop.Cancel();
            if (sshd is not null)
            {
                try
                {
                    await sshd;
                }
                catch (OperationCanceledException)
                {
                }
            }

            await Namespaces.DeleteAsync(ns);
            Directory.Delete(dir, recursive: true);
        }
    }
}
