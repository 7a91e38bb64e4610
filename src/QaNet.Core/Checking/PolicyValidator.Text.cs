using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Checking;

/// <summary>Free text (descriptions, environments) follows <see cref="FreeText"/>.</summary>
public static partial class PolicyValidator
{
    private static void ValidateTexts(QaPolicy policy, Collector v)
    {
        void Check(string? text, string target, string path)
        {
            if (FreeText.FirstRefused(text) is { } c)
            {
                v.Add(QaErrorIds.InvalidText, target, path,
                    $"The text of {target} ({path}) holds {FreeText.Describe(c)}, which would hide or reorder what readers of the policy see.",
                    "Write it without control, bidi or zero-width characters; line breaks and tabs are fine.");
            }
        }

        Check(policy.Description, $"policy '{policy.Name}'", "description");
        foreach (var e in policy.Endpoints)
        {
            Check(e.Description, $"endpoint '{e.Name}'", $"endpoints[{e.Name}].description");
            Check(e.Environment, $"endpoint '{e.Name}'", $"endpoints[{e.Name}].environment");
        }

        foreach (var r in policy.Rules)
        {
            Check(r.Description, $"rule '{r.Id}'", $"rules[{r.Id}].description");
        }

        for (var i = 0; i < policy.Assertions.Count; i++)
        {
            Check(policy.Assertions[i].Description, $"test '{policy.Assertions[i]}'", $"tests[#{i + 1}].description");
        }

        foreach (var g in policy.Groups)
        {
            Check(g.Description, $"group '{g.Name}'", $"groups[{g.Name}].description");
        }

        foreach (var a in policy.AccessGrants)
        {
            Check(a.Description, $"access grant '{a.Id}'", $"access[{a.Id}].description");
        }
    }
}
