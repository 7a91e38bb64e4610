using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Resolution;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// The flows whose verdict differs between two policies, as regions (sources × destinations ×
/// ports), each with the deciding rule before and after. Either side may be a policy object or
/// the path of a policy file; without <c>-Difference</c> the current policy is compared.
/// With <c>-Mode A,B</c> one policy is compared with itself enforced in two modes: the cells
/// whose verdict differs between them (<see cref="ModeComparer"/>).
/// </summary>
[Cmdlet(VerbsData.Compare, "QaPolicy", DefaultParameterSetName = PoliciesSet)]
[OutputType(typeof(QaFlowChange), ParameterSetName = new[] { PoliciesSet })]
[OutputType(typeof(QaModeDifference), ParameterSetName = new[] { ModeSet })]
public sealed class CompareQaPolicyCommand : QaCmdlet
{
    private const string PoliciesSet = "Policies";
    private const string ModeSet = "Mode";

    /// <summary>A QaPolicy, or the path of a policy file (a string or FileInfo); with -Mode the policy compared (the current one when omitted).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PoliciesSet)]
    [Parameter(Position = 0, ParameterSetName = ModeSet)]
    public object Reference { get; set; } = null!;

    /// <summary>A QaPolicy, or the path of a policy file; the current policy when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipeline = true, ParameterSetName = PoliciesSet)]
    public object? Difference { get; set; }

    /// <summary>Two modes: the policy's cells whose verdict differs between the first and the second.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ModeSet)]
    [ValidateCount(2, 2)]
    public QaNetworkMode[] Mode { get; set; } = Array.Empty<QaNetworkMode>();

    /// <summary>The moment rule expiry is judged against, in both policies; now when omitted.</summary>
    [Parameter]
    public DateTimeOffset At { get; set; }

    /// <summary>Not a parameter here: both sides are named explicitly.</summary>
    public override QaPolicy? Policy { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ModeSet)
        {
            CompareModes();
            return;
        }

        var reference = PolicyArgument(Reference, nameof(Reference));
        var difference = Difference is null ? ResolvePolicy() : PolicyArgument(Difference, nameof(Difference));
        if (reference is null || difference is null)
        {
            return;
        }

        try
        {
            var changes = Core.Analysis.PolicyComparer.Compare(ResolvedPolicy.Create(reference), ResolvedPolicy.Create(difference),
                IsBound(nameof(At)) ? At : DateTimeOffset.Now);
            WriteObject(changes, enumerateCollection: true);
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, difference);
        }
    }

    private void CompareModes()
    {
        var policy = IsBound(nameof(Reference)) ? PolicyArgument(Reference, nameof(Reference)) : ResolvePolicy();
        if (policy is null)
        {
            return;
        }

        try
        {
            WriteObject(ModeComparer.Compare(policy, Mode[0], Mode[1], IsBound(nameof(At)) ? At : DateTimeOffset.Now), enumerateCollection: true);
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, policy);
        }
    }

    /// <summary>The policy an argument stands for; null after writing why.</summary>
    private QaPolicy? PolicyArgument(object value, string parameter)
    {
        switch (value is PSObject pso ? pso.BaseObject : value)
        {
            case QaPolicy policy:
                return policy;
            case FileInfo file:
                return LoadPolicyFile(file.FullName);
            case string path:
                var files = ResolveInputFiles(path);
                if (files.Count == 1)
                {
                    return LoadPolicyFile(files[0]);
                }

                if (files.Count > 1)
                {
                    WriteError(QaErrorRecords.Create(CommandErrorIds.InvalidPolicyArgument, path,
                        $"-{parameter} '{path}' names {files.Count} files.", "Give the path of one policy file."));
                }

                return null;
            default:
                WriteError(QaErrorRecords.Create(CommandErrorIds.InvalidPolicyArgument, value,
                    $"-{parameter} got a {value.GetType().Name}, which is neither a policy nor a policy file's path.",
                    "Pass a QaPolicy (Import-QaPolicy, Get-QaPolicy) or the path of a YAML policy file."));
                return null;
        }
    }
}
