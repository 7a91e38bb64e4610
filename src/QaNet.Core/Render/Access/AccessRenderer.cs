using System.Text;
using QaNet.Core.Access;
using QaNet.Core.Hosts;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Render.Access;

/// <summary>The access configuration of one host, one text per mechanism.</summary>
public sealed record QaAccessFiles(string Host, string FasConf, string Sudoers, string SshdConfig)
{
    /// <summary>Where each text goes on a Fedora host.</summary>
    public const string FasConfPath = "/etc/fas.conf";
    public const string SudoersPath = "/etc/sudoers.d/qanet-access";
    public const string SshdConfigPath = "/etc/ssh/sshd_config.d/50-qanet-access.conf";

    /// <summary>The three texts under headers naming their paths: what <c>Get-QaRuleset -Backend Access</c> shows.</summary>
    public string Text => $"# ==> {FasConfPath} (groups line)\n{FasConf}\n# ==> {SudoersPath}\n{Sudoers}\n# ==> {SshdConfigPath}\n{SshdConfig}";
}

/// <summary>
/// Renders access grants for the mechanisms a Fedora host uses: the <c>groups =</c> line of
/// fas.conf (what fas_client_groups produces: who gets an account), a sudoers drop-in, an sshd
/// <c>AllowGroups</c> fragment, and FreeIPA HBAC and sudo rules as <c>ipa</c> argument vectors.
/// Host files are printed from <see cref="QaAccessEngine"/> decisions per (group, host, right),
/// so they say exactly what <c>Test-QaAccess</c> decides.
/// </summary>
public static class AccessRenderer
{
    /// <summary>The host name <see cref="Rulesets"/> uses for the policy-wide FreeIPA commands.</summary>
    public const string FreeIpaHost = "freeipa";

    /// <summary>FreeIPA rule names are the grant ids under this prefix, so a live rule traces back to its grant.</summary>
    public const string IpaRulePrefix = "qanet-";

    public static QaAccessFiles RenderHost(QaAccessEngine engine, string host)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var h = engine.Hosts.Find(host) ?? throw new QaValidationException(new QaValidationError(QaErrorIds.NotFound, $"host '{host}'", null,
            $"'{host}' is not a host of the policy (a client, an endpoint or a virthost).", "Check the name with Get-QaClient or Get-QaEndpoint."));
        var shell = engine.GroupsWith(h.Name, QaAccessRight.Shell);
        var sudo = engine.GroupsWith(h.Name, QaAccessRight.Sudo);
        var header = $"# QaNet access for {h.Name} (policy {engine.Policy.Name}). Generated; do not edit.\n";

        var fas = new StringBuilder(header);
        fas.Append(Granted(shell)).Append("groups = ").Append(string.Join(',', shell.Select(x => x.Group.Name))).Append('\n');

        var sudoers = new StringBuilder(header);
        if (sudo.Count == 0)
        {
            sudoers.Append("# No group has sudo here.\n");
        }

        foreach (var (group, grant) in sudo)
        {
            sudoers.Append("# grant ").Append(grant.Id).Append('\n').Append('%').Append(group.Name).Append(" ALL=(ALL) ALL\n");
        }

        var sshd = new StringBuilder(header);
        if (shell.Count == 0)
        {
            sshd.Append("# No group may log in here.\nDenyUsers *\n");
        }
        else
        {
            sshd.Append(Granted(shell)).Append("AllowGroups ").Append(string.Join(' ', shell.Select(x => x.Group.Name))).Append('\n');
        }

        return new QaAccessFiles(h.Name, fas.ToString(), sudoers.ToString(), sshd.ToString());
    }

    /// <summary>
    /// The FreeIPA side: per grant an HBAC rule for sshd (Shell) and a sudo rule (Sudo), each
    /// with its group and hosts, as argument vectors for <c>ipa</c>. Not run: an operator or a
    /// runbook applies them with an admin ticket.
    /// </summary>
    public static IReadOnlyList<CommandSpec> FreeIpaCommands(QaAccessEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var commands = new List<CommandSpec>();
        foreach (var grant in engine.Policy.AccessGrants)
        {
            var hosts = grant.Hosts.SelectMany(engine.Hosts.Covered).Distinct().OrderBy(h => h.Fqdn, StringComparer.Ordinal)
                .Select(h => "--hosts=" + h.Fqdn).ToArray();
            var desc = $"--desc=QaNet grant {grant.Id}: group {grant.Group} on {string.Join(", ", grant.Hosts)}";
            if (grant.Rights.Contains(QaAccessRight.Shell))
            {
                var rule = IpaRulePrefix + grant.Id;
                commands.Add(CommandSpec.Of("ipa", "hbacrule-add", rule, desc));
                commands.Add(CommandSpec.Of("ipa", "hbacrule-add-user", rule, "--groups=" + grant.Group));
                commands.Add(new CommandSpec("ipa", new[] { "hbacrule-add-host", rule }.Concat(hosts)));
                commands.Add(CommandSpec.Of("ipa", "hbacrule-add-service", rule, "--hbacsvcs=sshd"));
            }

            if (grant.Rights.Contains(QaAccessRight.Sudo))
            {
                var rule = IpaRulePrefix + grant.Id + "-sudo";
                commands.Add(CommandSpec.Of("ipa", "sudorule-add", rule, "--cmdcat=all", "--runasusercat=all", "--runasgroupcat=all", desc));
                commands.Add(CommandSpec.Of("ipa", "sudorule-add-user", rule, "--groups=" + grant.Group));
                commands.Add(new CommandSpec("ipa", new[] { "sudorule-add-host", rule }.Concat(hosts)));
            }
        }

        return commands;
    }

    /// <summary>
    /// The access renderings as <see cref="QaRuleset"/>s (<see cref="QaBackend.Access"/>): one per
    /// managed host (or only <paramref name="host"/>), then the FreeIPA commands under host
    /// <see cref="FreeIpaHost"/>. This is the hook <c>Get-QaRuleset -Backend Access</c> calls.
    /// </summary>
    public static IReadOnlyList<QaRuleset> Rulesets(QaPolicy policy, string? host = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var engine = new QaAccessEngine(policy);
        var result = new List<QaRuleset>();
        var hosts = host is null || host == FreeIpaHost ? engine.ManagedHosts.Select(h => h.Name) : new[] { host };
        if (host != FreeIpaHost)
        {
            foreach (var name in hosts)
            {
                var files = RenderHost(engine, name);
                var groups = engine.GroupsWith(name, QaAccessRight.Shell).Count + engine.GroupsWith(name, QaAccessRight.Sudo).Count;
                result.Add(new QaRuleset(string.Empty, null, name, QaBackend.Access, files.Text, null, Array.Empty<string>(), groups, 0));
            }
        }

        if (host is null || host == FreeIpaHost)
        {
            var ipa = FreeIpaCommands(engine);
            result.Add(new QaRuleset(string.Empty, null, FreeIpaHost, QaBackend.Access,
                string.Concat(ipa.Select(c => c + "\n")), null, Array.Empty<string>(), ipa.Count, 0));
        }

        return result;
    }

    private static string Granted(IReadOnlyList<(QaGroup Group, QaAccessGrant Grant)> groups) =>
        groups.Count == 0 ? string.Empty : $"# grants {string.Join(", ", groups.Select(x => x.Grant.Id).Distinct())}\n";
}
