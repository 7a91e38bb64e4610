using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using QaNet.Commands.Session;
using QaNet.Core.Lab;
using QaNet.Core.Model;
using QaNet.Core.Resolution;

namespace QaNet.Commands.Completion;

/// <summary>
/// Tab completion of names from the policy the command line names with <c>-Policy</c>, else
/// the session's current policy.
/// </summary>
public abstract class PolicyNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var given = fakeBoundParameters?["Policy"];
        var policy = (given is PSObject pso ? pso.BaseObject : given) as QaPolicy ?? QaSession.Current.Policy;
        if (policy is null)
        {
            return Array.Empty<CompletionResult>();
        }

        return Completions.Matching(NamesIn(policy, fakeBoundParameters), wordToComplete);
    }

    protected abstract IEnumerable<string> NamesIn(QaPolicy policy);

    /// <summary>Names that depend on other parameters already on the command line; by default those of the policy.</summary>
    protected virtual IEnumerable<string> NamesIn(QaPolicy policy, IDictionary? fakeBoundParameters) => NamesIn(policy);

    /// <summary>The value(s) typed for <paramref name="parameter"/> on the command line so far, as strings.</summary>
    protected static IReadOnlyList<string> Bound(IDictionary? fakeBoundParameters, string parameter)
    {
        var given = fakeBoundParameters?[parameter];
        return (given is PSObject pso ? pso.BaseObject : given) switch
        {
            string one => new[] { one },
            object[] many => many.Select(o => o?.ToString() ?? string.Empty).ToArray(),
            _ => Array.Empty<string>(),
        };
    }
}

/// <summary>What every QaNet completer answers with: the names starting with the word typed so far (quotes and case ignored).</summary>
internal static class Completions
{
    public static IReadOnlyList<CompletionResult> Matching(IEnumerable<string> names, string? wordToComplete)
    {
        var pattern = WildcardPattern.Get((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return names
            .Where(pattern.IsMatch)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
            .ToList();
    }
}

public sealed class NetworkNameCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => policy.Networks.Select(n => n.Name);
}

public sealed class ClientNameCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => policy.Clients.Select(c => c.Name);
}

public sealed class EndpointNameCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => policy.Endpoints.Select(e => e.Name);
}

/// <summary>The host names of the policy's name map (<c>hosts:</c>).</summary>
public sealed class HostNameCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => policy.Hosts.Keys.Order(StringComparer.OrdinalIgnoreCase);
}

public sealed class RoleNameCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => policy.Roles;
}

public sealed class RuleIdCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => policy.Rules.Select(r => r.Id);
}

/// <summary>Hosts a ruleset is rendered for: the virthosts, and the gateways of Gateway networks.</summary>
public sealed class RulesetHostCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => HostTopology.Of(policy).Hosts;
}

/// <summary>
/// Virthosts for a client: those of the network of the client(s) named with -Name (Set-QaClient),
/// else of the network named with -Network (Add-QaClient), else every virthost of the policy.
/// </summary>
public sealed class ClientVirtHostCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => HostTopology.Of(policy).VirtHosts;

    protected override IEnumerable<string> NamesIn(QaPolicy policy, IDictionary? fakeBoundParameters)
    {
        var networks = Bound(fakeBoundParameters, "Name").Select(policy.FindClient).OfType<QaClient>().Select(c => c.NetworkObject).Distinct().ToList();
        if (networks.Count == 0)
        {
            networks = Bound(fakeBoundParameters, "Network").Select(policy.FindNetwork).OfType<QaNetwork>().ToList();
        }

        return networks.Count == 0 ? NamesIn(policy) : networks.SelectMany(n => n.VirtHosts).Distinct(StringComparer.Ordinal);
    }
}

/// <summary>
/// Ports as <c>443/tcp</c>: those of the endpoints named with -Endpoint (Grant-QaEgress,
/// Block-QaEgress), -To (Test-QaReachability, Add-QaAssertion) or -Name (Set-QaEndpoint), and
/// of the rules named with -Id (Set-QaRule: the rule's own ports and its destination endpoints'),
/// when they have any, else every port the policy's endpoints and rules use; in port order.
/// </summary>
public sealed class PortCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) =>
        InPortOrder(policy.Endpoints.SelectMany(e => e.Ports).Concat(policy.Rules.SelectMany(r => r.Ports)));

    protected override IEnumerable<string> NamesIn(QaPolicy policy, IDictionary? fakeBoundParameters)
    {
        var rules = Bound(fakeBoundParameters, "Id").Select(policy.FindRule).OfType<QaRule>().ToList();
        var endpoints = Bound(fakeBoundParameters, "Endpoint").Concat(Bound(fakeBoundParameters, "To")).Concat(Bound(fakeBoundParameters, "Name"))
            .Concat(rules.SelectMany(r => r.To).Where(t => t.Kind == QaSelectorKind.Endpoint).Select(t => t.Value))
            .Select(policy.FindEndpoint).OfType<QaEndpoint>();
        var named = rules.SelectMany(r => r.Ports).Concat(endpoints.SelectMany(e => e.Ports)).ToList();
        return named.Count == 0 ? NamesIn(policy) : InPortOrder(named);
    }

    private static IEnumerable<string> InPortOrder(IEnumerable<QaPortRange> ports) =>
        ports.Distinct().OrderBy(p => p.From).ThenBy(p => p.To).ThenBy(p => p.Protocol).Select(p => p.ToString());
}

/// <summary>The environment tags the policy's endpoints carry (<c>prod</c>, <c>stg</c>).</summary>
public sealed class EnvironmentCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) =>
        policy.Endpoints.Select(e => e.Environment).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}

/// <summary>The users the policy's groups list (members of NSS groups are only known on the host, through getent).</summary>
public sealed class GroupMemberCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) =>
        policy.Groups.SelectMany(g => g.Members).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}

/// <summary>The prefixes of the labs whose state is on this machine (what Get-QaLab lists), not a policy's names.</summary>
public sealed class LabPrefixCompleter : IArgumentCompleter
{
    private readonly QaLabOptions? _options;

    public LabPrefixCompleter()
    {
    }

    /// <summary>The labs under <see cref="QaLabOptions.RootDirectory"/> of <paramref name="options"/> instead of the machine's.</summary>
    public LabPrefixCompleter(QaLabOptions options) => _options = options;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Matching(QaLab.List(_options).Select(l => l.Prefix), wordToComplete);
}
