using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Tests.AccessLab;
using Xunit.Abstractions;

namespace QaNet.Tests.DirectoryLab;

/// <summary>
/// The access lab with its accounts in the directory only: the Fedora policy's groups say
/// <c>source: ldap</c>, a real slapd holds the users (posixAccount) and groups (posixGroup with
/// FreeIPA's <c>member</c> DNs, one nested group), and the bastion's and the client's sshd and
/// sudo resolve both through their own nslcd (<see cref="LabNslcd"/>). The hosts' private
/// passwd/group copies are the machine's own, with no lab account in them.
/// </summary>
public sealed class DirectoryAccessLab : AccessLabFixture
{
    /// <summary>In no group at the start; the test adds them to sysadmin-qa with ldapmodify and removes them again.</summary>
    public const string Newcomer = "newcomer";

    /// <summary>A member of qa-interns, which the directory nests in sysadmin-qa (not a policy group).</summary>
    public const string Intern = "intern1";

    public const string NestedGroup = "qa-interns";

    public const int NestedGroupId = 47190;

    private readonly List<LabNslcd> _nslcd = new();

    public override string Prefix => "qn-acd-";

    public LabSlapd Slapd { get; private set; } = null!;

    public IReadOnlyList<LabNslcd> Nslcd => _nslcd;

    protected override bool AccountsInFiles => false;

    // The policy names no members (they live in the directory): every account is listed here.
    protected override IEnumerable<(string Name, string[] Groups)> OtherUsers => new[]
    {
        ("admin1", new[] { "sysadmin-main" }),
        ("qaadmin1", new[] { "sysadmin-qa" }),
        ("qaadmin2", new[] { "sysadmin-qa" }),
        ("qabot", new[] { "qa-automation-shell" }),
        (Intern, new[] { NestedGroup }),
        (Outsider, Array.Empty<string>()),
        (Newcomer, Array.Empty<string>()),
    };

    /// <summary>fedora-qa.yaml with every group read from the lab directory (StartTLS, its CA), no member listed.</summary>
    public override QaPolicy CreatePolicy()
    {
        var p = base.CreatePolicy();
        p.Directory = LabSlapd.Directory389(QaDirectoryTls.StartTls);
        foreach (var g in p.Groups)
        {
            g.Members.Clear();
            g.Source = QaGroupSource.Ldap;
        }

        return p;
    }

    protected override async Task StartDirectoryAsync(IReadOnlyList<LabAccount> accounts, IReadOnlyDictionary<string, int> groupIds, string homes, IReadOnlyList<LabAccountFiles> hosts)
    {
        var groups = new Dictionary<string, int>(groupIds, StringComparer.Ordinal) { [NestedGroup] = NestedGroupId };
        Slapd = await LabSlapd.StartAsync(Prefix + "dir", groups, accounts.Select(a => new DirectoryAccount(a.Name, a.Uid, a.Groups)).ToList(),
            new Dictionary<string, string[]> { ["sysadmin-qa"] = new[] { NestedGroup } });
        foreach (var a in accounts)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(homes, a.Name));
        }

        foreach (var (host, files) in new[] { (Bastion, hosts[0]), (Client, hosts[1]) })
        {
            _nslcd.Add(await LabNslcd.StartAsync(host, files, Slapd, homes));
        }
    }

    protected override async Task StopDirectoryAsync()
    {
        foreach (var n in _nslcd)
        {
            n.Dispose();
        }

        _nslcd.Clear();
        if (Slapd is not null)
        {
            await Slapd.DisposeAsync();
            Slapd = null!;
        }
    }

    /// <summary>Test-QaAccess on the policy: a fresh directory read (in the directory's namespace), as each cmdlet call makes one.</summary>
    public QaAccessResult Predict(string user, string host, QaAccessRight right, string? via)
    {
        var directory = Policy.Directory! with { CaFile = Slapd.CaFile };
        return Slapd.InNamespace(() =>
        {
            using var source = new LdapDirectorySource(directory, null, TimeSpan.FromSeconds(3));
            return AccessChecker.Create(Policy, DateTimeOffset.UtcNow, null, source).Test(user, host, right, via);
        });
    }
}

/// <summary>
/// Issue 19 end to end: who may log in comes from the directory. Real sshd (AllowGroups) and sudo
/// (%group) on the bastion and the client see the slapd's membership through nslcd; an
/// <c>ldapmodify</c> that adds a user to a group lets them in through <c>ssh -J bastion</c> with
/// sudo, one that removes them shuts them out, and Test-QaAccess, reading the same directory,
/// predicts both hop by hop.
/// </summary>
[Trait("Needs", "Root")]
public sealed class DirectoryLoginTests : IClassFixture<DirectoryAccessLab>
{
    private const string Bastion = AccessLabFixture.Bastion;
    private const string Client = AccessLabFixture.Client;

    private readonly DirectoryAccessLab _lab;
    private readonly ITestOutputHelper _output;

    public DirectoryLoginTests(DirectoryAccessLab lab, ITestOutputHelper output)
    {
        _lab = lab;
        _output = output;
    }

    /// <summary>
    /// Logs in for real and reads each hop's verdict from what the programs said: the bastion's
    /// and the client's sshd logs (accepted, or refused by AllowGroups), whether the bastion's
    /// connection reached the client, and sudo's answer. A hop after a refusal is not reached (null).
    /// </summary>
    private async Task<(Observation Observed, List<(string Hop, bool? Allowed)> Hops)> ObserveHopsAsync(string user, QaAccessRight right)
    {
        var bastionBefore = _lab.BastionSshd.Log.Length;
        var clientBefore = _lab.ClientSshd.Log.Length;
        var observed = await _lab.ObserveAsync(user, Client, right, Bastion);
        var bastionLog = _lab.BastionSshd.Log[bastionBefore..];
        var clientLog = _lab.ClientSshd.Log[clientBefore..];
        var bastionAddress = _lab.AddressOf(Bastion);

        static bool? Login(string log, string user, string from) =>
            log.Contains($"Accepted publickey for {user} from {from}", StringComparison.Ordinal) ? true
            : log.Contains($"User {user} from", StringComparison.Ordinal) && log.Contains("none of user's groups are listed in AllowGroups", StringComparison.Ordinal) ? false
            : null;

        var hops = new List<(string, bool?)> { (Bastion, Login(bastionLog, user, string.Empty)) };
        if (hops[0].Item2 == true)
        {
            hops.Add(($"{Bastion}->{Client}", clientLog.Contains($"Connection from {bastionAddress} ", StringComparison.Ordinal)));
            hops.Add((Client, Login(clientLog, user, bastionAddress + " ")));
            if (right == QaAccessRight.Sudo && hops[^1].Item2 == true)
            {
                hops.Add((Client, observed.Allowed ? true
                    : observed.Detail.Contains("is not in the sudoers file", StringComparison.Ordinal) || observed.Detail.Contains("is not allowed to execute", StringComparison.Ordinal) ? false
                    : null));
            }
        }

        return (observed, hops);
    }

    /// <summary>The predicted hops up to and including the first refusal (what a real login can show).</summary>
    private static List<(string Hop, bool? Allowed)> Reachable(QaAccessResult predicted)
    {
        var hops = new List<(string, bool?)>();
        foreach (var h in predicted.Hops)
        {
            hops.Add((h.Name, h.Allowed));
            if (!h.Allowed)
            {
                break;
            }
        }

        return hops;
    }

    private async Task CompareAsync(string user, QaAccessRight right, bool allowed, string? failingHop)
    {
        var predicted = _lab.Predict(user, Client, right, Bastion);
        var (observed, hops) = await ObserveHopsAsync(user, right);
        var expectedHops = Reachable(predicted);
        var story = $"{user} -> {Client} ({right} via {Bastion})\npredicted: {predicted.Allowed} at {predicted.FailingHop ?? "-"}; groups [{string.Join(", ", predicted.Groups)}]\n  "
            + string.Join("\n  ", predicted.Hops.Select(h => h.ToString()))
            + $"\nobserved: {observed.Allowed} at {observed.FailingHop ?? "-"}: {observed.Detail}\n  "
            + string.Join("\n  ", hops.Select(h => $"{h.Hop}: {(h.Allowed is null ? "?" : h.Allowed.Value ? "allowed" : "denied")}"));
        _output.WriteLine(story);

        Assert.True(allowed == predicted.Allowed && failingHop == predicted.FailingHop, "Unexpected prediction.\n" + story);
        Assert.True(observed.Allowed == predicted.Allowed && observed.FailingHop == predicted.FailingHop, "The lab disagrees with Test-QaAccess.\n" + story);
        Assert.True(expectedHops.SequenceEqual(hops), "The hops the programs showed differ from the predicted ones.\n" + story);
    }

    [Theory]
    // sysadmin-qa: shell on the bastion, shell+sudo on the client.
    [InlineData("qaadmin1", QaAccessRight.Sudo, true, null)]
    // sysadmin-main: everywhere.
    [InlineData("admin1", QaAccessRight.Sudo, true, null)]
    // qa-interns is a member of sysadmin-qa in the directory: nslcd (nss_nested_groups) and QaNet both follow it.
    [InlineData(DirectoryAccessLab.Intern, QaAccessRight.Sudo, true, null)]
    // qa-automation-shell: in through the bastion, refused at the client.
    [InlineData("qabot", QaAccessRight.Shell, false, Client)]
    // In the directory, in no group: refused at the first hop.
    [InlineData(AccessLabFixture.Outsider, QaAccessRight.Shell, false, Bastion)]
    public async Task The_real_login_through_the_directory_matches_Test_QaAccess_hop_by_hop(string user, QaAccessRight right, bool allowed, string? failingHop)
    {
        await CompareAsync(user, right, allowed, failingHop);
    }

    [Fact]
    public async Task An_ldapmodify_grants_and_revokes_the_login_and_sudo_as_predicted()
    {
        const string user = DirectoryAccessLab.Newcomer;
        const string group = "sysadmin-qa";

        // In the directory but in no group: no login anywhere.
        await CompareAsync(user, QaAccessRight.Sudo, false, Bastion);

        await _lab.Slapd.AddMemberAsync(group, user);
        var added = true;
        try
        {
            // The next lookup sees it (no cache): in through the bastion, root on the client.
            await CompareAsync(user, QaAccessRight.Sudo, true, null);
            Assert.Contains(group, _lab.Predict(user, Client, QaAccessRight.Sudo, Bastion).Groups);

            await _lab.Slapd.RemoveMemberAsync(group, user);
            added = false;

            // Removed: the bastion's AllowGroups refuses again; the client never hears of the user.
            var clientBefore = _lab.ClientSshd.Log.Length;
            await CompareAsync(user, QaAccessRight.Sudo, false, Bastion);
            Assert.DoesNotContain($"for {user} from", _lab.ClientSshd.Log[clientBefore..], StringComparison.Ordinal);
        }
        finally
        {
            if (added)
            {
                await _lab.Slapd.RemoveMemberAsync(group, user);
            }
        }
    }

    [Fact]
    public async Task The_hosts_know_the_lab_accounts_only_from_the_directory()
    {
        var bastion = _lab.BastionSshd.Accounts;
        Assert.DoesNotContain("qaadmin1:", await File.ReadAllTextAsync(Path.Combine(bastion.Directory, "etc", "passwd")), StringComparison.Ordinal);
        Assert.DoesNotContain("sysadmin-qa:", await File.ReadAllTextAsync(Path.Combine(bastion.Directory, "etc", "group")), StringComparison.Ordinal);

        // Inside the bastion's mount namespace, NSS answers from slapd through the bastion's nslcd.
        var inside = await LabSsh.RunAsync(bastion.Wrap(_lab.BastionSshd.Namespace, new[] { "id", "-nG", DirectoryAccessLab.Intern }));
        Assert.True(inside.Succeeded, inside.Stderr);
        Assert.Equal(new[] { "users", DirectoryAccessLab.NestedGroup, "sysadmin-qa" }.Order(StringComparer.Ordinal),
            inside.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));
        Assert.Contains("(&(objectClass=posixGroup)", _lab.Nslcd[0].Log, StringComparison.Ordinal);

        // And the machine itself knows none of them.
        Assert.Equal(_lab.HashesBefore, AccessLabFixture.HashAccountFiles());
        var outside = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("getent", "passwd", DirectoryAccessLab.Intern));
        Assert.False(outside.Succeeded, outside.Stdout);
    }
}
