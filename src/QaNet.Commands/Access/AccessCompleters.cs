using QaNet.Commands.Completion;
using QaNet.Core.Access;
using QaNet.Core.Model;

namespace QaNet.Commands;

public sealed class GroupNameCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => policy.Groups.Select(g => g.Name);
}

public sealed class AccessGrantIdCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => policy.AccessGrants.Select(g => g.Id);
}

/// <summary>Clients, endpoints and virthosts: every host a grant or Test-QaAccess can name.</summary>
public sealed class AccessHostNameCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) => new AccessHosts(policy).All.Select(h => h.Name);
}

public sealed class VirtHostNameCompleter : PolicyNameCompleter
{
    protected override IEnumerable<string> NamesIn(QaPolicy policy) =>
        policy.Networks.SelectMany(n => n.VirtHosts).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}
