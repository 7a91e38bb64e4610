using QaNet.Core.Editing;
using QaNet.Core.Validation;
using QaNet.Tests.Support;
using Xunit;

namespace QaNet.Tests.Core;

/// <summary>The one name rule at the Core level (lookups fold ASCII case only), where every cmdlet gets it.</summary>
public sealed class NameRuleTests
{
    [Theory]
    [InlineData("koji", "KOJI", true)]
    [InlineData("beaker-client01", "Beaker-Client01", true)]
    [InlineData("koji", "\u212Aoji", false)]   // Kelvin sign: K in Unicode case rules, not a name
    [InlineData("koji", "koj\u0131", false)]   // dotless i
    [InlineData("koji", "koji ", false)]
    [InlineData("koji", "kojii", false)]
    public void Names_fold_ASCII_case_only(string name, string given, bool same)
    {
        Assert.Equal(same, Names.Same(name, given));
        Assert.Equal(same, Names.Comparer.GetHashCode(name) == Names.Comparer.GetHashCode(given) && Names.Comparer.Compare(name, given) == 0);
        if (name == "koji")
        {
            Assert.Equal(same, ExamplePolicies.Fedora().FindEndpoint(given) is not null);
        }
    }

    [Fact]
    public void Lookups_fold_case_and_removals_take_what_names_the_object_as_the_policy_spells_it()
    {
        var policy = ExamplePolicies.Fedora();
        Assert.Equal("beaker-client01", policy.FindClient("BEAKER-CLIENT01")?.Name);
        Assert.Equal("qa-clients", policy.FindNetwork("QA-Clients")?.Name);
        Assert.Equal("beaker-lab", policy.FindRule("BEAKER-LAB")?.Id);
        Assert.Equal("sysadmin-qa", policy.FindGroup("SYSADMIN-QA")?.Name);
        var removal = PolicyEditor.RemoveClient(policy, "TASKOTRON-CLIENT01", force: true);
        Assert.Equal(5, removal.Assertions.Count);
        Assert.Null(policy.FindClient("taskotron-client01"));
    }
}
