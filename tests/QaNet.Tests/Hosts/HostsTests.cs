using System.Security.Cryptography;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Validation;

namespace QaNet.Tests.Hosts;

public sealed class HostsTests
{
    private const string Nasty = "a b;$(touch /tmp/qanet-pwned)'\"`id` * \\ && echo hi\n|x";

    [Fact]
    public async Task Local_runner_passes_every_argument_as_one_word_and_data_on_stdin()
    {
        var r = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("printf", "%s\\n", Nasty, ""));
        Assert.True(r.Succeeded, r.Stderr);
        Assert.Equal(Nasty + "\n\n", r.Stdout);
        var cat = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("cat").WithStdin(Nasty));
        Assert.Equal(Nasty, cat.Stdout);
        Assert.False(File.Exists("/tmp/qanet-pwned"));
    }

    [Fact]
    public async Task A_command_over_its_timeout_is_killed()
    {
        var r = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("sleep", "30") with { Timeout = TimeSpan.FromMilliseconds(300) });
        Assert.True(r.TimedOut);
        Assert.False(r.Succeeded);
        Assert.True(r.Duration < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("$(x) `y`", "'$(x) `y`'")]
    public void Posix_quoting_uses_single_quotes(string word, string quoted) => Assert.Equal(quoted, PosixShell.Quote(word));

    [Theory]
    [InlineData("-oProxyCommand=touch /tmp/x")]
    [InlineData("host name")]
    [InlineData("a;b")]
    [InlineData("")]
    public void Ssh_refuses_a_host_that_is_not_a_host_name(string host)
    {
        var ex = Assert.Throws<QaValidationException>(() => HostTarget.Ssh(host));
        Assert.Equal(QaErrorIds.InvalidHostName, ex.ErrorId);
    }

    [Theory]
    [InlineData("QN-Upper")]
    [InlineData("qn x")]
    [InlineData("../etc")]
    public void Namespace_names_are_checked(string name)
    {
        var ex = Assert.Throws<QaValidationException>(() => HostTarget.Namespace(name));
        Assert.Equal(QaErrorIds.InvalidName, ex.ErrorId);
    }

    [Fact]
    public void Ssh_command_line_quotes_each_remote_word_after_the_host()
    {
        var spec = HostTarget.Ssh("vh1.lab", new SshOptions { ControlPath = "/tmp/cm-%C" }).Wrap(CommandSpec.Of("printf", "%s\\n", "a b"));
        Assert.Equal("ssh", spec.Program);
        Assert.Equal(new[] { "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ControlMaster=auto", "-o", "ControlPath=/tmp/cm-%C", "-o", "ControlPersist=60", "--", "vh1.lab", "'printf'", "'%s\\n'", "'a b'" }, spec.Arguments);
        Assert.Throws<QaValidationException>(() => HostTarget.Ssh("vh1", new SshOptions { User = "root -oX" }));
    }

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
            Directory.CreateDirectory("/run/sshd");
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
