using System.Globalization;
using System.Text;
using QaNet.Core.Engine;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Probes;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Lab;

/// <summary>
/// fedora-qa with its client network on three virthosts (a client on each), started with host
/// access Ssh: every virthost runs its own libvirtd and sshd, the publish path reaches them from
/// the operator namespace over real OpenSSH.
/// </summary>
public sealed class SshLab : LabFixture
{
    public const string ThirdVirtHost = "virthost-comm03";

    public override string Prefix => "qn-sh-";

    public override QaLabOptions? Options => new() { HostAccess = QaLabHostAccess.Ssh };

    /// <summary>Whether root's ~/.ssh existed before the lab started (the lab must not create or touch it).</summary>
    public bool RootSshExisted { get; } = Directory.Exists("/root/.ssh");

    public override QaPolicy CreatePolicy() => OnThreeVirtHosts(ExamplePolicies.Fedora());

    public static QaPolicy OnThreeVirtHosts(QaPolicy policy)
    {
        var net = policy.FindNetwork("qa-clients")!;
        net.VirtHosts.Add(ThirdVirtHost);
        net.Clients.First(c => c.Name == "beaker-client02").VirtHost = ThirdVirtHost;
        return policy;
    }
}

[Trait("Needs", "Root")]
public sealed class SshLabTests : IClassFixture<SshLab>
{
    private readonly SshLab _lab;

    public SshLabTests(SshLab lab)
    {
        _lab = lab;
    }

    private QaLabState State => _lab.Lab.State;

    private string Operator => State.OperatorNamespace!;

    private string OperatorAddress => State.Hosts.Single(h => h.Kind == QaLabHostKind.Operator).Addresses.Single();

    private static async Task<string> Must(params string[] argv)
    {
        var r = await ProcessRunner.Instance.RunAsync(new CommandSpec(argv[0], argv.Skip(1)) with { Timeout = TimeSpan.FromSeconds(15) });
        Assert.True(r.Succeeded, string.Join(' ', argv) + ": " + r.Stderr);
        return r.Stdout;
    }

    /// <summary>Every rendered artifact of a host as one text, to tell which hosts a change touches.</summary>
    private static string Signature(HostArtifacts a)
    {
        var sb = new StringBuilder();
        foreach (var n in a.Networks)
        {
            sb.Append(n.Name).Append(n.Xml).Append('\n');
        }

        foreach (var t in a.NftTables)
        {
            sb.Append(t.Name).Append(t.Definition).Append('\n');
        }

        return sb.Append(a.Ebtables?.Text).ToString();
    }

    private static async Task<IReadOnlyList<QaPublishResult>> PublishAll(PolicyPublisher publisher) =>
        await Task.WhenAll(publisher.Render().Select(a => publisher.PublishAsync(a)));

    [Fact]
    public async Task The_lab_runs_an_sshd_per_virthost_and_an_operator_namespace_linked_to_the_router_only()
    {
        Assert.Equal(QaLabHostAccess.Ssh, State.HostAccess);
        var virtHosts = new[] { "virthost-comm01", "virthost-comm02", SshLab.ThirdVirtHost };
        Assert.Equal(virtHosts, State.Sshd.Select(d => d.Host).Order(StringComparer.Ordinal));
        Assert.All(State.Sshd, d => Assert.Equal("sshd", File.ReadAllText($"/proc/{d.Pid}/comm").Trim()));
        Assert.Equal(Operator, _lab.Prefix + "op");

        // The operator has a loopback and one link; its peer is the router's interface.
        var links = (await Must("ip", "-n", Operator, "-o", "link", "show")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, links.Length);
        Assert.Contains(links, l => l.Contains(" up0@", StringComparison.Ordinal) && l.Contains("link-netns " + _lab.Prefix + "up", StringComparison.Ordinal));

        // Each sshd listens on its management address only.
        foreach (var d in State.Sshd)
        {
            var listening = await Must("ip", "netns", "exec", d.Namespace, "ss", "-H", "-l", "-n", "-t", "sport", "= :22");
            Assert.Equal(d.Address + ":22", Assert.Single(listening.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]);
        }

        // Everything ssh uses is in the lab folder; root's ~/.ssh neither appeared nor vanished.
        Assert.StartsWith(State.Directory + "/", State.SshConfigFile, StringComparison.Ordinal);
        var config = await File.ReadAllTextAsync(State.SshConfigFile!);
        Assert.Contains("StrictHostKeyChecking yes", config, StringComparison.Ordinal);
        Assert.Equal(_lab.RootSshExisted, Directory.Exists("/root/.ssh"));
        var knownHosts = await File.ReadAllLinesAsync(Path.Combine(State.Directory, "ssh", "known_hosts"));
        Assert.Equal(virtHosts, knownHosts.Select(l => l.Split(',')[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Publish_commands_go_over_ssh_from_the_operator_namespace_and_not_through_ip_netns_exec()
    {
        var transports = _lab.Lab.Transports();
        Assert.All(transports, t =>
        {
            Assert.Equal(QaTransportKind.Ssh, t.Kind);
            Assert.Equal(Operator, t.SshClientNamespace);
            Assert.Equal(State.SshConfigFile, t.SshConfigFile);
            Assert.Equal(State.Libvirtd.Single(l => l.VirtHost == t.Host).Uri, t.LibvirtUri);
        });

        // Test-QaNetwork's reads through the lab's transports: no drift, and every command was ssh run in the operator namespace.
        var recorder = new RecordingRunner(ProcessRunner.Instance);
        var publisher = new PolicyPublisher(_lab.Policy, null, transports) { LocalRunner = recorder };
        foreach (var a in publisher.Render())
        {
            Assert.Empty(await publisher.TestAsync(a));
        }

        Assert.NotEmpty(recorder.Commands);
        Assert.All(recorder.Commands, c =>
        {
            Assert.Equal("ip", c.Program);
            Assert.Equal(new[] { "netns", "exec", Operator, "ssh", "-F", State.SshConfigFile! }, c.Arguments.Take(6));
        });

        // The commands land in the virthost's own namespace: the remote side sees its management address.
        foreach (var d in State.Sshd)
        {
            var remote = transports.Single(t => t.Host == d.Host).ToTarget().CreateRunner();
            var r = await remote.RunAsync(CommandSpec.Of("ip", "-4", "-o", "addr", "show", "dev", "up0") with { Timeout = TimeSpan.FromSeconds(15) });
            Assert.True(r.Succeeded, r.Stderr);
            Assert.Contains(" " + d.Address + "/30 ", r.Stdout, StringComparison.Ordinal);

            // sshd logged the operator's key login, and holds the operator's shared connection.
            var log = await File.ReadAllTextAsync(Path.Combine(d.Directory, "sshd.log"));
            Assert.Contains("Accepted publickey for root from " + OperatorAddress + " port ", log, StringComparison.Ordinal);
            var established = await Must("ip", "netns", "exec", d.Namespace, "ss", "-H", "-n", "-t", "state", "established", "sport", "= :22");
            Assert.Contains(OperatorAddress + ":", established, StringComparison.Ordinal);
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(State.Directory, "ssh"), "cm-*"));
    }

    /// <summary>The lab's policy without <paramref name="ruleId"/>.</summary>
    private static QaPolicy Without(string ruleId)
    {
        var policy = SshLab.OnThreeVirtHosts(ExamplePolicies.Fedora());
        Assert.True(policy.Rules.Remove(policy.Rules.Single(r => r.Id == ruleId)));
        return policy;
    }

    private async Task<bool> Observed(QaPolicy policy, string from, string to, int port)
    {
        var flows = QaLiveMatrix.Flows(State, policy, new QaLiveOptions { Ingress = false, ClientToClient = false })
            .Where(f => f.From == from && f.To == to && f.Port == port).ToList();
        Assert.NotEmpty(flows);
        var results = await QaLiveMatrix.RunAsync(QaReachability.Create(policy, DateTimeOffset.UtcNow), flows);
        return Assert.Single(results.Select(r => r.Observed).Distinct()); // every address of the endpoint alike
    }

    [Fact]
    public async Task Publish_over_ssh_is_unchanged_after_start_and_a_change_applies_exactly_on_the_hosts_it_touches()
    {
        var transports = _lab.Lab.Transports();
        var original = new PolicyPublisher(_lab.Policy, null, transports);
        var again = await PublishAll(original);
        Assert.Equal(3, again.Count);
        Assert.All(again, r => Assert.Equal(QaPublishOutcome.Unchanged, r.Outcome));

        // A second network on comm03 only: the other virthosts render exactly as before.
        var changed = SshLab.OnThreeVirtHosts(ExamplePolicies.Fedora());
        QaNet.Core.Editing.PolicyEditor.AddNetwork(changed, new QaNet.Core.Editing.NetworkSpec("qa-extra", "192.168.151.0/24", QaNetworkMode.Nat, new[] { SshLab.ThirdVirtHost }));
        var publisher = new PolicyPublisher(changed, null, transports);
        var touched = publisher.Render()
            .Where(a => Signature(a) != Signature(original.Render(new[] { a.VirtHost }).Single()))
            .Select(a => a.VirtHost).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { SshLab.ThirdVirtHost }, touched);
        try
        {
            var results = await PublishAll(publisher);
            Assert.All(results, r => Assert.Equal(touched.Contains(r.VirtHost) ? QaPublishOutcome.Applied : QaPublishOutcome.Unchanged, r.Outcome));
            var comm03 = _lab.Lab.PublishHost(SshLab.ThirdVirtHost);
            var nets = await comm03.Runner.RunAsync(CommandSpec.Of("virsh", "-c", comm03.LibvirtUri!, "net-list", "--name"));
            Assert.Contains("qa-extra", nets.Stdout.Split('\n', StringSplitOptions.TrimEntries));
        }
        finally
        {
            // Back to the lab's policy through the cmdlet, as a user would: applied where it changed.
            using var session = new PowerShellSession();
            session.SetVariable("p", _lab.Policy);
            session.SetVariable("t", transports.ToArray());
            var back = session.Run("Publish-QaNetwork -Policy $p -Transport $t -Confirm:$false").Select(o => (QaPublishResult)o.BaseObject).ToList();
            Assert.Equal(touched, back.Where(r => r.Outcome == QaPublishOutcome.Applied).Select(r => r.VirtHost).Order(StringComparer.Ordinal));
            Assert.All(back, r => Assert.True(r.Succeeded, r.ToString()));
        }

        Assert.All(await PublishAll(original), r => Assert.Equal(QaPublishOutcome.Unchanged, r.Outcome));
        Assert.True(await Observed(_lab.Policy, "beaker-client02", "beaker-lab", 8000));
    }

    [Fact]
    public async Task A_virthost_whose_sshd_is_stopped_fails_HostUnreachable_while_the_other_hosts_apply_and_verify()
    {
        const string Faulty = "virthost-comm02";
        var d = State.Sshd.Single(x => x.Host == Faulty);
        var transports = _lab.Lab.Transports();
        var changed = Without("clients-package-repos");
        try
        {
            // Stop the sshd and the session that carried the operator's shared connection.
            var pids = (await Must("ip", "netns", "pids", d.Namespace)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(p => File.Exists($"/proc/{p}/comm") && File.ReadAllText($"/proc/{p}/comm").Trim() == "sshd").ToList();
            Assert.Contains(d.Pid!.Value.ToString(CultureInfo.InvariantCulture), pids);
            await Must(new[] { "kill", "-s", "KILL", "--" }.Concat(pids).ToArray());
            for (var i = 0; i < 50 && (await Must("ip", "netns", "exec", d.Namespace, "ss", "-H", "-l", "-n", "-t", "sport", "= :22")).Length > 0; i++)
            {
                await Task.Delay(100);
            }

            // Publish-QaNetwork over every host (in whatever order or parallelism it uses).
            using var session = new PowerShellSession();
            session.SetVariable("p", changed);
            session.SetVariable("t", transports.ToArray());
            session.Run("$results = Publish-QaNetwork -Policy $p -Transport $t -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue");
            var results = session.Run("$results").Select(o => (QaPublishResult)o.BaseObject).ToDictionary(r => r.VirtHost, StringComparer.Ordinal);
            var failure = Assert.Single(session.Run("$failures").Select(o => (System.Management.Automation.ErrorRecord)o.BaseObject));
            Assert.StartsWith(QaErrorIds.HostUnreachable, failure.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(System.Management.Automation.ErrorCategory.ConnectionError, failure.CategoryInfo.Category);

            Assert.Equal(3, results.Count);
            var failed = results[Faulty];
            Assert.Equal(QaPublishOutcome.Failed, failed.Outcome);
            Assert.Equal(QaErrorIds.HostUnreachable, failed.Error!.Id);
            Assert.Contains(Faulty, failed.Error.Message, StringComparison.Ordinal);
            Assert.Contains("ssh:" + Faulty + " (client in netns " + State.OperatorNamespace + ")", failed.Error.Message, StringComparison.Ordinal);

            // The other hosts applied, and what they run now is what the changed policy renders.
            var publisher = new PolicyPublisher(changed, null, transports);
            foreach (var host in new[] { "virthost-comm01", SshLab.ThirdVirtHost })
            {
                Assert.Equal(QaPublishOutcome.Applied, results[host].Outcome);
                Assert.Empty(await publisher.TestAsync(publisher.Render(new[] { host }).Single()));
            }

            Assert.False(await Observed(changed, "taskotron-client01", "package-repos", 443));
            Assert.False(await Observed(changed, "beaker-client02", "package-repos", 443));
            Assert.True(await Observed(changed, "beaker-client01", "package-repos", 443)); // comm02 still runs the old rules
        }
        finally
        {
            await _lab.Lab.RestartSshdAsync(Faulty);
            var back = await PublishAll(new PolicyPublisher(_lab.Policy, null, transports));
            Assert.All(back, r => Assert.True(r.Succeeded, r.ToString()));
        }

        Assert.True(await Observed(_lab.Policy, "taskotron-client01", "package-repos", 443));
    }

    // In this class (not beside it) so it never runs while the class's lab tears down: its prefix starts with qn-sh- too.
    [Fact]
    public async Task A_start_that_fails_after_the_sshds_leaves_no_sshd_control_master_namespace_or_file()
    {
        const string prefix = "qn-sh-f-";
        await QaLab.StopAsync(prefix);
        var dir = QaLab.DirectoryFor(prefix);
        var runner = new RecordingRunner(ProcessRunner.Instance, spec => spec.Arguments.Contains("start-stop-daemon") ? CommandResult.Fail(1, "injected failure") : null);
        var ex = await Assert.ThrowsAsync<QaLabException>(() =>
            QaLab.StartAsync(ExamplePolicies.Fedora(), prefix, new QaLabOptions { Runner = runner, HostAccess = QaLabHostAccess.Ssh }));
        Assert.Equal(QaLabErrorIds.LabStartFailed, ex.ErrorId);

        // It got that far over ssh: the sshds ran and the start's publish went through them; then the lab stopped them.
        Assert.Contains(runner.Commands, c => c.Program == "nsenter" && c.Arguments.Contains(LabSshAccess.SshdProgram));
        Assert.Contains(runner.Commands, c => c.Arguments.Take(4).SequenceEqual(new[] { "netns", "exec", prefix + "op", "ssh" }) && c.Arguments.Contains("'nft'"));
        Assert.Contains(runner.Commands, c => c.Program == "ssh" && c.Arguments.Contains("-O") && c.Arguments.Contains("exit"));
        Assert.Empty(await Namespaces.ListAsync(prefix));
        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.Exists(MountNamespace.Root) ? Directory.GetFiles(MountNamespace.Root, prefix + "*") : Array.Empty<string>());
        var left = await ProcessRunner.Instance.RunAsync(CommandSpec.Of("pgrep", "-a", "-f", dir + "/"));
        Assert.Equal(string.Empty, left.Stdout.Trim());
        Assert.Equal(_lab.RootSshExisted, Directory.Exists("/root/.ssh"));
    }

    // The gateway of a Gateway network runs an sshd too; its probe listeners then bind per address.
    [Fact]
    public async Task In_gateway_mode_the_bastion_is_reached_over_ssh_and_the_live_matrix_still_conforms()
    {
        const string prefix = "qn-sh-g-";
        await QaLab.StopAsync(prefix);
        var policy = ExamplePolicies.AsGateway(ExamplePolicies.Fedora());
        try
        {
            var lab = await QaLab.StartAsync(policy, prefix, new QaLabOptions { HostAccess = QaLabHostAccess.Ssh });
            var bastion = lab.Transports().Single(t => t.Host == "bastion");
            Assert.Equal((QaTransportKind.Ssh, prefix + "op"), (bastion.Kind, bastion.SshClientNamespace));
            Assert.Contains(lab.State.Sshd, d => d.Host == "bastion");
            var publisher = new PolicyPublisher(policy, null, lab.Transports());
            Assert.All(await PublishAll(publisher), r => Assert.Equal(QaPublishOutcome.Unchanged, r.Outcome));

            var results = await QaLiveMatrix.RunAsync(QaReachability.Create(policy, DateTimeOffset.UtcNow), QaLiveMatrix.Flows(lab.State, policy));
            LabFixture.AssertConforms(results);
            Assert.Contains(results, r => r.From == "lockbox" && r.To == "beaker-client02" && r.Port == 22 && r.Observed);
        }
        finally
        {
            await QaLab.StopAsync(prefix);
        }

        Assert.Empty(await Namespaces.ListAsync(prefix));
        Assert.False(Directory.Exists(QaLab.DirectoryFor(prefix)));
    }

    [Fact]
    public async Task The_live_matrix_conforms_across_the_three_virthosts()
    {
        var results = await _lab.MatrixAsync();
        LabFixture.AssertConforms(results);
        foreach (var client in new[] { "taskotron-client01", "taskotron-client03", "beaker-client02" })
        {
            Assert.Contains(results, r => r.From == client && r.Observed);
        }

        Assert.Equal(SshLab.ThirdVirtHost, State.FindHost("beaker-client02")!.VirtHost);
        Assert.Contains(results, r => r.From == "beaker-client02" && r.To == "beaker-lab" && r.Port == 8000 && r.Observed);
        Assert.Contains(results, r => r.From == "lockbox" && r.To == "beaker-client02" && r.Port == 22 && r.Observed);
    }
}
