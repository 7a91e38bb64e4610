using System.Management.Automation;
using System.Text;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Probes;
using QaNet.Core.Reports;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Writes reachability results as one self-contained HTML page: the piped results (offline,
/// by role from Test-QaReachability -All -ByRole, or live from Test-QaReachability -Live, whose
/// non-conforming cells are marked), or without input the whole matrix of the policy
/// (Test-QaReachability -All) and the connections into its clients. The page starts with the
/// results grouped by role and endpoint (<see cref="ReachabilityOverview"/>). Replaces an existing file
/// like Export-QaPolicy does, with <c>-NoClobber</c> to refuse and <c>-Force</c> for a read-only one.
/// </summary>
[Cmdlet(VerbsData.Export, "QaReachabilityReport", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportQaReachabilityReportCommand : QaCmdlet
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly List<QaReachabilityResult> received = new();
    private readonly List<QaRoleReachabilityResult> byRole = new();
    private readonly List<QaLiveResult> live = new();

    /// <summary>The policy whose matrix is written when no results are given.</summary>
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Resolved against the PowerShell location, not the process directory.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = string.Empty;

    /// <summary>QaReachabilityResult, QaRoleReachabilityResult or QaLiveResult objects.</summary>
    [Parameter(ValueFromPipeline = true)]
    public object[]? InputObject { get; set; }

    [Parameter]
    public string? Title { get; set; }

    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var item in InputObject ?? Array.Empty<object>())
        {
            switch (item is PSObject pso ? pso.BaseObject : item)
            {
                case QaReachabilityResult r:
                    received.Add(r);
                    break;
                case QaRoleReachabilityResult r:
                    byRole.Add(r);
                    break;
                case QaLiveResult l:
                    live.Add(l);
                    break;
                default:
                    WriteError(QaErrorRecords.Create(CommandErrorIds.InvalidReportInput, item,
                        $"A {item?.GetType().Name ?? "null"} is not a reachability result.",
                        "Pipe the output of Test-QaReachability (-All, -ByRole or -Live too) into Export-QaReachabilityReport."));
                    break;
            }
        }
    }

    protected override void EndProcessing()
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

        // An upstream command that found nothing gives an empty report, not the whole matrix.
        var piped = received.Count > 0 || byRole.Count > 0 || live.Count > 0 || MyInvocation.ExpectingInput || IsBound(nameof(InputObject));
        var inbound = new List<QaReachabilityResult>();
        var results = piped ? received : PolicyMatrix(inbound);
        if (results is null)
        {
            return;
        }

        var cells = ReportCells.From(results).Concat(ReportCells.From(byRole)).Concat(QaLiveMatrix.ToReportCells(live)).ToList();
        var overview = Overview(results.Concat(inbound));
        var title = Title ?? (!piped ? $"QaNet reachability of policy '{ResolvePolicy().Name}'"
            : live.Count > 0 ? "QaNet live conformance"
            : byRole.Count > 0 && received.Count == 0 ? "QaNet reachability by role" : "QaNet reachability");
        if (!ShouldProcess(file, $"Write a reachability report of {cells.Count} cells"))
        {
            return;
        }

        try
        {
            MakeWritable(info, Force);

            File.WriteAllText(file, ReachabilityReport.Render(title, cells, overview, DateTimeOffset.Now), Utf8NoBom);
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

    /// <summary>The grouped view of what was given; per-client and live results need a policy to know the clients' roles.</summary>
    private ReachabilityOverview Overview(IEnumerable<QaReachabilityResult> results)
    {
        var flows = ReachabilityOverview.FlowsOf(byRole).ToList();
        var policy = Policy ?? Session.Policy;
        if (policy is not null)
        {
            flows.AddRange(ReachabilityOverview.FlowsOf(policy, results));
            flows.AddRange(QaLiveMatrix.ToOverviewFlows(policy, live));
        }

        return ReachabilityOverview.Build(flows, policy);
    }

    /// <summary>The policy's matrix (the report's cells) and, into <paramref name="inbound"/>, the connections into its clients for the overview.</summary>
    private List<QaReachabilityResult>? PolicyMatrix(List<QaReachabilityResult> inbound)
    {
        var policy = ResolvePolicy();
        try
        {
            var reach = QaReachability.Create(policy, DateTimeOffset.Now);
            inbound.AddRange(reach.Inbound(QaLiveMatrix.IngressPorts(policy)));
            return reach.Matrix().Cells().ToList();
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, policy);
            return null;
        }
    }
}
