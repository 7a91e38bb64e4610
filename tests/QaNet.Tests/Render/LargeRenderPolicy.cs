using System.Globalization;
using System.Net;
using QaNet.Core.Model;

namespace QaNet.Tests.Render;

/// <summary>
/// The compile-cost policy of docs/rendering.md and the bench's render suite: one Nat network,
/// clients in roles (every 10th in two), one endpoint (443/tcp + 8000-8010/tcp) and one
/// role → endpoint grant per grant.
/// </summary>
public static class LargeRenderPolicy
{
    /// <summary>Built directly (not through the editor, whose per-change validation would dominate the set-up).</summary>
    public static QaPolicy Build(int clients = 1000, int grants = 200, int roles = 20)
    {
        var p = new QaPolicy("bench");
        var n = new QaNetwork(p, "bench", IPNetwork.Parse("10.64.0.0/16"), QaNetworkMode.Nat) { Bridge = "br-bench" };
        n.VirtHosts.Add("vh1");
        p.Networks.Add(n);
        for (var i = 0; i < clients; i++)
        {
            var c = new QaClient(n, $"c{i}", string.Create(CultureInfo.InvariantCulture, $"52:54:00:00:{i / 256:x2}:{i % 256:x2}"),
                IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.64.{2 + (i / 250)}.{1 + (i % 250)}")), "vh1");
            c.Roles.Add($"role{i % roles}");
            if (i % 10 == 0)
            {
                c.Roles.Add($"role{(i / 10) % roles}");
            }

            n.Clients.Add(c);
        }

        for (var j = 0; j < grants; j++)
        {
            var e = new QaEndpoint(p, $"svc{j}");
            e.Addresses.Add(IPNetwork.Parse(string.Create(CultureInfo.InvariantCulture, $"198.18.{j / 250}.{1 + (j % 250)}/32")));
            e.Ports.Add(QaPortRange.Parse("443/tcp"));
            e.Ports.Add(QaPortRange.Parse("8000-8010/tcp"));
            p.Endpoints.Add(e);
            var r = new QaRule(p, $"grant{j}", QaRuleKind.Egress);
            r.From.Add(QaSelector.Role($"role{j % roles}"));
            r.To.Add(QaSelector.Endpoint(e.Name));
            p.Rules.Add(r);
        }

        return p;
    }
}
