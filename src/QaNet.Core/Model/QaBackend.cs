namespace QaNet.Core.Model;

/// <summary>The mechanism a rendering is written for.</summary>
public enum QaBackend
{
    /// <summary>A libvirt network definition (<c>virsh net-define</c>).</summary>
    LibvirtXml,
    /// <summary>QaNet's own <c>table inet qanet</c> (<c>nft -f</c>).</summary>
    Nftables,
    /// <summary>QaNet's ebtables chains (<c>ebtables-restore</c>).</summary>
    Ebtables,
    /// <summary>Who may log in where: fas.conf groups, sudoers, sshd AllowGroups per host, FreeIPA commands (Render/Access).</summary>
    Access,
}
