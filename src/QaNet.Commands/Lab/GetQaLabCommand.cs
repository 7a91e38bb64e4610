using System.Management.Automation;
using QaNet.Core.Lab;
using QaNet.Core.Model;

namespace QaNet.Commands.Lab;

/// <summary>Gets the labs running on this machine (from their state files).</summary>
[Cmdlet(VerbsCommon.Get, "QaLab")]
[OutputType(typeof(QaLab))]
public sealed class GetQaLabCommand : LabCommand
{
    /// <summary>Not used: a lab is found by its prefix.</summary>
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.LabPrefixCompleter))]
    public string[]? Prefix { get; set; }

    protected override void ProcessRecord()
    {
        var labs = QaLab.List();
        foreach (var literal in (Prefix ?? Array.Empty<string>()).Where(p => !WildcardPattern.ContainsWildcardCharacters(p)))
        {
            if (!labs.Any(l => l.Prefix == literal))
            {
                WriteError(Infrastructure.QaErrorRecords.Create(QaLabErrorIds.LabNotFound, literal,
                    $"No lab with prefix '{literal}' runs on this machine.", "Start one with Start-QaLab, or list them with Get-QaLab."));
            }
        }

        WriteObject(labs.Where(l => MatchesAny(l.Prefix, Prefix)), enumerateCollection: true);
    }
}
