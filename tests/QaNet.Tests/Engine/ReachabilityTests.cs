using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Tests.Engine;

/// <summary>The answers a QA admin expects from the Fedora-like policy.</summary>
public sealed class ReachabilityTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static QaReachability Fedora() => QaReachability.Create(FedoraPolicy.Build(), Now);

    [Fact]
    public void Taskotron_client_reaches_koji_443_by_the_koji_rule()
    {
        var result = Assert.Single(Fedora().Test("taskotron-client01", "koji", 443));
        Assert.True(result.Allowed);
        Assert.Equal("taskotron-koji", result.RuleId);
        Assert.Equal("Taskotron clients fetch builds from koji", result.RuleDescription);
        Assert.Equal(
            "source 192.168.150.10 is client taskotron-client01 (role taskotron) → matches rule taskotron-koji (egress, priority 1000) via role:taskotron: destination endpoint koji 203.0.113.10, 443/tcp → allowed",
            result.Reason);
    }

    [Fact]
    public void Taskotron_client_cannot_ssh_to_another_qa_host()
    {
        var result = Assert.Single(Fedora().Test("taskotron-client01", "qa-host", 22));
        Assert.False(result.Allowed);
        Assert.Null(result.RuleId);
        Assert.Equal("default deny", result.DecidedBy);
        Assert.EndsWith("no rule matches 22/tcp → default deny", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Bastion_reaches_clients_on_ssh_but_not_the_reverse()
    {
        var q = Fedora();
        var ssh = Assert.Single(q.Test("bastion", "beaker-client01", 22));
        Assert.True(ssh.Allowed);
        Assert.Equal("bastion-ssh", ssh.RuleId);
        Assert.False(Assert.Single(q.Test("beaker-client01", "bastion", 22)).Allowed);
    }

    [Theory]
    [InlineData(22, QaProtocol.Tcp)]
    [InlineData(443, QaProtocol.Tcp)]
    [InlineData(9989, QaProtocol.Tcp)]
    [InlineData(69, QaProtocol.Udp)]
    [InlineData(0, QaProtocol.Icmp)]
    public void Koji_never_opens_connections_to_clients(int port, QaProtocol protocol)
    {
        foreach (var r in Fedora().Test("koji", "role:taskotron", port, protocol))
        {
            Assert.False(r.Allowed);
            Assert.Equal("default deny", r.DecidedBy);
        }
    }

    [Fact]
    public void A_role_answers_once_when_all_members_agree()
    {
        var result = Assert.Single(Fedora().Test("taskotron", "koji", 443));
        Assert.Equal("taskotron", result.From);
        Assert.True(result.Allowed);
    }

    [Fact]
    public void An_endpoint_whose_addresses_disagree_is_answered_per_address()
    {
        var results = Fedora().Test("beaker-client01", "mirrors", 443);
        Assert.Equal(2, results.Count);
        Assert.True(results.Single(r => r.DestinationAddress.ToString() == "198.51.100.10").Allowed);
        Assert.False(results.Single(r => r.DestinationAddress.ToString() == "198.51.100.20").Allowed);
    }

    [Fact]
    public void IPv6_flows_are_decided_too()
    {
        var q = Fedora();
        var v6 = Assert.Single(q.Test("fd00:150::10", "2001:db8::11", 443));
        Assert.True(v6.Allowed);
        Assert.Equal("taskotron-kojipkgs", v6.RuleId);
        // A client without IPv6 reaches only the IPv4 address of kojipkgs.
        var r = Assert.Single(q.Test("taskotron-client02", "kojipkgs", 443));
        Assert.Equal("203.0.113.11", r.DestinationAddress.ToString());
    }

    [Fact]
    public void Block_at_equal_priority_beats_a_grant_listed_earlier()
    {
        var policy = FedoraPolicy.Build();
        FedoraPolicy.Rule(policy, "no-koji", QaRuleKind.Block, "client:taskotron-client02", "endpoint:koji", null, "443/tcp").Priority = 1000;
        var q = QaReachability.Create(policy, Now);
        var r = Assert.Single(q.Test("taskotron-client02", "koji", 443));
        Assert.False(r.Allowed);
        Assert.Equal("no-koji", r.RuleId);
        Assert.True(Assert.Single(q.Test("taskotron-client01", "koji", 443)).Allowed);
    }

    [Fact]
    public void Expired_rules_do_not_match()
    {
        var policy = FedoraPolicy.Build();
        policy.FindRule("taskotron-koji")!.ExpiresAt = Now;
        Assert.False(Assert.Single(QaReachability.Create(policy, Now).Test("taskotron-client01", "koji", 443)).Allowed);
        Assert.True(Assert.Single(QaReachability.Create(policy, Now.AddSeconds(-1)).Test("taskotron-client01", "koji", 443)).Allowed);
    }

    [Theory]
    [InlineData("no-such-host")]
    [InlineData("client:koji")]
    [InlineData("10.0.0.0/8")]
    public void Unknown_names_are_NotFound(string name)
    {
        var e = Assert.Throws<QaValidationException>(() => Fedora().Test(name, "koji", 443));
        Assert.Equal(QaErrorIds.NotFound, e.ErrorId);
    }

    [Fact]
    public void Matrix_shows_allowed_and_denied_cells_and_folds_by_role()
    {
        var matrix = Fedora().Matrix();
        Assert.Contains(matrix.Ports, p => p.Protocol == QaProtocol.Tcp && p.From == 22);
        var cells = matrix.Cells().ToList();
        Assert.Contains(cells, c => c.From == "taskotron-client01" && c.To == "koji" && c.Port == 443 && c.Allowed);
        Assert.Contains(cells, c => c.From == "taskotron-client01" && c.To == "qa-host" && c.Port == 22 && !c.Allowed);
        var taskotronKoji = matrix.ByRole().Single(r => r.Role == "taskotron" && r.To == "koji" && r.Port == 443 && r.Protocol == QaProtocol.Tcp);
        Assert.True(taskotronKoji.Allowed);
        Assert.Equal(2, taskotronKoji.Members);
        Assert.Equal(new[] { "taskotron-koji" }, taskotronKoji.DecidedBy);
    }

    [Fact]
    public void Matrix_cells_enumerate_alike_every_time_in_client_endpoint_port_order()
    {
        var matrix = Fedora().Matrix();
        var cells = matrix.Cells();
        var first = cells.Select(c => c.ToString()).ToList();
        Assert.Equal(first, cells.Select(c => c.ToString()).ToList());
        Assert.Equal(first, matrix.Cells().Select(c => c.ToString()).ToList());
        Assert.True(first.Count >= matrix.CellCount, $"{first.Count} results for {matrix.CellCount} cells");
        // Client-major, then endpoint, then port, as the matrix lists them.
        var order = matrix.Cells().Select(c => (Client: IndexOf(matrix.Clients.Select(x => x.Name), c.From), Endpoint: IndexOf(matrix.Endpoints.Select(x => x.Name), c.To))).ToList();
        Assert.Equal(order.OrderBy(o => o.Client).ThenBy(o => o.Endpoint), order);
        Assert.Equal(first[0], matrix.Cells().First().ToString());

        var q = Fedora();
        Assert.Empty(q.Matrix(new QaMatrixOptions { Endpoints = Array.Empty<QaEndpoint>() }).Cells());
        Assert.Empty(q.Matrix(new QaMatrixOptions { Clients = Array.Empty<QaClient>() }).Cells());
        Assert.Empty(q.Matrix(new QaMatrixOptions { Ports = Array.Empty<QaPortRange>() }).Cells());
    }

    private static int IndexOf(IEnumerable<string> names, string name) => names.Select((n, i) => (n, i)).First(x => x.n == name).i;
}
