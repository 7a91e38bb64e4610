using System.Security.Cryptography;
using QaNet.Core.Editing;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;
using QaNet.Tests.Support;

namespace QaNet.Tests.Publish;

/// <summary>
/// The host preflight against real programs in a network namespace (qn-pf-…). A host whose
/// ebtables is the legacy binary is made with a PATH shim inside the test only: every command
/// runs as <c>env PATH=&lt;shim&gt;:… ip netns exec …</c>, and the shim's <c>ebtables</c> is
/// ebtables-legacy. The machine's own alternatives are never touched.
/// </summary>
[Trait("Needs", "Root")]
public sealed class PreflightTests : IAsyncLifetime
{
    private const string Host = "vh1";
    private readonly string _ns = "qn-pf-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly string _shim = Path.Combine(Path.GetTempPath(), "qanet-pf-shim-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));

    public async Task InitializeAsync()
    {
        await Namespaces.CreateAsync(_ns);
        Assert.True((await HostTarget.Namespace(_ns).CreateRunner().RunAsync(CommandSpec.Of("sysctl", "-q", "-w", "net.ipv4.ip_forward=1"))).Succeeded);
        Directory.CreateDirectory(_shim);
        File.CreateSymbolicLink(Path.Combine(_shim, "ebtables"), "/usr/sbin/ebtables-legacy");
    }

    public async Task DisposeAsync()
    {
        Directory.Delete(_shim, recursive: true);
        var state = HostTarget.Namespace(_ns).StateDirectory;
        if (Directory.Exists(state))
        {
            Directory.Delete(state, recursive: true);
        }

        await Namespaces.DeleteAsync(_ns);
    }

    /// <summary>A gateway-like host: QaNet's nft table and its ebtables chains, no libvirt network.</summary>
    private static HostArtifacts Artifacts() => new(Host)
    {
        NftTables = new[]
        {
            new NftTableArtifact("inet", "qanet", """
                table inet qanet {
                	chain forward {
                		type filter hook forward priority filter; policy accept;
                	}
                }
                """),
        },
        Ebtables = new EbtablesArtifact("*filter\n:QANET-FWD ACCEPT\n-A FORWARD -j QANET-FWD\n"),
    };

    private PolicyPublisher Publisher(ICommandRunner local) =>
        new(new QaPolicy("pf"), transports: new[] { QaHostTransport.InNamespace(Host, _ns) }) { LocalRunner = local };

    private async Task<string> TablesInNamespace()
    {
        var r = await HostTarget.Namespace(_ns).CreateRunner().RunAsync(CommandSpec.Of("nft", "list", "tables"));
        Assert.True(r.Succeeded, r.Stderr);
        return r.Stdout;
    }

    [Fact]
    public async Task A_host_with_the_nf_tables_ebtables_passes_the_checks_it_needs()
    {
        var checks = await Publisher(ProcessRunner.Instance).CheckAsync(Artifacts(), all: false);
        var ebtables = Assert.Single(checks, c => c.Check == VirtHostChecks.Ebtables);
        Assert.Equal(QaCheckStatus.Pass, ebtables.Status);
        Assert.Contains("nf_tables", ebtables.Found, StringComparison.Ordinal);
        Assert.Null(ebtables.Fix);
        Assert.Equal(QaCheckStatus.Pass, Assert.Single(checks, c => c.Check == VirtHostChecks.Nftables).Status);
        Assert.DoesNotContain(checks, c => c.Check == VirtHostChecks.Libvirt);   // no libvirt network here: not checked
        Assert.DoesNotContain(checks, c => c.Status == QaCheckStatus.Fail);
    }

    [Fact]
    public async Task The_legacy_ebtables_fails_its_check_with_the_fix()
    {
        var checks = await Publisher(PathRunner(_shim + ":" + Environment.GetEnvironmentVariable("PATH"))).CheckAsync(Artifacts());
        var ebtables = Assert.Single(checks, c => c.Check == VirtHostChecks.Ebtables);
        Assert.Equal(QaCheckStatus.Fail, ebtables.Status);
        Assert.Contains("legacy", ebtables.Found, StringComparison.Ordinal);
        Assert.Contains("update-alternatives --set ebtables /usr/sbin/ebtables-nft", ebtables.Fix, StringComparison.Ordinal);
        Assert.Contains("iptables-nft", ebtables.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Publish_refuses_a_legacy_ebtables_host_before_changing_anything(bool whatIf)
    {
        var recorder = new RecordingRunner(PathRunner(_shim + ":" + Environment.GetEnvironmentVariable("PATH")));
        var result = await Publisher(recorder).PublishAsync(Artifacts(), new PublishOptions { WhatIf = whatIf });

        Assert.Equal(QaPublishOutcome.Failed, result.Outcome);
        Assert.Equal(QaErrorIds.VirtHostPrerequisiteMissing, result.Error!.Id);
        Assert.Equal("Preflight", result.Error.Step);
        Assert.Contains("Ebtables", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("ebtables-nft", result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(recorder.Mutations);
        Assert.All(recorder.Commands, c => Assert.DoesNotContain(c.Arguments, a => a is "-f" or "ebtables-restore" or "mkdir" or "dd"));
        Assert.DoesNotContain("qanet", await TablesInNamespace(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_nft_is_named_as_not_installed()
    {
        // /usr/bin has ip (merged /usr) but not nft, which lives in /usr/sbin.
        var recorder = new RecordingRunner(PathRunner("/usr/bin:/bin"));
        var result = await Publisher(recorder).PublishAsync(Artifacts());
        Assert.Equal(QaErrorIds.VirtHostPrerequisiteMissing, result.Error!.Id);
        var nft = Assert.Single(result.Preflight!, c => c.Check == VirtHostChecks.Nftables);
        Assert.Equal(QaCheckStatus.Fail, nft.Status);
        Assert.Equal("nft is not installed", nft.Found);
        Assert.Contains("apt-get install nftables", nft.Fix, StringComparison.Ordinal);
        Assert.Empty(recorder.Mutations);
    }

    [Fact]
    public async Task A_gateway_without_forwarding_warns_and_one_with_it_passes()
    {
        var run = HostTarget.Namespace(_ns).CreateRunner();
        Assert.True((await run.RunAsync(CommandSpec.Of("sysctl", "-q", "-w", "net.ipv4.ip_forward=0"))).Succeeded);
        var off = await Publisher(ProcessRunner.Instance).CheckAsync(Artifacts(), all: false);
        var check = Assert.Single(off, c => c.Check == VirtHostChecks.IpForward);
        Assert.Equal(QaCheckStatus.Warn, check.Status);
        Assert.Contains("would not route", check.Found, StringComparison.Ordinal);
        Assert.Contains("net.ipv4.ip_forward=1", check.Fix, StringComparison.Ordinal);

        Assert.True((await run.RunAsync(CommandSpec.Of("sysctl", "-q", "-w", "net.ipv4.ip_forward=1"))).Succeeded);
        var on = await Publisher(ProcessRunner.Instance).CheckAsync(Artifacts(), all: false);
        Assert.Equal(QaCheckStatus.Pass, Assert.Single(on, c => c.Check == VirtHostChecks.IpForward).Status);
    }

    [Fact]
    public async Task An_unchanged_republish_is_decided_without_the_preflight()
    {
        // The preflight guards changes; a host that already carries this publish and matches it is
        // left as it is, so its 9 reads are not paid on every unchanged re-publish.
        var first = new RecordingRunner(ProcessRunner.Instance);
        var applied = await Publisher(first).PublishAsync(FakeHosts.Artifacts(Host, "v1"));
        Assert.True(applied.Outcome == QaPublishOutcome.Applied, applied.Error?.Message + " / " + applied.Error?.Detail);
        Assert.Contains(first.Commands, FakeHosts.IsPreflight);

        var again = new RecordingRunner(ProcessRunner.Instance);
        var unchanged = await Publisher(again).PublishAsync(FakeHosts.Artifacts(Host, "v1"));
        Assert.Equal(QaPublishOutcome.Unchanged, unchanged.Outcome);
        Assert.DoesNotContain(again.Commands, FakeHosts.IsPreflight);
        Assert.Empty(again.Mutations);

        // A changed publish on the same host runs it again, before the lock.
        var changed = new RecordingRunner(ProcessRunner.Instance);
        var second = await Publisher(changed).PublishAsync(FakeHosts.Artifacts(Host, "v2"));
        Assert.True(second.Outcome == QaPublishOutcome.Applied, second.ToString() + second.Error?.Message + second.Error?.Detail);
        var firstPreflight = changed.Commands.ToList().FindIndex(FakeHosts.IsPreflight);
        var firstLock = changed.Commands.ToList().FindIndex(c => c.Arguments.Contains("mkdir"));
        Assert.InRange(firstPreflight, 0, firstLock);
    }

    [Fact]
    public async Task A_virthost_whose_libvirt_does_not_answer_is_refused_by_the_preflight_not_by_the_first_read()
    {
        // No libvirtd runs in the namespace: the stale-network read (virsh net-list) fails first;
        // the publish then asks the preflight, which names libvirt and its fix.
        var policy = new QaPolicy("pf");
        PolicyEditor.AddNetwork(policy, new NetworkSpec("lab", "192.168.150.0/24", QaNetworkMode.Nat, new[] { Host }));
        var recorder = new RecordingRunner(ProcessRunner.Instance);
        var publisher = new PolicyPublisher(policy, transports: new[] { QaHostTransport.InNamespace(Host, _ns) }) { LocalRunner = recorder };
        var result = await publisher.PublishAsync(publisher.Render().Single());
        Assert.Equal(QaPublishOutcome.Failed, result.Outcome);
        Assert.Equal(QaErrorIds.VirtHostPrerequisiteMissing, result.Error!.Id);
        Assert.Equal("Preflight", result.Error.Step);
        Assert.Equal(QaCheckStatus.Fail, Assert.Single(result.Preflight!, c => c.Check == VirtHostChecks.Libvirt).Status);
        Assert.Empty(recorder.Mutations);
    }

    /// <summary>Runs every command with another PATH (through env, an argument vector like any other).</summary>
    private static ScriptedRunner PathRunner(string path) =>
        ScriptedRunner.Rewriting(ProcessRunner.Instance, spec => spec.WithArgv("/usr/bin/env", new[] { "PATH=" + path, spec.Program }.Concat(spec.Arguments)));
}
