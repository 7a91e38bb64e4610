using QaNet.Core.Access;
using QaNet.Core.Model;
using QaNet.Core.Render;
using QaNet.Core.Render.Access;
using static QaNet.Tests.Access.AccessPolicies;

namespace QaNet.Tests.Access;

/// <summary>
/// Access renderings: golden files for the Fedora example (the real programs check them in
/// <see cref="AccessRealToolTests"/>). Regenerate goldens with
/// <c>QANET_UPDATE_GOLDEN=1 dotnet test tests/QaNet.Tests --filter FullyQualifiedName~AccessRenderTests</c>.
/// </summary>
public sealed class AccessRenderTests
{
    private static readonly string[] GoldenHosts = { "bastion", "lockbox", "taskotron-client01", "virthost-comm01" };

    public static TheoryData<string> Hosts() => new(GoldenHosts);

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Host_files_match_their_golden_file(string host) =>
        Golden.Check($"fedora-qa.{host}.access", RenderAccessFiles(host).Text);

    [Fact]
    public void FreeIpa_commands_match_their_golden_file()
    {
        var commands = AccessRenderer.FreeIpaCommands(new QaAccessEngine(ExamplePolicies.Fedora()));
        Assert.All(commands, c => Assert.Equal("ipa", c.Program));
        Golden.Check("fedora-qa.freeipa.sh", string.Concat(commands.Select(c => c + "\n")));
    }

    [Fact]
    public void FreeIpa_commands_are_argument_vectors_with_one_host_per_argument()
    {
        var commands = AccessRenderer.FreeIpaCommands(new QaAccessEngine(ExamplePolicies.Fedora()));
        var hosts = commands.Single(c => c.Arguments[0] == "hbacrule-add-host" && c.Arguments[1] == "qanet-sysadmin-main");
        Assert.Contains("--hosts=bastion.fedoraproject.org", hosts.Arguments);
        Assert.Contains("--hosts=taskotron-client01", hosts.Arguments);
        Assert.Contains(commands, c => c.Arguments.SequenceEqual(new[] { "sudorule-add-user", "qanet-sysadmin-qa-sudo", "--groups=sysadmin-qa" }));
        Assert.DoesNotContain(commands, c => c.Arguments[1] == "qanet-qa-automation-shell-sudo");
    }

    [Fact]
    public void Host_files_say_what_the_engine_decides()
    {
        var engine = new QaAccessEngine(ExamplePolicies.Fedora());
        foreach (var host in engine.Hosts.All)
        {
            var files = AccessRenderer.RenderHost(engine, host.Name);
            var shell = engine.Policy.Groups.Where(g => engine.Decide(g.Name, host.Name, QaAccessRight.Shell).Allowed).Select(g => g.Name).ToList();
            var sudo = engine.Policy.Groups.Where(g => engine.Decide(g.Name, host.Name, QaAccessRight.Sudo).Allowed).Select(g => g.Name).ToList();
            Assert.Contains("groups = " + string.Join(',', shell) + "\n", files.FasConf, StringComparison.Ordinal);
            Assert.Equal(sudo, files.Sudoers.Split('\n').Where(l => l.StartsWith('%')).Select(l => l[1..l.IndexOf(' ', StringComparison.Ordinal)]));
            Assert.Contains(shell.Count == 0 ? "DenyUsers *" : "AllowGroups " + string.Join(' ', shell), files.SshdConfig, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rulesets_hook_gives_one_access_ruleset_per_host_and_the_freeipa_commands()
    {
        var p = ExamplePolicies.Fedora();
        var all = AccessRenderer.Rulesets(p);
        Assert.All(all, r => Assert.Equal(QaBackend.Access, r.Backend));
        Assert.Equal(new QaAccessEngine(p).ManagedHosts.Select(h => h.Name).Append(AccessRenderer.FreeIpaHost), all.Select(r => r.Host));
        Assert.DoesNotContain(all, r => r.Host == "koji");
        var bastion = Assert.Single(AccessRenderer.Rulesets(p, "bastion"));
        Assert.Equal(RenderAccessFiles("bastion").Text, bastion.Text);
        Assert.StartsWith("ipa hbacrule-add ", Assert.Single(AccessRenderer.Rulesets(p, AccessRenderer.FreeIpaHost)).Text, StringComparison.Ordinal);
    }

    private static QaAccessFiles RenderAccessFiles(string host) => AccessRenderer.RenderHost(new QaAccessEngine(ExamplePolicies.Fedora()), host);
}
