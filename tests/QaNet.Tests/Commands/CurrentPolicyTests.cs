using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

public sealed class CurrentPolicyTests
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
}
