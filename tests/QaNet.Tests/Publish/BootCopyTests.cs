using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Tests.Support;

namespace QaNet.Tests.Publish;

/// <summary>
/// The boot copy (what a reboot loads before libvirt starts QaNet's networks): what it holds for a
/// rendered host, how it is read back, and the publish step that writes it with an undo that puts
/// back what was there. The copy loading at a simulated reboot, and failing closed, is NatLabTests'.
/// </summary>
public sealed class BootCopyTests
{
    private static readonly PolicyPublisher Publisher = new(ExamplePolicies.Fedora());

    private static HostArtifacts Artifacts(string virtHost = "virthost-comm01") => Publisher.Render(new[] { virtHost }).Single();

    private static PublishHost Host(ICommandRunner? runner = null, string? config = "/etc/libvirt") =>
        new("virthost-comm01", runner ?? new RecordingRunner(script: _ => CommandResult.Ok()), "/run/qanet/host") { LibvirtConfigDirectory = config };

    [Fact]
    public void The_copy_names_the_hosts_networks_and_tables_and_holds_each_table_as_one_replace_transaction()
    {
        var artifacts = Artifacts();
        var copy = BootCopy.Desired(Host(), artifacts)!;

        Assert.Equal(new[] { "hooks/network.d/50-qanet", "qanet/ebtables", "qanet/networks", "qanet/qanet.nft", "qanet/tables" }, copy.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(artifacts.Networks.Where(n => n.Xml is not null).Select(n => n.Name + "\n"), copy["qanet/networks"].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l + "\n"));
        var tables = artifacts.NftTables.Where(t => t.Definition is not null).ToList();
        Assert.NotEmpty(tables);
        Assert.Equal(string.Concat(tables.Select(t => $"{t.Family} {t.Name}\n")), copy["qanet/tables"]);
        foreach (var t in tables)
        {
            Assert.Contains($"table {t.Family} {t.Name}\ndelete table {t.Family} {t.Name}\n", copy["qanet/qanet.nft"], StringComparison.Ordinal);
            Assert.Contains(t.Definition!.TrimEnd(), copy["qanet/qanet.nft"], StringComparison.Ordinal);
        }

        Assert.Equal(BootCopy.HookScript, copy["hooks/network.d/50-qanet"]);
    }

    [Fact]
    public void The_hook_is_a_constant_program_that_holds_no_value_of_the_policy()
    {
        var policy = ExamplePolicies.Fedora();
        var names = policy.Clients.Select(c => c.Name).Concat(policy.Networks.Select(n => n.Name)).ToList();
        Assert.All(names, n => Assert.DoesNotContain(n, BootCopy.HookScript, StringComparison.Ordinal));
        Assert.StartsWith("#!/bin/sh\n", BootCopy.HookScript, StringComparison.Ordinal);
        // Only a network start ("start begin") may load anything, and a failed load fails the hook.
        Assert.Contains("[ \"$2\" = start ] && [ \"$3\" = begin ] || exit 0", BootCopy.HookScript, StringComparison.Ordinal);
        Assert.Contains("exit 1", BootCopy.HookScript, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_persisted_for_a_bare_namespace_or_a_host_without_networks()
    {
        Assert.Null(BootCopy.Desired(Host(config: null), Artifacts()));
        Assert.Null(PublishHost.For("virthost-01", HostTarget.Namespace("qn-x-vh1")).LibvirtConfigDirectory);
        Assert.Equal("/etc/libvirt", PublishHost.For("virthost-01", HostTarget.Local).LibvirtConfigDirectory);
        Assert.Null(BootCopy.Desired(Host(), Artifacts() with { Networks = Array.Empty<LibvirtNetworkArtifact>() }));
    }

    [Theory]
    [InlineData("relative/etc")]
    [InlineData("/etc/lib virt")]
    [InlineData("/etc/libvirt\n")]
    [InlineData("/etc/../root")]
    [InlineData("/etc/libvirt;rm")]
    public void A_configuration_folder_that_is_not_a_plain_absolute_path_is_refused(string dir)
    {
        var ex = Assert.Throws<QaNet.Core.Validation.QaValidationException>(() => Host(config: dir));
        Assert.Equal(QaNet.Core.Validation.QaErrorIds.InvalidArtifact, ex.ErrorId);
    }

    [Fact]
    public void Grep_output_reads_back_as_files_and_ignores_other_paths()
    {
        const string output = "/etc/libvirt/qanet/networks:qa-clients\n/etc/libvirt/qanet/networks:qa-beaker\n/etc/libvirt/qanet/tables:inet qanet\n" +
                              "/etc/libvirt/qanet/qanet.nft:table inet qanet\n/etc/libvirt/qanet/qanet.nft:\n/etc/libvirt/qanet/qanet.nft:x:y\n" +
                              "/etc/libvirt/qanet/stray:nothing\ngrep: /etc/libvirt/hooks/network.d/50-qanet: No such file or directory\n";
        var files = BootCopy.Parse("/etc/libvirt", output);
        Assert.Equal("qa-clients\nqa-beaker\n", files["qanet/networks"]);
        Assert.Equal("inet qanet\n", files["qanet/tables"]);
        Assert.Equal("table inet qanet\n\nx:y\n", files["qanet/qanet.nft"]);
        Assert.False(files.ContainsKey("qanet/stray"));
        Assert.False(files.ContainsKey(BootCopy.HookPath));
    }

    [Fact]
    public async Task A_first_publish_plans_the_copy_and_the_hook_as_its_first_step()
    {
        CommandResult? Script(CommandSpec spec) =>
            spec.Arguments is ["netns", "exec", var ns, ..] && ns.StartsWith("qanet-check-", StringComparison.Ordinal) ? CommandResult.Ok() : FakeHosts.EmptyHost(spec);
        var recorder = new RecordingRunner(script: Script);
        var publisher = new PolicyPublisher(ExamplePolicies.Fedora(), transports: new[] { QaHostTransport.Local("virthost-comm01") }) { LocalRunner = recorder };
        var artifacts = Assert.Single(publisher.Render(new[] { "virthost-comm01" }));
        var result = await publisher.PublishAsync(artifacts, new PublishOptions { WhatIf = true, Preflight = false });

        Assert.Equal(QaPublishOutcome.WhatIf, result.Outcome);
        Assert.Empty(recorder.Mutations);
        Assert.Contains(recorder.Commands, c => c is { Program: "grep", Arguments: ["-r", "-H", "-e", "", "--", "/etc/libvirt/qanet", "/etc/libvirt/hooks/network.d/50-qanet"] });
        var first = result.Plan!.Changes[0];
        Assert.Equal((QaPublishChangeKind.BootCopyWrite, "/etc/libvirt/qanet"), (first.Kind, first.Target));
        Assert.Single(result.Plan.Changes, c => c.Kind == QaPublishChangeKind.BootCopyWrite);
        var desired = BootCopy.Desired(publisher.HostFor("virthost-comm01"), artifacts)!;
        foreach (var path in BootCopy.Differences(desired, new Dictionary<string, string>()))
        {
            Assert.Contains($"dd of=/etc/libvirt/{path} status=none", result.Plan.Commands);
        }

        Assert.Contains("chmod 0755 -- /etc/libvirt/hooks/network.d/50-qanet", result.Plan.Commands);
    }

    [Fact]
    public void The_step_writes_only_what_differs_and_its_undo_puts_back_the_previous_copy_or_removes_what_was_not_there()
    {
        var host = Host();
        var desired = BootCopy.Desired(host, Artifacts("virthost-comm01"))!;
        var live = desired.Where(kv => kv.Key != BootCopy.HookPath).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        live["qanet/networks"] = "qa-old\n";
        var steps = new List<PublishStep>();
        BootCopy.Plan(new HostSession(host, NullQaLog.Instance, default), desired, live, steps);

        var step = Assert.Single(steps);
        var writes = step.Apply.Where(c => c.Program == "dd").Select(c => c.Arguments[0]).ToList();
        Assert.Equal(new[] { "of=/etc/libvirt/qanet/networks", "of=/etc/libvirt/hooks/network.d/50-qanet" }, writes);
        Assert.Equal("mkdir", step.Apply[0].Program);
        Assert.Contains(step.Undo, c => c is { Program: "dd", Arguments: ["of=/etc/libvirt/qanet/networks", ..] } && c.StdinText == "qa-old\n");
        Assert.Contains(step.Undo, c => c is { Program: "rm", Arguments: ["-f", "--", "/etc/libvirt/hooks/network.d/50-qanet"] });

        // Already in place: no step at all.
        var none = new List<PublishStep>();
        BootCopy.Plan(new HostSession(host, NullQaLog.Instance, default), desired, desired, none);
        Assert.Empty(none);
    }
}
