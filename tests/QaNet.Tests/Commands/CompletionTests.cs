using System.Collections;
using QaNet.Commands.Completion;
using QaNet.Core.Lab;

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

    /// <summary>fedora-qa, plus a Gateway network on a third virthost and a staging endpoint, so each completer has something to choose from.</summary>
    private const string Additions = """
        $null = Add-QaEndpoint -Name beaker-gw -Address 192.168.160.2
        $null = New-QaIsolatedNetwork -Name beaker-clients -Subnet 192.168.160.0/24 -Mode Gateway -Gateway beaker-gw -VirtHost virthost-comm03
        $null = Add-QaEndpoint -Name koji-stg -Address 203.0.113.50 -Port 443/tcp -Environment stg
        """;

    private static List<string> Complete(PowerShellSession s, string line) =>
        s.Run($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches.CompletionText")
            .Where(o => o is not null).Select(o => (string)o.BaseObject).ToList();

    private static PowerShellSession FedoraWithAdditions()
    {
        var s = PowerShellSession.WithExample();
        s.Run(Additions);
        return s;
    }

    [Theory]
    // The ports of the endpoints named on the command line, in port order.
    [InlineData("Grant-QaEgress -Role beaker -Endpoint beaker-lab -Port ", "69/udp 80/tcp 443/tcp 8000/tcp")]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint koji -Port 4", "443/tcp")]
    [InlineData("Block-QaEgress -Role beaker -Endpoint koji,taskotron-master -Port ", "22/tcp 80/tcp 443/tcp 9989/tcp")]
    [InlineData("Test-QaReachability -From taskotron-client01 -To taskotron-master -Port 9", "9989/tcp")]
    [InlineData("Add-QaAssertion -From beaker-client01 -To beaker-lab -Port 6", "69/udp")]
    // Without an endpoint with ports: every port the policy's endpoints and rules use.
    [InlineData("Grant-QaIngress -From bastion -Role beaker -Port ", "22/tcp 69/udp 80/tcp 443/tcp 7080-7099/tcp 8000/tcp 8081/tcp 9989/tcp")]
    [InlineData("Test-QaReachability -From beaker-client01 -To beaker -Port 7", "7080-7099/tcp")]
    [InlineData("Add-QaEndpoint -Name web -Port 80", "80/tcp 8000/tcp 8081/tcp")]
    // The endpoint being set (Set-QaEndpoint -Name), the rule being set and its destinations (Set-QaRule -Id).
    [InlineData("Set-QaEndpoint -Name beaker-lab -Port ", "69/udp 80/tcp 443/tcp 8000/tcp")]
    [InlineData("Set-QaEndpoint -Name bastion -Port 2", "22/tcp")]
    [InlineData("Set-QaRule -Id beaker-harness -Port ", "7080-7099/tcp 8081/tcp")]
    [InlineData("Set-QaRule -Id taskotron-master -Port ", "22/tcp 80/tcp 443/tcp 9989/tcp")]
    // Virthosts: of the policy; of the network named (Add-QaClient); with gateways where a publish goes.
    [InlineData("Get-QaClient -VirtHost ", "virthost-comm01 virthost-comm02 virthost-comm03")]
    [InlineData("Get-QaNetwork -VirtHost virthost-comm0", "virthost-comm01 virthost-comm02 virthost-comm03")]
    [InlineData("New-QaIsolatedNetwork -Name n3 -Subnet 10.3.0.0/24 -Mode Nat -VirtHost virthost-comm03", "virthost-comm03")]
    [InlineData("Add-QaClient -Network beaker-clients -Name beaker-client09 -VirtHost ", "virthost-comm03")]
    [InlineData("Add-QaClient -Network qa-clients -Name taskotron-client09 -VirtHost ", "virthost-comm01 virthost-comm02")]
    [InlineData("Publish-QaNetwork -VirtHost ", "beaker-gw virthost-comm01 virthost-comm02 virthost-comm03")]
    [InlineData("Test-QaNetwork -VirtHost b", "beaker-gw")]
    [InlineData("Confirm-QaPublish -VirtHost virthost-comm02", "virthost-comm02")]
    [InlineData("Undo-QaPublish -VirtHost virthost-comm01", "virthost-comm01")]
    [InlineData("Test-QaVirtHost -VirtHost virthost-comm03", "virthost-comm03")]
    [InlineData("Grant-QaAccess -Group sysadmin-qa -Right shell -VirtHost virthost-comm03", "virthost-comm03")]
    // Environments the endpoints carry; users the policy's groups list.
    [InlineData("Get-QaEndpoint -Environment ", "prod stg")]
    [InlineData("Add-QaEndpoint -Name koji-dev -Address 203.0.113.51 -Environment s", "stg")]
    [InlineData("Set-QaEndpoint -Name koji -Environment ", "prod stg")]
    [InlineData("Test-QaAccess -User qa", "qaadmin1 qaadmin2 qabot")]
    [InlineData("Test-QaAccess -User adm", "admin1")]
    // Issue 17, nouns: the renames, Set-QaNetwork, Get-QaRule's association filters, Grant-QaEgress -ToClient.
    [InlineData("Rename-QaClient -Name beaker-client0", "beaker-client01 beaker-client02")]
    [InlineData("Rename-QaEndpoint -Name bas", "bastion")]
    [InlineData("Rename-QaNetwork -Name beaker-", "beaker-clients")]
    [InlineData("Rename-QaGroup -Name sysadmin-", "sysadmin-main sysadmin-qa")]
    [InlineData("Set-QaNetwork -Name beaker-clients -VirtHost virthost-comm0", "virthost-comm01 virthost-comm02 virthost-comm03")]
    [InlineData("Get-QaRule -Client beaker-client0", "beaker-client01 beaker-client02")]
    [InlineData("Get-QaRule -Role t", "taskotron")]
    [InlineData("Get-QaRule -Endpoint koji", "koji kojipkgs koji-stg")]
    [InlineData("Get-QaRule -Port 8", "80/tcp 8000/tcp 8081/tcp")]
    [InlineData("Grant-QaEgress -Role taskotron -ToClient beaker-client0", "beaker-client01 beaker-client02")]
    public void Ports_virthosts_environments_and_users_complete_from_the_policy(string line, string expected)
    {
        using var s = FedoraWithAdditions();
        Assert.Equal(expected.Split(' '), Complete(s, line));
    }

    [Fact]
    public void Ports_complete_from_the_policy_given_with_Policy_not_only_the_current_one()
    {
        using var s = PowerShellSession.WithExample();
        s.Run("$null = New-QaPolicy -Name other");
        Assert.Equal(["80/tcp", "8000/tcp"], Complete(s, "Grant-QaEgress -Policy $p -Role beaker -Endpoint beaker-lab -Port 8"));
        Assert.Empty(Complete(s, "Grant-QaEgress -Role beaker -Endpoint beaker-lab -Port 8"));
    }

    [Fact]
    public void Lab_prefixes_complete_from_the_labs_whose_state_is_on_this_machine()
    {
        var root = Directory.CreateTempSubdirectory("qanet-complete-").FullName;
        try
        {
            var options = new QaLabOptions { RootDirectory = root };
            foreach (var prefix in new[] { "qzb-", "qza-" })
            {
                var dir = QaLab.DirectoryFor(prefix, options);
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "state.json"), new QaLabState { Prefix = prefix, Policy = "p", Directory = dir, Status = QaLabState.Running }.ToJson());
            }

            Directory.CreateDirectory(QaLab.DirectoryFor("qzc-", options));   // no state: not a lab

            var completer = new LabPrefixCompleter(options);
            Assert.Equal(["qza-", "qzb-"], completer.CompleteArgument("Get-QaLab", "Prefix", "qz", null!, new Hashtable()).Select(r => r.CompletionText));
            Assert.Equal(["qzb-"], completer.CompleteArgument("Stop-QaLab", "Prefix", "'QZB", null!, new Hashtable()).Select(r => r.CompletionText));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Get_QaLab_and_Stop_QaLab_complete_their_prefix_from_the_running_labs()
    {
        using var s = new PowerShellSession();
        var completers = s.Run("""
            'Get-QaLab', 'Stop-QaLab' | ForEach-Object { (Get-Command $_).Parameters['Prefix'].Attributes |
                Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } | ForEach-Object { $_.Type.Name } }
            """).Select(o => (string)o.BaseObject);
        Assert.Equal([nameof(LabPrefixCompleter), nameof(LabPrefixCompleter)], completers);
    }

    /// <summary>
    /// Every -Port, -VirtHost, -Environment, -User and -Prefix of every QaNet cmdlet completes (issue 17:
    /// "-VirtHost everywhere"); a new cmdlet with one of them and no completer fails here. Start-QaLab's
    /// -Prefix names a new lab: the running labs' prefixes are exactly the values it refuses.
    /// </summary>
    [Fact]
    public void Every_port_virthost_environment_user_and_prefix_parameter_has_a_completer()
    {
        using var s = new PowerShellSession();
        var found = s.Run("""
            $names = 'Port', 'VirtHost', 'Environment', 'User', 'Prefix'
            foreach ($c in Get-Command -Module QaNet.Commands) {
                foreach ($p in $c.Parameters.Values | Where-Object Name -in $names) {
                    if ($c.Name -eq 'Start-QaLab' -and $p.Name -eq 'Prefix') { continue }
                    $has = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] })
                    "$($c.Name) -$($p.Name):$has"
                }
            }
            """).Select(o => (string)o.BaseObject).ToList();
        // Not vacuous: the hosted module is QaNet.Commands, and these are among the parameters looked at.
        Assert.Contains("Grant-QaEgress -Port:True", found);
        Assert.Contains("Publish-QaNetwork -VirtHost:True", found);
        Assert.True(found.Count >= 20, $"only {found.Count} parameters were checked");
        var missing = found.Where(f => f.EndsWith(":False", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "no completer: " + string.Join(", ", missing));
    }
}
