using System.Collections;
using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Diagnostics;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;

namespace QaNet.Commands.Publishing;

/// <summary>
/// What Publish-QaNetwork, Confirm-QaPublish, Undo-QaPublish and Test-QaNetwork share: -Policy
/// (also piped), -VirtHost (host names with wildcards), -Transport (per-host overrides of the
/// policy's transports), the <see cref="PolicyPublisher"/> they call, and how a host's failure
/// becomes an error record. The work runs through a <see cref="CmdletPump"/>.
/// </summary>
public abstract class PublishingCommand : QaCmdlet, IDisposable
{
    private static readonly string[] SummaryTags = { "QaNet", "Summary" };
    private readonly CancellationTokenSource _stop = new();

    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    /// <summary>The hosts to work on (virthosts and gateway endpoints); all of the policy's when omitted.</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.RulesetHostCompleter))]
    public string[]? VirtHost { get; set; }

    /// <summary>
    /// How to reach hosts, over the policy's <c>transports:</c>: QaHostTransport objects, or a
    /// hashtable of host name → short form (<c>local</c>, <c>namespace:qn-vh1</c>, <c>ssh:root@vh2:22</c>).
    /// </summary>
    [Parameter]
    [Alias("Target")]
    public object[]? Transport { get; set; }

    /// <summary>How many hosts are worked on at the same time (each host on its own is atomic).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 5;

    protected CancellationToken StopToken => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    public void Dispose()
    {
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The lab this call reaches the hosts through (this session's, when no -Transport is given); null otherwise.</summary>
    protected QaLab? ThroughLab { get; private set; }

    protected PolicyPublisher CreatePublisher(QaPolicy policy, IQaLog log)
    {
        var transports = Transports();
        // A lab started in this session stands in for the policy's hosts until it is stopped,
        // so Start-QaLab; Publish-QaNetwork; Test-QaNetwork need no -Transport.
        if (transports.Count == 0 && Session.Lab is { } lab)
        {
            WriteVerbose($"Reaching the hosts through lab '{lab.Prefix}' (started in this session); -Transport overrides it.");
            transports = lab.Transports().ToList();
            ThroughLab = lab;
            policy = Lab.LabCommand.AsBuilt(lab, policy, out var overridden);
            if (overridden.Count > 0)
            {
                WriteVerbose($"Lab '{lab.Prefix}' was started with -Mode: its networks are rendered as the lab holds them: {string.Join(", ", overridden)}.");
            }
        }

        return new(policy, log, transports) { LocalRunner = Session.Runner };
    }

    /// <summary>
    /// The policy's hosts that -VirtHost names (all without it); a literal name the policy lacks is
    /// an UnknownVirtHost error. Two selected hosts reached on the same target (SharedHostTarget)
    /// end the command before anything runs on a host.
    /// </summary>
    protected List<string> SelectHosts(PolicyPublisher publisher, IReadOnlyList<string> hosts)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        var selected = SelectHosts(hosts);
        try
        {
            publisher.RefuseSharedTargets(selected);
        }
        catch (QaValidationException ex)
        {
            ThrowTerminatingError(QaErrorRecords.FromValidation(ex, selected.ToArray()));
        }

        return selected;
    }

    private List<string> SelectHosts(IReadOnlyList<string> hosts)
    {
        if (VirtHost is null || VirtHost.Length == 0)
        {
            return hosts.ToList();
        }

        foreach (var name in VirtHost.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
        {
            if (!hosts.Contains(name, Names.Comparer))
            {
                WriteError(QaErrorRecords.Create(QaErrorIds.UnknownVirtHost, name,
                    $"No network of the policy is on a host named '{name}'.",
                    $"Use one of: {string.Join(", ", hosts)} (virthosts of the networks and gateways of Gateway networks)."));
            }
        }

        return hosts.Where(h => MatchesAny(h, VirtHost)).ToList();
    }

    /// <summary>
    /// What -Network (names with wildcards; all networks without it) and -VirtHost select, rendered
    /// per host: only the hosts that enforce those networks and only those libvirt networks. Null
    /// when -Network matched nothing (already reported); an invalid rendering ends the command.
    /// </summary>
    protected IReadOnlyList<HostArtifacts>? RenderSelected(QaPolicy policy, PolicyPublisher publisher, string[]? network)
    {
        string[]? networks = null;
        if (network is { Length: > 0 })
        {
            networks = SelectByName(policy.Networks, n => n.Name, network, "network", "Get-QaNetwork").Select(n => n.Name).ToArray();
            if (networks.Length == 0)
            {
                return null;
            }
        }

        try
        {
            return publisher.Render(SelectHosts(publisher, networks is null ? publisher.Hosts : publisher.HostsOf(networks)), networks);
        }
        catch (QaValidationException ex)
        {
            ThrowTerminatingError(QaErrorRecords.FromValidation(ex, policy));
            return null;
        }
    }

    /// <summary>Reports a host's failed result as an error (the result itself is written too).</summary>
    protected void WriteHostError(QaPublishResult result)
    {
        var error = result.Error!;
        var exception = error.Exception ?? new InvalidOperationException(error.Message);
        var record = new ErrorRecord(exception, error.Id, QaErrorRecords.Category(error.Id), result)
        {
            ErrorDetails = new ErrorDetails(error.Message + (error.Detail is { Length: > 0 } d ? Environment.NewLine + d : string.Empty)),
        };
        WriteError(record);
    }

    /// <summary>
    /// The overall outcome of a multi-host call: a warning when a host failed, was rolled back or was
    /// not attempted, else an information record (tagged QaNet, Summary) and a verbose line.
    /// </summary>
    protected void WriteSummary(IReadOnlyList<QaPublishResult> results)
    {
        if (results.Count == 0)
        {
            return;
        }

        var summary = HostFanOut.Summarize(results);
        if (HostFanOut.NeedsAttention(results))
        {
            WriteWarning(summary);
            return;
        }

        WriteVerbose(summary);
        WriteInformation(summary, SummaryTags);
    }

    /// <summary>Writes one host's result, and its error when it failed; what Publish, Confirm and Undo share.</summary>
    protected void WriteHostResult(QaPublishResult result)
    {
        WriteObject(result);
        if (result.Error is { Exception: QaValidationException invalid })
        {
            WriteValidationError(invalid, result.VirtHost);
        }
        else if (result.Outcome is QaPublishOutcome.Failed or QaPublishOutcome.RolledBack || result.Error?.Id == QaErrorIds.PublishRevertedByTimer)
        {
            WriteHostError(result);
        }
    }

    protected void WriteHostError(QaHostException exception, string host) =>
        WriteError(new ErrorRecord(exception, exception.ErrorId, QaErrorRecords.Category(exception.ErrorId), host));

    /// <summary>Whether -WhatIf is in effect (given, or $WhatIfPreference).</summary>
    protected bool WhatIfRequested() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
            ? w is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(w)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>-Transport as transports; a value that is neither makes the whole call invalid (InvalidTransport).</summary>
    private List<QaHostTransport> Transports()
    {
        var list = new List<QaHostTransport>();
        try
        {
            foreach (var item in Transport ?? Array.Empty<object>())
            {
                switch (item is PSObject pso ? pso.BaseObject : item)
                {
                    case QaHostTransport t:
                        var errors = t.Validate();
                        list.Add(errors.Count == 0 ? t : throw new QaValidationException(errors));
                        break;
                    case IDictionary map:
                        foreach (DictionaryEntry e in map)
                        {
                            var value = e.Value is PSObject v ? v.BaseObject : e.Value;
                            list.Add(value is QaHostTransport given ? given : QaHostTransport.Parse(e.Key?.ToString() ?? string.Empty, value?.ToString() ?? string.Empty));
                        }

                        break;
                    default:
                        throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidTransport, "-Transport", null,
                            $"-Transport got a {item?.GetType().Name ?? "null"}.",
                            "Pass @{ '<host>' = 'local' | 'namespace:<ns>' | 'ssh:[user@]host[:port]' } or [QaNet.Core.Model.QaHostTransport] objects."));
                }
            }
        }
        catch (QaValidationException ex)
        {
            ThrowTerminatingError(QaErrorRecords.FromValidation(ex, Transport));
        }

        return list;
    }
}
