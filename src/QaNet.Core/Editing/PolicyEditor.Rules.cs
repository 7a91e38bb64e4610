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

    /// <summary>
    /// Changes an existing rule (see <see cref="RuleChangeSpec"/>): priority, ports, expiry,
    /// description and whether it is enabled, all at once, validated as a whole, all undone on
    /// error. Its id, kind and sides stay (revoke and grant again for other sides). Returns what changed.
    /// </summary>
    /// <param name="whatIf">Only try: the same result or error as the change, and no change.</param>
    public static IReadOnlyList<QaPropertyChange> SetRule(QaPolicy policy, RuleChangeSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var rule = policy.FindRule(spec.Id) ?? throw NotFound("rule", spec.Id, "Get-QaRule");
        var priority = spec.Priority ?? rule.Priority;
        var ports = spec.Ports is null ? rule.Ports.ToList() : ParsePorts(spec.Ports, $"rules[{rule.Id}].ports").Distinct().ToList();
        var expires = spec.ClearExpiry ? null : spec.ExpiresAt ?? rule.ExpiresAt;
        var description = spec.Description is null ? rule.Description : NullIfEmpty(spec.Description);
        var enabled = spec.Enabled ?? rule.Enabled;

        var changes = new List<QaPropertyChange>();
        Note(changes, nameof(QaRule.Priority), rule.Priority, priority);
        NoteList(changes, nameof(QaRule.Ports), rule.Ports, ports);
        Note(changes, nameof(QaRule.ExpiresAt), rule.ExpiresAt, expires);
        Note(changes, nameof(QaRule.Description), rule.Description, description);
        Note(changes, nameof(QaRule.Enabled), rule.Enabled, enabled);

        var old = (rule.Priority, Ports: rule.Ports.ToList(), rule.ExpiresAt, rule.Description, rule.Enabled);
        return Apply(policy,
            () =>
            {
                (rule.Priority, rule.ExpiresAt, rule.Description, rule.Enabled) = (priority, expires, description, enabled);
                Replace(rule.Ports, ports);
            },
            () =>
            {
                (rule.Priority, rule.ExpiresAt, rule.Description, rule.Enabled) = (old.Priority, old.ExpiresAt, old.Description, old.Enabled);
                Replace(rule.Ports, old.Ports);
            },
            changes, whatIf);
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
