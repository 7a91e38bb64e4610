using System.Globalization;
using System.Security.Cryptography;
using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Render.Access;
using QaNet.Tests.Lab;

namespace QaNet.Tests.AccessLab;

/// <summary>
/// The fedora-qa lab with sshd on the bastion and on taskotron-client01, each configured with
/// what <see cref="AccessRenderer"/> renders for it, and the policy's group members as lab
/// accounts that exist only inside private mount namespaces. Removed at the end whatever
/// happens; fails if a namespace of its prefix is left or the machine's account files changed.
/// </summary>
public class AccessLabFixture : IAsyncLifetime
{
    public const string Bastion = "bastion";
    public const string Client = "taskotron-client01";

    /// <summary>A user in no group of the policy.</summary>
    public const string Outsider = "outsider";

    private static readonly string[] Guarded = { "/etc/passwd", "/etc/group", "/etc/shadow", "/etc/sudoers" };

    private readonly List<LabSshd> _sshd = new();
    private Dictionary<string, string> _hashesBefore = new(StringComparer.Ordinal);

    public virtual string Prefix => "qn-acl-";

    /// <summary>SHA-256 of the machine's account files taken before the lab started.</summary>
    public IReadOnlyDictionary<string, string> HashesBefore => _hashesBefore;

    public QaPolicy Policy { get; private set; } = null!;

    /// <summary>Users beyond the policy's group members, each with the groups it is a member of (by name).</summary>
    protected virtual IEnumerable<(string Name, string[] Groups)> OtherUsers => new[] { (Outsider, Array.Empty<string>()) };

    /// <summary>Whether the hosts' private passwd/group copies list the lab accounts and groups (else only the machine's own).</summary>
    protected virtual bool AccountsInFiles => true;

    /// <summary>The policy the lab is built from: fedora-qa.yaml as written.</summary>
    public virtual QaPolicy CreatePolicy() => ExamplePolicies.Fedora();

    public QaLab Lab { get; private set; } = null!;

    public AccessChecker Checker { get; private set; } = null!;

    public string Directory { get; private set; } = null!;

    public LabSshd BastionSshd { get; private set; } = null!;

    public LabSshd ClientSshd { get; private set; } = null!;

    /// <summary>Where the users' ssh client runs: the lab's router ("the internet"), which cannot reach clients directly.</summary>
    public string OperatorNamespace { get; private set; } = null!;

    public LabAccountFiles OperatorAccounts { get; private set; } = null!;

    public string SshConfig => Path.Combine(Directory, "ssh_config");

    public IReadOnlyList<LabAccount> Accounts { get; private set; } = Array.Empty<LabAccount>();

    public static Dictionary<string, string> HashAccountFiles() =>
        Guarded.ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _hashesBefore = HashAccountFiles();
        try
        {
            await StartAsync();
        }
        catch (Exception start)
        {
            // Whatever was started goes, also when the start failed half way.
            try
            {
                await DisposeAsync();
            }
            catch (InvalidOperationException cleanup)
            {
                throw new AggregateException(start, cleanup);
            }

            throw;
        }
    }

    private async Task StartAsync()
    {
        await QaLab.StopAsync(Prefix);
        Policy = CreatePolicy();
        Lab = await QaLab.StartAsync(Policy, Prefix);
        Checker = AccessChecker.Create(Policy, DateTimeOffset.UtcNow);

        Directory = System.IO.Directory.CreateTempSubdirectory("qanet-acl-").FullName;
        // sshd reads authorized keys as the user: the tree must be traversable by the lab accounts.
        await LabSsh.ChmodAsync("0755", Directory);

        // The lab accounts: every member of the policy's groups, and one user in none.
        var gid = 47100;
        var groupIds = Policy.Groups.ToDictionary(g => g.Name, _ => gid++, StringComparer.Ordinal);
        var uid = 47001;
        var accounts = Policy.Groups.SelectMany(g => g.Members).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(u => new LabAccount(u, uid++, Policy.Groups.Where(g => g.Members.Contains(u, StringComparer.Ordinal)).Select(g => g.Name).ToList()))
            .ToList();
        accounts.AddRange(OtherUsers.Select(o => new LabAccount(o.Name, uid++, o.Groups)));
        Accounts = accounts;
        var realPasswd = await File.ReadAllTextAsync("/etc/passwd");
        var realGroup = await File.ReadAllTextAsync("/etc/group");
        foreach (var a in accounts)
        {
            Assert.DoesNotContain($"\n{a.Name}:", "\n" + realPasswd, StringComparison.Ordinal);
            Assert.DoesNotContain(":" + a.Uid.ToString(CultureInfo.InvariantCulture) + ":", realPasswd, StringComparison.Ordinal);
        }

        foreach (var (g, id) in groupIds)
        {
            Assert.DoesNotContain($"\n{g}:", "\n" + realGroup, StringComparison.Ordinal);
            Assert.DoesNotContain(":" + id.ToString(CultureInfo.InvariantCulture) + ":", realGroup, StringComparison.Ordinal);
        }

        // One key pair per user; the same public key is authorized on both hosts (sshd's AllowGroups decides).
        var ids = Path.Combine(Directory, "id");
        var authorized = Path.Combine(Directory, "authorized");
        var homes = Path.Combine(Directory, "home");
        System.IO.Directory.CreateDirectory(ids);
        System.IO.Directory.CreateDirectory(authorized);
        foreach (var a in accounts)
        {
            var key = Path.Combine(ids, a.Name);
            await LabSsh.RequireAsync(CommandSpec.Of("ssh-keygen", "-q", "-t", "ed25519", "-N", string.Empty, "-C", a.Name + "@qanet-lab", "-f", key));
            File.Copy(key + ".pub", Path.Combine(authorized, a.Name));
            await LabSsh.ChmodAsync("0644", Path.Combine(authorized, a.Name));
        }

        await File.WriteAllTextAsync(SshConfig, $"""
            Host *
                IdentityFile {ids}/%r
                IdentitiesOnly yes
                BatchMode yes
                StrictHostKeyChecking no
                UserKnownHostsFile /dev/null
                ConnectTimeout 5
                LogLevel ERROR

            """);

        var engine = new QaAccessEngine(Policy);
        var state = Lab.State;
        OperatorNamespace = state.Hosts.Single(h => h.Kind == QaLabHostKind.Router).Namespace;
        var bastionHost = state.FindHost(Bastion) ?? throw new InvalidOperationException("The lab has no bastion.");
        var clientHost = state.FindHost(Client) ?? throw new InvalidOperationException("The lab has no " + Client + ".");

        var bastionFiles = AccessRenderer.RenderHost(engine, Bastion);
        var clientFiles = AccessRenderer.RenderHost(engine, Client);
        var fileAccounts = AccountsInFiles ? accounts : new List<LabAccount>();
        var fileGroups = AccountsInFiles ? groupIds : new Dictionary<string, int>(StringComparer.Ordinal);
        var bastionAccounts = await LabAccountFiles.CreateAsync(Path.Combine(Directory, Bastion), fileAccounts, fileGroups, bastionFiles.Sudoers, homes);
        var clientAccounts = await LabAccountFiles.CreateAsync(Path.Combine(Directory, Client), fileAccounts, fileGroups, clientFiles.Sudoers, homes);
        OperatorAccounts = await LabAccountFiles.CreateAsync(Path.Combine(Directory, "operator"), accounts, groupIds, "# no sudo on the operator side\n", homes);

        // The management segment holds several management hosts' addresses; the probes bind their
        // source, sshd's forwarding (ssh -J) does not. A real bastion has one address, so the
        // connection to the client leaves from the bastion's address: a /32 route with that src,
        // inside the lab namespace only.
        var bastionAddress = state.EndpointAddresses[Bastion][0];
        var gateway = await LabSsh.RequireAsync(CommandSpec.Of("ip", "-n", bastionHost.Namespace, "-o", "route", "show", "default"));
        var words = gateway.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var via = words[Array.IndexOf(words, "via") + 1];
        var dev = words[Array.IndexOf(words, "dev") + 1];
        await LabSsh.RequireAsync(CommandSpec.Of("ip", "-n", bastionHost.Namespace, "route", "replace", clientHost.Addresses[0] + "/32", "via", via, "dev", dev, "src", bastionAddress));

        await StartDirectoryAsync(accounts, groupIds, homes, new[] { bastionAccounts, clientAccounts });

        BastionSshd = await LabSshd.StartAsync(Bastion, bastionHost.Namespace, state.EndpointAddresses[Bastion][0], Path.Combine(Directory, Bastion, "sshd"), bastionAccounts, authorized, bastionFiles.SshdConfig);
        _sshd.Add(BastionSshd);
        ClientSshd = await LabSshd.StartAsync(Client, clientHost.Namespace, clientHost.Addresses[0], Path.Combine(Directory, Client, "sshd"), clientAccounts, authorized, clientFiles.SshdConfig);
        _sshd.Add(ClientSshd);
    }

    /// <summary>
    /// Where a fixture whose hosts resolve accounts elsewhere (a directory) starts that, before
    /// any sshd: the lab accounts, their groups' ids, the homes folder and each host's account files.
    /// </summary>
    protected virtual Task StartDirectoryAsync(IReadOnlyList<LabAccount> accounts, IReadOnlyDictionary<string, int> groupIds, string homes, IReadOnlyList<LabAccountFiles> hosts) =>
        Task.CompletedTask;

    /// <summary>Stops what <see cref="StartDirectoryAsync"/> started; called after the sshd are gone, also after a failed start.</summary>
    protected virtual Task StopDirectoryAsync() => Task.CompletedTask;

    /// <summary>The lab address a host name stands for.</summary>
    public string AddressOf(string host) => host == Bastion ? BastionSshd.Address : host == Client ? ClientSshd.Address : throw new ArgumentException(host);

    /// <summary>
    /// Runs <paramref name="command"/> as <paramref name="user"/> on <paramref name="host"/> over
    /// ssh from the operator namespace, through <paramref name="via"/> with <c>ssh -J</c> when given.
    /// </summary>
    public Task<CommandResult> SshAsync(string user, string host, string? via, params string[] command)
    {
        var argv = new List<string> { "ssh", "-F", SshConfig };
        if (via is not null)
        {
            argv.Add("-J");
            argv.Add(user + "@" + AddressOf(via));
        }

        argv.Add("-l");
        argv.Add(user);
        argv.Add(AddressOf(host));
        argv.AddRange(command);
        return LabSsh.RunAsync(OperatorAccounts.Wrap(OperatorNamespace, argv));
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _sshd)
        {
            s.Dispose();
        }

        _sshd.Clear();

        var errors = new List<string>();
        try
        {
            try
            {
                await StopDirectoryAsync();
            }
            catch (InvalidOperationException e)
            {
                errors.Add("Stopping the directory failed: " + e.Message);
            }

            await QaLab.StopAsync(Prefix);
            var left = await Namespaces.ListAsync(Prefix);
            if (left.Count > 0 || System.IO.Directory.Exists(QaLab.DirectoryFor(Prefix)))
            {
                errors.Add($"The lab {Prefix} left {string.Join(", ", left)} behind.");
            }
        }
        finally
        {
            var after = HashAccountFiles();
            foreach (var (file, hash) in _hashesBefore)
            {
                if (after[file] != hash)
                {
                    errors.Add($"{file} changed during the access lab test.");
                }
            }

            if (Directory is not null && System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join('\n', errors));
        }
    }

    /// <summary>
    /// Logs <paramref name="user"/> in on <paramref name="host"/> (through <paramref name="via"/>
    /// with ssh -J) and, for sudo, runs <c>sudo -n id -u</c> there; says which hop refused.
    /// </summary>
    public async Task<Observation> ObserveAsync(string user, string host, QaAccessRight right, string? via)
    {
        // The remote shell prints the login name first, so a sudo refusal is told from a login refusal.
        var command = right == QaAccessRight.Sudo ? "id -un && sudo -n id -u" : "id -un";
        var r = await SshAsync(user, host, via, command);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var detail = $"exit {r.ExitCode}{(r.TimedOut ? " (timed out)" : string.Empty)}; stdout [{string.Join(" | ", lines)}]; stderr [{r.Stderr.Trim()}]";
        if (r.TimedOut)
        {
            return new Observation(false, "(timed out)", detail);
        }

        var loggedIn = lines.Length > 0 && lines[0] == user;
        if (r.ExitCode == 0 && loggedIn && (right == QaAccessRight.Shell || (lines.Length == 2 && lines[1] == "0")))
        {
            return new Observation(true, null, detail);
        }

        if (loggedIn && right == QaAccessRight.Sudo)
        {
            return new Observation(false, host, "sudo: " + detail);
        }

        if (r.ExitCode == 255)
        {
            if (via is not null && r.Stderr.Contains($"{user}@{AddressOf(via)}: Permission denied", StringComparison.Ordinal))
            {
                return new Observation(false, via, "ssh: " + detail);
            }

            if (r.Stderr.Contains($"{user}@{AddressOf(host)}: Permission denied", StringComparison.Ordinal))
            {
                return new Observation(false, host, "ssh: " + detail);
            }

            // Logged in on the jump host, but its ssh to the target never got an answer: the network hop.
            if (via is not null && BastionSshd.Log.Contains($"Accepted publickey for {user} from", StringComparison.Ordinal)
                && (r.Stderr.Contains("open failed", StringComparison.Ordinal) || r.Stderr.Contains("banner exchange", StringComparison.Ordinal)))
            {
                return new Observation(false, $"{via}->{host}", "network: " + detail);
            }
        }

        return new Observation(false, "(unrecognised)", detail);
    }
}

/// <summary>What the real programs did: allowed, or the hop that refused (named as <c>QaAccessHop.Name</c>).</summary>
public sealed record Observation(bool Allowed, string? FailingHop, string Detail);
