using QaNet.Core.Diagnostics;
using QaNet.Core.Hosts;

namespace QaNet.Core.Lab;

public sealed record QaLabOptions
{
    /// <summary>Where lab state lives; one folder per prefix.</summary>
    public string RootDirectory { get; init; } = "/run/qanet-lab";

    /// <summary>The moment the policy is rendered for (expiring rules); default now.</summary>
    public DateTimeOffset? Now { get; init; }

    public IQaLog? Log { get; init; }

    /// <summary>The local runner (tests inject faults through it).</summary>
    public ICommandRunner? Runner { get; init; }

    /// <summary>
    /// How the publish cmdlets reach the virthosts and gateways: Namespace (<c>ip netns exec</c>,
    /// the default) or Ssh (an sshd in each, reached from an operator namespace; docs/lab.md).
    /// </summary>
    public QaLabHostAccess HostAccess { get; init; } = QaLabHostAccess.Namespace;

    /// <summary>
    /// The software stack every lab virthost runs: Debian12 (this machine's libvirt, the default),
    /// Libvirt11 (libvirt 11.3 with its nftables firewall backend, from a cached root filesystem
    /// built once with mmdebstrap) or Fedora (Libvirt11 with firewalld); docs/lab.md.
    /// </summary>
    public QaVirtHostProfile VirtHostProfile { get; init; } = QaVirtHostProfile.Debian12;
}
