using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Commands.Loading;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Writes a policy as YAML. Like Export-Csv and Out-File it replaces an existing file — the
/// everyday loop is Import, change, Export to the same file — with <c>-NoClobber</c> to refuse
/// and <c>-Force</c> to replace a read-only file.
/// </summary>
[Cmdlet(VerbsData.Export, "QaPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportQaPolicyCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Resolved against the PowerShell location, not the process directory.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        if (ResolveOutputFile(Path) is not { } file)
        {
            return;
        }

        var info = new FileInfo(file);
        if (!MayOverwrite(info, NoClobber, CommandErrorIds.PolicyFileExists))
        {
            return;
        }

        if (!ShouldProcess(file, $"Write policy '{policy.Name}' as YAML"))
        {
            return;
        }

        try
        {
            MakeWritable(info, Force);

            PolicyFiles.Save(policy, file);
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, policy);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(QaErrorRecords.FromException(e, CommandErrorIds.PolicyWriteFailed, file,
                $"Check that the folder '{System.IO.Path.GetDirectoryName(file)}' may be written to and has space, or give another -Path."));
            return;
        }

        if (PassThru)
        {
            info.Refresh();
            WriteObject(info);
        }
    }
}
