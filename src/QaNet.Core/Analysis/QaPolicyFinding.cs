using Newtonsoft.Json;

namespace QaNet.Core.Analysis;

/// <summary>What <c>Test-QaPolicy</c> found.</summary>
public enum QaFindingKind
{
    /// <summary>The rule never decides any flow: earlier rules decide everything it matches.</summary>
    Shadowed,
    /// <summary>Removing the rule would change no verdict (later rules or default deny decide the same).</summary>
    Redundant,
    /// <summary>A block and a grant overlap at the same priority; the block wins the overlap.</summary>
    Conflict,
    /// <summary>A selector of the rule resolves to no address, or the rule matches no flow at all.</summary>
    NamesNothing,
    /// <summary>An endpoint host name is not in the name map (or the resolver does not know it).</summary>
    UnresolvedHostName,
    /// <summary>The rule has expired: it matches nothing any more.</summary>
    ExpiredRule,
    /// <summary>A stated expectation (<c>tests:</c>) does not hold.</summary>
    AssertionFailed,
    /// <summary>An access grant names a client the jump host cannot reach on ssh (22/tcp).</summary>
    AccessHostUnreachable,
    /// <summary>A group of the policy has no members: grants to it give nobody anything.</summary>
    EmptyGroup,
    /// <summary>A group has sudo on a host where it has no shell: it cannot log in to use it.</summary>
    SudoWithoutShell,
    /// <summary>The rule is disabled (<c>enabled: false</c>, Disable-QaRule): it decides nothing until enabled.</summary>
    DisabledRule,
}

public enum QaFindingSeverity
{
    Information,
    Warning,
    Error,
}

/// <summary>
/// One finding about a policy. <see cref="RuleId"/> is the rule it is about;
/// <see cref="OtherRuleId"/> the rule that shadows it, conflicts with it, or decides instead.
/// <see cref="Path"/> points into the policy file (<c>rules[id]</c>, <c>tests[3]</c>).
/// </summary>
public sealed record QaPolicyFinding([property: JsonIgnore] QaFindingKind Kind, [property: JsonIgnore] QaFindingSeverity Severity, string? RuleId, string? OtherRuleId, string Message)
{
    public string? Path { get; init; }

    public override string ToString() => $"{Severity} {Kind}: {Message}";
}
