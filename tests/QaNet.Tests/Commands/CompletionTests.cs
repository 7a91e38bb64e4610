namespace QaNet.Tests.Commands;

public sealed class CompletionTests
{
    [Theory]
    [InlineData("Get-QaNetwork -Name qa", "qa-clients")]
    [InlineData("Remove-QaClient -Name beak", "beaker-client01")]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint ko", "koji")]
    [InlineData("Grant-QaIngress -From bas", "bastion")]
    [InlineData("Get-QaClient -Role beak", "beaker")]
    [InlineData("Revoke-QaRule -Id ingress", "ingress-bastion-beaker")]
    [InlineData("Add-QaClient -Network qa-c", "qa-clients")]
    public void Names_complete_from_the_current_policy(string line, string expected)
    {
        using var s = PowerShellSession.WithQaPolicy();
        var completions = s.Run($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches.CompletionText")
            .Select(o => (string)o.BaseObject);
        Assert.Equal([expected], completions);
    }

    [Fact]
    public void Names_complete_from_the_policy_given_on_the_command_line()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = New-QaPolicy -Name other");
        const string line = "Get-QaClient -Policy $p -Name task";
        var completions = s.Run($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches.CompletionText")
            .Select(o => (string)o.BaseObject);
        Assert.Equal(["taskotron-client01", "taskotron-client02"], completions);
    }
}
