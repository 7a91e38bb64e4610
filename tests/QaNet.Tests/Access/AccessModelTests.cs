using QaNet.Core.Editing;
using QaNet.Core.Access;
using QaNet.Core.Checking;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using static QaNet.Tests.Access.AccessPolicies;

namespace QaNet.Tests.Access;

/// <summary>Groups, grants and the jump host: editing, id derivation, and one test per access error id.</summary>
public sealed class AccessModelTests
{
    private static string ErrorOf(Action change) => Assert.Throws<QaValidationException>(change).ErrorId;

    private static AccessGrantSpec Spec(string group, params string[] hosts) =>
        new(group, hosts.Select(h => AccessEditor.ParseTarget(h)).ToList(), new[] { QaAccessRight.Shell });

    [Fact]
    public void Add_group_creates_then_adds_members_once()
    {
        var p = Small();
        AccessEditor.AddGroup(p, "admins", new[] { "bob", "alice", "bob" });
        Assert.Equal(new[] { "alice", "bob" }, p.FindGroup("admins")!.Members);
    }

    [Fact]
    public void Grant_ids_are_derived_readably_and_made_unique()
    {
        var p = Small();
        var a = AccessEditor.AddGrant(p, Spec("admins", "host:bastion"));
        var b = AccessEditor.AddGrant(p, Spec("admins", "host:bastion"));
        var c = AccessEditor.AddGrant(p, Spec("admins", "role:taskotron", "virthost:vh1") with { Rights = new[] { QaAccessRight.Sudo, QaAccessRight.Shell } });
        Assert.Equal("admins-shell-bastion", a.Id);
        Assert.Equal("admins-shell-bastion-2", b.Id);
        Assert.Equal("admins-shell-sudo-role-taskotron-virthost-vh1", c.Id);
        Assert.Equal(new[] { QaAccessRight.Shell, QaAccessRight.Sudo }, c.Rights);
    }

    [Fact]
    public void DuplicateGroup_when_a_group_is_listed_twice()
    {
        var p = Small();
        p.Groups.Add(new QaGroup(p, "admins"));
        Assert.Equal(QaErrorIds.DuplicateGroup, Assert.Single(PolicyValidator.Validate(p)).Id);
    }

    [Fact]
    public void InvalidUserName_for_a_member_that_is_no_user_name()
    {
        var p = Small();
        Assert.Equal(QaErrorIds.InvalidUserName, ErrorOf(() => AccessEditor.AddGroup(p, "admins", new[] { "Bad User" })));
        Assert.Equal(new[] { "alice" }, p.FindGroup("admins")!.Members);
    }

    [Fact]
    public void InvalidName_for_a_group_name()
    {
        // A new name must be lowercase; "Admins" would name the group admins (names fold case).
        var p = Small();
        Assert.Equal(QaErrorIds.InvalidName, ErrorOf(() => AccessEditor.AddGroup(p, "Operators", new[] { "alice" })));
        Assert.Null(p.FindGroup("operators"));
    }

    [Fact]
    public void NssGroupWithMembers_when_an_nss_group_also_lists_members()
    {
        var p = Small();
        Assert.Equal(QaErrorIds.NssGroupWithMembers, ErrorOf(() => AccessEditor.AddGroup(p, "nssgroup", new[] { "alice" }, QaGroupSource.Nss)));
    }

    [Fact]
    public void DuplicateGrantId_for_an_explicit_id_taken()
    {
        var p = Small();
        AccessEditor.AddGrant(p, Spec("admins", "host:bastion") with { Id = "g1" });
        Assert.Equal(QaErrorIds.DuplicateGrantId, ErrorOf(() => AccessEditor.AddGrant(p, Spec("bots", "host:bastion") with { Id = "g1" })));
        Assert.Single(p.AccessGrants);
    }

    [Fact]
    public void InvalidAccessTarget_for_a_target_without_a_kind_and_for_a_grant_without_hosts()
    {
        Assert.Equal(QaErrorIds.InvalidAccessTarget, ErrorOf(() => AccessEditor.ParseTarget("bastion")));
        Assert.Equal(QaErrorIds.InvalidAccessTarget, ErrorOf(() => AccessEditor.ParseTarget("cidr:10.0.0.0/8")));
        Assert.Equal(QaErrorIds.InvalidAccessTarget, ErrorOf(() => AccessEditor.AddGrant(Small(), Spec("admins"))));
    }

    [Fact]
    public void AccessRightRequired_for_a_grant_without_rights()
    {
        Assert.Equal(QaErrorIds.AccessRightRequired,
            ErrorOf(() => AccessEditor.AddGrant(Small(), Spec("admins", "host:bastion") with { Rights = Array.Empty<QaAccessRight>() })));
    }

    [Theory]
    [InlineData("nobody", "host:bastion", "access[nobody-shell-bastion].group")]
    [InlineData("admins", "host:nowhere", "access[admins-shell-nowhere].hosts")]
    [InlineData("admins", "virthost:bastion", "access[admins-shell-virthost-bastion].hosts")]
    [InlineData("admins", "role:nobody", "access[admins-shell-role-nobody].hosts")]
    [InlineData("admins", "network:nope", "access[admins-shell-network-nope].hosts")]
    public void UnknownReference_for_a_group_or_host_the_policy_lacks(string group, string host, string path)
    {
        var p = Small();
        var ex = Assert.Throws<QaValidationException>(() => AccessEditor.AddGrant(p, Spec(group, host)));
        var error = Assert.Single(ex.Errors);
        Assert.Equal((QaErrorIds.UnknownReference, path), (error.Id, error.Path));
        Assert.Empty(p.AccessGrants);
    }

    [Fact]
    public void UnknownReference_for_a_jump_host_that_is_no_host()
    {
        var p = Small();
        var error = Assert.Single(Assert.Throws<QaValidationException>(() => AccessEditor.SetJumpHost(p, "nowhere")).Errors);
        Assert.Equal((QaErrorIds.UnknownReference, "jumpHost"), (error.Id, error.Path));
        Assert.Null(p.JumpHost);
        AccessEditor.SetJumpHost(p, "bastion");
        Assert.Equal("bastion", p.JumpHost);
    }

    [Fact]
    public void NotFound_when_revoking_a_grant_that_is_not_there()
    {
        Assert.Equal(QaErrorIds.NotFound, ErrorOf(() => AccessEditor.RemoveGrant(Small(), "nope")));
    }

    [Fact]
    public void NssLookupFailed_when_getent_fails_other_than_not_found()
    {
        var runner = new RecordingRunner(script: _ => CommandResult.Fail(1, "nsswitch broken"));
        Assert.Equal(QaErrorIds.NssLookupFailed, ErrorOf(() => new GetentNssSource(runner).GetGroup("admins")));
        var missing = new RecordingRunner(script: _ => CommandResult.Fail(2, string.Empty));
        Assert.Null(new GetentNssSource(missing).GetGroup("admins"));
        Assert.Equal(new[] { "group", "--", "admins" }, Assert.Single(missing.Commands).Arguments);
    }

    [Fact]
    public void Hosts_are_clients_endpoints_and_virthosts_and_an_endpoint_named_like_a_virthost_is_that_virthost()
    {
        var p = Small();
        QaNet.Core.Editing.PolicyEditor.AddEndpoint(p, new QaNet.Core.Editing.EndpointSpec("vh1") { Addresses = new[] { "198.51.100.9" } });
        var hosts = new AccessHosts(p);
        Assert.Equal(new[] { "bastion", "c1", "c2", "lockbox", "vh1" }, hosts.All.Select(h => h.Name));
        Assert.Equal("endpoint, virthost", hosts.Find("vh1")!.Kind);
        Assert.Equal(new[] { "c1", "c2" }, hosts.Covered(QaAccessTarget.Network("qa")).Select(h => h.Name));
        Assert.Equal(new[] { "vh1" }, hosts.Covered(QaAccessTarget.VirtHost("vh1")).Select(h => h.Name));
    }
}
