using QaNet.Core.Model;
using QaNet.Policy;

namespace QaNet.Tests.Commands;

/// <summary>
/// One name rule for the module (issue 17, bug 5; docs/policy-format.md, Names): a name given
/// to find or name something that exists is matched without regard to case, by every cmdlet;
/// a new name must be lowercase. Each row runs a cmdlet with the lower-case spelling of a name
/// of the Fedora example and, in a fresh session, with the upper-case spelling: both succeed,
/// write the same output and leave the same policy.
/// </summary>
public sealed class NameCaseTests
{
    /// <summary>A call with <c>{0}</c> where a name goes, and that name as the policy spells it.</summary>
    public static TheoryData<string, string> NamingCalls => new()
    {
        { "Get-QaClient -Name {0}", "beaker-client01" },
        { "Remove-QaClient -Name {0} -Force -Confirm:$false -PassThru", "beaker-client01" },
        { "[pscustomobject]@{{ Name = '{0}' }} | Remove-QaClient -Force -Confirm:$false -PassThru", "beaker-client01" },
        { "Set-QaClient -Name {0} -VirtHost virthost-comm01 -PassThru", "beaker-client01" },
        { "Set-QaClient -Name beaker-client01 -VirtHost {0} -PassThru", "virthost-comm01" },
        { "Set-QaClient -Name beaker-client01 -RemoveRole {0} -PassThru", "beaker" },
        { "Set-QaClient -Name beaker-client01 -AddRole {0} -PassThru", "taskotron" },
        { "Add-QaClient -Network {0} -Name c9", "qa-clients" },
        { "Add-QaClient -Network qa-clients -Name c9 -Role {0} -VirtHost virthost-comm02", "beaker" },
        { "Add-QaClient -Network qa-clients -Name c9 -VirtHost {0}", "virthost-comm02" },
        { "Remove-QaNetwork -Name {0} -Force -Confirm:$false -PassThru", "qa-clients" },
        { "New-QaIsolatedNetwork -Name n2 -Subnet 10.9.0.0/24 -Mode Nat -VirtHost {0}", "virthost-comm01" },
        { "Revoke-QaRule -Id {0} -Confirm:$false -PassThru", "beaker-lab" },
        { "Grant-QaEgress -Role {0} -Endpoint koji", "beaker" },
        { "Grant-QaEgress -Client {0} -Endpoint koji", "beaker-client01" },
        { "Grant-QaEgress -Role beaker -Endpoint {0}", "koji" },
        { "Block-QaEgress -Role {0} -Endpoint qa-lan -Port 22/tcp", "taskotron" },
        { "Grant-QaIngress -From {0} -Role beaker -Port 2222/tcp", "lockbox" },
        { "Grant-QaIngress -From lockbox -Client {0} -Port 2222/tcp", "beaker-client01" },
        { "Revoke-QaAccess -Id {0} -Confirm:$false -PassThru", "sysadmin-qa-bastion" },
        { "Grant-QaAccess -Group {0} -HostName lockbox -Right Shell", "sysadmin-qa" },
        { "Grant-QaAccess -Group sysadmin-qa -HostName {0} -Right Shell", "lockbox" },
        { "Grant-QaAccess -Group sysadmin-qa -Role {0} -Right Shell", "beaker" },
        { "Grant-QaAccess -Group qa-automation-shell -VirtHost {0} -Right Shell", "virthost-comm01" },
        { "Grant-QaAccess -Group qa-automation-shell -Network {0} -Right Shell", "qa-clients" },
        { "Add-QaGroup -Name {0} -Member newuser", "sysadmin-qa" },
        { "Get-QaAccess -HostName {0}", "lockbox" },
        { "Add-QaAssertion -From {0} -To koji -Port 443/tcp -Expect Deny", "beaker-client01" },
        { "Add-QaAssertion -From beaker-client01 -To {0} -Port 443/tcp -Expect Deny", "koji" },
        { "Test-QaReachability -From {0} -To koji -Port 443/tcp", "taskotron-client01" },
        { "Test-QaReachability -From taskotron-client01 -To {0} -Port 443/tcp", "koji" },
        { "Test-QaReachability -From {0} -To koji -Port 443/tcp", "taskotron" },
        { "Test-QaAccess -User qaadmin1 -HostName {0}", "beaker-client01" },
        { "Test-QaAccess -User qaadmin1 -HostName beaker-client01 -Via {0}", "bastion" },
        { "Get-QaRuleset -VirtHost {0} -Backend Nft -AsText", "virthost-comm01" },
        { "Get-QaEndpoint -Name {0}", "koji" },
        { "Set-QaEndpoint -Name {0} -Port 8443/tcp -PassThru", "koji" },
        { "[pscustomobject]@{{ Name = '{0}' }} | Set-QaEndpoint -Description changed -PassThru", "koji" },
        { "Remove-QaEndpoint -Name {0} -Confirm:$false -PassThru", "qa-lan" },
        { "Remove-QaEndpoint -Name {0} -Force -Confirm:$false -PassThru", "koji" },
        { "Get-QaRule -Id {0}", "beaker-lab" },
        { "Set-QaRule -Id {0} -Priority 50 -PassThru", "beaker-lab" },
        { "Disable-QaRule -Id {0} -PassThru", "beaker-lab" },
        { "Disable-QaRule -Id beaker-lab; Enable-QaRule -Id {0} -PassThru", "beaker-lab" },
        { "Remove-QaGroup -Name {0} -Force -Confirm:$false -PassThru", "sysadmin-main" },
        { "Get-QaHostName -Name {0}", "koji.fedoraproject.org" },
        { "Get-QaHostName -Name {0}.", "koji.fedoraproject.org" },
        { "Add-QaHostName -Name {0} -Address 203.0.113.99", "koji.fedoraproject.org" },
        { "Remove-QaHostName -Name {0} -Force -Confirm:$false -PassThru 3>$null", "koji.fedoraproject.org" },
        { "Set-QaEndpoint -Name koji -HostName {0} -PassThru", "koji.fedoraproject.org" },
        { "Set-QaNetwork -Name {0} -Bridge br-qa2 -PassThru", "qa-clients" },
        { "Set-QaNetwork -Name qa-clients -VirtHost {0}, virthost-comm02 -PassThru", "virthost-comm01" },
        { "Rename-QaClient -Name {0} -NewName beaker-client09 -PassThru", "beaker-client01" },
        { "Rename-QaEndpoint -Name {0} -NewName jump01 -PassThru", "bastion" },
        { "Rename-QaNetwork -Name {0} -NewName qa-clients2 -PassThru", "qa-clients" },
        { "Rename-QaGroup -Name {0} -NewName qa-admins -PassThru", "sysadmin-qa" },
        { "Get-QaRule -Client {0}", "beaker-client01" },
        { "Get-QaRule -Role {0}", "beaker" },
        { "Get-QaRule -Endpoint {0}", "koji" },
        { "Grant-QaEgress -Role taskotron -ToClient {0} -Port 8080/tcp", "beaker-client01" },
    };

    [Theory]
    [MemberData(nameof(NamingCalls))]
    public void An_upper_case_name_acts_on_the_same_object_as_the_lower_case_one(string call, string name)
    {
        Assert.Equal(name, name.ToLowerInvariant());
        var lower = Run(string.Format(System.Globalization.CultureInfo.InvariantCulture, call, name));
        var upper = Run(string.Format(System.Globalization.CultureInfo.InvariantCulture, call, name.ToUpperInvariant()));
        Assert.NotEqual(string.Empty, lower.Output.Trim());
        Assert.Equal(lower.Output, upper.Output);
        Assert.Equal(lower.Policy, upper.Policy);
    }

    /// <summary>New names are lowercase: an upper-case one is refused (InvalidName), not folded, and nothing changes.</summary>
    [Theory]
    [InlineData("Add-QaClient -Network qa-clients -Name New-Client")]
    [InlineData("New-QaIsolatedNetwork -Name N2 -Subnet 10.9.0.0/24 -Mode Nat -VirtHost virthost-comm01")]
    [InlineData("Add-QaEndpoint -Name E1 -Address 10.0.0.1 -Port 443/tcp")]
    [InlineData("Grant-QaEgress -Role beaker -Endpoint koji -Id My-Rule")]
    [InlineData("Grant-QaAccess -Group sysadmin-qa -HostName lockbox -Right Shell -Id My-Grant")]
    [InlineData("Add-QaGroup -Name New-Group -Member u1")]
    [InlineData("Set-QaClient -Name beaker-client01 -AddRole New-Role")]
    [InlineData("Add-QaClient -Network qa-clients -Name c9 -Role New-Role")]
    [InlineData("Set-QaClient -Name beaker-client01 -VirtHost New-Host -ExtendNetwork")]
    [InlineData("Rename-QaClient -Name beaker-client01 -NewName Beaker-Client09")]
    [InlineData("Rename-QaEndpoint -Name koji -NewName Koji2")]
    [InlineData("Rename-QaNetwork -Name qa-clients -NewName QA-Clients")]
    [InlineData("Rename-QaGroup -Name sysadmin-qa -NewName SysAdmin-QA")]
    public void A_new_name_in_upper_case_is_InvalidName(string call)
    {
        using var s = PowerShellSession.WithExample();
        var before = PolicyYaml.Serialize(s.Single<QaPolicy>("Get-QaPolicy"));
        Assert.StartsWith("InvalidName,", s.ErrorId(call), StringComparison.Ordinal);
        Assert.Equal(before, PolicyYaml.Serialize(s.Single<QaPolicy>("Get-QaPolicy")));
    }

    /// <summary>What is stored spells the name as the policy does, so the file and every renderer see one name.</summary>
    [Fact]
    public void A_reference_given_in_upper_case_is_stored_as_the_policy_spells_it()
    {
        using var s = PowerShellSession.WithExample();
        var rule = s.Single<QaRule>("Grant-QaEgress -Client BEAKER-CLIENT01 -Endpoint KOJI");
        Assert.Equal(new[] { "client:beaker-client01" }, rule.From.Select(f => f.ToString()));
        Assert.Equal(new[] { "endpoint:koji" }, rule.To.Select(t => t.ToString()));
        rule = s.Single<QaRule>("Grant-QaEgress -Role BEAKER -Endpoint KOJIPKGS");
        Assert.Equal(("egress-beaker-kojipkgs", "role:beaker"), (rule.Id, rule.From[0].ToString()));
        var grant = s.Single<QaAccessGrant>("Grant-QaAccess -Group SYSADMIN-QA -HostName LOCKBOX -Right Shell");
        Assert.Equal("sysadmin-qa", grant.Group);
        Assert.Equal(new[] { "host:lockbox" }, grant.Hosts.Select(h => h.ToString()));
        var assertion = s.Single<QaAssertion>("Add-QaAssertion -From BEAKER-CLIENT01 -To KOJI -Port 443/tcp -Expect Deny");
        Assert.Equal(("beaker-client01", "koji"), (assertion.From, assertion.To));
        // Host names are DNS names: one the name map has is stored as the map spells it, a new one as given.
        var endpoint = s.Single<QaEndpoint>("Add-QaEndpoint -Name e1 -HostName KOJI.FedoraProject.org, New.Example.org");
        Assert.Equal(new[] { "koji.fedoraproject.org", "New.Example.org" }, endpoint.HostNames);
        endpoint = s.Single<QaEndpoint>("Set-QaEndpoint -Name KOJI -HostName Bodhi.FEDORAPROJECT.org -PassThru");
        Assert.Equal("koji", endpoint.Name);
        Assert.Equal(new[] { "bodhi.fedoraproject.org" }, endpoint.HostNames);
    }

    /// <summary>The file spells references exactly: what export writes, so an upper-case one is refused.</summary>
    [Theory]
    [InlineData("from: role:taskotron\n    to: endpoint:taskotron-master", "from: role:TASKOTRON\n    to: endpoint:taskotron-master")]
    [InlineData("from: role:taskotron\n    to: endpoint:taskotron-master", "from: role:taskotron\n    to: endpoint:Taskotron-Master")]
    public void An_upper_case_reference_in_the_file_is_InvalidName(string original, string changed)
    {
        var text = ExamplePolicies.Text(ExamplePolicies.FedoraQaFile);
        Assert.Contains(original, text, StringComparison.Ordinal);
        var error = Assert.Throws<QaNet.Core.Validation.QaValidationException>(() =>
            PolicyYaml.Parse(text.Replace(original, changed, StringComparison.Ordinal), "upper.yaml"));
        Assert.Equal("InvalidName", error.ErrorId);
    }

    private static (string Output, string Policy) Run(string call)
    {
        using var s = PowerShellSession.WithExample();
        var output = string.Join("\n", s.Run($"@({call}) | Out-String -Width 400").Select(o => o.ToString()));
        return (output, PolicyYaml.Serialize(s.Single<QaPolicy>("Get-QaPolicy")));
    }
}
