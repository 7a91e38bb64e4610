using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Gets the rules of a policy.</summary>
[Cmdlet(VerbsCommon.Get, "QaRule")]
[OutputType(typeof(QaRule))]
public sealed class GetQaRuleCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(RuleIdCompleter))]
    public string[]? Id { get; set; }

    [Parameter]
    public QaRuleKind[]? Kind { get; set; }

    protected override void ProcessRecord()
    {
        var rules = SelectByName(ResolvePolicy().Rules, r => r.Id, Id, "rule", "Get-QaRule")
            .Where(r => Kind is null || Kind.Contains(r.Kind));
        WriteObject(rules, enumerateCollection: true);
    }
}
