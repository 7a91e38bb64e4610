using QaNet.Core.Model;
using Xunit.Abstractions;

namespace QaNet.Tests.AccessLab;

/// <summary>fedora-qa.yaml without the <c>bastion-ssh</c> ingress rule: the network, not a login, breaks the path.</summary>
public sealed class NoBastionSshAccessLab : AccessLabFixture
{
    public const string RemovedRule = "bastion-ssh";

    public override string Prefix => "qn-acn-";

    public override QaPolicy CreatePolicy()
    {
        var policy = base.CreatePolicy();
        Assert.Equal(1, policy.Rules.RemoveAll(r => r.Id == RemovedRule));
        return policy;
    }
}

/// <summary>
/// The middle hop of the path: the user may log in on the bastion and on the client, but the
/// network does not let the bastion open 22/tcp to the client. Test-QaAccess names the network
/// link; the real ssh -J gets through the bastion and no further.
/// </summary>
[Trait("Needs", "Root")]
public sealed class AccessLabNetworkTests : IClassFixture<NoBastionSshAccessLab>
{
    private readonly NoBastionSshAccessLab _lab;
    private readonly ITestOutputHelper _output;

    public AccessLabNetworkTests(NoBastionSshAccessLab lab, ITestOutputHelper output)
    {
        _lab = lab;
        _output = output;
    }

    [Fact]
    public async Task Without_the_bastion_ssh_rule_the_path_breaks_at_the_network_hop_as_predicted()
    {
        const string user = "qaadmin1";
        var predicted = _lab.Checker.Test(user, AccessLabFixture.Client, QaAccessRight.Shell, AccessLabFixture.Bastion);
        var observed = await _lab.ObserveAsync(user, AccessLabFixture.Client, QaAccessRight.Shell, AccessLabFixture.Bastion);
        var story = $"predicted: {predicted.Allowed} at {predicted.FailingHop ?? "-"}: {predicted.Reason}\nobserved: {observed.Allowed} at {observed.FailingHop ?? "-"}: {observed.Detail}";
        _output.WriteLine(story);

        Assert.True(!predicted.Allowed && predicted.FailingHop == $"{AccessLabFixture.Bastion}->{AccessLabFixture.Client}", "Unexpected prediction.\n" + story);
        Assert.True(observed.Allowed == predicted.Allowed && observed.FailingHop == predicted.FailingHop, "The lab disagrees with Test-QaAccess.\n" + story);

        // The bastion let the user in; the client's sshd never saw a connection from the bastion.
        Assert.Contains($"Accepted publickey for {user} from", _lab.BastionSshd.Log, StringComparison.Ordinal);
        Assert.DoesNotContain($"Connection from {_lab.AddressOf(AccessLabFixture.Bastion)} ", _lab.ClientSshd.Log, StringComparison.Ordinal);
    }
}
