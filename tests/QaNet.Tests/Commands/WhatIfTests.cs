using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

public sealed class WhatIfTests
{
    [Theory]
    [InlineData("Remove-QaNetwork -Name qa-clients -Force -WhatIf")]
    [InlineData("Get-QaNetwork | Remove-QaNetwork -Force -WhatIf")]
    [InlineData("Remove-QaClient -Name taskotron-client01 -WhatIf")]
    [InlineData("Get-QaClient | Remove-QaClient -Force -WhatIf")]
    [InlineData("Revoke-QaRule -Id egress-taskotron-koji -WhatIf")]
    [InlineData("Get-QaRule | Revoke-QaRule -WhatIf")]
    [InlineData("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Nat -VirtHost vh -WhatIf")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -WhatIf")]
    [InlineData("Add-QaEndpoint -Name e1 -Address 10.0.0.1 -WhatIf")]
    [InlineData("Grant-QaEgress -Role taskotron -Endpoint bastion -WhatIf")]
    [InlineData("Grant-QaIngress -From koji -Role taskotron -Port 22/tcp -WhatIf")]
    [InlineData("Block-QaEgress -Role beaker -Endpoint koji -WhatIf")]
    [InlineData("$null = New-QaPolicy -Name other -WhatIf")]
    public void WhatIf_changes_nothing(string script)
    {
        using var s = PowerShellSession.WithQaPolicy();
        var before = Snapshot(s);
        Assert.Empty(s.Run(script));
        Assert.Equal(before, Snapshot(s));
        Assert.Equal("qa", s.Single<QaPolicy>("Get-QaPolicy").Name);
    }

    [Fact]
    public void Removals_ask_first_because_their_impact_is_high()
    {
        using var s = new PowerShellSession();
        Assert.Equal(
            new[] { "Remove-QaClient:High", "Remove-QaNetwork:High", "Revoke-QaRule:High", "Remove-QaAssertion:High", "Revoke-QaAccess:High",
                "Remove-QaEndpoint:High", "Remove-QaGroup:High", "Remove-QaHostName:High" }.Order(StringComparer.Ordinal),
            s.Run("""
                Get-Command -Module QaNet.Commands -Verb Remove, Revoke |
                  ForEach-Object { '{0}:{1}' -f $_.Name, $_.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact }
                """).Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal));
    }

    private static string Snapshot(PowerShellSession s)
    {
        var p = s.Single<QaPolicy>("$p");
        return string.Join("|", p.Networks.Select(n => n.Name)) + "/" + string.Join("|", p.Clients.Select(c => c.Name)) + "/" +
               string.Join("|", p.Endpoints.Select(e => e.Name)) + "/" + string.Join("|", p.Rules.Select(r => r.Id));
    }
}
