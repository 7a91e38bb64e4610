using QaNet.Core.Hosts;
using QaNet.Core.Validation;

namespace QaNet.Core.Publish;

/// <summary>
/// One virthost as the publisher reaches it: a runner whose commands execute there, the folder
/// for QaNet's on-host state and, when libvirtd listens somewhere else than the default, its URI.
/// </summary>
public sealed record PublishHost
{
    public PublishHost(string virtHost, ICommandRunner runner, string stateDirectory)
    {
        if (!IsValidVirtHost(virtHost))
        {
            throw new QaValidationException(QaValidationError.Name("virthost", virtHost));
        }

        ArgumentNullException.ThrowIfNull(runner);
        if (string.IsNullOrEmpty(stateDirectory) || !stateDirectory.StartsWith('/') || stateDirectory.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidArtifact, "state directory", null,
                $"'{stateDirectory}' is not an absolute path without spaces.", "Use a folder such as /run/qanet/host."));
        }

        VirtHost = virtHost;
        Runner = runner;
        StateDirectory = stateDirectory.TrimEnd('/');
    }

    public string VirtHost { get; }

    public ICommandRunner Runner { get; }

    public string StateDirectory { get; }

    /// <summary>libvirt connection URI (<c>virsh -c</c>); null for virsh's default.</summary>
    public string? LibvirtUri
    {
        get => _libvirtUri;
        init
        {
            if (value is not null && (value.Length == 0 || value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
            {
                throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidArtifact, "libvirt URI", null,
                    $"'{value}' is not a libvirt URI.", "Use a URI such as qemu:///system."));
            }

            _libvirtUri = value;
        }
    }

    private readonly string? _libvirtUri;

    /// <summary>A host reached through <paramref name="target"/> with real processes (or <paramref name="local"/>).</summary>
    public static PublishHost For(string virtHost, HostTarget target, string? libvirtUri = null, ICommandRunner? local = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        // PowerShell passes $null for a string as "": both mean virsh's default connection.
        return new PublishHost(virtHost, target.CreateRunner(local), target.StateDirectory) { LibvirtUri = string.IsNullOrEmpty(libvirtUri) ? null : libvirtUri };
    }

    public static bool IsValidVirtHost(string? name) => Names.IsValidVirtHost(name);

    public override string ToString() => VirtHost;
}
