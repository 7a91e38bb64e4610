using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Analyses a policy: shadowed, redundant and conflicting rules, rules naming nothing, expired
/// rules, unresolved host names and failed assertions; access grants on hosts the jump host
/// cannot reach on ssh, groups without members, sudo without shell.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "QaPolicy")]
[OutputType(typeof(QaPolicyFinding), typeof(bool))]
public sealed class TestQaPolicyCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    /// <summary>The moment rule expiry is judged against; now when omitted.</summary>
    [Parameter]
    public DateTimeOffset At { get; set; }

    /// <summary>A bare boolean: true when nothing is found at Warning or Error severity.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        IReadOnlyList<QaPolicyFinding> findings;
        try
        {
            var network = QaReachability.Create(policy, IsBound(nameof(At)) ? At : DateTimeOffset.Now);
            findings = Core.Analysis.PolicyAnalyzer.Analyze(network).Concat(Core.Access.AccessAnalyzer.Analyze(network)).ToList();
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, policy);
            return;
        }

        if (Quiet)
        {
            WriteObject(!findings.Any(f => f.Severity >= QaFindingSeverity.Warning));
        }
        else
        {
            WriteObject(findings, enumerateCollection: true);
        }
    }
}
