using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>What a removal would leave naming nothing: the rules and grants that name the removed object, refused or removed along with it.</summary>
public static partial class PolicyEditor
{
    private static QaRemoval RemoveWithDependents(QaPolicy policy, string what, List<QaRule> rules, List<QaAccessGrant> grants,
        bool force, Action remove, Action restore)
    {
        if ((rules.Count > 0 || grants.Count > 0) && !force)
        {
            var named = new List<string>();
            if (rules.Count > 0)
            {
                named.Add($"rule(s) {string.Join(", ", rules.Select(r => r.Id))}");
            }

            if (grants.Count > 0)
            {
                named.Add($"access grant(s) {string.Join(", ", grants.Select(g => g.Id))}");
            }

            throw new QaValidationException(new QaValidationError(QaErrorIds.InUse, what, null,
                $"{char.ToUpperInvariant(what[0])}{what[1..]} is named by {string.Join(" and ", named)}.",
                "Revoke those first (Revoke-QaRule, Revoke-QaAccess), or use -Force to remove them too."));
        }

        var rulePositions = rules.Select(r => (Item: r, Index: policy.Rules.IndexOf(r))).ToList();
        var grantPositions = grants.Select(g => (Item: g, Index: policy.AccessGrants.IndexOf(g))).ToList();
        Apply(policy,
            () =>
            {
                remove();
                rules.ForEach(r => policy.Rules.Remove(r));
                grants.ForEach(g => policy.AccessGrants.Remove(g));
            },
            () =>
            {
                foreach (var (rule, index) in rulePositions)
                {
                    policy.Rules.Insert(Math.Min(index, policy.Rules.Count), rule);
                }

                foreach (var (grant, index) in grantPositions)
                {
                    policy.AccessGrants.Insert(Math.Min(index, policy.AccessGrants.Count), grant);
                }

                restore();
            },
            0);
        return new QaRemoval(rules, grants);
    }

    private static List<QaAccessGrant> GrantsNaming(QaPolicy policy, Func<QaAccessTarget, bool> names) =>
        policy.AccessGrants.Where(g => g.Hosts.Any(names)).ToList();

    /// <summary>
    /// Roles that only the leaving clients have: a rule naming one would name nothing
    /// afterwards, so it counts as naming the clients themselves.
    /// </summary>
    private static HashSet<string> RolesLeftWithoutMembers(QaPolicy policy, IReadOnlyCollection<QaClient> leaving)
    {
        var staying = new HashSet<string>(policy.Clients.Except(leaving).SelectMany(c => c.Roles), StringComparer.Ordinal);
        return new HashSet<string>(leaving.SelectMany(c => c.Roles).Where(r => !staying.Contains(r)), StringComparer.Ordinal);
    }

    private static List<QaRule> RulesNaming(QaPolicy policy, Func<QaSelector, bool> names) =>
        policy.Rules.Where(r => r.From.Any(names) || r.To.Any(names)).ToList();
}
