using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using QaNet.Commands.Session;
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

        var pattern = WildcardPattern.Get((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return NamesIn(policy, fakeBoundParameters)
            .Where(pattern.IsMatch)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
            .ToList();
    }

    protected abstract IEnumerable<string> NamesIn(QaPolicy policy);

    /// <summary>Names that depend on other parameters already on the command line; by default those of the policy.</summary>
    protected virtual IEnumerable<string> NamesIn(QaPolicy policy, IDictionary? fakeBoundParameters) => NamesIn(policy);
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
/// Virthosts for a client: those of the network of the client(s) named on the command line,
/// else every virthost of the policy.
/// </summary>
public sealed class ClientVirtHostCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => HostTopology.Of(policy).VirtHosts;

    protected override IEnumerable<string> NamesIn(QaPolicy policy, IDictionary? fakeBoundParameters)
    {
        var given = fakeBoundParameters?["Name"];
        var names = (given is PSObject pso ? pso.BaseObject : given) switch
        {
            string one => new[] { one },
            object[] many => many.Select(o => o?.ToString() ?? string.Empty).ToArray(),
            _ => Array.Empty<string>(),
        };
        var networks = names.Select(policy.FindClient).OfType<QaClient>().Select(c => c.NetworkObject).Distinct().ToList();
        return networks.Count == 0 ? NamesIn(policy) : networks.SelectMany(n => n.VirtHosts).Distinct(StringComparer.Ordinal);
    }
}
