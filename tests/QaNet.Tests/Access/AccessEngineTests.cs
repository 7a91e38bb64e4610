using QaNet.Core.Access;
using QaNet.Core.Analysis;
using QaNet.Core.Editing;
using QaNet.Core.Engine;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using static QaNet.Tests.Access.AccessPolicies;

namespace QaNet.Tests.Access;

/// <summary>Access decisions on the shared rule engine: held to a plain first-match oracle, on the Fedora example, along paths.</summary>
public sealed class AccessEngineTests
{
    /// <summary>The oracle: grants in policy order; the first whose group, right and a target match decides; else default deny.</summary>
    private static string? Oracle(QaPolicy p, IEnumerable<string> groups, QaAccessHost host, QaAccessRight right) =>
        p.AccessGrants.FirstOrDefault(g => groups.Contains(g.Group) && g.Rights.Contains(right) && g.Hosts.Any(t => AccessHosts.Covers(t, host)))?.Id;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Engine_agrees_with_the_oracle_on_random_grants(int seed)
    {
        var random = new Random(seed);
        var p = new QaPolicy("random");
        PolicyEditor.AddEndpoint(p, new EndpointSpec("bastion") { Addresses = new[] { "192.0.2.10" } });
        PolicyEditor.AddEndpoint(p, new EndpointSpec("lockbox") { Addresses = new[] { "192.0.2.20" } });
        PolicyEditor.AddNetwork(p, new NetworkSpec("n1", "192.168.150.0/24", QaNetworkMode.Nat, new[] { "vh1", "vh2" }));
        PolicyEditor.AddNetwork(p, new NetworkSpec("n2", "192.168.151.0/24", QaNetworkMode.Nat, new[] { "vh2" }));
        for (var i = 0; i < 14; i++)
        {
            var network = i % 3 == 0 ? "n2" : "n1";
            PolicyEditor.AddClient(p, network, new ClientSpec($"c{i}")
            {
                Roles = Enumerable.Range(0, 4).Where(_ => random.Next(3) == 0).Select(r => $"r{r}").ToList(),
                VirtHost = network == "n1" ? (random.Next(2) == 0 ? "vh1" : "vh2") : "vh2",
            });
        }

        var groups = Enumerable.Range(0, 6).Select(g => $"g{g}").ToList();
        foreach (var g in groups)
        {
            AccessEditor.AddGroup(p, g, new[] { "u" + g });
        }

        var roles = p.Roles;
        var hosts = new AccessHosts(p);
        for (var i = 0; i < 40; i++)
        {
            var targets = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => random.Next(4) switch
            {
                0 => QaAccessTarget.Host(hosts.All[random.Next(hosts.All.Count)].Name),
                1 when roles.Count > 0 => QaAccessTarget.Role(roles[random.Next(roles.Count)]),
                2 => QaAccessTarget.VirtHost(random.Next(2) == 0 ? "vh1" : "vh2"),
                _ => QaAccessTarget.Network(random.Next(2) == 0 ? "n1" : "n2"),
            }).ToList();
            var rights = random.Next(3) switch
            {
                0 => new[] { QaAccessRight.Shell },
                1 => new[] { QaAccessRight.Sudo },
                _ => new[] { QaAccessRight.Shell, QaAccessRight.Sudo },
            };
            AccessEditor.AddGrant(p, new AccessGrantSpec(groups[random.Next(groups.Count)], targets, rights));
        }

        var engine = new QaAccessEngine(p);
        var checkedCells = 0;
        foreach (var host in hosts.All)
        {
            foreach (var right in new[] { QaAccessRight.Shell, QaAccessRight.Sudo })
            {
                foreach (var g in groups)
                {
                    Assert.Equal(Oracle(p, new[] { g }, host, right), engine.Decide(g, host.Name, right).Grant?.Id);
                    checkedCells++;
                }

                // Users in several groups: the union, decided by the first grant any of them matches.
                for (var k = 0; k < 8; k++)
                {
                    var mine = groups.Where(_ => random.Next(3) == 0).ToList();
                    Assert.Equal(Oracle(p, mine, host, right), engine.Decide(mine, host.Name, right).Grant?.Id);
                }
            }
        }

        Assert.Equal(hosts.All.Count * 2 * groups.Count, checkedCells);
    }

    [Fact]
    public void The_fedora_example_gives_each_group_what_the_issue_lists()
    {
        var engine = new QaAccessEngine(ExamplePolicies.Fedora());
        bool May(string group, string host, QaAccessRight right) => engine.Decide(group, host, right).Allowed;
        foreach (var host in new[] { "virthost-comm01", "virthost-comm02", "taskotron-client01", "beaker-client02" })
        {
            Assert.True(May("sysadmin-qa", host, QaAccessRight.Shell), host);
            Assert.True(May("sysadmin-qa", host, QaAccessRight.Sudo), host);
            Assert.False(May("qa-automation-shell", host, QaAccessRight.Shell), host);
        }

        Assert.True(May("qa-automation-shell", "bastion", QaAccessRight.Shell));
        Assert.False(May("qa-automation-shell", "bastion", QaAccessRight.Sudo));
        Assert.False(May("sysadmin-qa", "lockbox", QaAccessRight.Shell));
        Assert.All(engine.ManagedHosts, h => Assert.True(May("sysadmin-main", h.Name, QaAccessRight.Sudo), h.Name));
        Assert.Equal("sysadmin-qa", engine.Decide("sysadmin-qa", "taskotron-client01", QaAccessRight.Sudo).Grant!.Id);
        Assert.Equal(new[] { "bastion", "beaker-client01", "beaker-client02", "lockbox", "taskotron-client01", "taskotron-client02", "taskotron-client03", "virthost-comm01", "virthost-comm02" },
            engine.ManagedHosts.Select(h => h.Name));
        Assert.False(May("sysadmin-main", "koji", QaAccessRight.Shell));
    }

    [Fact]
    public void Paths_through_the_bastion_say_which_link_breaks()
    {
        var checker = AccessChecker.Create(ExamplePolicies.Fedora(), Now);

        var admin = checker.Test("qaadmin1", "taskotron-client01", QaAccessRight.Sudo);
        Assert.True(admin.Allowed, admin.Reason);
        Assert.Equal("bastion", admin.Via);
        Assert.Equal("sysadmin-qa", admin.GrantId);
        Assert.Equal(new[] { "bastion", "bastion->taskotron-client01", "taskotron-client01", "taskotron-client01" }, admin.Hops.Select(h => h.Name));
        Assert.Equal("bastion-ssh", admin.Hops[1].DecidedBy);

        var bot = checker.Test("qabot", "taskotron-client01");
        Assert.False(bot.Allowed);
        Assert.Equal("taskotron-client01", bot.FailingHop);
        Assert.Equal(QaAccessHopKind.Login, bot.Hops.Single(h => !h.Allowed).Kind);
        Assert.True(checker.Test("qabot", "bastion").Allowed);

        var stranger = checker.Test("mallory", "taskotron-client01");
        Assert.Equal("bastion", stranger.FailingHop);
        Assert.Empty(stranger.Groups);
        Assert.Null(stranger.GrantId);

        // Virthosts are not behind the jump host by default; -Via puts them there.
        Assert.Null(checker.Test("qaadmin1", "virthost-comm01").Via);
        Assert.Equal("bastion", checker.Test("qaadmin1", "virthost-comm01", via: "bastion").Via);
    }

    [Fact]
    public void A_network_rule_that_cuts_the_bastion_off_breaks_the_middle_link()
    {
        var p = ExamplePolicies.Fedora();
        PolicyEditor.RemoveRule(p, "bastion-ssh");
        var result = AccessChecker.Create(p, Now).Test("qaadmin1", "beaker-client01");
        Assert.False(result.Allowed);
        Assert.Equal("bastion->beaker-client01", result.FailingHop);
        Assert.Null(result.GrantId);
        Assert.Equal("default deny", result.DecidedBy);
    }

    [Fact]
    public void Nss_groups_come_from_getent_with_primary_group_members()
    {
        var dir = Directory.CreateTempSubdirectory("qanet-nss-");
        try
        {
            var passwd = Path.Combine(dir.FullName, "passwd");
            var group = Path.Combine(dir.FullName, "group");
            File.WriteAllText(passwd, "root:x:0:0:root:/root:/bin/bash\n# a comment\nwheeler:x:1001:2000:W:/home/wheeler:/bin/bash\nnobody:x:65534:65534::/:/sbin/nologin\nbroken:line\n");
            File.WriteAllText(group, "root:x:0:\nqa-ops:x:2000:alice, carol\nother:x:2001:\n");
            var runner = new RecordingRunner(script: spec => FileGetent(spec, passwd, group));
            var nss = new GetentNssSource(runner);

            var p = Small();
            AccessEditor.AddGroup(p, "qa-ops", Array.Empty<string>(), QaGroupSource.Nss);
            AccessEditor.AddGrant(p, new AccessGrantSpec("qa-ops", new[] { QaAccessTarget.Host("bastion") }, new[] { QaAccessRight.Shell }));
            var membership = new AccessMembership(p, nss);
            Assert.Equal(new[] { "alice", "carol", "wheeler" }, membership.Members(p.FindGroup("qa-ops")!));
            Assert.Equal(new[] { "qa-ops" }, membership.GroupsOf("wheeler"));
            Assert.Empty(membership.GroupsOf("nobody"));

            var checker = new AccessChecker(new QaAccessEngine(p), QaReachability.Create(p, Now), membership);
            Assert.True(checker.Test("wheeler", "bastion").Allowed);
            Assert.Equal("bastion", checker.Test("root", "bastion").FailingHop);
            Assert.All(runner.Commands, c => Assert.Equal("getent", c.Program));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>getent over files of the test's own: exit 2 for an unknown key, as getent does.</summary>
    internal static CommandResult FileGetent(CommandSpec spec, string passwd, string group)
    {
        var args = spec.Arguments;
        var lines = File.ReadAllLines(args[0] == "passwd" ? passwd : group);
        if (args.Count == 1)
        {
            return CommandResult.Ok(string.Join("\n", lines) + "\n");
        }

        var hit = lines.FirstOrDefault(l => l.Split(':')[0] == args[^1]);
        return hit is null ? CommandResult.Fail(2, string.Empty) : CommandResult.Ok(hit + "\n");
    }

    [Fact]
    public void Findings_name_unreachable_grants_empty_groups_and_sudo_without_shell()
    {
        var p = Small();
        AccessEditor.SetJumpHost(p, "bastion");
        AccessEditor.AddGroup(p, "empty", Array.Empty<string>());
        AccessEditor.AddGrant(p, new AccessGrantSpec("admins", new[] { QaAccessTarget.Network("qa") }, new[] { QaAccessRight.Shell }) { Id = "admins-clients" });
        AccessEditor.AddGrant(p, new AccessGrantSpec("bots", new[] { QaAccessTarget.Host("c1") }, new[] { QaAccessRight.Sudo }) { Id = "bots-sudo" });
        var findings = AccessAnalyzer.Analyze(QaReachability.Create(p, Now));
        Assert.Equal(
            new[]
            {
                (QaFindingKind.EmptyGroup, (string?)null, "groups[empty]"),
                (QaFindingKind.AccessHostUnreachable, "admins-clients", "access[admins-clients]"),
                (QaFindingKind.SudoWithoutShell, "bots-sudo", "access[bots-sudo]"),
            },
            findings.Select(f => (f.Kind, f.RuleId, f.Path!)));
        Assert.Contains("c2", findings[1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c1", findings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fedora_example_has_no_access_findings()
    {
        var p = ExamplePolicies.Fedora();
        Assert.Empty(AccessAnalyzer.Analyze(QaReachability.Create(p, Now)));
    }
}
