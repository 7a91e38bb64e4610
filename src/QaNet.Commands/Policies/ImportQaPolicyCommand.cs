using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Loading;
using QaNet.Commands.Session;
using QaNet.Core.Model;
using QaNet.Core.Validation;

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
            foreach (var file in Resolve(path))
            {
                Import(file);
            }
        }
    }

    private List<string> Resolve(string path)
    {
        try
        {
            var files = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                WriteError(QaErrorRecords.Create(CommandErrorIds.NotFileSystemPath, ErrorCategory.InvalidArgument, path,
                    $"'{path}' is on the {provider.Name} provider, not a file.", "Give the path of a policy file."));
                return new List<string>();
            }

            return files.ToList();
        }
        catch (ItemNotFoundException e)
        {
            WriteError(QaErrorRecords.FromException(e, QaErrorIds.PolicyFileNotFound, ErrorCategory.ObjectNotFound, path));
            return new List<string>();
        }
    }

    private void Import(string file)
    {
        QaPolicy policy;
        try
        {
            policy = PolicyFiles.Load(file);
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, file);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(QaErrorRecords.FromException(e, CommandErrorIds.PolicyReadFailed, ErrorCategory.ReadError, file));
            return;
        }

        CurrentPolicy.Set(policy);
        WriteObject(policy);
    }
}
