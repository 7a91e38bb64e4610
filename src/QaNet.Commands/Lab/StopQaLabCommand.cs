using System.Management.Automation;
using QaNet.Core.Lab;
using QaNet.Core.Model;

namespace QaNet.Commands.Lab;

/// <summary>Removes a lab: libvirt networks, libvirtd, listeners, namespaces and its state.</summary>
[Cmdlet(VerbsLifecycle.Stop, "QaLab", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class StopQaLabCommand : LabCommand
{
    protected override string FailureId => QaLabErrorIds.LabStopFailed;

    /// <summary>Not used: a lab is found by its prefix.</summary>
    public override QaPolicy? Policy { get; set; }

    /// <summary>Labs to stop; default: the lab this session started, else <c>qn-</c>. Lab objects bind by their Prefix.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.LabPrefixCompleter))]
    public string[]? Prefix { get; set; }

    protected override void ProcessRecord()
    {
        var session = Session;
        foreach (var prefix in Prefix ?? new[] { session.LabPrefix ?? Namespaces.DefaultPrefix })
        {
            var lab = QaLab.Get(prefix);
            if (lab is null)
            {
                WriteError(Infrastructure.QaErrorRecords.Create(QaLabErrorIds.LabNotFound, prefix,
                    $"No lab with prefix '{prefix}' runs on this machine.", "List the labs with Get-QaLab."));
                continue;
            }

            if (!ShouldProcess($"lab '{prefix}' ({lab.State.Namespaces.Count} namespaces)", "Stop and remove"))
            {
                continue;
            }

            Run((options, ct) => QaLab.StopAsync(prefix, options, ct), prefix);
            if (session.LabPrefix == prefix)
            {
                session.LabPrefix = null;
            }
        }
    }
}
