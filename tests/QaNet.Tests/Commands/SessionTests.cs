using QaNet.Core.Hosts;
using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>
/// What a session keeps (current policy, lab, command runner) is its runspace's own. The lab part
/// is proven on a real lab in Lab/LabSessionTests.
/// </summary>
public sealed class SessionTests
{
    [Fact]
    public void Each_runspace_has_its_own_current_policy()
    {
        using var first = new PowerShellSession();
        using var second = new PowerShellSession();
        first.Run("$null = New-QaPolicy -Name first");
        Assert.Equal("NoCurrentPolicy,QaNet.Commands.GetQaPolicyCommand", second.ErrorId("Get-QaPolicy"));
        second.Run("$null = New-QaPolicy -Name second");
        Assert.Equal("first", first.Single<QaPolicy>("Get-QaPolicy").Name);
        Assert.Equal("second", second.Single<QaPolicy>("Get-QaPolicy").Name);
    }

    [Fact]
    public void Runspaces_on_parallel_threads_do_not_see_each_others_policy()
    {
        var names = Enumerable.Range(0, 4).Select(i => $"p{i}").ToArray();
        var seen = names.AsParallel().Select(name =>
        {
            using var s = new PowerShellSession();
            s.Run($"$null = New-QaPolicy -Name {name}; $null = New-QaIsolatedNetwork -Name n -Subnet 10.1.0.0/24 -Mode Nat -VirtHost vh");
            return s.Single<QaPolicy>("Get-QaPolicy").Name;
        }).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(names, seen);
    }

    [Fact]
    public void The_last_policy_created_is_current_and_an_explicit_Policy_wins()
    {
        using var s = new PowerShellSession();
        s.Run("$a = New-QaPolicy -Name a; $b = New-QaPolicy -Name b");
        s.Run("$null = New-QaIsolatedNetwork -Policy $a -Name n -Subnet 10.1.0.0/24 -Mode Nat -VirtHost vh");
        Assert.Single(s.Single<QaPolicy>("$a").Networks);
        Assert.Empty(s.Single<QaPolicy>("$b").Networks);
        Assert.Empty(s.Run("Get-QaNetwork"));
        Assert.Single(s.Run("Get-QaNetwork -Policy $a"));
    }

    [Fact]
    public void Runspaces_on_parallel_threads_publish_through_their_own_runner()
    {
        // Each runspace's commands go to its own namespace name, so a command that reached the
        // other runspace's runner would show up there.
        var runners = Enumerable.Range(0, 3).Select(_ => new RecordingRunner(script: _ => CommandResult.Fail(1, "scripted: no such host"))).ToArray();
        Parallel.For(0, runners.Length, i =>
        {
            using var s = PowerShellSession.WithQaPolicy(runners[i]);
            s.Run($"$null = Publish-QaNetwork -WhatIf -Transport @{{ 'virthost-comm01' = 'namespace:qn-rs{i}' }} -ErrorAction SilentlyContinue -WarningAction SilentlyContinue");
        });
        for (var i = 0; i < runners.Length; i++)
        {
            Assert.NotEmpty(runners[i].Commands);
            Assert.All(runners[i].Commands, c => Assert.Equal(["netns", "exec", $"qn-rs{i}"], c.Arguments.Take(3)));
        }
    }

    [Fact]
    public void A_runner_set_in_one_runspace_is_not_seen_in_another()
    {
        using var first = new PowerShellSession { Runner = new RecordingRunner() };
        using var second = new PowerShellSession();
        Assert.NotNull(first.Runner);
        Assert.Null(second.Runner);
    }

    [Fact]
    public async Task The_lab_cmdlets_run_their_commands_through_the_sessions_runner()
    {
        // Every command fails: the lab's preflight (run before anything is built) must have gone
        // to this runner, and nothing was built.
        var runner = new RecordingRunner(script: _ => CommandResult.Fail(1, "scripted: nothing here"));
        using var s = PowerShellSession.WithQaPolicy(runner);
        try
        {
            var error = s.Errors("Start-QaLab -Prefix qzrun- -Confirm:$false")[0];
            Assert.NotEmpty(runner.Commands);
            Assert.DoesNotContain(runner.Commands, c => c.Mutates);
            Assert.Null(QaNet.Core.Lab.QaLab.Get("qzrun-"));
            Assert.StartsWith("LabStartFailed,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        }
        finally
        {
            // Had the runner not been used, a real lab would have been built: never leave it.
            await QaNet.Core.Lab.QaLab.StopAsync("qzrun-");
        }
    }
}
