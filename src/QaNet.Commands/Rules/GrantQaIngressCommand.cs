using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Lets management hosts open connections into clients.</summary>
[Cmdlet(VerbsSecurity.Grant, "QaIngress", DefaultParameterSetName = ParameterSets.Client, SupportsShouldProcess = true)]
[OutputType(typeof(QaRule))]
public sealed class GrantQaIngressCommand : RuleCommand
{
    /// <summary>The management endpoints the connections come from.</summary>
    [Parameter(Mandatory = true)]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string[] From { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord() =>
        AddRule(QaRuleKind.Ingress, From.Select(QaSelector.Endpoint).ToList(), ClientSide, allowAnyDestination: false);
}
