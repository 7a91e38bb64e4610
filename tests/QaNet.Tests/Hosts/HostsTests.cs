using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Tests.Hosts;

public sealed class HostsTests
{
    /// <summary>A word with every shell metacharacter: it must arrive as one argument, unchanged.</summary>
    internal const string Nasty = "a b;$(touch /tmp/qanet-pwned)'\"`id` * \\ && echo hi\n|x";

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
}
