using QaNet.Core.Model;

namespace QaNet.Core.Hosts;

/// <summary>
/// Turns a policy's transport declaration (Model) into the target its commands run on (Hosts).
/// Lives here, not on <see cref="QaHostTransport"/>, so the model does not depend on the host layer.
/// </summary>
public static class HostTransports
{
    /// <summary>Where commands for this host run.</summary>
    public static HostTarget ToTarget(this QaHostTransport t) => t.Kind switch
    {
        QaTransportKind.Namespace => HostTarget.Namespace(t.Namespace ?? string.Empty),
        QaTransportKind.Ssh => HostTarget.Ssh(t.SshHost ?? t.Host, new SshOptions
        {
            User = t.SshUser,
            Port = t.SshPort,
            ConfigFile = t.SshConfigFile,
            IdentityFile = t.SshIdentityFile,
            ClientNamespace = t.SshClientNamespace,
        }),
        _ => HostTarget.Local,
    };
}
