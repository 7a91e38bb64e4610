using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Session;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Loads a YAML policy file and makes it the session's current policy.</summary>
[Cmdlet(VerbsData.Import, "QaPolicy")]
[OutputType(typeof(QaPolicy))]
public sealed class ImportQaPolicyCommand : QaCmdlet
{
    /// <summary>Resolved against the PowerShell location (Set-Location), not the process directory.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Not a parameter here: the file is the policy.</summary>
    public override QaPolicy? Policy { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var path in Path)
        {
            foreach (var file in ResolveInputFiles(path))
            {
                Import(file);
            }
        }
    }

    private void Import(string file)
    {
        if (LoadPolicyFile(file) is { } policy)
        {
            QaSession.Current.Policy = policy;
            WriteObject(policy);
        }
    }
}
