using System.Management.Automation;
using QaNet.Core.Lab;
using QaNet.Core.Model;

namespace QaNet.Commands.Lab;

/// <summary>Builds a lab replica of a policy out of network namespaces and publishes the policy into it.</summary>
[Cmdlet(VerbsLifecycle.Start, "QaLab", SupportsShouldProcess = true)]
[OutputType(typeof(QaLab))]
public sealed class StartQaLabCommand : LabCommand
{
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Prefix { get; set; } = Namespaces.DefaultPrefix;

    /// <summary>Builds every network in this mode instead of the policy's (the policy itself is not changed).</summary>
    [Parameter]
    public QaNetworkMode? Mode { get; set; }

    /// <summary>How publish cmdlets reach the lab's virthosts and gateways: Namespace (ip netns exec) or Ssh (sshd in each, from an operator namespace).</summary>
    [Parameter]
    public QaLabHostAccess HostAccess { get; set; } = QaLabHostAccess.Namespace;

    /// <summary>The software stack every virthost runs: Debian12 (this machine's libvirt), Libvirt11 (libvirt 11.3, nftables backend, from a cached root filesystem) or Fedora (Libvirt11 with firewalld).</summary>
    [Parameter]
    public QaVirtHostProfile VirtHostProfile { get; set; } = QaVirtHostProfile.Debian12;

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        if (Mode is { } mode)
        {
            policy = CopyOf(policy);
            foreach (var n in policy.Networks)
            {
                n.Mode = mode;
            }
        }

        if (!ShouldProcess($"lab '{Prefix}'", $"Start a lab of policy '{policy.Name}' ({policy.Networks.Count} networks, {policy.Clients.Count()} clients, host access {HostAccess}, virthost profile {VirtHostProfile})"))
        {
            return;
        }

        var lab = Run((options, ct) => QaLab.StartAsync(policy, Prefix, options with { HostAccess = HostAccess, VirtHostProfile = VirtHostProfile }, ct), Prefix);
        Session.LabPrefix = lab.Prefix;
        WriteObject(lab);
    }
}
