using System.Net;
using QaNet.Core.Validation;

namespace QaNet.Core.Model;

/// <summary>
/// The whole model: networks with their clients, endpoints, rules and the static name map.
/// Every object in it points back here, so pipelines need no glue.
/// </summary>
[System.ComponentModel.TypeConverter(typeof(QaPolicyTypeConverter))]
public sealed class QaPolicy
{
    public QaPolicy(string name)
    {
        Name = name;
    }

    public string Name { get; set; }

    public string? Description { get; set; }

    public QaList<QaNetwork> Networks { get; } = new();

    public QaList<QaEndpoint> Endpoints { get; } = new();

    public QaList<QaRule> Rules { get; } = new();

    /// <summary>Expected verdicts that Test-QaPolicy checks.</summary>
    public QaList<QaAssertion> Assertions { get; } = new();

    /// <summary>
    /// The static name map: host name → addresses. It is the default resolver for endpoint
    /// host names; QaNet never asks DNS unless a resolver that does is plugged in.
    /// </summary>
    public QaDictionary<IReadOnlyList<IPAddress>> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Account-system groups that access grants name (YAML <c>groups:</c>).</summary>
    public QaList<QaGroup> Groups { get; } = new();

    /// <summary>Who may log in where (YAML <c>access:</c>); see docs/access.md.</summary>
    public QaList<QaAccessGrant> AccessGrants { get; } = new();

    /// <summary>The host users reach clients through (ssh ProxyJump), e.g. the bastion; null for direct.</summary>
    public string? JumpHost { get; set; }

    /// <summary>The directory (FreeIPA's LDAP) that groups with <c>source: ldap</c> are read from; null when none.</summary>
    public QaDirectory? Directory { get; set; }

    /// <summary>How each host QaNet publishes to is reached, by host name; a host without one is local.</summary>
    public QaDictionary<QaHostTransport> Transports { get; } = new(StringComparer.Ordinal);

    /// <summary>Where the policy was loaded from, when it was.</summary>
    public string? SourcePath { get; set; }

    public IEnumerable<QaClient> Clients => Networks.SelectMany(n => n.Clients);

    // Lookups fold case (Names.Comparer): a name typed in any case finds the object; what the
    // policy stores is lowercase, so callers that keep a name use the found object's own.
    public QaNetwork? FindNetwork(string name) =>
        Networks.Find(n => Names.Same(n.Name, name));

    public QaClient? FindClient(string name) =>
        Clients.FirstOrDefault(c => Names.Same(c.Name, name));

    public QaEndpoint? FindEndpoint(string name) =>
        Endpoints.Find(e => Names.Same(e.Name, name));

    public QaRule? FindRule(string id) =>
        Rules.Find(r => Names.Same(r.Id, id));

    public QaGroup? FindGroup(string name) =>
        Groups.Find(g => Names.Same(g.Name, name));

    public QaAccessGrant? FindAccessGrant(string id) =>
        AccessGrants.Find(g => Names.Same(g.Id, id));

    /// <summary>Every role some client has, sorted.</summary>
    public IReadOnlyList<string> Roles =>
        Clients.SelectMany(c => c.Roles).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public override string ToString() => Name;
}
