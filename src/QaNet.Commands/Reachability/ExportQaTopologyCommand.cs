using System.Management.Automation;
using System.Text;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Reports;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>The picture's file format.</summary>
public enum QaTopologyFormat
{
    /// <summary>From the path: <c>.dot</c>/<c>.gv</c> is DOT text, anything else SVG.</summary>
    Auto,
    Svg,
    Dot,
}

/// <summary>
/// Draws the policy: virthosts, networks, clients by role, endpoints and management hosts, with
/// the allowed flows as edges labelled by their ports (<see cref="TopologyGraph"/>). SVG is
/// rendered by Graphviz's <c>dot</c> (graph on stdin); <c>-Format Dot</c> writes the graph itself
/// and needs nothing installed. Replaces an existing file like the other Export- cmdlets.
/// </summary>
[Cmdlet(VerbsData.Export, "QaTopology", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportQaTopologyCommand : QaCmdlet
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Resolved against the PowerShell location, not the process directory.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = string.Empty;

    [Parameter]
    public QaTopologyFormat Format { get; set; }

    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ResolveOutputFile(Path) is not { } file)
        {
            return;
        }

        var info = new FileInfo(file);
        if (!MayOverwrite(info, NoClobber, CommandErrorIds.ReportFileExists))
        {
            return;
        }

        var policy = ResolvePolicy();
        var format = Format != QaTopologyFormat.Auto ? Format
            : info.Extension.ToLowerInvariant() is ".dot" or ".gv" ? QaTopologyFormat.Dot : QaTopologyFormat.Svg;
        string text;
        try
        {
            var dot = TopologyGraph.Render(policy, DateTimeOffset.Now);
            text = format == QaTopologyFormat.Dot ? dot
                : TopologySvg.RenderAsync(dot, Session.Runner ?? ProcessRunner.Instance).GetAwaiter().GetResult();
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, policy);
            return;
        }

        if (!ShouldProcess(file, $"Write the topology of policy '{policy.Name}' as {format.ToString().ToUpperInvariant()}"))
        {
            return;
        }

        try
        {
            MakeWritable(info, Force);
            File.WriteAllText(file, text, Utf8NoBom);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(QaErrorRecords.FromException(e, CommandErrorIds.ReportWriteFailed, file));
            return;
        }

        if (PassThru)
        {
            info.Refresh();
            WriteObject(info);
        }
    }
}
