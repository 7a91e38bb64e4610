using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Session;
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
        var policy = Policy ?? CurrentPolicy.Get();
        var pump = new CmdletPump(this, "Checking");
        IReadOnlyList<IReadOnlyList<QaVirtHostCheck>> results;
        if (policy is null)
        {
            // No policy: the hosts named (this machine without -VirtHost), every check.
            var publisher = CreatePublisher(new QaPolicy("preflight"), pump);
            var hosts = VirtHost is { Length: > 0 } ? VirtHost : new[] { "localhost" };
            results = pump.Run(() => Task.WhenAll(hosts.Select(h => publisher.CheckHostAsync(h, StopToken))));
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
                    var r = await publisher.CheckAsync(a, all: true, StopToken).ConfigureAwait(false);
                    pump.Done(a.VirtHost);
                    return r;
                })));
            }
            finally
            {
                pump.End();
            }
        }

        var ok = results.SelectMany(r => r).All(c => c.Status != QaCheckStatus.Fail);
        if (Quiet)
        {
            WriteObject(ok);
            return;
        }

        foreach (var check in results.SelectMany(r => r))
        {
            WriteObject(check);
        }
    }
}
