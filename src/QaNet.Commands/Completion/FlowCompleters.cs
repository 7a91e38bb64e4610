using QaNet.Core.Model;

namespace QaNet.Commands.Completion;

/// <summary>Either end of a flow query: clients, endpoints and roles (a role stands for its members).</summary>
public sealed class FlowEndCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) =>
        policy.Clients.Select(c => c.Name).Concat(policy.Endpoints.Select(e => e.Name)).Concat(policy.Roles).Distinct(StringComparer.Ordinal);
}

/// <summary>Either end of an assertion: clients and endpoints (the policy file's tests name no roles).</summary>
public sealed class AssertionEndCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) =>
        policy.Clients.Select(c => c.Name).Concat(policy.Endpoints.Select(e => e.Name));
}
