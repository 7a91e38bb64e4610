using System.Net;
using System.Text.RegularExpressions;
using QaNet.Core.Validation;

namespace QaNet.Core.Hosts;

/// <summary>
/// Where a command runs: this machine, a network namespace on it, or a remote virthost over
/// OpenSSH. <see cref="Wrap"/> turns a command for the target into a local command line.
/// </summary>
public abstract record HostTarget
{
    private protected HostTarget()
    {
    }

    public static HostTarget Local { get; } = new LocalTarget();

    /// <summary>A network namespace on this machine (<c>ip netns exec</c>).</summary>
    public static HostTarget Namespace(string name) => new NamespaceTarget(name);

    /// <summary>A remote host through the system's OpenSSH client.</summary>
    public static HostTarget Ssh(string host, SshOptions? options = null) => new SshTarget(host, options ?? new SshOptions());

    /// <summary>
    /// QaNet's on-host state folder (locks, pending confirmations). It lives under /run, so it
    /// goes away with a reboot, as the timers it describes do. Namespaces share the machine's
    /// file system, so each gets its own folder.
    /// </summary>
    public abstract string StateDirectory { get; }

    /// <summary>
    /// libvirt's configuration folder on the target as QaNet's commands see it, where the boot copy
    /// and the network hook go (docs/publishing.md, "Reboots"): <c>/etc/libvirt</c> on a host; none
    /// for a bare namespace, which shares the machine's <c>/etc</c> (the lab names its libvirtd's own).
    /// </summary>
    public virtual string? LibvirtConfigDirectory => "/etc/libvirt";

    /// <summary>The local command that runs <paramref name="spec"/> on this target.</summary>
    public abstract CommandSpec Wrap(CommandSpec spec);

    /// <summary>A runner for this target on top of <paramref name="local"/> (default: real processes).</summary>
    public ICommandRunner CreateRunner(ICommandRunner? local = null) => new TargetRunner(local ?? ProcessRunner.Instance, this);
}

public sealed record LocalTarget : HostTarget
{
    internal LocalTarget()
    {
    }

    public override string StateDirectory => "/run/qanet/host";

    public override CommandSpec Wrap(CommandSpec spec) => spec;

    public override string ToString() => "local";
}

public sealed record NamespaceTarget : HostTarget
{
    public NamespaceTarget(string name)
    {
        if (!Names.IsValid(name))
        {
            throw new QaValidationException(QaValidationError.Name("network namespace", name));
        }

        Name = name;
    }

    public string Name { get; }

    public override string StateDirectory => "/run/qanet/netns/" + Name;

    public override string? LibvirtConfigDirectory => null;

    public override CommandSpec Wrap(CommandSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new CommandSpec("ip", new List<string> { "netns", "exec", Name, spec.Program }.Concat(spec.Arguments))
        {
            Stdin = spec.Stdin,
            Timeout = spec.Timeout,
            Mutates = spec.Mutates,
        };
    }

    public override string ToString() => "netns:" + Name;
}

/// <summary>
/// A remote host through the system's OpenSSH client. The operator's ~/.ssh/config applies
/// (host aliases, users, jump hosts) unless <see cref="SshOptions.ConfigFile"/> replaces it.
/// </summary>
public sealed record SshTarget : HostTarget
{
    public SshTarget(string host, SshOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SshRules.CheckHost(host);
        options.Validate();
        Host = host;
        Options = options;
    }

    public string Host { get; }

    public SshOptions Options { get; }

    public override string StateDirectory => "/run/qanet/host";

    public static bool IsValidHost(string? host) => SshRules.IsValidHost(host);

    public override CommandSpec Wrap(CommandSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var args = new List<string>();
        void Add(params string[] words) => args.AddRange(words);
        if (Options.ConfigFile is { } config)
        {
            Add("-F", config);
        }

        if (Options.BatchMode)
        {
            Add("-o", "BatchMode=yes");
        }

        if (Options.ConnectTimeout is { } connect)
        {
            Add("-o", "ConnectTimeout=" + (int)Math.Ceiling(connect.TotalSeconds));
        }

        if (Options.ControlPath is { } controlPath)
        {
            Add("-o", "ControlMaster=auto", "-o", "ControlPath=" + controlPath);
            Add("-o", "ControlPersist=" + (int)Options.ControlPersist.TotalSeconds);
        }

        if (Options.User is { } user)
        {
            Add("-l", user);
        }

        if (Options.Port is { } port)
        {
            Add("-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Options.IdentityFile is { } identity)
        {
            Add("-i", identity);
        }

        foreach (var (key, value) in Options.Options)
        {
            Add("-o", key + "=" + value);
        }

        args.Add("--");
        args.Add(Host);

        // ssh joins the remote words with spaces into one string for the remote shell:
        // quoting every word is what keeps each one a single argument over there.
        args.Add(PosixShell.Quote(spec.Program));
        args.AddRange(spec.Arguments.Select(PosixShell.Quote));

        var ssh = new CommandSpec("ssh", args) { Stdin = spec.Stdin, Timeout = spec.Timeout, Mutates = spec.Mutates };
        return Options.ClientNamespace is { } ns ? new NamespaceTarget(ns).Wrap(ssh) : ssh;
    }

    public override string ToString() => "ssh:" + Host;
}

/// <summary>How QaNet calls ssh. The defaults leave everything to the operator's ssh config.</summary>
public sealed record SshOptions
{
    /// <summary><c>-F</c>: use this config file instead of ~/.ssh/config.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Never prompt (a publish must not hang on a password prompt).</summary>
    public bool BatchMode { get; init; } = true;

    public TimeSpan? ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When set, connections are shared (ControlMaster=auto) through this socket path.</summary>
    public string? ControlPath { get; init; }

    public TimeSpan ControlPersist { get; init; } = TimeSpan.FromSeconds(60);

    public string? User { get; init; }

    public int? Port { get; init; }

    public string? IdentityFile { get; init; }

    /// <summary>Further <c>-o Key=Value</c> options.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Options { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>Run the ssh client inside this network namespace (the lab's operator host).</summary>
    public string? ClientNamespace { get; init; }

    internal void Validate() =>
        SshRules.CheckOptions(User, Port, new[] { ConfigFile, ControlPath, IdentityFile }, Options, ClientNamespace);
}

/// <summary>Runs every command on one <see cref="HostTarget"/>.</summary>
public sealed class TargetRunner : ICommandRunner
{
    private readonly ICommandRunner _local;

    public TargetRunner(ICommandRunner local, HostTarget target)
    {
        _local = local ?? throw new ArgumentNullException(nameof(local));
        Target = target ?? throw new ArgumentNullException(nameof(target));
    }

    public HostTarget Target { get; }

    public async Task<CommandResult> RunAsync(CommandSpec spec, CancellationToken cancellationToken = default)
    {
        var r = await _local.RunAsync(Target.Wrap(spec), cancellationToken).ConfigureAwait(false);

        // ssh exits with 255 for its own failures (and, rarely, when the remote command does).
        return Target is SshTarget ssh && r.ExitCode == 255 && !r.TimedOut
            ? r with { Unreachable = ssh + (ssh.Options.ClientNamespace is { } ns ? $" (client in netns {ns})" : string.Empty) }
            : r;
    }
}
