using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Gets the clients of a policy.</summary>
[Cmdlet(VerbsCommon.Get, "QaClient")]
[OutputType(typeof(QaClient))]
public sealed class GetQaClientCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Network { get; set; }

    /// <summary>
    /// Networks whose clients to get, piped from Get-QaNetwork; each brings its own policy. A
    /// network's Name cannot bind to -Network by property name (-Name is this cmdlet's own
    /// parameter, so no alias can take it), so the network binds as an object here.
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    public QaNetwork[]? NetworkObject { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(RoleNameCompleter))]
    public string[]? Role { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(VirtHostNameCompleter))]
    public string[]? VirtHost { get; set; }

    protected override void ProcessRecord()
    {
        if (NetworkObject is null)
        {
            Write(ResolvePolicy().Clients);
            return;
        }

        foreach (var network in NetworkObject)
        {
            if (TryOwnerPolicy(network.Policy, network, out _))
            {
                Write(network.Clients);
            }
        }
    }

    private void Write(IEnumerable<QaClient> candidates)
    {
        var clients = SelectByName(candidates, c => c.Name, Name, "client", "Get-QaClient")
            .Where(c => MatchesAny(c.Network, Network))
            .Where(c => Role is null || c.Roles.Exists(r => MatchesAny(r, Role)))
            .Where(c => MatchesAny(c.VirtHost, VirtHost));
        WriteObject(clients, enumerateCollection: true);
    }
}
