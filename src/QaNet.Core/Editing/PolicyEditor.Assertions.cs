using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>The <c>tests:</c> section: expected verdicts.</summary>
public static partial class PolicyEditor
{
    /// <summary>
    /// Adds an expected verdict (the file's <c>tests:</c>). Its sides must name a client, an
    /// endpoint or an address — checked by the validator like the file's own tests.
    /// </summary>
    /// <param name="whatIf">Only try: the same assertion or error, and no change.</param>
    public static QaAssertion AddAssertion(QaPolicy policy, AssertionSpec spec, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(spec);
        var path = $"tests[#{policy.Assertions.Count + 1}].port";
        if (!QaPortRange.TryParse(spec.Port, out var port, out var error))
        {
            throw new QaValidationException(error! with { Path = path });
        }

        if (!port.IsIcmp && port.From != port.To)
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidPort, $"test port '{spec.Port}'", path,
                $"A test checks one port, but '{spec.Port}' is a range.", "Give a single port such as 443/tcp, or icmp."));
        }

        var assertion = new QaAssertion(Side(policy, spec.From), Side(policy, spec.To), port, spec.ExpectAllowed) { Description = spec.Description };
        return Apply(policy, () => policy.Assertions.Add(assertion), () => policy.Assertions.Remove(assertion), assertion, whatIf);
    }

    /// <summary>An assertion's side as the policy spells the client or endpoint it names; an address as given.</summary>
    private static string Side(QaPolicy policy, string side)
    {
        side = side.Trim();
        return policy.FindClient(side)?.Name ?? policy.FindEndpoint(side)?.Name ?? side;
    }

    /// <summary>Removes this very assertion object (assertions have no name; equal ones may be stated twice).</summary>
    /// <param name="whatIf">Only try: the same result or error, and no change.</param>
    public static QaAssertion RemoveAssertion(QaPolicy policy, QaAssertion assertion, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(assertion);
        var index = policy.Assertions.FindIndex(a => ReferenceEquals(a, assertion));
        if (index < 0)
        {
            throw NotFound("assertion", assertion.ToString(), "Get-QaAssertion");
        }

        return Apply(policy, () => policy.Assertions.RemoveAt(index), () => policy.Assertions.Insert(index, assertion), assertion, whatIf);
    }
}
