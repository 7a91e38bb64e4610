using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Keeps rules in the policy but lets them decide nothing: the engine skips them and no renderer emits them.</summary>
[Cmdlet(VerbsLifecycle.Disable, "QaRule", DefaultParameterSetName = ParameterSets.ByObject, SupportsShouldProcess = true)]
[OutputType(typeof(QaRule))]
public sealed class DisableQaRuleCommand : RuleChangeCommand
{
    protected override RuleChangeSpec Spec(string id) => new(id) { Enabled = false };

    protected override string Describe(QaRule item) => "Disable";
}
