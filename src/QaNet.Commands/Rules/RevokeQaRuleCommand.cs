using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Removes rules from a policy.</summary>
[Cmdlet(VerbsSecurity.Revoke, "QaRule", DefaultParameterSetName = ParameterSets.ByObject,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(QaRule))]
public sealed class RevokeQaRuleCommand : RemovalCommand<QaRule>
{
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(RuleIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaRule[] InputObject { get; set; } = Array.Empty<QaRule>();

    protected override IEnumerable<string> TargetNames => Id;

    protected override IEnumerable<QaRule> TargetObjects => InputObject;

    protected override string Kind => "rule";

    protected override string Lister => "Get-QaRule";

    protected override string Action => "Revoke";

    protected override string NameOf(QaRule item) => item.Id;

    protected override QaPolicy PolicyOf(QaRule item) => item.Policy;

    protected override QaRule? Find(QaPolicy policy, string name) => policy.FindRule(name);

    protected override IEnumerable<QaRule> All(QaPolicy policy) => policy.Rules;

    protected override string Describe(QaRule item, QaPolicy policy) =>
        $"rule '{item.Id}' ({item.Kind.ToString().ToLowerInvariant()} {string.Join(",", item.From)} -> {string.Join(",", item.To)}), of policy '{policy.Name}'";

    protected override QaRemoval RemoveFrom(QaPolicy policy, QaRule item, bool whatIf)
    {
        PolicyEditor.RemoveRule(policy, item.Id, whatIf);
        return QaRemoval.None;
    }
}
