using System.Security.Cryptography;
using System.Text.RegularExpressions;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Tests.Publish;

/// <summary>
/// Three virthost namespaces (qn-pp-…), each running its own libvirtd, published to in parallel
/// with the real programs. A fault is injected on one host mid-publish (its nft apply fails after
/// its libvirt step took effect): that host is rolled back to exactly its state before, the
/// others are applied and verified, the results say exactly that, and Test-QaNetwork's status
/// shows the host behind.
/// </summary>
[Trait("Needs", "Root")]
[Collection(MultiHostLabGroup.Name)]
public sealed partial class MultiHostLabTests(MultiHostLab lab)
{
    private static readonly string[] Hosts = { "vh1", "vh2", "vh3" };

    [GeneratedRegex(@"counter packets \d+ bytes \d+")]
    private static partial Regex CounterValues();

    /// <summary>A Nat network over three virthosts, one client on each; v2 adds a client per host and an egress rule.</summary>
    internal static QaPolicy Policy(bool v2)
    {
        var clients = new[] { "c1: vh1", "c2: vh2", "c3: vh3" }.Concat(v2 ? new[] { "c4: vh1", "c5: vh2", "c6: vh3" } : Array.Empty<string>())
            .Select(c => c.Split(": "))
            .Select(c => $"      - {{ name: {c[0]}, roles: [beaker], virthost: {c[1]} }}\n");
        var egress = v2 ? "  - { id: beaker-koji, kind: egress, from: 'role:beaker', to: 'endpoint:koji' }\n" : string.Empty;
        return PolicyYaml.Parse(
            "version: 1\nname: pp\n"
            + "hosts:\n  koji.fedoraproject.org: [203.0.113.10]\n  bastion.fedoraproject.org: [192.0.2.10]\n"
            + "networks:\n  - name: qn-pp-net\n    mode: nat\n    subnet: 192.168.151.0/24\n    virthosts: [vh1, vh2, vh3]\n    clients:\n"
            + string.Concat(clients)
            + "endpoints:\n  - { name: bastion, hostnames: [bastion.fedoraproject.org] }\n  - { name: koji, hostnames: [koji.fedoraproject.org], ports: [80/tcp, 443/tcp] }\n"
            + "rules:\n  - { id: bastion-ssh, kind: ingress, from: 'endpoint:bastion', to: 'role:beaker', ports: [22/tcp] }\n"
            + egress,
            "pp.yaml");
    }

    /// <summary>Everything QaNet (and libvirt) owns in a virthost namespace, counter values aside.</summary>
    private async Task<string> LiveState(string host)
    {
        var ns = lab.Namespace(host);
        var uri = lab.Libvirtd(host).Uri;
        async Task<string> Run(params string[] argv)
        {
            var r = await HostTarget.Namespace(ns).CreateRunner().RunAsync(new CommandSpec(argv[0], argv.Skip(1)) { Timeout = TimeSpan.FromSeconds(20) });
            Assert.True(r.Succeeded, string.Join(' ', argv) + ": " + r.Stderr);
            return r.Stdout;
        }

        var parts = new List<string>
        {
            // A restored table is re-created, so nft lists it after the tables made since: compare the tables, not their order.
            string.Join("\n", Regex.Split(CounterValues().Replace(await Run("nft", "list", "ruleset"), "counter packets N bytes N"), "(?m)^(?=table )").Order(StringComparer.Ordinal)),
            string.Join('\n', (await Run("ebtables-save")).Split('\n').Where(l => !l.StartsWith('#'))),
        };
        foreach (var n in (await Run("virsh", "-c", uri, "net-list", "--all", "--name")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order())
        {
            parts.Add(await Run("virsh", "-c", uri, "net-info", n) + await Run("virsh", "-c", uri, "net-dumpxml", "--inactive", n) + await Run("virsh", "-c", uri, "net-dumpxml", n));
        }

        return string.Join("\n==\n", parts);
    }

    [Fact]
    public async Task A_fault_on_one_host_mid_publish_rolls_that_host_back_and_leaves_the_others_applied_and_verified()
    {
        await lab.ResetAsync();
        try
        {
            var v1 = new PolicyPublisher(Policy(v2: false), transports: lab.Transports());
            var first = await v1.PublishHostsAsync(v1.Render(), throttleLimit: 3);
            Assert.True(first.All(r => r.Outcome == QaPublishOutcome.Applied), string.Join("\n", first.Select(r => r + " " + r.Error?.Detail)));

            var before = await LiveState("vh2");
            // vh2's nft apply fails after its libvirt steps (two net-updates in one virsh) took effect.
            var fired = 0;
            var fault = new ScriptedRunner((spec, ct) =>
                spec.Mutates && spec.Arguments.Count > 5 && spec.Arguments[2] == lab.Namespace("vh2") && spec.Arguments[3] == "nft" && spec.Arguments[4] == "-f"
                && Interlocked.Exchange(ref fired, 1) == 0
                    ? Task.FromResult(CommandResult.Fail(1, "[test] injected failure of the nft apply"))
                    : ProcessRunner.Instance.RunAsync(spec, ct));
            var v2 = new PolicyPublisher(Policy(v2: true), transports: lab.Transports()) { LocalRunner = fault };
            var artifacts = v2.Render();
            var results = await v2.PublishHostsAsync(artifacts, throttleLimit: 3);

            Assert.Equal(Hosts, results.Select(r => r.VirtHost));
            Assert.Equal(new[] { QaPublishOutcome.Applied, QaPublishOutcome.RolledBack, QaPublishOutcome.Applied }, results.Select(r => r.Outcome));
            Assert.True(fired > 0);
            var vh2 = results[1];
            Assert.Equal(QaErrorIds.PublishApplyFailed, vh2.Error!.Id);
            Assert.True(vh2.RestoredToSnapshot);
            Assert.Contains(vh2.Commands, c => c.Contains("net-update qn-pp-net add-last ip-dhcp-host ", StringComparison.Ordinal));
            Assert.Equal(before, await LiveState("vh2"));
            Assert.Equal("3 hosts: 2 applied, 1 rolled back (vh2: PublishApplyFailed)", HostFanOut.Summarize(results));
            Assert.All(new[] { results[0], results[2] }, r => Assert.Contains(r.Changes, c => c.Kind == QaPublishChangeKind.DhcpHostAdd));

            // vh1 and vh3 hold the new rendering; vh2 still carries the first publish.
            var statuses = await v2.StatusHostsAsync(artifacts);
            Assert.Equal(new[] { true, false, true }, statuses.Select(s => s.InSync));
            Assert.All(new[] { statuses[0], statuses[2] }, s => Assert.Empty(s.Drift));
            Assert.Equal(first[1].PublishId, statuses[1].PublishId);
            Assert.Equal(results[0].PublishId, statuses[0].PublishId);
            Assert.Equal(results[0].PublishId, statuses[2].PublishId);
            Assert.NotEqual(statuses[0].PublishId, statuses[1].PublishId);
            Assert.StartsWith("1 of 3 hosts is behind the others: vh2 still carries the publish of ", HostFanOut.CompareHosts(statuses), StringComparison.Ordinal);

            // Published again without the fault: vh2 catches up; the others only read and compare.
            var again = await new PolicyPublisher(Policy(v2: true), transports: lab.Transports()).PublishHostsAsync(artifacts, throttleLimit: 3);
            Assert.Equal(new[] { QaPublishOutcome.Unchanged, QaPublishOutcome.Applied, QaPublishOutcome.Unchanged }, again.Select(r => r.Outcome));
            Assert.Null(HostFanOut.CompareHosts(await v2.StatusHostsAsync(artifacts)));
        }
        finally
        {
            await lab.ResetAsync();
        }
    }

    [Fact]
    public async Task An_unchanged_republish_on_real_hosts_runs_no_mutating_command()
    {
        await lab.ResetAsync();
        try
        {
            var publisher = new PolicyPublisher(Policy(v2: false), transports: lab.Transports());
            var artifacts = publisher.Render();
            Assert.All(await publisher.PublishHostsAsync(artifacts), r => Assert.Equal(QaPublishOutcome.Applied, r.Outcome));
            var recorder = new RecordingRunner(ProcessRunner.Instance);
            var again = await new PolicyPublisher(Policy(v2: false), transports: lab.Transports()) { LocalRunner = recorder }.PublishHostsAsync(artifacts);
            Assert.All(again, r => Assert.Equal(QaPublishOutcome.Unchanged, r.Outcome));
            Assert.NotEmpty(recorder.Commands);
            Assert.Empty(recorder.Mutations);
        }
        finally
        {
            await lab.ResetAsync();
        }
    }
}

/// <summary>Three virthost namespaces (qn-pp-…-vhN), each with its own libvirtd; removed at the end whatever happens.</summary>
public sealed class MultiHostLab : IAsyncLifetime
{
    private readonly string _id = Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant();
    private readonly Dictionary<string, LibvirtdInstance> _libvirtd = new(StringComparer.Ordinal);

    public static readonly string[] VirtHosts = { "vh1", "vh2", "vh3" };

    public string Namespace(string host) => $"qn-pp-{_id}-{host}";

    public LibvirtdInstance Libvirtd(string host) => _libvirtd[host];

    public IReadOnlyList<QaHostTransport> Transports() =>
        VirtHosts.Select(h => QaHostTransport.InNamespace(h, Namespace(h), _libvirtd[h].Uri)).ToList();

    public async Task InitializeAsync()
    {
        try
        {
            foreach (var h in VirtHosts)
            {
                await Namespaces.CreateAsync(Namespace(h));
                _libvirtd[h] = await LibvirtdInstance.StartAsync(Namespace(h), Path.Combine(Path.GetTempPath(), Namespace(h)));
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var h in VirtHosts)
        {
            try
            {
                if (_libvirtd.TryGetValue(h, out var d))
                {
                    await Destroy(h);
                    await d.StopAsync();
                }

                await ProcessRunner.Instance.RunAsync(CommandSpec.Of("rm", "-rf", HostTarget.Namespace(Namespace(h)).StateDirectory));
            }
            finally
            {
                await Namespaces.DeleteAsync(Namespace(h));
            }
        }
    }

    /// <summary>Every host back to empty: no QaNet network, table, chain, record or pending publish.</summary>
    public async Task ResetAsync()
    {
        foreach (var h in VirtHosts)
        {
            await Destroy(h);
            var run = HostTarget.Namespace(Namespace(h)).CreateRunner();
            await run.RunAsync(CommandSpec.Of("nft", "delete", "table", "inet", "qanet"));
            await run.RunAsync(CommandSpec.Of("ebtables", "-F"));
            await run.RunAsync(CommandSpec.Of("ebtables", "-X"));
            await ProcessRunner.Instance.RunAsync(CommandSpec.Of("rm", "-rf", HostTarget.Namespace(Namespace(h)).StateDirectory));
        }
    }

    private async Task Destroy(string host)
    {
        var run = HostTarget.Namespace(Namespace(host)).CreateRunner();
        var uri = _libvirtd[host].Uri;
        await run.RunAsync(new CommandSpec("virsh", new[] { "-c", uri, "net-destroy", "qn-pp-net" }));
        await run.RunAsync(new CommandSpec("virsh", new[] { "-c", uri, "net-undefine", "qn-pp-net" }));
    }
}

[CollectionDefinition(Name)]
public sealed class MultiHostLabGroup : ICollectionFixture<MultiHostLab>
{
    public const string Name = "multi-host-lab";
}
