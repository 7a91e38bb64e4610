using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Lets disabled rules decide again.</summary>
[Cmdlet(VerbsLifecycle.Enable, "QaRule", DefaultParameterSetName = ParameterSets.ByObject, SupportsShouldProcess = true)]
[OutputType(typeof(QaRule))]
public sealed class EnableQaRuleCommand : RuleChangeCommand
{
    protected override RuleChangeSpec Spec(string id) => new(id) { Enabled = true };

    protected override string Describe(QaRule item) => "Enable";
}
