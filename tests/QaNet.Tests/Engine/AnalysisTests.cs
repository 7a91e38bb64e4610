using QaNet.Core.Analysis;
using QaNet.Core.Checking;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Tests.Engine;

/// <summary>Each finding kind on a hand-made policy, and its absence where it does not apply.</summary>
public sealed class AnalysisTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<QaPolicyFinding> Analyze(QaPolicy policy) => PolicyAnalyzer.Analyze(QaReachability.Create(policy, Now));

    [Fact]
    public void The_fedora_policy_is_clean()
    {
        var findings = Analyze(FedoraPolicy.Build());
        Assert.Empty(findings);
    }

    [Fact]
    public void A_rule_behind_a_wider_one_is_shadowed()
    {
        var policy = FedoraPolicy.Build();
        FedoraPolicy.Rule(policy, "client01-koji", QaRuleKind.Egress, "client:taskotron-client01", "endpoint:koji", null, "443/tcp");
        var f = Assert.Single(Analyze(policy), f => f.Kind == QaFindingKind.Shadowed);
        Assert.Equal("client01-koji", f.RuleId);
        Assert.Equal("taskotron-koji", f.OtherRuleId);
        Assert.Equal(QaFindingSeverity.Warning, f.Severity);
    }

    [Fact]
    public void A_block_of_what_is_denied_anyway_is_redundant_but_a_carving_block_is_not()
    {
        var policy = FedoraPolicy.Build();
        FedoraPolicy.Rule(policy, "no-qa-host", QaRuleKind.Block, "role:taskotron", "endpoint:qa-host", null, "22/tcp");
        FedoraPolicy.Rule(policy, "no-koji-http", QaRuleKind.Block, "client:taskotron-client02", "endpoint:koji", null, "80/tcp");
        var findings = Analyze(policy);
        var f = Assert.Single(findings, f => f.Kind == QaFindingKind.Redundant);
        Assert.Equal("no-qa-host", f.RuleId);
        Assert.Null(f.OtherRuleId);
        Assert.DoesNotContain(findings, x => x.RuleId == "no-koji-http");
    }

    [Fact]
    public void A_grant_repeated_at_lower_precedence_behind_a_partial_one_is_redundant()
    {
        var policy = FedoraPolicy.Build();
        // Takes over part of taskotron-koji's flows with the same verdict: taskotron-koji becomes redundant, not shadowed.
        FedoraPolicy.Rule(policy, "koji-https-first", QaRuleKind.Egress, "role:taskotron", "endpoint:koji", null, "443/tcp").Priority = 500;
        FedoraPolicy.Rule(policy, "koji-all", QaRuleKind.Egress, "role:taskotron", "endpoint:koji", null, "80/tcp", "443/tcp").Priority = 2000;
        var findings = Analyze(policy);
        Assert.Contains(findings, f => f.Kind == QaFindingKind.Redundant && f.RuleId == "taskotron-koji" && f.OtherRuleId == "koji-all");
        Assert.Contains(findings, f => f.Kind == QaFindingKind.Shadowed && f.RuleId == "koji-all");
    }

    [Fact]
    public void A_block_and_a_grant_overlapping_at_one_priority_conflict()
    {
        var policy = FedoraPolicy.Build();
        var block = FedoraPolicy.Rule(policy, "freeze-koji", QaRuleKind.Block, "network:qa-clients", "cidr:203.0.113.0/24", null, "443/tcp");
        block.Priority = 1000;
        var findings = Analyze(policy);
        var conflicts = findings.Where(f => f.Kind == QaFindingKind.Conflict).ToList();
        Assert.All(conflicts, f => Assert.Equal("freeze-koji", f.RuleId));
        Assert.Equal(new[] { "taskotron-koji", "taskotron-kojipkgs" }, conflicts.Select(f => f.OtherRuleId).Order(StringComparer.Ordinal));
        Assert.Contains("203.0.113.10", conflicts.Single(f => f.OtherRuleId == "taskotron-koji").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disjoint_block_and_grant_at_one_priority_do_not_conflict()
    {
        var policy = FedoraPolicy.Build();
        FedoraPolicy.Rule(policy, "freeze-koji-ssh", QaRuleKind.Block, "network:qa-clients", "endpoint:koji", null, "22/tcp").Priority = 1000;
        Assert.DoesNotContain(Analyze(policy), f => f.Kind == QaFindingKind.Conflict);
    }

    [Fact]
    public void Selectors_that_resolve_to_nothing_and_unresolved_host_names_are_reported()
    {
        var policy = FedoraPolicy.Build();
        var resultsdb = new QaEndpoint(policy, "resultsdb");
        resultsdb.HostNames.Add("resultsdb.qa.fedoraproject.org");
        resultsdb.Ports.Add(QaPortRange.Parse("443/tcp"));
        policy.Endpoints.Add(resultsdb);
        FedoraPolicy.Rule(policy, "taskotron-resultsdb", QaRuleKind.Egress, "role:taskotron", "endpoint:resultsdb");
        FedoraPolicy.Rule(policy, "ghost-role", QaRuleKind.Egress, "role:nobody", "endpoint:koji");
        var findings = Analyze(policy);
        Assert.Contains(findings, f => f.Kind == QaFindingKind.NamesNothing && f.RuleId == "taskotron-resultsdb");
        Assert.Contains(findings, f => f.Kind == QaFindingKind.NamesNothing && f.RuleId == "ghost-role");
        Assert.Contains(findings, f => f.Kind == QaFindingKind.UnresolvedHostName && f.Message.Contains("resultsdb.qa.fedoraproject.org", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Kind == QaFindingKind.Shadowed);
    }

    [Fact]
    public void Expired_rules_are_reported()
    {
        var policy = FedoraPolicy.Build();
        policy.FindRule("master-ssh")!.ExpiresAt = Now.AddDays(-1);
        policy.FindRule("bastion-ssh")!.ExpiresAt = Now.AddDays(1);
        var f = Assert.Single(Analyze(policy));
        Assert.Equal(QaFindingKind.ExpiredRule, f.Kind);
        Assert.Equal("master-ssh", f.RuleId);
    }

    [Fact]
    public void Failing_assertions_are_reported_and_passing_ones_are_not()
    {
        var policy = FedoraPolicy.Build();
        policy.Assertions.Add(new QaAssertion("taskotron-client01", "koji", QaPortRange.Parse("443/tcp"), true));
        policy.Assertions.Add(new QaAssertion("koji", "taskotron-client01", QaPortRange.Parse("22/tcp"), false));
        policy.Assertions.Add(new QaAssertion("taskotron-client01", "qa-host", QaPortRange.Parse("22/tcp"), true));
        policy.Assertions.Add(new QaAssertion("bastion", "192.168.150.20", QaPortRange.Parse("22/tcp"), false));
        var findings = Analyze(policy);
        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal(QaFindingKind.AssertionFailed, f.Kind));
        Assert.Equal(new[] { "tests[#3]", "tests[#4]" }, findings.Select(f => f.Path));
        Assert.Equal("bastion-ssh", findings[1].RuleId);
    }

    [Fact]
    public void Validator_refuses_assertions_naming_unknown_hosts()
    {
        var policy = FedoraPolicy.Build();
        policy.Assertions.Add(new QaAssertion("taskotron-client01", "koji", QaPortRange.Parse("443/tcp"), true));
        policy.Assertions.Add(new QaAssertion("10.9.9.9", "kojii", QaPortRange.Parse("443/tcp"), true));
        var errors = PolicyValidator.Validate(policy);
        var e = Assert.Single(errors);
        Assert.Equal(QaErrorIds.UnknownReference, e.Id);
        Assert.Equal("tests[#2].to", e.Path);
    }
}
