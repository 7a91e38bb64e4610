using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>Adds a client VM to a network of a policy.</summary>
[Cmdlet(VerbsCommon.Add, "QaClient", SupportsShouldProcess = true)]
[OutputType(typeof(QaClient))]
public sealed class AddQaClientCommand : QaCmdlet
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    /// <summary>
    /// A network name, or the QaNetwork itself (typically piped from New-QaIsolatedNetwork or
    /// Get-QaNetwork; it brings its policy along). A piped QaClient stands for its network. A
    /// piped record (an Import-Csv row) stands for the network its Network column names.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [QaNetworkArgumentTransformation]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public object Network { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = string.Empty;

    /// <summary>Empty (a blank CSV cell): the next free MAC address.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Mac")]
    public string? MacAddress { get; set; }

    /// <summary>Empty (a blank CSV cell): the next free address.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Address { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Address6 { get; set; }

    /// <summary>Roles; one text "a;b", "a,b" or "a, b" (a CSV cell, what Export-Csv writes) gives several.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Roles")]
    [AllowEmptyCollection]
    [QaListTransformation]
    [ArgumentCompleter(typeof(RoleNameCompleter))]
    public string[] Role { get; set; } = Array.Empty<string>();

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClientVirtHostCompleter))]
    public string? VirtHost { get; set; }

    /// <summary>The parameters given on the command line (pipeline binding comes after BeginProcessing).</summary>
    private HashSet<string> given = new(StringComparer.OrdinalIgnoreCase);

    protected override void BeginProcessing() =>
        given = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);

    protected override void ProcessRecord()
    {
        if (!TryResolveNetwork(out var policy, out var networkName))
        {
            return;
        }

        // A piped network or client stands for its network only: what else of it bound by
        // property name (its Name, a client's MAC, addresses, roles) is not the new client's.
        var record = given.Contains(nameof(Network)) || !IsModelObject(Network);
        string? Given(string parameter, string? value) =>
            (record || given.Contains(parameter)) && !string.IsNullOrEmpty(value) ? value : null;
        if (Given(nameof(Name), Name) is not { } name)
        {
            WriteError(QaErrorRecords.Create(CommandErrorIds.ClientNameRequired, Network,
                $"No name for the new client on network '{networkName}': a piped {(IsModelObject(Network) ? "network or client" : "record")} gives none.",
                "Give -Name (New-QaIsolatedNetwork ... | Add-QaClient -Name taskotron-client01), or a Name column in each piped record."));
            return;
        }

        var spec = new ClientSpec(name)
        {
            MacAddress = Given(nameof(MacAddress), MacAddress),
            Address = Given(nameof(Address), Address),
            Address6 = Given(nameof(Address6), Address6),
            Roles = record || given.Contains(nameof(Role)) ? Role : Array.Empty<string>(),
            VirtHost = Given(nameof(VirtHost), VirtHost),
        };
        if (TryChange(c => $"client '{c.Name}' ({c.Address}, {c.MacAddress})", c => $"Add to network '{c.Network}' of policy '{policy.Name}'",
                whatIf => PolicyEditor.AddClient(policy, networkName, spec, whatIf), name, out var client))
        {
            WriteObject(client);
        }
    }

    private static bool IsModelObject(object value) => (value is PSObject pso ? pso.BaseObject : value) is QaNetwork or QaClient;

    private bool TryResolveNetwork(out QaPolicy policy, out string networkName)
    {
        var value = Network is PSObject pso ? pso.BaseObject : Network;
        var network = value switch
        {
            QaNetwork n => n,
            QaClient c => c.NetworkObject,
            _ => null,
        };
        if (network is not null)
        {
            networkName = network.Name;
            return TryOwnerPolicy(network.Policy, network, out policy);
        }

        policy = ResolvePolicy();
        if (value is string name)
        {
            networkName = name;
            return true;
        }

        networkName = string.Empty;
        WriteError(QaErrorRecords.Create(CommandErrorIds.InvalidNetworkArgument, value,
            $"-Network got a {value?.GetType().Name ?? "null"}, which is neither a network name nor a QaNetwork.",
            "Pass a network name, pipe the network from New-QaIsolatedNetwork or Get-QaNetwork, or pipe records with a Network column (Import-Csv)."));
        return false;
    }
}
