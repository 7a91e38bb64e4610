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
        _scratchRunner = runner;
        StateDirectory = stateDirectory.TrimEnd('/');
    }

    public string VirtHost { get; }

    public ICommandRunner Runner { get; }

    /// <summary>
    /// Where throwaway network namespaces for checking rendered tables are made: the host itself
    /// (<see cref="Runner"/>, the default), or for a namespace target the machine around it, since
    /// a namespace made inside <c>ip netns exec</c> vanishes with that command's mount namespace.
    /// </summary>
    public ICommandRunner ScratchRunner
    {
        get => _scratchRunner;
        init => _scratchRunner = value ?? throw new ArgumentNullException(nameof(value));
    }

    private readonly ICommandRunner _scratchRunner;

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

    /// <summary>
    /// libvirt's configuration folder on the host as QaNet's commands see it: the boot copy goes to
    /// its <c>qanet/</c> and the network hook to its <c>hooks/network.d/</c> (<see cref="BootCopy"/>).
    /// Null: nothing is persisted (a bare namespace, which shares the machine's <c>/etc</c>).
    /// </summary>
    public string? LibvirtConfigDirectory
    {
        get => _libvirtConfigDirectory;
        init
        {
            if (value is not null && !BootCopy.IsValidDirectory(value))
            {
                throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidArtifact, "libvirt configuration folder", null,
                    $"'{value}' is not an absolute path of letters, digits and / . _ -.", "Use a folder such as /etc/libvirt."));
            }

            _libvirtConfigDirectory = value?.TrimEnd('/');
        }
    }

    private readonly string? _libvirtConfigDirectory;

    /// <summary>A host reached through <paramref name="target"/> with real processes (or <paramref name="local"/>).</summary>
    public static PublishHost For(string virtHost, HostTarget target, string? libvirtUri = null, ICommandRunner? local = null, string? libvirtConfigDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        // PowerShell passes $null for a string as "": both mean virsh's default connection.
        var runner = target.CreateRunner(local);
        return new PublishHost(virtHost, runner, target.StateDirectory)
        {
            LibvirtUri = string.IsNullOrEmpty(libvirtUri) ? null : libvirtUri,
            LibvirtConfigDirectory = string.IsNullOrEmpty(libvirtConfigDirectory) ? target.LibvirtConfigDirectory : libvirtConfigDirectory,
            ScratchRunner = target is NamespaceTarget ? HostTarget.Local.CreateRunner(local) : runner,
        };
    }

    public static bool IsValidVirtHost(string? name) => Names.IsValidVirtHost(name);

    public override string ToString() => VirtHost;
}
