using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;
using QaNet.Policy;

namespace QaNet.Tests.Publish;

/// <summary>The policy file's transports: section, the model, and the targets it gives.</summary>
public class TransportTests
{
    private const string Head = """
        version: 1
        name: qa
        networks:
          - name: qa-clients
            mode: nat
            subnet: 192.168.150.0/24
            virthosts: [vh1, vh2, vh3]

        """;

    [Fact]
    public void Every_form_reads_writes_and_reads_back_the_same()
    {
        var policy = PolicyYaml.Parse(Head + """
            transports:
              vh1: local
              vh2: {ssh: {host: vh2.qa.example.org, user: root, port: 2222, configFile: /etc/qanet/ssh_config, identityFile: /root/.ssh/qanet}}
              vh3: {namespace: qn-vh3, libvirt: 'qemu:///system?socket=/run/qn/vh3/libvirt-sock'}
              bastion: ssh:admin@bastion.qa:22
            """, "t.yaml");
        Assert.Equal(QaTransportKind.Local, policy.Transports["vh1"].Kind);
        var vh2 = policy.Transports["vh2"];
        Assert.Equal((QaTransportKind.Ssh, "vh2.qa.example.org", "root", 2222), (vh2.Kind, vh2.SshHost, vh2.SshUser, vh2.SshPort));
        Assert.Equal("qn-vh3", policy.Transports["vh3"].Namespace);
        Assert.Equal("admin", policy.Transports["bastion"].SshUser);

        var yaml = PolicyYaml.Serialize(policy);
        Assert.Contains("vh1: local", yaml, StringComparison.Ordinal);
        Assert.Equal(yaml, PolicyYaml.Serialize(PolicyYaml.Parse(yaml, "again.yaml")));
    }

    [Fact]
    public void Targets_follow_the_transport()
    {
        Assert.Same(HostTarget.Local, QaHostTransport.Local("vh1").ToTarget());
        var ns = Assert.IsType<NamespaceTarget>(QaHostTransport.Parse("vh1", "namespace:qn-vh1").ToTarget());
        Assert.Equal("qn-vh1", ns.Name);
        var ssh = Assert.IsType<SshTarget>(QaHostTransport.Parse("vh2", "ssh:root@vh2.qa:2222").ToTarget());
        Assert.Equal(("vh2.qa", "root", 2222), (ssh.Host, ssh.Options.User, ssh.Options.Port));
        Assert.Equal("vh3", Assert.IsType<SshTarget>(QaHostTransport.Parse("vh3", "ssh").ToTarget()).Host);
    }

    [Theory]
    [InlineData("  vh1: {namespace: 'qn vh1'}", "transports[vh1].namespace")]
    [InlineData("  vh1: {ssh: {user: 'root; rm -rf /'}}", "transports[vh1].ssh")]
    [InlineData("  vh1: {namespace: qn-vh1, ssh: vh1}", "transports[vh1]")]
    [InlineData("  vh1: teleport", "transports[vh1]")]
    [InlineData("  vh1: {libvirt: 'qemu:///system extra'}", "transports[vh1].libvirt")]
    public void A_bad_transport_is_InvalidTransport_at_its_line(string entry, string path)
    {
        var ex = Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(Head + "transports:\n" + entry + "\n", "t.yaml"));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(QaErrorIds.InvalidTransport, error.Id);
        Assert.Equal(path, error.Path);
        Assert.StartsWith("t.yaml:9:", error.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keys_in_a_transport_are_refused()
    {
        var ex = Assert.Throws<QaValidationException>(() => PolicyYaml.Parse(Head + "transports:\n  vh1: {namespce: qn-vh1}\n", "t.yaml"));
        Assert.Equal(QaErrorIds.PolicyUnknownKey, Assert.Single(ex.Errors).Id);
    }
}
