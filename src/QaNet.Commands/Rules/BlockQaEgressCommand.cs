using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Refuses connections from clients to endpoints or addresses, ahead of the grants.</summary>
[Cmdlet(VerbsSecurity.Block, "QaEgress", DefaultParameterSetName = ParameterSets.Client, SupportsShouldProcess = true)]
[OutputType(typeof(QaRule))]
public sealed class BlockQaEgressCommand : EgressRuleCommand
{
    protected override QaRuleKind Kind => QaRuleKind.Block;
}
