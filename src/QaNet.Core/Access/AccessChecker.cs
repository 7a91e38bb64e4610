using QaNet.Core.Engine;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Core.Access;

/// <summary>
/// Answers <c>Test-QaAccess</c>: the login decisions come from <see cref="QaAccessEngine"/>,
/// the ssh link from the jump host to the target from the network engine
/// (<see cref="QaReachability"/>), so a path is judged by the same rules the renderers enforce.
/// </summary>
public sealed class AccessChecker
{
    /// <summary>The port the jump host opens to the target.</summary>
    public const int SshPort = 22;

    private readonly QaAccessEngine access;
    private readonly QaReachability network;
    private readonly AccessMembership membership;

    public AccessChecker(QaAccessEngine access, QaReachability network, AccessMembership membership)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(membership);
        this.access = access;
        this.network = network;
        this.membership = membership;
    }

    public static AccessChecker Create(QaPolicy policy, DateTimeOffset now, INssSource? nss = null, IDirectorySource? directory = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new AccessChecker(new QaAccessEngine(policy), QaReachability.Create(policy, now), new AccessMembership(policy, nss, directory));
    }

    public QaAccessEngine Access => access;

    /// <summary>
    /// The jump host a login to <paramref name="host"/> goes through: <paramref name="via"/> when
    /// given, else the policy's jump host for a client (clients are reached through it), else none.
    /// </summary>
    public string? PathVia(string host, string? via)
    {
        if (via is not null)
        {
            return via;
        }

        return access.Policy.JumpHost is { } jump && access.Hosts.Find(host)?.Client is not null && jump != host ? jump : null;
    }

    public QaAccessResult Test(string user, string host, QaAccessRight right = QaAccessRight.Shell, string? via = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var target = access.Hosts.Find(host) ?? throw NotAHost(host);
        host = target.Name;
        var jump = PathVia(host, via);
        if (jump is not null)
        {
            jump = (access.Hosts.Find(jump) ?? throw NotAHost(jump)).Name;
        }

        var groups = membership.GroupsOf(user);
        var hops = new List<QaAccessHop>();
        if (jump is not null && jump != host)
        {
            hops.Add(Login(user, groups, jump, QaAccessRight.Shell));
            hops.Add(Link(jump, target));
        }

        hops.Add(Login(user, groups, host, QaAccessRight.Shell));
        if (right == QaAccessRight.Sudo)
        {
            hops.Add(Login(user, groups, host, QaAccessRight.Sudo));
        }

        return new QaAccessResult(user, host, right, jump == host ? null : jump, groups, hops);
    }

    private QaAccessHop Login(string user, IReadOnlyList<string> groups, string host, QaAccessRight right)
    {
        var d = access.Decide(groups, host, right);
        var what = right == QaAccessRight.Shell ? "log in on" : "sudo on";
        string reason;
        if (d.Grant is { } g)
        {
            reason = $"{user} may {what} {host}: grant {g.Id} gives group {g.Group} {right.ToString().ToLowerInvariant()}";
        }
        else
        {
            var member = groups.Count == 0 ? $"{user} is in no group of the policy" : $"{user} is in {string.Join(", ", groups)}";
            reason = $"{member}; no grant gives {(groups.Count == 1 ? "it" : "them")} {right.ToString().ToLowerInvariant()} on {host} (default deny)";
        }

        return new QaAccessHop(QaAccessHopKind.Login, host, d.Allowed, d.Grant?.Id, reason) { Right = right };
    }

    /// <summary>
    /// QaNet's rules govern connections into clients only; for any other host the link is
    /// outside what QaNet filters, and is reported as such rather than guessed.
    /// </summary>
    private QaAccessHop Link(string from, QaAccessHost to)
    {
        if (to.Client is null)
        {
            return new QaAccessHop(QaAccessHopKind.Network, to.Name, true, null,
                $"{from} -> {to.Name} 22/tcp is not filtered by QaNet ({to.Name} is not a client)") { From = from };
        }

        try
        {
            var results = network.Test(from, to.Name, SshPort);
            var denied = results.FirstOrDefault(r => !r.Allowed);
            var decisive = denied ?? results[0];
            return new QaAccessHop(QaAccessHopKind.Network, to.Name, denied is null, decisive.RuleId,
                $"{from} -> {to.Name} 22/tcp {(denied is null ? "allowed" : "denied")} by {decisive.DecidedBy}") { From = from };
        }
        catch (QaValidationException)
        {
            // The jump host has no address the network engine knows (a virthost without an endpoint).
            return new QaAccessHop(QaAccessHopKind.Network, to.Name, false, null,
                $"{from} has no address in the policy, so nothing lets it reach {to.Name} on 22/tcp") { From = from };
        }
    }

    private static QaValidationException NotAHost(string name) =>
        new(new QaValidationError(QaErrorIds.NotFound, $"host '{name}'", null,
            $"'{name}' is not a host of the policy (a client, an endpoint or a virthost).",
            "Check the name with Get-QaClient, Get-QaEndpoint or Get-QaNetwork."));
}
