using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Publishing;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Commands.Domains;

/// <summary>
/// Moves an existing VM onto its client's QaNet network: the interface with the client's MAC of
/// a libvirt domain on the client's virthost is put on the client's network (virsh update-device,
/// live and persistent while it runs, persistent when it is shut off). A host change, not a policy
/// edit, hence its own verb rather than a switch on Set-QaClient; the network must be published
/// to the virthost first.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "QaClient", DefaultParameterSetName = ParameterSets.ByName, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(QaDomainAttachment))]
public sealed class ConnectQaClientCommand : PublishingCommand
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Client names of the policy.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaClient[] InputObject { get; set; } = Array.Empty<QaClient>();

    /// <summary>The libvirt domain; without it, the one domain of the client's virthost that has an interface with the client's MAC.</summary>
    [Parameter]
    public string? Domain { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.ByObject)
        {
            foreach (var client in InputObject)
            {
                if (TryOwnerPolicy(client.Policy, client, out var owner))
                {
                    Connect(owner, client);
                }
            }

            return;
        }

        var policy = ResolvePolicy();
        foreach (var name in Name)
        {
            if (policy.FindClient(name) is { } client)
            {
                Connect(policy, client);
            }
            else
            {
                WriteValidationError(PolicyEditor.NotFound("client", name, "Get-QaClient"), name);
            }
        }
    }

    private void Connect(QaPolicy policy, QaClient client)
    {
        if (!MatchesAny(client.VirtHost, VirtHost))
        {
            WriteVerbose($"Client '{client.Name}' is on virthost '{client.VirtHost}', which -VirtHost leaves out.");
            return;
        }

        if (Domain is not null && !VirtHostDomains.IsValidDomainName(Domain))
        {
            WriteValidationError(new QaValidationException(VirtHostDomains.InvalidDomainName(Domain)), Domain);
            return;
        }

        var pump = new CmdletPump(this, "Connecting");
        var publisher = CreatePublisher(policy, pump);
        var host = publisher.HostFor(client.VirtHost);
        QaDomainAttachment attachment;
        try
        {
            attachment = pump.Run(() => PlanAsync(host, client));
        }
        catch (QaHostException ex)
        {
            WriteHostError(ex, client.Name);
            return;
        }
        catch (QaValidationException ex)
        {
            WriteValidationError(ex, client.Name);
            return;
        }

        if (!attachment.Changed)
        {
            WriteVerbose($"Domain '{attachment.Domain}' on '{attachment.VirtHost}': interface {attachment.MacAddress} is already on network '{attachment.Network}'.");
            WriteObject(attachment);
            return;
        }

        var target = $"domain '{attachment.Domain}' on virthost '{attachment.VirtHost}' (client '{client.Name}')";
        var action = $"Move interface {attachment.MacAddress} from '{attachment.From}' to network '{attachment.Network}' ({attachment.Scope}): " +
            $"{attachment.Command} with on stdin:{Environment.NewLine}{attachment.InterfaceXml}";
        if (!ShouldProcess(target, action))
        {
            return;
        }

        try
        {
            pump.Run(async () =>
            {
                await VirtHostDomains.AttachAsync(host, attachment, pump, StopToken).ConfigureAwait(false);
                return true;
            });
        }
        catch (QaHostException ex)
        {
            WriteHostError(ex, client.Name);
            return;
        }

        WriteObject(attachment);
    }

    private async Task<QaDomainAttachment> PlanAsync(PublishHost host, QaClient client)
    {
        QaVirtHostDomain domain;
        if (Domain is { } name)
        {
            domain = await VirtHostDomains.GetAsync(host, name, null, StopToken).ConfigureAwait(false)
                ?? throw VirtHostDomains.DomainNotFound(host.VirtHost, name);
        }
        else
        {
            var all = await VirtHostDomains.ListAsync(host, null, StopToken).ConfigureAwait(false);
            var withMac = all.Where(d => d.InterfaceOf(client.MacAddress) is not null).ToList();
            domain = withMac.Count switch
            {
                0 => throw VirtHostDomains.NoDomainWithMac(host.VirtHost, client.MacAddress, client.Name),
                1 => withMac[0],
                _ => throw new QaHostException(QaErrorIds.DomainMacAmbiguous,
                    $"Domains {string.Join(", ", withMac.Select(d => $"'{d.Name}'"))} of virthost '{host.VirtHost}' all have an interface with client '{client.Name}''s MAC {client.MacAddress}. " +
                    "Fix: name the one to connect with -Domain."),
            };
        }

        return await VirtHostDomains.PlanAttachAsync(host, domain, client.MacAddress, client.Network, client.Name, null, StopToken).ConfigureAwait(false);
    }
}
