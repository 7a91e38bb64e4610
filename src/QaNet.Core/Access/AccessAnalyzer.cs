using QaNet.Core.Analysis;
using QaNet.Core.Engine;
using QaNet.Core.Model;

namespace QaNet.Core.Access;

/// <summary>
/// Access findings for <c>Test-QaPolicy</c>: grants on clients the jump host cannot reach on
/// ssh, groups without members, sudo without shell. <see cref="QaPolicyFinding.RuleId"/> holds
/// the grant id; <see cref="QaPolicyFinding.Path"/> points into the file (<c>access[id]</c>, <c>groups[name]</c>).
/// </summary>
public static class AccessAnalyzer
{
    /// <summary>Analyzes with the network engine the caller already compiled (Test-QaPolicy has one).</summary>
    public static IReadOnlyList<QaPolicyFinding> Analyze(QaReachability network, AccessMembership? membership = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var policy = network.Policy;
        var findings = new List<QaPolicyFinding>();
        if (policy.Groups.Count == 0 && policy.AccessGrants.Count == 0)
        {
            return findings;
        }

        var engine = new QaAccessEngine(policy);
        var members = membership ?? new AccessMembership(policy, null);
        foreach (var g in policy.Groups.Where(g => g.Source == QaGroupSource.Policy && members.Members(g).Count == 0))
        {
            findings.Add(new QaPolicyFinding(QaFindingKind.EmptyGroup, QaFindingSeverity.Warning, null, null,
                $"Group {g.Name} has no members; grants to it give nobody access.") { Path = $"groups[{g.Name}]" });
        }

        foreach (var grant in policy.AccessGrants)
        {
            var covered = grant.Hosts.SelectMany(engine.Hosts.Covered).Distinct().ToList();
            if (grant.Rights.Contains(QaAccessRight.Sudo))
            {
                var noShell = covered.Where(h => !engine.Decide(grant.Group, h.Name, QaAccessRight.Shell).Allowed).Select(h => h.Name).ToList();
                if (noShell.Count > 0)
                {
                    findings.Add(new QaPolicyFinding(QaFindingKind.SudoWithoutShell, QaFindingSeverity.Warning, grant.Id, null,
                        $"Grant {grant.Id} gives group {grant.Group} sudo on {Hosts(noShell)} where it has no shell: its members cannot log in to use it.")
                    { Path = $"access[{grant.Id}]" });
                }
            }

            if (policy.JumpHost is { } jump && grant.Rights.Contains(QaAccessRight.Shell))
            {
                var unreachable = covered.Where(h => h.Client is not null && h.Name != jump && !Reaches(network, jump, h.Name)).Select(h => h.Name).ToList();
                if (unreachable.Count > 0)
                {
                    findings.Add(new QaPolicyFinding(QaFindingKind.AccessHostUnreachable, QaFindingSeverity.Warning, grant.Id, null,
                        $"Grant {grant.Id} gives group {grant.Group} shell on {Hosts(unreachable)}, which the network rules keep the jump host {jump} from reaching on 22/tcp.")
                    { Path = $"access[{grant.Id}]" });
                }
            }
        }

        return findings;
    }

    private static bool Reaches(QaReachability network, string from, string to)
    {
        try
        {
            return network.Test(from, to, AccessChecker.SshPort).All(r => r.Allowed);
        }
        catch (Validation.QaValidationException)
        {
            return false;
        }
    }

    private static string Hosts(List<string> names) =>
        names.Count <= 5 ? string.Join(", ", names) : string.Join(", ", names.Take(5)) + $" and {names.Count - 5} more";
}
