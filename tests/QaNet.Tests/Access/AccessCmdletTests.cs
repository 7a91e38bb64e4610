using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Model;

namespace QaNet.Tests.Access;

/// <summary>The access cmdlets in a hosted runspace: binding, pipelines, -WhatIf and error ids.</summary>
public sealed class AccessCmdletTests
{
    [Fact]
    public void Groups_and_grants_are_added_listed_and_revoked()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var group = s.Single<QaGroup>("Add-QaGroup -Name ops -Member alice, bob");
        Assert.Equal(new[] { "alice", "bob" }, group.Members);
        s.Run("$null = Add-QaGroup ops carol");
        Assert.Equal(new[] { "alice", "bob", "carol" }, s.Single<QaGroup>("Get-QaGroup -Name op*").Members);

        var grant = s.Single<QaAccessGrant>("Grant-QaAccess -Group ops -Host bastion -Right Shell");
        Assert.Equal("ops-shell-bastion", grant.Id);
        Assert.Equal("ops-shell-sudo-role-taskotron", s.Single<QaAccessGrant>("Grant-QaAccess -Group ops -Role taskotron -Right Sudo, Shell").Id);
        Assert.Equal("ops-sudo-virthost-virthost-comm01", s.Single<QaAccessGrant>("Grant-QaAccess -Group ops -VirtHost virthost-comm01 -Right Sudo").Id);
        Assert.Equal("ops-shell-network-qa-clients", s.Single<QaAccessGrant>("Grant-QaAccess -Group ops -Network (Get-QaNetwork qa-clients) -Right Shell").Id);
        Assert.Equal(2, s.Run("Get-QaAccess -Host taskotron-client01").Count);
        Assert.Single(s.Run("Get-QaAccess -Host taskotron-client01 -Right Sudo"));

        s.Run("Get-QaAccess -Group ops -Right Sudo | Revoke-QaAccess -Confirm:$false");
        Assert.Equal(new[] { "ops-shell-bastion", "ops-shell-network-qa-clients" }, s.Run("Get-QaAccess").Select(o => ((QaAccessGrant)o.BaseObject).Id));
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        using var s = PowerShellSession.WithQaPolicy();
        s.Run("$null = Add-QaGroup ops alice; Add-QaGroup ops2 bob -WhatIf; Grant-QaAccess -Group ops -Host bastion -Right Shell -WhatIf");
        Assert.Single(s.Run("Get-QaGroup"));
        Assert.Empty(s.Run("Get-QaAccess"));
        s.Run("$null = Grant-QaAccess -Group ops -Host bastion -Right Shell; Revoke-QaAccess -Id ops-shell-bastion -WhatIf");
        Assert.Single(s.Run("Get-QaAccess"));
    }

    [Fact]
    public void Test_QaAccess_names_the_grant_and_the_failing_hop_on_the_fedora_example()
    {
        using var s = PowerShellSession.WithExample();
        var admin = s.Single<QaAccessResult>("Test-QaAccess -User qaadmin1 -Host taskotron-client01 -Right Sudo");
        Assert.True(admin.Allowed);
        Assert.Equal(("sysadmin-qa", "bastion"), (admin.GrantId, admin.Via));

        var bot = s.Single<QaAccessResult>("Test-QaAccess qabot taskotron-client01 -Via bastion");
        Assert.Equal("taskotron-client01", bot.FailingHop);
        Assert.Equal(new object[] { true, false, false },
            s.Run("Test-QaAccess -User qabot -Host bastion -Quiet; Test-QaAccess -User qabot -Host bastion -Right Sudo -Quiet; Test-QaAccess mallory lockbox -Quiet")
                .Select(o => o.BaseObject));

        // Output property names bind back: a result piped in is tested again.
        Assert.Equal("bastion", s.Single<QaAccessResult>("Test-QaAccess mallory taskotron-client01 | Test-QaAccess").FailingHop);
    }

    [Theory]
    [InlineData("Add-QaGroup -Name ops -Member 'Bad User'", "InvalidUserName,QaNet.Commands.AddQaGroupCommand")]
    [InlineData("Add-QaGroup -Name Ops", "InvalidName,QaNet.Commands.AddQaGroupCommand")]
    [InlineData("Add-QaGroup -Name ops -Member alice -Source Nss", "NssGroupWithMembers,QaNet.Commands.AddQaGroupCommand")]
    [InlineData("Get-QaGroup -Name nope", "NotFound,QaNet.Commands.GetQaGroupCommand")]
    [InlineData("Get-QaGroup -Name qanet-no-such-group -Source Nss", "NotFound,QaNet.Commands.GetQaGroupCommand")]
    [InlineData("Grant-QaAccess -Group nobody -Host bastion -Right Shell", "UnknownReference,QaNet.Commands.GrantQaAccessCommand")]
    [InlineData("$null = Add-QaGroup ops alice; Grant-QaAccess -Group ops -Host nowhere -Right Shell", "UnknownReference,QaNet.Commands.GrantQaAccessCommand")]
    [InlineData("$null = Add-QaGroup ops alice; Grant-QaAccess -Group ops -Host bastion -Right Shell -Id 'Bad Id'", "InvalidName,QaNet.Commands.GrantQaAccessCommand")]
    [InlineData("$null = Add-QaGroup ops alice; $null = Grant-QaAccess -Group ops -Host bastion -Right Shell -Id g; Grant-QaAccess -Group ops -Host koji -Right Shell -Id g", "DuplicateGrantId,QaNet.Commands.GrantQaAccessCommand")]
    [InlineData("$null = Add-QaGroup ops alice; Grant-QaAccess -Group ops -Host bastion -Right Root", "CannotConvertArgumentNoMessage,QaNet.Commands.GrantQaAccessCommand")]
    [InlineData("Get-QaAccess -Id nope", "NotFound,QaNet.Commands.GetQaAccessCommand")]
    [InlineData("Get-QaAccess -Host nowhere", "NotFound,QaNet.Commands.GetQaAccessCommand")]
    [InlineData("Revoke-QaAccess -Id nope -Confirm:$false", "NotFound,QaNet.Commands.RevokeQaAccessCommand")]
    [InlineData("Test-QaAccess -User alice -Host nowhere", "NotFound,QaNet.Commands.TestQaAccessCommand")]
    [InlineData("Test-QaAccess -User alice -Host beaker-client01 -Via nowhere", "NotFound,QaNet.Commands.TestQaAccessCommand")]
    public void Bad_input_gives_a_stable_error_id(string script, string expected)
    {
        using var s = PowerShellSession.WithQaPolicy();
        Assert.Equal(expected, s.ErrorId(script));
    }

    [Fact]
    public void Nss_groups_are_read_with_getent_without_touching_accounts()
    {
        using var s = PowerShellSession.WithQaPolicy();
        var root = s.Single<QaGroup>("Get-QaGroup -Name root -Source Nss");
        Assert.Equal(QaGroupSource.Nss, root.Source);
        Assert.Contains("root", root.Members);
    }

    [Fact]
    public void Nss_groups_come_from_the_sessions_getent_with_primary_group_members_and_a_clear_NotFound()
    {
        var getent = new RecordingRunner(script: c => c switch
        {
            { Program: "getent", Arguments: ["group", "--", "qa-ops"] } => new CommandResult(0, "qa-ops:x:4100:alice,bob\n", string.Empty, TimeSpan.Zero),
            { Program: "getent", Arguments: ["group", "--", _] } => CommandResult.Fail(2, string.Empty),
            { Program: "getent", Arguments: ["passwd"] } => new CommandResult(0, "carol:x:4200:4100::/home/carol:/bin/bash\ndave:x:4300:4300::/home/dave:/bin/bash\n", string.Empty, TimeSpan.Zero),
            _ => CommandResult.Fail(1, "unexpected"),
        });
        using var s = new PowerShellSession { Runner = getent };
        var group = s.Single<QaGroup>("Get-QaGroup -Name qa-ops -Source Nss");
        Assert.Equal(["alice", "bob", "carol"], group.Members);
        Assert.Equal(QaGroupSource.Nss, group.Source);

        var error = Assert.Single(s.Errors("Get-QaGroup -Name qa-none -Source Nss"));
        Assert.StartsWith("NotFound,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("NSS knows no group named 'qa-none'", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("in the policy", error.ToString(), StringComparison.Ordinal);
        Assert.All(getent.Commands, c => Assert.Equal("getent", c.Program));
    }

    [Fact]
    public void The_hook_for_Get_QaRuleset_renders_the_session_policy()
    {
        using var s = PowerShellSession.WithExample();
        var policy = s.Single<QaPolicy>("Get-QaPolicy");
        Assert.Contains("AllowGroups sysadmin-main sysadmin-qa", QaNet.Core.Render.Access.AccessRenderer.Rulesets(policy, "taskotron-client01")[0].Text, StringComparison.Ordinal);
        Assert.NotNull(new AccessHosts(policy).Find("virthost-comm02"));
    }
}
