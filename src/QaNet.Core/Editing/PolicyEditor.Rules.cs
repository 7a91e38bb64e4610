using QaNet.Core.Model;

namespace QaNet.Core.Editing;

/// <summary>The <c>rules:</c> section.</summary>
public static partial class PolicyEditor
{
    /// <param name="whatIf">Only try: the same rule (id derived as for real) or error, and no change.</param>
    public static QaRule AddRule(QaPolicy policy, RuleSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var from = spec.From.Select(s => Canonical(policy, s)).ToList();
        var to = spec.To.Select(s => Canonical(policy, s)).ToList();
        var id = spec.Id ?? DeriveRuleId(policy, spec.Kind, from, to);
        var rule = new RuleParts(spec.Kind, from, to, ParsePorts(spec.Ports, $"rules[{id}].ports"))
        {
            Priority = spec.Priority,
            ExpiresAt = spec.ExpiresAt,
            Description = spec.Description,
            AllowAnyDestination = spec.AllowAnyDestination,
        }.Build(policy, id);
        return Apply(policy, () => policy.Rules.Add(rule), () => policy.Rules.Remove(rule), rule, whatIf);
    }

    /// <param name="whatIf">Only try: the same result or error as the removal, and no change.</param>
    public static QaRule RemoveRule(QaPolicy policy, string id, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var rule = policy.FindRule(id) ?? throw NotFound("rule", id, "Get-QaRule");
        var index = policy.Rules.IndexOf(rule);
        return Apply(policy, () => policy.Rules.Remove(rule), () => policy.Rules.Insert(index, rule), rule, whatIf);
    }

    /// <summary>A readable id from the rule's kind and sides (<c>egress-taskotron-koji</c>), unique in the policy.</summary>
    public static string DeriveRuleId(QaPolicy policy, QaRuleKind kind, IEnumerable<QaSelector> from, IEnumerable<QaSelector> to)
    {
        ArgumentNullException.ThrowIfNull(policy);
        static string Part(IEnumerable<QaSelector> side) => string.Join("-", side.Select(s => s.Value));
        var raw = $"{kind.ToString().ToLowerInvariant()}-{Part(from)}-{Part(to)}";
        return UniqueId(raw, id => policy.FindRule(id) is not null);
    }
}
