using System.Management.Automation;
using QaNet.Core.Model;

namespace QaNet.Tests.Commands;

/// <summary>
/// Remove-QaClient and Remove-QaNetwork on objects that rules, grants or assertions name: one
/// InUse error per refused removal (the same under -WhatIf), and -Force taking them along.
/// </summary>
public sealed class RemovalCommandTests
{
    private static readonly string[] Removals =
    [
        "Remove-QaClient taskotron-client01 -Confirm:$false",
        "Remove-QaClient taskotron-client01 -WhatIf",
        "Remove-QaNetwork qa-clients -Confirm:$false",
        "Remove-QaNetwork qa-clients -WhatIf",
    ];

    public static TheoryData<string> RefusedRemovals => new(Removals);

    private static string State(PowerShellSession s)
    {
        var p = s.Single<QaPolicy>("$p");
        return string.Join("|", p.Clients.Select(c => c.Name)) + "/" + string.Join("|", p.Rules.Select(r => r.Id)) + "/" +
               string.Join("|", p.AccessGrants.Select(g => g.Id)) + "/" + string.Join("|", p.Assertions.Select(a => a.ToString()));
    }

    private static bool Names(QaAssertion a, IEnumerable<string> names) => names.Contains(a.From) || names.Contains(a.To);

    [Theory]
    [MemberData(nameof(RefusedRemovals))]
    public void Removing_what_assertions_name_without_Force_is_one_InUse_error_and_changes_nothing(string script)
    {
        using var s = PowerShellSession.WithExample();
        var before = State(s);
        var error = Assert.Single(s.Errors(script));
        Assert.StartsWith("InUse,QaNet.Commands.Remove", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
        Assert.Equal(before, State(s));
    }

    [Fact]
    public void Remove_QaClient_Force_takes_the_assertions_that_name_it_and_lists_them()
    {
        using var s = PowerShellSession.WithExample();
        var naming = s.Single<QaPolicy>("$p").Assertions.Where(a => Names(a, ["taskotron-client01"])).ToList();
        Assert.Equal(5, naming.Count);
        Assert.Empty(s.Run("Remove-QaClient taskotron-client01 -Force -WhatIf"));
        Assert.Equal(5, s.Single<QaPolicy>("$p").Assertions.Count(a => Names(a, ["taskotron-client01"])));

        var output = s.Run("Remove-QaClient taskotron-client01 -Force -Confirm:$false -Verbose 4>&1");
        var p = s.Single<QaPolicy>("$p");
        Assert.Null(p.FindClient("taskotron-client01"));
        Assert.DoesNotContain(p.Assertions, a => Names(a, ["taskotron-client01"]));
        Assert.Equal(3, p.Assertions.Count);
        var verbose = output.Select(o => o.BaseObject).OfType<VerboseRecord>().Select(v => v.Message).ToList();
        Assert.All(naming, a => Assert.Contains(verbose, m => m.Contains(a.ToString(), StringComparison.Ordinal)));
    }

    [Fact]
    public void Remove_QaNetwork_Force_takes_the_assertions_that_name_its_clients()
    {
        using var s = PowerShellSession.WithExample();
        var clients = s.Single<QaPolicy>("$p").FindNetwork("qa-clients")!.Clients.Select(c => c.Name).ToList();
        Assert.Empty(s.Run("Remove-QaNetwork qa-clients -Force -WhatIf"));
        Assert.NotNull(s.Single<QaPolicy>("$p").FindNetwork("qa-clients"));

        s.Run("Remove-QaNetwork qa-clients -Force -Confirm:$false");
        var p = s.Single<QaPolicy>("$p");
        Assert.Null(p.FindNetwork("qa-clients"));
        Assert.DoesNotContain(p.Assertions, a => Names(a, clients));
    }
}
