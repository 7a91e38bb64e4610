using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>What Set-QaRule, Enable-QaRule and Disable-QaRule share: the rules by id or piped, and the change through PolicyEditor.SetRule.</summary>
public abstract class RuleChangeCommand : ChangeCommand<QaRule>
{
    /// <summary>Rule ids; wildcards stand for every rule they match.</summary>
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

    protected override string NameOf(QaRule item) => item.Id;

    protected override QaPolicy PolicyOf(QaRule item) => item.Policy;

    protected override QaRule? Find(QaPolicy policy, string name) => policy.FindRule(name);

    protected override IEnumerable<QaRule> All(QaPolicy policy) => policy.Rules;

    /// <summary>The change asked for, for the rule <paramref name="id"/>.</summary>
    protected abstract RuleChangeSpec Spec(string id);

    protected override IReadOnlyList<QaPropertyChange> Change(QaPolicy policy, QaRule item, bool whatIf) =>
        PolicyEditor.SetRule(policy, Spec(item.Id), whatIf);
}
