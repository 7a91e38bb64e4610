using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Checking;

/// <summary>Rules: ids, priorities, their two sides and ports.</summary>
public static partial class PolicyValidator
{
    private static void ValidatePorts(IEnumerable<QaPortRange> ports, string target, string path, Collector v)
    {
        foreach (var p in ports)
        {
            if (p.IsIcmp)
            {
                continue;
            }

            if (!PortNumber.IsValid(p.From) || !PortNumber.IsValid(p.To))
            {
                v.Add(QaErrorIds.InvalidPort, target, path,
                    $"{Cap(target)} has port {p.From}-{p.To}, outside 1-65535.", "Ports run from 1 to 65535.");
            }
            else if (p.From > p.To)
            {
                v.Add(QaErrorIds.PortRangeReversed, target, path,
                    $"{Cap(target)} has the port range {p.From}-{p.To}, which runs backwards.", "Write the lower port first.");
            }
        }
    }

    private static void ValidateRules(QaPolicy policy, Collector v)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var roles = new HashSet<string>(policy.Roles, StringComparer.Ordinal);
        foreach (var r in policy.Rules)
        {
            var path = $"rules[{r.Id}]";
            var target = $"rule '{r.Id}'";
            v.UniqueName(ids, r.Id, target, path + ".id", QaErrorIds.DuplicateRuleId,
                $"There are two rules with id '{r.Id}'.", "Give every rule its own id, or omit ids to have them derived.");

            if (r.Priority < QaRule.MinPriority || r.Priority > QaRule.MaxPriority)
            {
                v.Add(QaErrorIds.InvalidPriority, target, path + ".priority",
                    $"The priority {r.Priority} of {target} is out of range.", $"Use {QaRule.MinPriority} to {QaRule.MaxPriority}; lower runs first.");
            }

            CheckSide(policy, roles, r, r.From, "from", path, target, v);
            CheckSide(policy, roles, r, r.To, "to", path, target, v);
            ValidatePorts(r.Ports, target, path + ".ports", v);

            if (r.Ports.Count == 0)
            {
                foreach (var s in r.To.Where(s => s.Kind != QaSelectorKind.Endpoint || policy.FindEndpoint(s.Value) is { Ports.Count: 0 }))
                {
                    v.Add(QaErrorIds.PortsRequired, target, path + ".ports",
                        $"{Cap(target)} gives no ports and its destination '{s}' has none of its own.",
                        "Give the rule ports (-Port 443/tcp), or give the endpoint its ports.");
                    break;
                }
            }

            if (r.Kind == QaRuleKind.Egress && !r.AllowAnyDestination)
            {
                var any = r.To.Any(s => s.Kind == QaSelectorKind.Cidr && s.Network4Or6.PrefixLength == 0) ||
                          r.To.Any(s => s.Kind == QaSelectorKind.Endpoint && policy.FindEndpoint(s.Value) is { } e && e.Addresses.Any(a => a.PrefixLength == 0));
                if (any)
                {
                    v.Add(QaErrorIds.EgressToAnyAddress, target, path + ".to",
                        $"{Cap(target)} lets clients reach any address (0.0.0.0/0 or ::/0).",
                        "Name the services clients need instead; if you really mean it, set allowAnyDestination: true (-AllowAnyDestination).");
                }
            }
        }
    }

    /// <summary>"client", "role" or "network" when <paramref name="name"/> is one of those; null otherwise.</summary>
    private static string? NamedOtherThanEndpoint(QaPolicy policy, HashSet<string> roles, string name) =>
        policy.FindClient(name) is not null ? "client"
        : policy.FindNetwork(name) is not null ? "network"
        : roles.Contains(name) ? "role"
        : null;

    private static void CheckSide(QaPolicy policy, HashSet<string> roles, QaRule r, QaList<QaSelector> side, string key,
        string path, string target, Collector v)
    {
        if (side.Count == 0)
        {
            v.Add(QaErrorIds.InvalidRuleSide, target, $"{path}.{key}",
                $"{Cap(target)} has nothing in '{key}'.", $"Name at least one {(key == "from" ? "source" : "destination")}.");
            return;
        }

        foreach (var s in side)
        {
            var exists = s.Kind switch
            {
                // Exact: lookups fold case, but what the policy stores spells names as they are.
                QaSelectorKind.Client => policy.FindClient(s.Value)?.Name == s.Value,
                QaSelectorKind.Role => roles.Contains(s.Value),
                QaSelectorKind.Endpoint => policy.FindEndpoint(s.Value)?.Name == s.Value,
                QaSelectorKind.Network => policy.FindNetwork(s.Value)?.Name == s.Value,
                _ => true,
            };
            if (!exists && s.Kind == QaSelectorKind.Endpoint && NamedOtherThanEndpoint(policy, roles, s.Value) is { } other)
            {
                // A client's name where an endpoint belongs mixes up the rule's sides; "does not exist" would send the user looking for a typo.
                v.Add(QaErrorIds.InvalidRuleSide, target, $"{path}.{key}",
                    $"{Cap(target)} names '{s.Value}' as an endpoint in '{key}', but '{s.Value}' is a {other}, not an endpoint.",
                    (r.Kind, key) == (QaRuleKind.Ingress, "from")
                        ? "Ingress comes from endpoints (management hosts such as a bastion: Get-QaEndpoint lists them; Add-QaEndpoint adds one) " +
                          "or CIDRs, never from clients: give Grant-QaIngress -From an endpoint name (or from: endpoint:<name> / cidr:<prefix> in the file). " +
                          "For traffic from one client to another use an egress rule."
                        : $"Name an endpoint (Get-QaEndpoint lists them), or write {other}:{s.Value} in the policy file.");
                continue;
            }

            if (!exists)
            {
                var hint = s.Kind == QaSelectorKind.Role
                    ? "No client has that role yet: add the clients first (Add-QaClient -Role), or fix the name."
                    : $"Add the {s.Kind.ToString().ToLowerInvariant()} first, or fix the name.";
                v.Add(QaErrorIds.UnknownReference, target, $"{path}.{key}",
                    $"{Cap(target)} names {s.Kind.ToString().ToLowerInvariant()} '{s.Value}', which does not exist.", hint);
            }
        }

        // Which side may hold what: clients open egress, endpoints open ingress.
        var clientSide = side.All(s => s.Kind is QaSelectorKind.Client or QaSelectorKind.Role or QaSelectorKind.Network);
        var bad = (r.Kind, key) switch
        {
            (QaRuleKind.Egress, "from") => !clientSide,
            (QaRuleKind.Ingress, "to") => !clientSide,
            (QaRuleKind.Ingress, "from") => side.Any(s => s.Kind is QaSelectorKind.Client or QaSelectorKind.Role or QaSelectorKind.Network),
            _ => false,
        };
        if (bad)
        {
            var fix = (r.Kind, key) switch
            {
                (QaRuleKind.Ingress, "from") => "Ingress comes from endpoints (management hosts) or CIDRs; for client-to-client traffic use an egress rule.",
                _ => "Egress starts at clients (client:, role:, network:) and ingress ends at clients.",
            };
            v.Add(QaErrorIds.InvalidRuleSide, target, $"{path}.{key}",
                $"{Cap(target)} ({r.Kind.ToString().ToLowerInvariant()}) cannot have '{string.Join(", ", side)}' in '{key}'.", fix);
        }
    }
}
