using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Lets clients open connections to endpoints or addresses.</summary>
[Cmdlet(VerbsSecurity.Grant, "QaEgress", DefaultParameterSetName = ParameterSets.Client, SupportsShouldProcess = true)]
[OutputType(typeof(QaRule))]
public sealed class GrantQaEgressCommand : EgressRuleCommand
{
    protected override QaRuleKind Kind => QaRuleKind.Egress;
}
