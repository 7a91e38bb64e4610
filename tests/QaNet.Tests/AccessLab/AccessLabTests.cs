using QaNet.Core.Hosts;
using QaNet.Core.Model;
using Xunit.Abstractions;

namespace QaNet.Tests.AccessLab;

/// <summary>
/// Issue 7 end to end: real sshd and sudo on the lab's bastion and taskotron-client01, configured
/// with the rendered access files, real logins with <c>ssh -J</c> through the bastion, and each
/// outcome (allowed, and which hop refused) compared with what <c>Test-QaAccess</c> predicted.
/// </summary>
[Trait("Needs", "Root")]
public sealed class AccessLabTests : IClassFixture<AccessLabFixture>
{
    private const string Bastion = AccessLabFixture.Bastion;
    private const string Client = AccessLabFixture.Client;

    private readonly AccessLabFixture _lab;
    private readonly ITestOutputHelper _output;

    public AccessLabTests(AccessLabFixture lab, ITestOutputHelper output)
    {
        _lab = lab;
        _output = output;
    }

    [Theory]
    // sysadmin-qa: shell on the bastion, shell+sudo on the clients.
    [InlineData("qaadmin1", Client, QaAccessRight.Sudo, Bastion, true, null)]
    [InlineData("qaadmin2", Client, QaAccessRight.Shell, Bastion, true, null)]
    // sysadmin-main: everywhere.
    [InlineData("admin1", Client, QaAccessRight.Sudo, Bastion, true, null)]
    // qa-automation-shell: reaches the bastion, refused at the client hop.
    [InlineData("qabot", Client, QaAccessRight.Shell, Bastion, false, Client)]
    // A non-member is refused at the bastion (the first hop).
    [InlineData(AccessLabFixture.Outsider, Client, QaAccessRight.Shell, Bastion, false, Bastion)]
    [InlineData(AccessLabFixture.Outsider, Bastion, QaAccessRight.Shell, null, false, Bastion)]
    // On the bastion: shell for all three groups, sudo only for sysadmin-main.
    [InlineData("qabot", Bastion, QaAccessRight.Shell, null, true, null)]
    [InlineData("qabot", Bastion, QaAccessRight.Sudo, null, false, Bastion)]
    [InlineData("qaadmin1", Bastion, QaAccessRight.Sudo, null, false, Bastion)]
    [InlineData("admin1", Bastion, QaAccessRight.Sudo, null, true, null)]
    public async Task The_real_login_matches_Test_QaAccess(string user, string host, QaAccessRight right, string? via, bool allowed, string? failingHop)
    {
        var predicted = _lab.Checker.Test(user, host, right, via);
        var observed = await _lab.ObserveAsync(user, host, right, via);
        var story = $"{user} -> {host} ({right}{(via is null ? string.Empty : " via " + via)})\npredicted: {predicted.Allowed} at {predicted.FailingHop ?? "-"}: {predicted.Reason}\nobserved: {observed.Allowed} at {observed.FailingHop ?? "-"}: {observed.Detail}";

        _output.WriteLine(story);

        // The prediction is what the policy says, and the real programs agree with it hop for hop.
        Assert.True(allowed == predicted.Allowed && failingHop == predicted.FailingHop, "Unexpected prediction.\n" + story);
        Assert.True(observed.Allowed == predicted.Allowed && observed.FailingHop == predicted.FailingHop, "The lab disagrees with Test-QaAccess.\n" + story);

        // A login refusal is sshd's AllowGroups at that hop, as its own log says.
        if (!observed.Allowed && observed.Detail.StartsWith("ssh", StringComparison.Ordinal))
        {
            var sshd = observed.FailingHop == Bastion ? _lab.BastionSshd : _lab.ClientSshd;
            Assert.Contains($"User {user} from", sshd.Log, StringComparison.Ordinal);
            Assert.Contains("none of user's groups are listed in AllowGroups", sshd.Log, StringComparison.Ordinal);
        }

        // A sudo refusal is sudoers saying no (not a broken sudo): the rendered drop-in has no rule for the user.
        if (!observed.Allowed && observed.Detail.StartsWith("sudo", StringComparison.Ordinal))
        {
            Assert.True(observed.Detail.Contains($"{user} is not in the sudoers file", StringComparison.Ordinal)
                || observed.Detail.Contains("is not allowed to execute", StringComparison.Ordinal), "Not a sudoers refusal: " + observed.Detail);
        }

        // An allowed path through the jump host really went through it: the client saw the bastion's address.
        if (observed.Allowed && via is not null)
        {
            Assert.Contains($"Accepted publickey for {user} from {_lab.AddressOf(via)} ", _lab.ClientSshd.Log, StringComparison.Ordinal);
        }

        if (via is not null && observed.FailingHop == via)
        {
            // Refused at the jump host: the target never saw the user.
            Assert.DoesNotContain($"User {user} from", _lab.ClientSshd.Log, StringComparison.Ordinal);
            Assert.DoesNotContain($"for {user} from", _lab.ClientSshd.Log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_client_is_reached_only_through_the_bastion()
    {
        var direct = await _lab.SshAsync("qaadmin1", Client, null, "id", "-un");
        Assert.True(direct.ExitCode == 255 && !direct.Stderr.Contains("Permission denied", StringComparison.Ordinal),
            $"A direct ssh to the client from {_lab.OperatorNamespace} should not connect: exit {direct.ExitCode} {direct.Stderr}");
    }

    [Fact]
    public async Task The_lab_accounts_exist_only_inside_the_lab_mount_namespaces()
    {
        // With both sshd running and every login done or under way, the machine's files are as before.
        Assert.Equal(_lab.HashesBefore, AccessLabFixture.HashAccountFiles());
        foreach (var a in _lab.Accounts)
        {
            var r = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("getent", "passwd", a.Name));
            Assert.False(r.Succeeded, $"{a.Name} exists on the machine: {r.Stdout}");
        }

        var g = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("getent", "group", "sysadmin-qa"));
        Assert.False(g.Succeeded);

        // Inside the bastion's mount namespace they exist, with the policy's groups.
        var inside = await LabSsh.RunAsync(_lab.BastionSshd.Accounts.Wrap(_lab.BastionSshd.Namespace, new[] { "id", "-nG", "qaadmin1" }));
        Assert.True(inside.Succeeded, inside.Stderr);
        Assert.Contains("sysadmin-qa", inside.Stdout, StringComparison.Ordinal);
    }
}
