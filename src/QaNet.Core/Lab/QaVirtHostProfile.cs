namespace QaNet.Core.Lab;

/// <summary>The software stack a lab virthost runs (docs/lab.md, "Virthost profiles").</summary>
public enum QaVirtHostProfile
{
    /// <summary>This machine's own libvirt (Debian 12: libvirt 9.0, iptables firewall backend).</summary>
    Debian12,

    /// <summary>
    /// libvirt 11.3 from bookworm-backports with its nftables firewall backend (libvirt's default
    /// since 10.4, as on Fedora and RHEL), run from a cached root filesystem entered with chroot.
    /// </summary>
    Libvirt11,

    /// <summary>
    /// Libvirt11 with firewalld 1.3 (nftables backend) running in the virthost, on a D-Bus system bus
    /// of its own, as on a Fedora or RHEL virthost: libvirt finds it and uses its zones.
    /// </summary>
    Fedora,
}
