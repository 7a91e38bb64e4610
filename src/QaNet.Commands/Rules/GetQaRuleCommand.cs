using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Analysis;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>Gets the rules of a policy.</summary>
[Cmdlet(VerbsCommon.Get, "QaRule")]
[OutputType(typeof(QaRule))]
public sealed class GetQaRuleCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(RuleIdCompleter))]
    public string[]? Id { get; set; }

    [Parameter]
    public QaRuleKind[]? Kind { get; set; }

    /// <summary>Rules that select any of these clients: by name, by one of its roles, by its network or by a CIDR holding its address.</summary>
    [Parameter]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    public string[]? Client { get; set; }

    /// <summary>Rules that name any of these roles.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(RoleNameCompleter))]
    public string[]? Role { get; set; }

    /// <summary>Rules that name any of these endpoints, on either side.</summary>
    [Parameter]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string[]? Endpoint { get; set; }

    /// <summary>Rules whose ports (their own, else their destination endpoints') overlap any of these (443/tcp, 69/udp, 7080-7099/tcp, icmp).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PortCompleter))]
    public string[]? Port { get; set; }

    protected override void ProcessRecord()
    {
        var rules = SelectByName(ResolvePolicy().Rules, r => r.Id, Id, "rule", "Get-QaRule")
            .Where(r => Kind is null || Kind.Contains(r.Kind));
        if (Associated(ResolvePolicy()) is not { } associated)
        {
            return;
        }

        rules = rules.Where(associated);
        WriteObject(rules, enumerateCollection: true);
    }

    /// <summary>
    /// The -Client/-Role/-Endpoint/-Port filters (RuleAssociation), each any-of, all of them
    /// together; null after writing the errors of names that match nothing (NotFound) or a bad port.
    /// </summary>
    private Func<QaRule, bool>? Associated(QaPolicy policy)
    {
        var ok = true;
        List<T>? Resolve<T>(string[]? names, Func<string, T?> find, string kind, string lister)
            where T : class
        {
            if (names is null)
            {
                return null;
            }

            var found = new List<T>();
            foreach (var name in names)
            {
                if (find(name) is { } item)
                {
                    found.Add(item);
                }
                else
                {
                    WriteValidationError(PolicyEditor.NotFound(kind, name, lister), name);
                    ok = false;
                }
            }

            return found;
        }

        var clients = Resolve(Client, policy.FindClient, "client", "Get-QaClient");
        var roles = Resolve(Role, r => Names.Canonical(r, policy.Roles) is var c && policy.Roles.Contains(c, StringComparer.Ordinal) ? c : null,
            "role", "Get-QaClient | Select-Object -ExpandProperty Roles");
        var endpoints = Resolve(Endpoint, policy.FindEndpoint, "endpoint", "Get-QaEndpoint");
        var ports = new List<QaPortRange>();
        foreach (var text in Port ?? Array.Empty<string>())
        {
            if (!QaPortRange.TryParse(text, out var range, out var error))
            {
                WriteValidationError(new QaValidationException(error!), text);
                ok = false;
            }

            ports.Add(range);
        }

        if (!ok)
        {
            return null;
        }

        return r =>
            (clients is null || clients.Exists(c => RuleAssociation.SelectsClient(r, c))) &&
            (roles is null || roles.Exists(role => RuleAssociation.NamesRole(r, role))) &&
            (endpoints is null || endpoints.Exists(e => RuleAssociation.NamesEndpoint(r, e))) &&
            (Port is null || ports.Exists(p => RuleAssociation.CoversPort(r, p)));
    }
}
