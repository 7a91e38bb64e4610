using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Editing;

/// <summary>What a removal would leave naming nothing: the rules, grants and assertions that name the removed object, refused or removed along with it.</summary>
public static partial class PolicyEditor
{
    /// <summary>
    /// Refuses (InUse) when <paramref name="namingRules"/>, <paramref name="namingGrants"/> or
    /// assertions naming one of the <paramref name="leaving"/> clients or endpoints would be
    /// left naming nothing, unless <paramref name="force"/>; then removes the object with them.
    /// With <paramref name="whatIf"/> it only tries, so the caller learns the outcome (or the
    /// error) of the real removal without any change.
    /// </summary>
    internal static QaRemoval RemoveWithDependents(QaPolicy policy, string what, List<QaRule> namingRules, List<QaAccessGrant> namingGrants,
        HashSet<string> leaving, bool force, bool whatIf, Action remove, Action restore)
    {
        // An assertion's sides are names (or addresses): one naming a leaving client or endpoint would name nothing.
        var dependents = new QaRemoval(namingRules, namingGrants,
            policy.Assertions.Where(a => leaving.Contains(a.From) || leaving.Contains(a.To)).ToList());
        if (!dependents.IsEmpty && !force)
        {
            throw InUse(what, dependents, leaving);
        }

        var rules = PositionsIn(policy.Rules, dependents.Rules);
        var grants = PositionsIn(policy.AccessGrants, dependents.Grants);
        var assertions = PositionsIn(policy.Assertions, dependents.Assertions);
        return Apply(policy,
            () =>
            {
                remove();
                rules.ForEach(r => policy.Rules.Remove(r.Item));
                grants.ForEach(g => policy.AccessGrants.Remove(g.Item));
                assertions.ForEach(a => policy.Assertions.Remove(a.Item));
            },
            () =>
            {
                PutBack(policy.Rules, rules);
                PutBack(policy.AccessGrants, grants);
                PutBack(policy.Assertions, assertions);
                restore();
            },
            dependents,
            whatIf);
    }

    private static QaValidationException InUse(string what, QaRemoval dependents, HashSet<string> leaving)
    {
        var named = new List<string>();
        var fixes = new List<string>();
        if (dependents.Rules.Count > 0)
        {
            named.Add($"rule(s) {string.Join(", ", dependents.Rules.Select(r => r.Id))}");
            fixes.Add("Revoke-QaRule");
        }

        if (dependents.Grants.Count > 0)
        {
            named.Add($"access grant(s) {string.Join(", ", dependents.Grants.Select(g => g.Id))}");
            fixes.Add("Revoke-QaAccess");
        }

        if (dependents.Assertions.Count > 0)
        {
            named.Add($"assertion(s) {string.Join(", ", dependents.Assertions.Select(a => $"'{a}'"))}");
            var names = string.Join(", ", leaving.Where(n => dependents.Assertions.Any(a => a.From == n || a.To == n))
                .Order(StringComparer.Ordinal).Select(n => $"'{n}'"));
            fixes.Add($"Get-QaAssertion | Where-Object {{ $_.From -in {names} -or $_.To -in {names} }} | Remove-QaAssertion");
        }

        return new QaValidationException(new QaValidationError(QaErrorIds.InUse, what, null,
            $"{char.ToUpperInvariant(what[0])}{what[1..]} is named by {JoinAnd(named)}.",
            $"Remove those first ({string.Join("; ", fixes)}), or use -Force to remove them together with {what}."));
    }

    /// <summary>"a", "a and b", "a, b and c"; empty for none.</summary>
    internal static string JoinAnd(IReadOnlyList<string> parts) =>
        parts.Count <= 1 ? string.Concat(parts) : $"{string.Join(", ", parts.Take(parts.Count - 1))} and {parts[^1]}";

    /// <summary>Ascending, so that inserting them back in this order restores the list.</summary>
    private static List<(T Item, int Index)> PositionsIn<T>(QaList<T> list, IEnumerable<T> items) =>
        items.Select(i => (Item: i, Index: list.IndexOf(i))).OrderBy(p => p.Index).ToList();

    private static void PutBack<T>(QaList<T> list, List<(T Item, int Index)> positions)
    {
        foreach (var (item, index) in positions)
        {
            list.Insert(Math.Min(index, list.Count), item);
        }
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
