using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Publishing;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Resolution;

namespace QaNet.Commands.Domains;

/// <summary>
/// The libvirt domains (existing VMs) of virthosts, with their state and interfaces, read through
/// the same transports as Publish-QaNetwork. Reads only. Its objects pipe into Add-QaClient
/// (Name, MacAddress alias Mac, Network, VirtHost) and name the domain for Connect-QaClient.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QaVirtHostDomain")]
[OutputType(typeof(QaVirtHostDomain))]
public sealed class GetQaVirtHostDomainCommand : PublishingCommand
{
    /// <summary>Domain names (wildcards allowed); all of each host's domains when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var policy = Policy ?? Session.Policy;
        var pump = new CmdletPump(this, "Reading domains");
        var publisher = CreatePublisher(policy ?? new QaPolicy("domains"), pump);
        // No policy: the hosts named (this machine without -VirtHost); else the policy's virthosts.
        var hosts = policy is null
            ? (VirtHost is { Length: > 0 } ? VirtHost.ToList() : new List<string> { "localhost" })
            : SelectHosts(publisher, HostTopology.Of(policy).VirtHosts);
        var results = pump.Run(() => Task.WhenAll(hosts.Select(async h =>
        {
            try
            {
                return (Host: h, Domains: await VirtHostDomains.ListAsync(publisher.HostFor(h), pump, StopToken).ConfigureAwait(false), Error: (QaHostException?)null);
            }
            catch (QaHostException ex)
            {
                return (Host: h, Domains: (IReadOnlyList<QaVirtHostDomain>)Array.Empty<QaVirtHostDomain>(), Error: ex);
            }
        })));

        var found = new List<QaVirtHostDomain>();
        foreach (var (host, domains, error) in results)
        {
            if (error is not null)
            {
                WriteHostError(error, host);
                continue;
            }

            found.AddRange(domains);
            WriteObject(domains.Where(d => Name is not { Length: > 0 } || MatchesAny(d.Name, Name)), enumerateCollection: true);
        }

        foreach (var literal in (Name ?? Array.Empty<string>()).Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
        {
            if (!found.Exists(d => string.Equals(d.Name, literal, StringComparison.OrdinalIgnoreCase)))
            {
                var where = string.Join(", ", results.Where(r => r.Error is null).Select(r => r.Host));
                WriteError(QaErrorRecords.Create(QaNet.Core.Validation.QaErrorIds.DomainNotFound, literal,
                    $"No libvirt domain named '{literal}' on {(where.Length == 0 ? "the hosts read" : where)}.",
                    "List them all with Get-QaVirtHostDomain (without -Name), or pick another -VirtHost."));
            }
        }
    }
}
