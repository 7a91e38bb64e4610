using QaNet.Core.Model;
using QaNet.Policy;

namespace QaNet.Tests.Commands;

/// <summary>
/// -WhatIf validates (issue 17, bug 2): for every mutating policy cmdlet, an invalid call under
/// -WhatIf gives the error the real call gives (same id), neither changes the policy, and a
/// valid -WhatIf gives no error and changes nothing while the same call for real does change it.
/// Each row runs against the Fedora example, as the user did.
/// </summary>
public sealed class WhatIfValidationTests
{
    /// <summary>A call that the real cmdlet refuses, and the id it refuses it with.</summary>
    private static readonly (string Call, string ErrorId)[] Invalid =
    [
        ("Grant-QaEgress -Role taskotron -Endpoint kojii", "UnknownReference"),
        ("Grant-QaEgress -Role taskotron -Endpoint koji -Port 443/tpc", "InvalidPort"),
        ("Grant-QaEgress -Role no-such-role -Endpoint koji", "UnknownReference"),
        ("Grant-QaEgress -Role taskotron -Endpoint koji -Id taskotron-koji", "DuplicateRuleId"),
        ("Grant-QaEgress -Role taskotron -Endpoint koji -Id Upper-Id", "InvalidName"),
        ("Block-QaEgress -Role beaker -Endpoint koji -Port 70000/tcp", "InvalidPort"),
        ("Grant-QaIngress -From kojii -Role beaker -Port 22/tcp", "UnknownReference"),
        ("Add-QaClient -Network qa-clients -Name beaker-client01", "DuplicateClientName"),
        ("Add-QaClient -Network qa-clients -Name c9 -Address 10.0.0.5", "AddressOutsideSubnet"),
        ("Add-QaClient -Network qa-clients -Name New-Client", "InvalidName"),
        ("Add-QaClient -Network no-such-network -Name c9", "NotFound"),
        ("New-QaIsolatedNetwork -Name n2 -Subnet 192.168.150.0/25 -Mode Nat -VirtHost virthost-comm01", "SubnetOverlap"),
        ("New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/33 -Mode Nat -VirtHost virthost-comm01", "InvalidSubnet"),
        ("New-QaIsolatedNetwork -Name qa-clients -Subnet 10.9.0.0/24 -Mode Nat -VirtHost virthost-comm01", "DuplicateNetwork"),
        ("Add-QaEndpoint -Name koji -Address 10.0.0.1", "DuplicateEndpoint"),
        ("Add-QaEndpoint -Name e1 -Address 10.0.0.1 -Port 443/tpc", "InvalidPort"),
        ("Set-QaClient -Name beaker-client01 -Address 192.168.150.10", "DuplicateAddress"),
        ("Set-QaClient -Name beaker-client01 -VirtHost elsewhere", "UnknownVirtHost"),
        ("Set-QaClient -Name no-such-client -VirtHost virthost-comm01", "NotFound"),
        ("Add-QaGroup -Name 'bad group' -Member u1", "InvalidName"),
        ("Add-QaGroup -Name sysadmin-qa -Member 'Bad User'", "InvalidUserName"),
        ("Grant-QaAccess -Group no-such-group -HostName bastion -Right Shell", "UnknownReference"),
        ("Grant-QaAccess -Group sysadmin-qa -HostName no-such-host -Right Shell", "UnknownReference"),
        ("Add-QaAssertion -From nobody -To koji -Port 443/tcp -Expect Allow", "UnknownReference"),
        ("Add-QaAssertion -From taskotron-client01 -To koji -Port 80-90/tcp -Expect Allow", "InvalidPort"),
        ("Get-QaAssertion | Select-Object -First 1 | Remove-QaAssertion -Policy ([QaNet.Core.Model.QaPolicy]::new('other'))", "NotFound"),
        ("Remove-QaClient -Name taskotron-client01", "InUse"),
        ("Remove-QaNetwork -Name qa-clients", "InUse"),
        ("Revoke-QaRule -Id no-such-rule", "NotFound"),
        ("Revoke-QaAccess -Id no-such-grant", "NotFound"),
        ("New-QaPolicy -Name 'bad name'", "InvalidName"),
        ("Set-QaEndpoint -Name koji -Port 443/tpc", "InvalidPort"),
        ("Set-QaEndpoint -Name koji -Address 10.0.0.300", "InvalidSubnet"),
        ("Set-QaEndpoint -Name koji -Port @()", "PortsRequired"),
        ("Set-QaEndpoint -Name no-such-endpoint -Port 443/tcp", "NotFound"),
        ("Remove-QaEndpoint -Name koji", "InUse"),
        ("Set-QaRule -Id beaker-lab -Port 443/tpc", "InvalidPort"),
        ("Set-QaRule -Id bastion-ssh -Port @()", "PortsRequired"),
        ("Enable-QaRule -Id no-such-rule", "NotFound"),
        ("Disable-QaRule -Id no-such-rule", "NotFound"),
        ("Remove-QaGroup -Name sysadmin-qa", "InUse"),
        ("Add-QaHostName -Name bad_name.example.org -Address 10.0.0.1", "InvalidHostName"),
        ("Add-QaHostName -Name new.example.org -Address 10.0.0.300", "InvalidAddress"),
        ("Remove-QaHostName -Name koji.fedoraproject.org", "InUse"),
        ("Set-QaNetwork -Name qa-clients -Subnet 10.9.0.0/24", "AddressOutsideSubnet"),
        ("Set-QaNetwork -Name qa-clients -Bridge 'br bad'", "InvalidBridgeName"),
        ("Set-QaNetwork -Name no-such-network -Bridge br0", "NotFound"),
        ("Rename-QaClient -Name beaker-client01 -NewName beaker-client02", "DuplicateClientName"),
        ("Rename-QaClient -Name beaker-client01 -NewName Beaker-Client09", "InvalidName"),
        ("Rename-QaEndpoint -Name koji -NewName bodhi", "DuplicateEndpoint"),
        ("Rename-QaEndpoint -Name koji -NewName beaker-client01", "NameConflict"),
        ("Rename-QaNetwork -Name qa-clients -NewName 'qa clients'", "InvalidName"),
        ("Rename-QaNetwork -Name no-such-network -NewName n2", "NotFound"),
        ("Rename-QaGroup -Name sysadmin-qa -NewName sysadmin-main", "DuplicateGroup"),
        ("Grant-QaEgress -Role taskotron -ToClient beaker-client01", "PortsRequired"),
    ];

    /// <summary>A valid call: -WhatIf changes nothing and writes no error; for real it changes the policy.</summary>
    private static readonly string[] Valid =
    [
        "Grant-QaEgress -Role BEAKER -Endpoint koji",
        "Grant-QaIngress -From lockbox -Role beaker -Port 2222/tcp",
        "Block-QaEgress -Role taskotron -Endpoint qa-lan -Port 22/tcp",
        "Add-QaClient -Network qa-clients -Name c9 -Role beaker",
        "New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Nat -VirtHost virthost-comm01",
        "Add-QaEndpoint -Name e1 -Address 10.0.0.1 -Port 443/tcp",
        "Set-QaClient -Name beaker-client01 -VirtHost virthost-comm01",
        "Add-QaGroup -Name new-group -Member u1",
        "Grant-QaAccess -Group sysadmin-qa -HostName lockbox -Right Shell",
        "Add-QaAssertion -From beaker-client01 -To koji -Port 80/tcp -Expect Deny",
        "Get-QaAssertion | Select-Object -First 1 | Remove-QaAssertion",
        "Remove-QaClient -Name taskotron-client01 -Force",
        "Remove-QaNetwork -Name qa-clients -Force",
        "Revoke-QaRule -Id beaker-lab",
        "Revoke-QaAccess -Id sysadmin-qa-bastion",
        "Set-QaEndpoint -Name koji -Port 8443/tcp",
        "Remove-QaEndpoint -Name qa-lan",
        "Set-QaRule -Id beaker-lab -Priority 50",
        "Disable-QaRule -Id beaker-lab",
        "Enable-QaRule -Id beaker-lab",
        "Remove-QaGroup -Name sysadmin-main -Force",
        "Add-QaHostName -Name new.example.org -Address 10.0.0.1",
        "Remove-QaHostName -Name koji.fedoraproject.org -Force",
        "Set-QaNetwork -Name qa-clients -Subnet 192.168.150.0/23",
        "Rename-QaClient -Name taskotron-client01 -NewName taskotron-client11",
        "Rename-QaEndpoint -Name bastion -NewName jump01",
        "Rename-QaNetwork -Name qa-clients -NewName qa-clients2",
        "Rename-QaGroup -Name sysadmin-qa -NewName qa-admins",
        "Grant-QaEgress -Role taskotron -ToClient beaker-client01 -Port 8080/tcp",
    ];

    /// <summary>What a valid row needs done first (for real), so that it has something to change.</summary>
    private static readonly Dictionary<string, string> SetUp = new(StringComparer.Ordinal)
    {
        ["Enable-QaRule -Id beaker-lab"] = "$null = Disable-QaRule -Id beaker-lab",
    };

    public static TheoryData<string, string> InvalidCalls()
    {
        var data = new TheoryData<string, string>();
        foreach (var (call, errorId) in Invalid)
        {
            data.Add(call, errorId);
        }

        return data;
    }

    public static TheoryData<string> ValidCalls => new(Valid);

    [Theory]
    [MemberData(nameof(InvalidCalls))]
    public void WhatIf_gives_the_error_of_the_real_call_and_neither_changes_the_policy(string call, string errorId)
    {
        using var s = PowerShellSession.WithExample();
        var before = Policy(s);

        var real = ErrorIds(s, call + " -Confirm:$false");
        Assert.Equal(before, Policy(s));
        var whatIf = ErrorIds(s, call + " -WhatIf");
        Assert.Equal(before, Policy(s));

        Assert.Equal(errorId, Assert.Single(real).Split(',')[0]);
        Assert.Equal(real, whatIf);
    }

    [Theory]
    [MemberData(nameof(ValidCalls))]
    public void A_valid_WhatIf_gives_no_error_and_changes_nothing_while_the_real_call_changes_the_policy(string call)
    {
        using var s = PowerShellSession.WithExample();
        if (SetUp.TryGetValue(call, out var setUp))
        {
            s.Run(setUp);
        }

        var before = Policy(s);

        s.Run(call + " -WhatIf");
        Assert.Equal(before, Policy(s));

        s.Run(call + " -Confirm:$false");
        Assert.NotEqual(before, Policy(s));
    }

    /// <summary>
    /// Every cmdlet that changes a policy is in both tables, so a new one (Set-QaEndpoint,
    /// Set-QaRule, …) is held to the same rule: route its change through QaCmdlet.TryChange and
    /// add its rows here.
    /// </summary>
    [Fact]
    public void Every_policy_changing_cmdlet_has_rows_in_both_tables()
    {
        string[] policyVerbs = ["Add", "Set", "Remove", "Grant", "Revoke", "Block", "New", "Enable", "Disable", "Rename"];
        var cmdlets = typeof(QaNet.Commands.AddQaClientCommand).Assembly.GetTypes()
            .Select(t => t.GetCustomAttributes(typeof(System.Management.Automation.CmdletAttribute), false)
                .Cast<System.Management.Automation.CmdletAttribute>().FirstOrDefault())
            .Where(a => a is { SupportsShouldProcess: true } && policyVerbs.Contains(a.VerbName))
            .Select(a => $"{a!.VerbName}-{a.NounName}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("Grant-QaEgress", cmdlets);
        Assert.Contains("Enable-QaRule", cmdlets);
        Assert.Contains("Rename-QaGroup", cmdlets);
        static string CmdletOf(string call) => call.Split(' ')[0] == "Get-QaAssertion" ? "Remove-QaAssertion" : call.Split(' ')[0];
        // New-QaPolicy makes a new policy the current one, which the valid rows' check cannot see change.
        var invalid = Invalid.Select(row => CmdletOf(row.Call)).ToHashSet(StringComparer.Ordinal);
        var valid = Valid.Select(CmdletOf).Append("New-QaPolicy").ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Array.Empty<string>(), cmdlets.Where(c => !invalid.Contains(c)));
        Assert.Equal(Array.Empty<string>(), cmdlets.Where(c => !valid.Contains(c)));
    }

    /// <summary>The whole policy as its file would say it: any change shows.</summary>
    private static string Policy(PowerShellSession s) => PolicyYaml.Serialize(s.Single<QaPolicy>("Get-QaPolicy"));

    private static List<string> ErrorIds(PowerShellSession s, string script) =>
        s.Errors(script).Select(e => e.FullyQualifiedErrorId).ToList();
}
