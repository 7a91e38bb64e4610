using System.Management.Automation;
using QaNet.Commands.Publishing;
using QaNet.Core.Hosts;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Tests.Commands;

/// <summary>
/// Publish-QaNetwork, Confirm-QaPublish, Undo-QaPublish and Test-QaNetwork across three virthosts,
/// against scripted hosts that never show what was applied (so every publish is verified as failed
/// and rolled back): the parameters, one result per host in host order, the summary line, the
/// error records, NotAttempted with -StopOnFirstFailure. The real hosts are in Publish/MultiHostLabTests.
/// </summary>
[Collection(PublishCommandGroup.Name)]
public sealed class MultiHostCommandTests
{
    private const string ThreeHosts = """
        $p = New-QaPolicy -Name qa
        $n = New-QaIsolatedNetwork -Name qa-clients -Subnet 192.168.150.0/24 -Mode Nat -VirtHost vh1,vh2,vh3
        $null = $n | Add-QaClient -Name c1 -Role beaker -VirtHost vh1
        $null = $n | Add-QaClient -Name c2 -Role beaker -VirtHost vh2
        $null = $n | Add-QaClient -Name c3 -Role beaker -VirtHost vh3
        $null = Add-QaEndpoint -Name bastion -Address 10.5.124.10 -Port 22/tcp
        $null = Grant-QaIngress -From bastion -Role beaker -Port 22/tcp
        """;

    // Runs a call and hands back its results, errors, warnings and information records without failing.
    private const string Capture = """
        $r = @(CALL -ErrorVariable e -WarningVariable w -InformationVariable i -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        [pscustomobject]@{ R = $r; E = @($e); W = @($w | ForEach-Object { "$_" }); I = @($i | ForEach-Object { "$_" }) }
        """;

    // Each host in its own (scripted) namespace, so the recorded commands say which host they went to.
    private const string To = " -Transport @{ vh1 = 'namespace:qn-pp-vh1'; vh2 = 'namespace:qn-pp-vh2'; vh3 = 'namespace:qn-pp-vh3' }";

    private readonly RecordingRunner _host = new(script: FakeHosts.EmptyHost);

    private List<CommandSpec> On(string host) => _host.Commands.Where(c => c.Arguments.Count > 2 && c.Arguments[2] == "qn-pp-" + host).ToList();

    private static (List<QaPublishResult> Results, List<ErrorRecord> Errors, List<string> Warnings, List<string> Information) Call(PowerShellSession s, string call)
    {
        var all = Assert.Single(s.Run(Capture.Replace("CALL", call, StringComparison.Ordinal)));
        List<T> Items<T>(string name) => ((System.Collections.IEnumerable)(all.Properties[name].Value is PSObject p ? p.BaseObject : all.Properties[name].Value))
            .Cast<object>().Select(x => x is PSObject q ? q.BaseObject : x).Cast<T>().ToList();
        return (Items<QaPublishResult>("R"), Items<ErrorRecord>("E"), Items<string>("W"), Items<string>("I"));
    }

    private PowerShellSession Session()
    {
        var s = new PowerShellSession { Runner = _host };
        s.Run(ThreeHosts);
        return s;
    }

    [Fact]
    public void Every_host_is_published_and_reported_in_host_order_with_one_error_each_and_a_summary_warning()
    {
        using var s = Session();
        var (results, errors, warnings, _) = Call(s, "Publish-QaNetwork -Confirm:$false -ThrottleLimit 3" + To);
        Assert.Equal(new[] { "vh1", "vh2", "vh3" }, results.Select(r => r.VirtHost));
        Assert.All(results, r => Assert.Equal(QaPublishOutcome.RolledBack, r.Outcome));
        Assert.All(new[] { "vh1", "vh2", "vh3" }, h => Assert.Contains(On(h), c => c.Mutates && c.Arguments.Contains("net-define")));
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.StartsWith(QaErrorIds.PublishVerifyFailed + ",", e.FullyQualifiedErrorId, StringComparison.Ordinal));
        Assert.Equal(new[] { "vh1", "vh2", "vh3" }, errors.Select(e => ((QaPublishResult)e.TargetObject).VirtHost));
        // Each rolled-back host warns as it goes; the summary comes last.
        Assert.Equal(4, warnings.Count);
        Assert.Equal("3 hosts: 3 rolled back (vh1: PublishVerifyFailed, vh2: PublishVerifyFailed, vh3: PublishVerifyFailed)", warnings[^1]);
    }

    [Fact]
    public void Stop_on_first_failure_reports_the_rest_NotAttempted_and_runs_nothing_there()
    {
        using var s = Session();
        var (results, errors, warnings, _) = Call(s, "Publish-QaNetwork -Confirm:$false -ThrottleLimit 1 -StopOnFirstFailure" + To);
        Assert.Equal(new[] { QaPublishOutcome.RolledBack, QaPublishOutcome.NotAttempted, QaPublishOutcome.NotAttempted }, results.Select(r => r.Outcome));
        Assert.All(results.Skip(1), r => Assert.Equal(QaErrorIds.PublishNotAttempted, r.Error!.Id));
        // The failed host is an error; hosts not attempted are results and part of the summary, not errors.
        Assert.StartsWith(QaErrorIds.PublishVerifyFailed + ",", Assert.Single(errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(2, warnings.Count);
        Assert.Equal("3 hosts: 1 rolled back (vh1: PublishVerifyFailed), 2 not attempted (vh2: PublishNotAttempted, vh3: PublishNotAttempted)", warnings[^1]);
        Assert.NotEmpty(On("vh1"));
        Assert.Empty(On("vh2"));
        Assert.Empty(On("vh3"));
    }

    [Fact]
    public void WhatIf_plans_every_host_changes_nothing_and_the_summary_is_information_not_a_warning()
    {
        using var s = Session();
        var (results, errors, warnings, information) = Call(s, "Publish-QaNetwork -WhatIf -VirtHost vh1,vh3" + To);
        Assert.Equal(new[] { "vh1", "vh3" }, results.Select(r => r.VirtHost));
        Assert.All(results, r => Assert.Equal(QaPublishOutcome.WhatIf, r.Outcome));
        Assert.Empty(errors);
        Assert.Empty(warnings);
        Assert.Equal("2 hosts: 2 planned (WhatIf)", Assert.Single(information));
        Assert.Empty(_host.Mutations);
    }

    [Theory]
    // Issue 17, bug 11: without transports every host was "local", so one call applied each host's rules to this machine in turn.
    [InlineData("Publish-QaNetwork -Confirm:$false", "PublishQaNetworkCommand")]
    [InlineData("Publish-QaNetwork -WhatIf", "PublishQaNetworkCommand")]
    [InlineData("Publish-QaNetwork -VirtHost vh1,vh3 -Confirm:$false", "PublishQaNetworkCommand")]
    [InlineData("Publish-QaNetwork -Network qa-clients -Confirm:$false", "PublishQaNetworkCommand")]
    [InlineData("Publish-QaNetwork -Transport @{ vh1 = 'local' } -Confirm:$false", "PublishQaNetworkCommand")]
    [InlineData("Publish-QaNetwork -Transport @{ vh1 = 'namespace:qn-pp-vh1'; vh2 = 'namespace:qn-pp-vh1'; vh3 = 'namespace:qn-pp-vh3' } -Confirm:$false", "PublishQaNetworkCommand")]
    [InlineData("Test-QaNetwork", "TestQaNetworkCommand")]
    [InlineData("Test-QaVirtHost", "TestQaVirtHostCommand")]
    [InlineData("Confirm-QaPublish", "ConfirmQaPublishCommand")]
    [InlineData("Undo-QaPublish -Confirm:$false", "UndoQaPublishCommand")]
    public void Hosts_reached_on_one_target_are_refused_before_any_command_runs(string script, string cmdlet)
    {
        using var s = Session();
        var error = Assert.Single(s.Errors(script));
        Assert.Equal($"SharedHostTarget,QaNet.Commands.Publishing.{cmdlet}", error.FullyQualifiedErrorId);
        Assert.Equal("SharedHostTarget", Assert.Single(Assert.IsType<QaValidationException>(error.Exception).Errors).Id);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
        Assert.Empty(_host.Commands);
    }

    [Theory]
    // One host picked, or each host reached on its own target: the call goes ahead.
    [InlineData("Publish-QaNetwork -VirtHost vh2 -WhatIf")]
    [InlineData("Publish-QaNetwork -WhatIf" + To)]
    [InlineData("Publish-QaNetwork -WhatIf -VirtHost vh1,vh2 -Transport @{ vh1 = 'local'; vh2 = 'namespace:qn-pp-vh2' }")]
    public void One_host_per_target_is_published(string script)
    {
        using var s = Session();
        var results = s.Run(script + " -WarningAction SilentlyContinue").Select(o => Assert.IsType<QaPublishResult>(o.BaseObject)).ToList();
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.Equal(QaPublishOutcome.WhatIf, r.Outcome));
        Assert.NotEmpty(_host.Commands);
        Assert.Empty(_host.Mutations);
    }

    [Fact]
    public void The_example_policy_without_transports_is_refused_and_one_virthost_of_it_is_not()
    {
        using var s = PowerShellSession.WithExample();
        s.Runner = _host;
        Assert.Equal("SharedHostTarget,QaNet.Commands.Publishing.PublishQaNetworkCommand", Assert.Single(s.Errors("Publish-QaNetwork -Confirm:$false")).FullyQualifiedErrorId);
        Assert.Empty(_host.Commands);
        var result = s.Single<QaPublishResult>("Publish-QaNetwork -VirtHost virthost-comm01 -WhatIf");
        Assert.Equal(QaPublishOutcome.WhatIf, result.Outcome);
    }

    [Theory]
    [InlineData("Publish-QaNetwork -ThrottleLimit 0 -WhatIf")]
    [InlineData("Publish-QaNetwork -ThrottleLimit 65 -WhatIf")]
    [InlineData("Test-QaNetwork -ThrottleLimit 0")]
    [InlineData("Confirm-QaPublish -ThrottleLimit 0")]
    public void A_throttle_out_of_range_is_refused(string script)
    {
        using var s = Session();
        Assert.StartsWith("ParameterArgumentValidationError,", s.ErrorId(script), StringComparison.Ordinal);
        Assert.Empty(_host.Commands);
    }

    [Fact]
    public void The_parameters_have_their_defaults_and_types()
    {
        using var s = new PowerShellSession();
        Assert.Equal(5, new PublishQaNetworkCommand().ThrottleLimit);
        Assert.False(new PublishQaNetworkCommand().StopOnFirstFailure.IsPresent);
        foreach (var cmdlet in new[] { "Publish-QaNetwork", "Confirm-QaPublish", "Undo-QaPublish", "Test-QaNetwork" })
        {
            Assert.Equal("System.Int32", s.Run($"(Get-Command {cmdlet}).Parameters['ThrottleLimit'].ParameterType.FullName").Single().ToString());
        }

        Assert.Equal("System.Management.Automation.SwitchParameter", s.Run("(Get-Command Test-QaNetwork).Parameters['Summary'].ParameterType.FullName").Single().ToString());
    }

    [Fact]
    public void Test_summary_gives_one_status_per_host_in_host_order_and_reads_only()
    {
        using var s = Session();
        var statuses = s.Run("Test-QaNetwork -Summary -ThrottleLimit 2 -WarningAction SilentlyContinue" + To).Select(o => Assert.IsType<QaHostStatus>(o.BaseObject)).ToList();
        Assert.Equal(new[] { "vh1", "vh2", "vh3" }, statuses.Select(x => x.VirtHost));
        Assert.All(statuses, x => Assert.False(x.InSync));
        Assert.All(statuses, x => Assert.True(x.DriftCount > 0));
        Assert.All(statuses, x => Assert.Null(x.Record));
        Assert.Empty(_host.Mutations);
        Assert.False(s.Single<bool>("Test-QaNetwork -Quiet -WarningAction SilentlyContinue" + To));
    }

    [Fact]
    public async Task Ctrl_C_while_a_host_reads_stops_it_with_nothing_changed_releases_its_lock_and_starts_no_other_host()
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // An empty host whose first expected-form load (a read) waits until the caller stops.
        var recorder = new RecordingRunner(new ScriptedRunner(async (spec, ct) =>
        {
            if (FakeHosts.IsScratch(spec) && spec.InsideNamespace().Program == "nft")
            {
                reached.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }

            return FakeHosts.IsScratch(spec) ? FakeHosts.ScratchScript(spec) : FakeHosts.EmptyHost(spec.InsideNamespace()) ?? CommandResult.Ok();
        }));
        using var s = Session();
        s.Runner = recorder;
        using var ps = s.Pipeline("Publish-QaNetwork -Confirm:$false -ThrottleLimit 1" + To);
        var run = ps.BeginInvoke();
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        ps.Stop();
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(run));

        var hostCommands = recorder.Commands.Where(c => !FakeHosts.IsScratch(c)).ToList();
        var vh1 = hostCommands.Where(c => c.Arguments[2] == "qn-pp-vh1").Select(c => string.Join(' ', c.Arguments.Skip(3))).ToList();
        Assert.Equal("rm -rf /run/qanet/netns/qn-pp-vh1/lock", vh1[^1]);
        Assert.DoesNotContain(recorder.Mutations, m => m.Arguments[3] is "virsh" or "nft" or "ebtables-restore");
        Assert.DoesNotContain(hostCommands, c => c.Arguments[2] != "qn-pp-vh1");
        // The throwaway namespace the stopped check made is deleted all the same.
        var scratch = recorder.Commands.Where(FakeHosts.IsScratch).Select(c => string.Join(' ', c.Arguments.Take(2))).ToList();
        Assert.Equal(scratch.Count(l => l == "netns add"), scratch.Count(l => l == "netns del"));
        Assert.Equal("netns del", scratch[^1]);
    }

    [Fact]
    public void Confirm_without_anything_pending_on_any_host_is_one_error()
    {
        using var s = Session();
        Assert.StartsWith(QaErrorIds.PublishNotPending + ",", s.ErrorId("Confirm-QaPublish -ThrottleLimit 3" + To), StringComparison.Ordinal);
        // Each host's lock was taken and released, nothing else changed.
        Assert.All(_host.Mutations, m => Assert.True(m.Arguments[3] is "mkdir" or "dd" or "rm", m.ToString()));
        Assert.Equal(3, _host.Mutations.Count(m => m.Arguments[3] == "rm"));
    }
}
