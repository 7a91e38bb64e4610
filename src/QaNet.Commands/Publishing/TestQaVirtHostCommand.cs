using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;
using QaNet.Core.Publish;

namespace QaNet.Commands.Publishing;

/// <summary>
/// The host preflight: whether each host has what the policy publishes there needs (nft, the
/// nf_tables ebtables, libvirt and its firewall backend, firewalld, kernel features, forwarding,
/// free ports), through the same transports as Publish-QaNetwork. Reads only.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "QaVirtHost")]
[OutputType(typeof(QaVirtHostCheck))]
[OutputType(typeof(bool))]
public sealed class TestQaVirtHostCommand : PublishingCommand
{
    /// <summary>Returns only $true (no needed check failed on any host) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var policy = Policy ?? Session.Policy;
        var pump = new CmdletPump(this, "Checking");
        IReadOnlyList<(string Host, IReadOnlyList<QaVirtHostCheck> Checks, QaHostException? Error)> results;
        if (policy is null)
        {
            // No policy: the hosts named (this machine without -VirtHost), every check.
            var publisher = CreatePublisher(new QaPolicy("preflight"), pump);
            var hosts = VirtHost is { Length: > 0 } ? VirtHost : new[] { "localhost" };
            results = pump.Run(() => Task.WhenAll(hosts.Select(h => Guarded(h, () => publisher.CheckHostAsync(h, StopToken)))));
        }
        else
        {
            var publisher = CreatePublisher(policy, pump);
            if (RenderSelected(policy, publisher, null) is not { } artifacts)
            {
                return;
            }

            pump.Begin(artifacts.Count);
            try
            {
                results = pump.Run(() => Task.WhenAll(artifacts.Select(async a =>
                {
                    var r = await Guarded(a.VirtHost, () => publisher.CheckAsync(a, all: true, StopToken)).ConfigureAwait(false);
                    pump.Done(a.VirtHost);
                    return r;
                })));
            }
            finally
            {
                pump.End();
            }
        }

        // A host that cannot be reached is an error of its own (HostUnreachable, HostCommandTimedOut), not a failed check.
        var ok = results.All(r => r.Error is null && r.Checks.All(c => c.Status != QaCheckStatus.Fail));
        foreach (var (host, checks, error) in results)
        {
            if (error is not null)
            {
                WriteHostError(error, host);
            }
            else if (!Quiet)
            {
                WriteObject(checks, enumerateCollection: true);
            }
        }

        if (Quiet)
        {
            WriteObject(ok);
        }
    }

    private static async Task<(string, IReadOnlyList<QaVirtHostCheck>, QaHostException?)> Guarded(string host, Func<Task<IReadOnlyList<QaVirtHostCheck>>> work)
    {
        try
        {
            return (host, await work().ConfigureAwait(false), null);
        }
        catch (QaHostException ex)
        {
            return (host, Array.Empty<QaVirtHostCheck>(), ex);
        }
    }
}
