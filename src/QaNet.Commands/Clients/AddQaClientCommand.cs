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
    /// Get-QaNetwork; it brings its policy along). A piped QaClient stands for its network.
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public object Network { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public string? MacAddress { get; set; }

    [Parameter]
    public string? Address { get; set; }

    [Parameter]
    public string? Address6 { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(RoleNameCompleter))]
    public string[] Role { get; set; } = Array.Empty<string>();

    [Parameter]
    [ArgumentCompleter(typeof(ClientVirtHostCompleter))]
    public string? VirtHost { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryResolveNetwork(out var policy, out var networkName))
        {
            return;
        }

        var spec = new ClientSpec(Name)
        {
            MacAddress = MacAddress,
            Address = Address,
            Address6 = Address6,
            Roles = Role,
            VirtHost = VirtHost,
        };
        if (TryChange(c => $"client '{c.Name}' ({c.Address}, {c.MacAddress})", c => $"Add to network '{c.Network}' of policy '{policy.Name}'",
                whatIf => PolicyEditor.AddClient(policy, networkName, spec, whatIf), Name, out var client))
        {
            WriteObject(client);
        }
    }

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
            "Pass a network name, or pipe the network from New-QaIsolatedNetwork or Get-QaNetwork."));
        return false;
    }
}
