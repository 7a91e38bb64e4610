using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Publish;
using QaNet.Core.Validation;
using QaNet.Policy;
using QaNet.Tests.Lab;

namespace QaNet.Tests.Publish;

/// <summary>An ssh transport whose client runs in a namespace, how ssh's own failures surface, and the lab plan for host access Ssh.</summary>
public class SshTransportTests
{
    [Fact]
    public void A_client_namespace_runs_ssh_inside_it_and_reads_writes_and_reads_back()
    {
        var t = QaHostTransport.Ssh("vh1", configFile: "/run/qanet-lab/qn-/ssh/ssh_config", clientNamespace: "qn-op", libvirtUri: "qemu:///system?socket=/x/libvirt-sock");
        var wrapped = t.ToTarget().Wrap(CommandSpec.Of("virsh", "net-list"));
        Assert.Equal("ip", wrapped.Program);
        Assert.Equal(new[] { "netns", "exec", "qn-op", "ssh", "-F", "/run/qanet-lab/qn-/ssh/ssh_config" }, wrapped.Arguments.Take(6));
        Assert.Equal(new[] { "--", "vh1", "'virsh'", "'net-list'" }, wrapped.Arguments.TakeLast(4));

        var policy = PolicyYaml.Parse("""
            version: 1
            name: qa
            networks:
              - name: qa-clients
                mode: nat
                subnet: 192.168.150.0/24
                virthosts: [vh1]
            transports:
              vh1: {ssh: {configFile: /run/qanet-lab/qn-/ssh/ssh_config, clientNamespace: qn-op}}
            """, "t.yaml");
        Assert.Equal("qn-op", policy.Transports["vh1"].SshClientNamespace);
        var yaml = PolicyYaml.Serialize(policy);
        Assert.Contains("clientNamespace: qn-op", yaml, StringComparison.Ordinal);
        Assert.Equal(yaml, PolicyYaml.Serialize(PolicyYaml.Parse(yaml, "again.yaml")));
    }

    [Fact]
    public void A_bad_client_namespace_or_one_without_ssh_is_InvalidTransport()
    {
        var bad = Assert.Throws<QaValidationException>(() => QaHostTransport.Ssh("vh1", clientNamespace: "qn op"));
        Assert.Equal(QaErrorIds.InvalidTransport, bad.Errors[0].Id);
        var notSsh = new QaHostTransport("vh1", QaTransportKind.Namespace) { Namespace = "qn-vh1", SshClientNamespace = "qn-op" };
        Assert.Contains(notSsh.Validate(), e => e.Id == QaErrorIds.InvalidTransport && e.Path == "transports[vh1].ssh");
    }

    [Fact]
    public async Task Ssh_failing_itself_is_HostUnreachable_naming_host_and_transport_while_other_failures_stay_HostCommandFailed()
    {
        var local = new RecordingRunner(script: _ => CommandResult.Fail(255, "ssh: connect to host 198.18.1.2 port 22: Connection refused"));
        var host = PublishHost.For("vh1", QaHostTransport.Ssh("vh1", clientNamespace: "qn-op").ToTarget(), local: local);
        var session = new HostSession(host, NullQaLog.Instance, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<QaHostException>(() => session.RequireAsync(CommandSpec.Of("virsh", "net-list")));
        Assert.Equal(QaErrorIds.HostUnreachable, ex.ErrorId);
        Assert.Contains("vh1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ssh:vh1 (client in netns qn-op)", ex.Message, StringComparison.Ordinal);

        // The same exit code through a namespace is the command's own failure.
        var inNs = PublishHost.For("vh1", HostTarget.Namespace("qn-vh1"), local: local);
        var other = await Assert.ThrowsAsync<QaHostException>(() => new HostSession(inNs, NullQaLog.Instance, CancellationToken.None).RequireAsync(CommandSpec.Of("virsh", "net-list")));
        Assert.Equal(QaErrorIds.HostCommandFailed, other.ErrorId);
    }

    [Fact]
    public void Host_access_Ssh_adds_an_operator_namespace_with_its_own_link_and_moves_no_other_address()
    {
        var policy = ExamplePolicies.Fedora();
        var plain = QaLabPlan.Create(policy, "qn-x-");
        var ssh = QaLabPlan.Create(policy, "qn-x-", QaLabHostAccess.Ssh);
        Assert.Null(plain.OperatorNamespace);
        Assert.Equal("qn-x-op", ssh.OperatorNamespace);
        Assert.Contains("qn-x-op", ssh.AllNamespaces());
        Assert.DoesNotContain("qn-x-op", plain.AllNamespaces());
        foreach (var (peer, link) in plain.Links)
        {
            Assert.Equal(link, ssh.Links[peer]);
        }

        var op = ssh.Links["qn-x-op"];
        Assert.DoesNotContain(plain.Links.Values, l => l.Subnet.Equals(op.Subnet));
        Assert.True(QaLabPlan.LinkRange.Contains(op.PeerAddress));
    }
}
