using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;
using QaNet.Tests.Support;
using Xunit;

namespace QaNet.Tests.Core;

/// <summary>
/// The editor's trials (whatIf: true: checked and computed as for real, nothing kept) at the
/// Core level, where every cmdlet gets them.
/// </summary>
public sealed class TrialTests
{
    /// <summary>Each editor change once as a trial: a result, the policy unchanged; then for real: changed.</summary>
    public static TheoryData<string> Changes => new(ChangesByName.Keys.Order(StringComparer.Ordinal));

    private static readonly Dictionary<string, Func<QaPolicy, bool, object>> ChangesByName = new()
    {
        ["AddNetwork"] = (p, w) => PolicyEditor.AddNetwork(p, new NetworkSpec("n2", "10.9.0.0/24", QaNetworkMode.Nat, new[] { "virthost-comm01" }), w),
        ["AddClient"] = (p, w) => PolicyEditor.AddClient(p, "qa-clients", new ClientSpec("c9") { Roles = new[] { "beaker" } }, w),
        ["SetClient"] = (p, w) => PolicyEditor.SetClient(p, new ClientChangeSpec("beaker-client01") { VirtHost = "virthost-comm01" }, w),
        ["AddEndpoint"] = (p, w) => PolicyEditor.AddEndpoint(p, new EndpointSpec("e1") { Addresses = new[] { "10.0.0.1" }, Ports = new[] { "443/tcp" } }, w),
        ["AddRule"] = (p, w) => PolicyEditor.AddRule(p, new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("beaker") }, new[] { QaSelector.Endpoint("koji") }), w),
        ["AddAssertion"] = (p, w) => PolicyEditor.AddAssertion(p, new AssertionSpec("beaker-client01", "koji", "80/tcp", false), w),
        ["RemoveAssertion"] = (p, w) => PolicyEditor.RemoveAssertion(p, p.Assertions[0], w),
        ["AddGroup"] = (p, w) => AccessEditor.AddGroup(p, "new-group", new[] { "u1" }, whatIf: w),
        ["AddGrant"] = (p, w) => AccessEditor.AddGrant(p, new AccessGrantSpec("sysadmin-qa", new[] { QaAccessTarget.Host("lockbox") }, new[] { QaAccessRight.Shell }), w),
        ["SetHost"] = (p, w) => { PolicyEditor.SetHost(p, "new.example.org", new[] { "203.0.113.99" }, w); return 0; },
        ["SetJumpHost"] = (p, w) => { AccessEditor.SetJumpHost(p, "lockbox", w); return 0; },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_trial_computes_the_change_and_keeps_nothing(string change)
    {
        var policy = ExamplePolicies.Fedora();
        var before = PolicyYaml.Serialize(policy);
        Assert.NotNull(ChangesByName[change](policy, true));
        Assert.Equal(before, PolicyYaml.Serialize(policy));
        ChangesByName[change](policy, false);
        Assert.NotEqual(before, PolicyYaml.Serialize(policy));
    }

    [Fact]
    public void A_trial_of_an_invalid_change_throws_what_the_change_throws()
    {
        var policy = ExamplePolicies.Fedora();
        var before = PolicyYaml.Serialize(policy);
        var spec = new RuleSpec(QaRuleKind.Egress, new[] { QaSelector.Role("taskotron") }, new[] { QaSelector.Endpoint("kojii") });
        var trial = Assert.Throws<QaValidationException>(() => PolicyEditor.AddRule(policy, spec, whatIf: true));
        var real = Assert.Throws<QaValidationException>(() => PolicyEditor.AddRule(policy, spec));
        Assert.Equal(QaErrorIds.UnknownReference, trial.ErrorId);
        Assert.Equal(real.Errors.Select(e => e.ToString()), trial.Errors.Select(e => e.ToString()));
        Assert.Equal(before, PolicyYaml.Serialize(policy));
    }
}
