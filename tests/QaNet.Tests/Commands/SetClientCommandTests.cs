using System.Management.Automation;
using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>Set-QaClient as a user runs it: by name, piped, -WhatIf, errors, completion.</summary>
public sealed class SetClientCommandTests
{
    /// <summary>The common test policy with qa-clients spanning a second virthost.</summary>
    private static PowerShellSession TwoHosts()
    {
        var s = new PowerShellSession();
        s.Run(PowerShellSession.QaPolicyScript.Replace("-VirtHost virthost-comm01", "-VirtHost virthost-comm01, virthost-comm02", StringComparison.Ordinal));
        return s;
    }

    private static string State(PowerShellSession s) =>
        string.Join(";", s.Single<QaPolicy>("$p").Clients.Select(c => $"{c.Name},{c.VirtHost},{c.MacAddress},{c.Address},{string.Join("+", c.Roles)}")) +
        "|" + string.Join(",", s.Single<QaPolicy>("$p").Networks[0].VirtHosts);

    [Fact]
    public void Moves_a_client_by_name_and_says_which_hosts_to_publish()
    {
        using var s = TwoHosts();
        var output = s.Run("Set-QaClient taskotron-client01 -VirtHost virthost-comm02 -PassThru -Verbose 4>&1");
        var client = Assert.Single(output.Select(o => o.BaseObject).OfType<QaClient>());
        Assert.Equal(("taskotron-client01", "virthost-comm02"), (client.Name, client.VirtHost));
        var verbose = output.Select(o => o.BaseObject).OfType<VerboseRecord>().Select(v => v.Message).ToList();
        Assert.Contains(verbose, m => m.Contains("moved from virthost 'virthost-comm01' to 'virthost-comm02'", StringComparison.Ordinal));
        Assert.Contains(verbose, m => m.Contains("VirtHost 'virthost-comm01' -> 'virthost-comm02'", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_PassThru_there_is_no_output()
    {
        using var s = TwoHosts();
        Assert.Empty(s.Run("Set-QaClient beaker-client01 -AddRole x86"));
        Assert.Equal(["beaker", "x86"], s.Single<QaPolicy>("$p").FindClient("beaker-client01")!.Roles);
    }

    [Fact]
    public void Piped_clients_bind_to_InputObject_and_all_move()
    {
        using var s = TwoHosts();
        s.Run("Get-QaClient -Role taskotron | Set-QaClient -VirtHost virthost-comm02");
        Assert.Equal(["taskotron-client01", "taskotron-client02"], s.Run("Get-QaClient -VirtHost virthost-comm02").Select(o => ((QaClient)o.BaseObject).Name));
    }

    [Fact]
    public void Objects_with_a_Name_bind_by_property_name()
    {
        using var s = TwoHosts();
        s.Run("[pscustomobject]@{ Name = 'beaker-client01' } | Set-QaClient -VirtHost virthost-comm02");
        Assert.Equal("virthost-comm02", s.Single<QaPolicy>("$p").FindClient("beaker-client01")!.VirtHost);
    }

    [Fact]
    public void Roles_are_replaced_added_and_removed()
    {
        using var s = TwoHosts();
        s.Run("Set-QaClient taskotron-client02 -Role a, b -AddRole c -RemoveRole a");
        Assert.Equal(["b", "c"], s.Single<QaPolicy>("$p").FindClient("taskotron-client02")!.Roles);
        s.Run("Set-QaClient taskotron-client02 -Role @()");
        Assert.Empty(s.Single<QaPolicy>("$p").FindClient("taskotron-client02")!.Roles);
    }

    [Theory]
    [InlineData("Set-QaClient taskotron-client01 -VirtHost virthost-comm02 -MacAddress 52:54:00:00:00:01 -WhatIf")]
    [InlineData("Get-QaClient | Set-QaClient -VirtHost virthost-comm02 -AddRole x -WhatIf")]
    [InlineData("Set-QaClient beaker-client01 -VirtHost virthost-comm09 -ExtendNetwork -WhatIf")]
    public void WhatIf_changes_nothing(string script)
    {
        using var s = TwoHosts();
        var before = State(s);
        Assert.Empty(s.Run(script));
        Assert.Equal(before, State(s));
    }

    [Theory]
    [InlineData("Set-QaClient nope -VirtHost virthost-comm02", "NotFound")]
    [InlineData("Set-QaClient taskotron-client01 -VirtHost virthost-comm09", "UnknownVirtHost")]
    [InlineData("Set-QaClient taskotron-client01 -VirtHost virthost-comm02 -Address (Get-QaClient beaker-client01).Address", "DuplicateAddress")]
    [InlineData("Set-QaClient taskotron-client01 -VirtHost virthost-comm02 -MacAddress (Get-QaClient beaker-client01).MacAddress", "DuplicateMacAddress")]
    [InlineData("Set-QaClient taskotron-client01 -MacAddress 01:00:5e:00:00:01", "InvalidMacAddress")]
    [InlineData("Set-QaClient taskotron-client01 -Address 10.1.1.1", "AddressOutsideSubnet")]
    [InlineData("Set-QaClient taskotron-client01 -Address not-an-ip", "InvalidAddress")]
    [InlineData("Set-QaClient beaker-client01 -RemoveRole beaker -VirtHost virthost-comm02", "InUse")]
    [InlineData("$o = New-QaPolicy -Name other; Get-QaClient -Policy $p beaker-client01 | Set-QaClient -Policy $o -VirtHost virthost-comm02", "PolicyMismatch")]
    public void Bad_values_give_a_stable_error_id_and_change_nothing(string script, string id)
    {
        using var s = TwoHosts();
        var before = State(s);
        Assert.Equal(id + ",QaNet.Commands.SetQaClientCommand", s.ErrorId(script));
        Assert.Equal(before, State(s));
    }

    [Fact]
    public void One_bad_client_does_not_stop_the_others()
    {
        using var s = TwoHosts();
        var errors = s.Errors("Set-QaClient taskotron-client01, nope, beaker-client01 -VirtHost virthost-comm02");
        Assert.Equal("NotFound,QaNet.Commands.SetQaClientCommand", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Equal(2, s.Run("Get-QaClient -VirtHost virthost-comm02").Count);
    }

    [Fact]
    public void ExtendNetwork_makes_the_network_span_the_new_host()
    {
        using var s = TwoHosts();
        s.Run("Set-QaClient beaker-client01 -VirtHost virthost-comm03 -ExtendNetwork");
        Assert.Equal(["virthost-comm01", "virthost-comm02", "virthost-comm03"], s.Single<QaNetwork>("Get-QaNetwork qa-clients").VirtHosts);
        Assert.Equal("beaker-client01", s.Single<QaClient>("Get-QaClient -VirtHost virthost-comm03").Name);
    }

    [Fact]
    public void VirtHost_completes_the_virthosts_of_the_named_clients_network()
    {
        using var s = TwoHosts();
        s.Run("$null = New-QaIsolatedNetwork -Name other -Subnet 10.9.0.0/24 -Mode Nat -VirtHost virthost-other");
        string[] Complete(string line) => s.Run($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches.CompletionText")
            .Select(o => (string)o.BaseObject).ToArray();
        Assert.Equal(["virthost-comm01", "virthost-comm02"], Complete("Set-QaClient -Name beaker-client01 -VirtHost virthost-"));
        Assert.Equal(["virthost-comm01", "virthost-comm02", "virthost-other"], Complete("Set-QaClient -VirtHost virthost-"));
    }
}
