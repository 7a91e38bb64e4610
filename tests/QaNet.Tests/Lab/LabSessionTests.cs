using System.Management.Automation;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Probes;
using QaNet.Core.Publish;

namespace QaNet.Tests.Lab;

/// <summary>
/// The cmdlets' path through a real lab (issue 14): Start-QaLab, Set-QaClient, Publish-QaNetwork
/// re-plug the moved client; the lab belongs to the runspace that started it; a lab started with
/// -Mode is published as it was built. Two small labs, each removed at the end.
/// </summary>
[Trait("Needs", "Root")]
public sealed class LabSessionTests
{
    private const string PolicyScript = """
        $null = New-QaPolicy -Name sess
        $null = New-QaIsolatedNetwork -Name qa-clients -Subnet 192.168.151.0/24 -Mode Nat -VirtHost vh1, vh2
        $null = Add-QaClient -Network qa-clients -Name c1 -Address 192.168.151.10 -Role taskotron -VirtHost vh1
        $null = Add-QaClient -Network qa-clients -Name c2 -Address 192.168.151.11 -Role beaker -VirtHost vh2
        $null = Add-QaEndpoint -Name koji -Address 203.0.113.10 -Port 443/tcp
        $null = Add-QaEndpoint -Name bastion -Address 192.0.2.10 -Port 22/tcp
        $null = Grant-QaEgress -Role taskotron -Endpoint koji
        $null = Grant-QaIngress -From bastion -Role taskotron, beaker -Port 22/tcp
        """;

    private static async Task WithLab(string prefix, string start, Func<PowerShellSession, Task> body)
    {
        await QaLab.StopAsync(prefix);
        try
        {
            using var s = new PowerShellSession();
            s.Run(PolicyScript);
            s.Run(start);
            await body(s);
        }
        finally
        {
            await QaLab.StopAsync(prefix);
            Assert.Empty(await Namespaces.ListAsync(prefix));
        }
    }

    [Fact]
    public Task Set_QaClient_then_Publish_QaNetwork_replugs_the_client_and_the_lab_stays_this_runspaces() =>
        WithLab("qn-ss-", "$startVerbose = @(Start-QaLab -Prefix qn-ss- -Confirm:$false -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)", async s =>
        {
            // One log from Core: the lab's own steps and the publisher's, per host, reach -Verbose.
            var verbose = s.Run("$startVerbose").Select(o => o.ToString()).ToList();
            Assert.Contains(verbose, m => m.StartsWith("Creating ", StringComparison.Ordinal));
            Assert.Contains(verbose, m => m.StartsWith("vh1: ", StringComparison.Ordinal));
            Assert.Contains(verbose, m => m.StartsWith("vh2: ", StringComparison.Ordinal));
            Assert.Equal("vh1", QaLab.Get("qn-ss-")!.State.FindHost("c1")!.VirtHost);

            // Another runspace with the same policy is not redirected into this runspace's lab:
            // its publish goes where the policy says (here a scripted host), and Stop-QaLab there
            // without -Prefix does not stop it.
            var elsewhere = new RecordingRunner(script: _ => CommandResult.Fail(1, "scripted: no such host"));
            using (var other = new PowerShellSession { Runner = elsewhere })
            {
                other.Run(PolicyScript);
                // One host: without transports both would be this machine, which is refused (SharedHostTarget).
                other.Run("$null = Publish-QaNetwork -VirtHost vh1 -WhatIf -ErrorAction SilentlyContinue -WarningAction SilentlyContinue");
                Assert.NotEmpty(elsewhere.Commands);
                Assert.DoesNotContain(elsewhere.Commands, c => c.ToString().Contains("qn-ss-", StringComparison.Ordinal));
                Assert.StartsWith("LabNotFound,", other.Errors("Stop-QaLab -Confirm:$false")[0].FullyQualifiedErrorId, StringComparison.Ordinal);
            }

            Assert.NotNull(QaLab.Get("qn-ss-"));

            // This runspace: the move, one publish, and the lab follows.
            s.Run("Set-QaClient -Name c1 -VirtHost vh2 -Confirm:$false");
            var results = s.Run("Publish-QaNetwork -Confirm:$false").Select(o => Assert.IsType<QaPublishResult>(o.BaseObject)).ToList();
            Assert.Equal(["vh1", "vh2"], results.Select(r => r.VirtHost));
            Assert.All(results, r => Assert.True(r.Outcome == QaPublishOutcome.Applied, r + " " + r.Error?.Detail));
            var c1 = QaLab.Get("qn-ss-")!.State.FindHost("c1")!;
            Assert.Equal(("vh2", "dhcp"), (c1.VirtHost, c1.AddressSource));

            var cells = s.Run("Test-QaReachability -From c1 -To koji -Port 443 -Live").Select(o => Assert.IsType<QaLiveResult>(o.BaseObject)).ToList();
            var cell = Assert.Single(cells);
            Assert.True(cell.Observed && cell.Conforms, cell.ToString());
            var into = Assert.Single(s.Run("Test-QaReachability -From bastion -To c1 -Port 22 -Live").Select(o => Assert.IsType<QaLiveResult>(o.BaseObject)));
            Assert.True(into.Observed && into.Conforms, into.ToString());

            // Ctrl+C reaches the probes: every probe command stalls until it is cancelled (or, if
            // the stop never reached it, until a safety bound that fails the test).
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var cancelled = 0;
            var ranOut = 0;
            s.Runner = new ScriptedRunner(async (_, ct) =>
            {
                started.TrySetResult();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), ct);
                    Interlocked.Increment(ref ranOut);
                    return CommandResult.Fail(1, "stalled");
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    throw;
                }
            });
            using (var ps = s.Pipeline("Test-QaReachability -All -Live"))
            {
                var running = ps.BeginInvoke();
                await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
                ps.Stop();
                Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
                Assert.True(running.IsCompleted);
            }

            Assert.True(Volatile.Read(ref cancelled) > 0, "no probe saw the stop");
            Assert.Equal(0, Volatile.Read(ref ranOut));
            s.Runner = null;

            // Stop-QaLab without -Prefix stops this runspace's lab.
            s.Run("Stop-QaLab -Confirm:$false");
            Assert.Null(QaLab.Get("qn-ss-"));
            await Task.CompletedTask;
        });

    [Fact]
    public Task A_lab_started_with_Mode_is_published_in_that_mode() =>
        WithLab("qn-sm-", "$null = Start-QaLab -Prefix qn-sm- -Mode Bridged -Confirm:$false", async s =>
        {
            Assert.Equal(QaNet.Core.Model.QaNetworkMode.Bridged, QaLab.Get("qn-sm-")!.State.Networks.Single().Mode);
            // The policy says Nat; the lab holds Bridged, and a publish into it must not turn it into Nat.
            var results = s.Run("Publish-QaNetwork -Confirm:$false").Select(o => Assert.IsType<QaPublishResult>(o.BaseObject)).ToList();
            Assert.NotEmpty(results);
            Assert.All(results, r => Assert.True(r.Outcome == QaPublishOutcome.Unchanged, r + " " + string.Join(", ", r.Changes)));
            Assert.Equal("Nat", s.Single<string>("(Get-QaNetwork qa-clients).Mode.ToString()"));
            await Task.CompletedTask;
        });

    [Fact]
    public Task A_lab_started_with_VirtHostProfile_Libvirt11_shows_it_and_its_virthosts_report_libvirt_11() =>
        WithLab("qn-sl-", "$null = Start-QaLab -Prefix qn-sl- -VirtHostProfile Libvirt11 -Confirm:$false", async s =>
        {
            Assert.Equal("Libvirt11", s.Single<string>("(Get-QaLab qn-sl-).VirtHostProfile.ToString()"));
            // Test-QaVirtHost reaches the lab's virthost and reports the stack it finds there.
            var found = s.Single<string>("(Test-QaVirtHost -VirtHost vh1 | Where-Object Check -eq Libvirt).Found");
            Assert.StartsWith("libvirt 11.3.", found, StringComparison.Ordinal);
            await Task.CompletedTask;
        });
}
