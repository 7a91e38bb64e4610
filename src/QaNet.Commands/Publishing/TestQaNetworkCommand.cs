using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Commands.Publishing;

/// <summary>Compares what QaNet owns on each host with what it would publish there: drift.</summary>
[Cmdlet(VerbsDiagnostic.Test, "QaNetwork")]
[OutputType(typeof(QaDriftItem))]
[OutputType(typeof(bool))]
public sealed class TestQaNetworkCommand : PublishingCommand
{
    /// <summary>Only the hosts that enforce these networks, and only these libvirt networks.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    /// <summary>Returns only $true (no drift on any host) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var pump = new CmdletPump(this, "Reading");
        var publisher = CreatePublisher(policy, pump);
        string[]? networks = null;
        if (Network is { Length: > 0 })
        {
            networks = SelectByName(policy.Networks, n => n.Name, Network, "network", "Get-QaNetwork").Select(n => n.Name).ToArray();
            if (networks.Length == 0)
            {
                return;
            }
        }

        IReadOnlyList<HostArtifacts> artifacts;
        try
        {
            artifacts = publisher.Render(SelectHosts(networks is null ? publisher.Hosts : publisher.HostsOf(networks)), networks);
        }
        catch (QaValidationException ex)
        {
            ThrowTerminatingError(QaErrorRecords.FromValidation(ex, policy));
            return;
        }

        var clean = true;
        foreach (var host in artifacts)
        {
            try
            {
                var drift = pump.Run(() => publisher.TestAsync(host, StopToken));
                clean &= drift.Count == 0;
                if (!Quiet)
                {
                    WriteObject(drift, enumerateCollection: true);
                }
            }
            catch (QaHostException ex)
            {
                clean = false;
                WriteHostError(ex, host.VirtHost);
            }
            catch (QaValidationException ex)
            {
                clean = false;
                WriteValidationError(ex, host.VirtHost);
            }
            finally
            {
                pump.Done(host.VirtHost);
            }
        }

        if (Quiet)
        {
            WriteObject(clean);
        }
    }
}
