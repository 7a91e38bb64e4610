using System.Globalization;
using QaNet.Core.Validation;

namespace QaNet.Core.Model;

public enum QaTransportKind
{
    /// <summary>Commands run on this machine.</summary>
    Local,
    /// <summary>Commands run in a network namespace on this machine (<c>ip netns exec</c>): the lab.</summary>
    Namespace,
    /// <summary>Commands run on a remote host through the system's OpenSSH client.</summary>
    Ssh,
}

/// <summary>
/// How QaNet reaches one host it publishes to (a virthost, or the gateway endpoint of a Gateway
/// network): the policy file's <c>transports:</c> section, or <c>Publish-QaNetwork -Transport</c>.
/// A host without one is reached locally.
/// </summary>
public sealed record QaHostTransport
{
    public QaHostTransport(string host, QaTransportKind kind)
    {
        Host = host;
        Kind = kind;
    }

    /// <summary>The virthost or gateway endpoint name, as the policy spells it.</summary>
    public string Host { get; }

    public QaTransportKind Kind { get; }

    /// <summary>The network namespace (Namespace).</summary>
    public string? Namespace { get; init; }

    /// <summary>The libvirt connection URI on the host (<c>virsh -c</c>); null for virsh's default.</summary>
    public string? LibvirtUri { get; init; }

    /// <summary>
    /// libvirt's configuration folder as the transport's commands see it (the boot copy and network
    /// hook go under it); null: the target's default (<c>/etc/libvirt</c>, none for a bare namespace).
    /// </summary>
    public string? LibvirtConfigDirectory { get; init; }

    /// <summary>The ssh destination (Ssh): a host name, an alias of the ssh config or an address; null for <see cref="Host"/>.</summary>
    public string? SshHost { get; init; }

    public string? SshUser { get; init; }

    public int? SshPort { get; init; }

    /// <summary><c>ssh -F</c>: a config file used instead of ~/.ssh/config.</summary>
    public string? SshConfigFile { get; init; }

    /// <summary><c>ssh -i</c>.</summary>
    public string? SshIdentityFile { get; init; }

    /// <summary>Run the ssh client inside this network namespace (the lab's operator namespace); null: where QaNet runs.</summary>
    public string? SshClientNamespace { get; init; }

    public static QaHostTransport Local(string host, string? libvirtUri = null) =>
        Checked(new QaHostTransport(host, QaTransportKind.Local) { LibvirtUri = Empty(libvirtUri) });

    /// <summary>A host in a network namespace, optionally with its own libvirtd (<c>LibvirtdInstance.Uri</c>).</summary>
    public static QaHostTransport InNamespace(string host, string networkNamespace, string? libvirtUri = null) =>
        Checked(new QaHostTransport(host, QaTransportKind.Namespace) { Namespace = networkNamespace, LibvirtUri = Empty(libvirtUri) });

    public static QaHostTransport Ssh(string host, string? sshHost = null, string? user = null, int? port = null,
        string? configFile = null, string? identityFile = null, string? libvirtUri = null, string? clientNamespace = null) =>
        Checked(new QaHostTransport(host, QaTransportKind.Ssh)
        {
            SshClientNamespace = Empty(clientNamespace),
            SshHost = Empty(sshHost),
            SshUser = Empty(user),
            SshPort = port,
            SshConfigFile = Empty(configFile),
            SshIdentityFile = Empty(identityFile),
            LibvirtUri = Empty(libvirtUri),
        });

    /// <summary>
    /// The short form: <c>local</c>, <c>namespace:&lt;ns&gt;</c> or <c>ssh:[&lt;user&gt;@]&lt;host&gt;[:&lt;port&gt;]</c>
    /// (<c>ssh</c> alone: the host's own name through the ssh config). Throws InvalidTransport.
    /// </summary>
    public static QaHostTransport Parse(string host, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (t.Equals("local", StringComparison.OrdinalIgnoreCase))
        {
            return Local(host);
        }

        if (t.StartsWith("namespace:", StringComparison.OrdinalIgnoreCase) || t.StartsWith("netns:", StringComparison.OrdinalIgnoreCase))
        {
            return InNamespace(host, t[(t.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        }

        if (t.Equals("ssh", StringComparison.OrdinalIgnoreCase))
        {
            return Ssh(host);
        }

        if (t.StartsWith("ssh:", StringComparison.OrdinalIgnoreCase))
        {
            var rest = t[4..];
            string? user = null;
            int? port = null;
            if (rest.IndexOf('@', StringComparison.Ordinal) is var at and >= 0)
            {
                user = rest[..at];
                rest = rest[(at + 1)..];
            }

            // host:port, but not an IPv6 address (several colons; write those in the long form).
            if (rest.Count(c => c == ':') == 1)
            {
                var colon = rest.IndexOf(':', StringComparison.Ordinal);
                port = int.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0;
                rest = rest[..colon];
            }

            return Ssh(host, rest, user, port);
        }

        throw new QaValidationException(Error(host, $"transports[{host}]",
            $"'{text}' is not a transport for host '{host}'."));
    }

    /// <summary>
    /// The same transport filed under <paramref name="host"/> (a renamed gateway endpoint). An ssh
    /// transport that reached the host by its old name keeps reaching that machine: the old name
    /// becomes its explicit ssh destination.
    /// </summary>
    internal QaHostTransport Renamed(string host) => new(host, Kind)
    {
        Namespace = Namespace,
        LibvirtUri = LibvirtUri,
        SshHost = Kind == QaTransportKind.Ssh ? SshHost ?? Host : SshHost,
        SshUser = SshUser,
        SshPort = SshPort,
        SshConfigFile = SshConfigFile,
        SshIdentityFile = SshIdentityFile,
        SshClientNamespace = SshClientNamespace,
    };

    /// <summary>Every problem, with paths in the policy file's layout (<c>transports[vh1].ssh.user</c>).</summary>
    public IReadOnlyList<QaValidationError> Validate()
    {
        var errors = new List<QaValidationError>();
        var path = $"transports[{Host}]";
        if (!Names.IsValidVirtHost(Host))
        {
            errors.Add(QaValidationError.Name($"transport host '{Host}'", Host) with { Path = path });
        }

        if (Kind == QaTransportKind.Namespace && !Names.IsValid(Namespace))
        {
            errors.Add(Error(Host, path + ".namespace", $"'{Namespace}' is not a network namespace name.",
                $"Namespace names follow the QaNet name rule ({Names.Pattern}), e.g. qn-virthost1."));
        }

        if (Kind != QaTransportKind.Namespace && Namespace is not null)
        {
            errors.Add(Error(Host, path + ".namespace", $"Host '{Host}' is reached over {Kind} but names the namespace '{Namespace}'."));
        }

        if (Kind != QaTransportKind.Ssh && (SshHost ?? SshUser ?? SshConfigFile ?? SshIdentityFile ?? SshClientNamespace) is not null || (Kind != QaTransportKind.Ssh && SshPort is not null))
        {
            errors.Add(Error(Host, path + ".ssh", $"Host '{Host}' is reached over {Kind} but has ssh settings."));
        }

        if (Kind == QaTransportKind.Ssh)
        {
            try
            {
                SshRules.CheckHost(SshHost ?? Host);
                SshRules.CheckOptions(SshUser, SshPort, new[] { SshConfigFile, SshIdentityFile },
                    Array.Empty<KeyValuePair<string, string>>(), SshClientNamespace);
            }
            catch (QaValidationException ex)
            {
                errors.AddRange(ex.Errors.Select(e => Error(Host, path + ".ssh", e.Message, e.Fix)));
            }
        }

        if (LibvirtUri is { } uri && (uri.Length == 0 || uri.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            errors.Add(Error(Host, path + ".libvirt", $"'{uri}' is not a libvirt URI.", "Use a URI such as qemu:///system or qemu:///system?socket=/run/…/libvirt-sock."));
        }

        return errors;
    }

    public override string ToString() => Kind switch
    {
        QaTransportKind.Namespace => $"namespace:{Namespace}",
        QaTransportKind.Ssh => "ssh:" + (SshUser is null ? string.Empty : SshUser + "@") + (SshHost ?? Host)
            + (SshPort is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : string.Empty),
        _ => "local",
    } + (LibvirtUri is null ? string.Empty : $" ({LibvirtUri})");

    private static QaHostTransport Checked(QaHostTransport transport)
    {
        var errors = transport.Validate();
        return errors.Count == 0 ? transport : throw new QaValidationException(errors);
    }

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static QaValidationError Error(string host, string path, string message, string? fix = null) =>
        new(QaErrorIds.InvalidTransport, $"transport of '{host}'", path, message,
            fix ?? "Write local, {namespace: <ns>} or {ssh: {host, user, port, configFile, identityFile}}, optionally with libvirt: <uri> (see docs/policy-format.md).");
}
