using System.Net;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Checking;

/// <summary>Assertions (<c>tests:</c>): each side names a client, an endpoint or an address.</summary>
public static partial class PolicyValidator
{
    private static void ValidateAssertions(QaPolicy policy, Collector v)
    {
        for (var i = 0; i < policy.Assertions.Count; i++)
        {
            var a = policy.Assertions[i];
            foreach (var (side, key) in new[] { (a.From, "from"), (a.To, "to") })
            {
                var isAddress = (side.Contains('.', StringComparison.Ordinal) || side.Contains(':', StringComparison.Ordinal)) &&
                                IPAddress.TryParse(side, out _);
                if (!isAddress && policy.FindClient(side)?.Name != side && policy.FindEndpoint(side)?.Name != side)
                {
                    // Paths number tests from 1 as the policy file's readers do: tests[#1].from.
                    v.Add(QaErrorIds.UnknownReference, $"test '{a}'", $"tests[#{i + 1}].{key}",
                        $"Test '{a}' names '{side}', which is neither a client, an endpoint nor an address.",
                        "Name a client or endpoint of the policy, or give an IPv4 or IPv6 address.");
                }
            }
        }
    }
}
