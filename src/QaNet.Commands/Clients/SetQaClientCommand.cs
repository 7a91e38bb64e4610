using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>
/// Changes clients of a policy: their virthost (a move), MAC, addresses and roles. Each client
/// is changed as a whole or not at all.
/// </summary>
[Cmdlet(VerbsCommon.Set, "QaClient", DefaultParameterSetName = ParameterSets.ByObject, SupportsShouldProcess = true)]
[OutputType(typeof(QaClient))]
public sealed class SetQaClientCommand : QaCmdlet
{
    [Parameter]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Client names (unique in a policy, so no -Network is needed); wildcards stand for every client they match.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaClient[] InputObject { get; set; } = Array.Empty<QaClient>();

    [Parameter]
    [ArgumentCompleter(typeof(ClientVirtHostCompleter))]
    public string? VirtHost { get; set; }

    /// <summary>Lets -VirtHost name a host the client's network does not span yet: the network then spans it.</summary>
    [Parameter]
    public SwitchParameter ExtendNetwork { get; set; }

    [Parameter]
    public string? MacAddress { get; set; }

    [Parameter]
    public string? Address { get; set; }

    [Parameter]
    public string? Address6 { get; set; }

    /// <summary>Replaces the roles (an empty array clears them).</summary>
    [Parameter]
    [AllowEmptyCollection]
    [ArgumentCompleter(typeof(RoleNameCompleter))]
    public string[]? Role { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(RoleNameCompleter))]
    public string[] AddRole { get; set; } = Array.Empty<string>();

    [Parameter]
    [ArgumentCompleter(typeof(RoleNameCompleter))]
    public string[] RemoveRole { get; set; } = Array.Empty<string>();

    /// <summary>Writes each changed client.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.ByObject)
        {
            foreach (var client in InputObject)
            {
                if (TryOwnerPolicy(client.Policy, client, out var owner))
                {
                    Set(owner, client.Name);
                }
            }

            return;
        }

        var policy = ResolvePolicy();
        foreach (var pattern in Name)
        {
            foreach (var name in ExpandWildcard(policy.Clients, c => c.Name, pattern, "client", "Get-QaClient"))
            {
                Set(policy, name);
            }
        }
    }

    private void Set(QaPolicy policy, string name)
    {
        var client = policy.FindClient(name);
        if (client is null)
        {
            WriteValidationError(PolicyEditor.NotFound("client", name, "Get-QaClient"), name);
            return;
        }

        var spec = new ClientChangeSpec(name)
        {
            VirtHost = VirtHost,
            ExtendNetwork = ExtendNetwork,
            MacAddress = MacAddress,
            Address = Address,
            Address6 = Address6,
            Roles = Role,
            AddRoles = AddRole,
            RemoveRoles = RemoveRole,
        };
        name = client.Name;
        if (!TryChange($"client '{name}' on network '{client.Network}' of policy '{policy.Name}'", Describe(client, spec),
                whatIf => PolicyEditor.SetClient(policy, spec, whatIf), client, out var change))
        {
            return;
        }

        foreach (var c in change.Changes)
        {
            WriteVerbose($"Client '{name}': {c.Property} '{c.OldValue}' -> '{c.NewValue}'.");
        }

        if (change.AddedNetworkVirtHost is { } added)
        {
            WriteVerbose($"Network '{client.Network}' now spans virthost '{added}' too.");
        }

        if (change.FromVirtHost is { } from)
        {
            // The policy no longer says where the client was; only this message does.
            WriteVerbose($"Client '{name}' moved from virthost '{from}' to '{client.VirtHost}': publish both " +
                $"(Publish-QaNetwork -Network {client.Network} -VirtHost {from},{client.VirtHost}, or without -VirtHost for every host of the network); " +
                $"until '{from}' is published it still carries the client's rules and DHCP entry.");
        }

        if (PassThru)
        {
            WriteObject(client);
        }
    }

    /// <summary>The ShouldProcess action: the requested changes against the current values (validated only when applied).</summary>
    private static string Describe(QaClient client, ClientChangeSpec spec)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(spec.VirtHost) && !Names.Same(spec.VirtHost, client.VirtHost))
        {
            parts.Add($"move from virthost '{client.VirtHost}' to '{spec.VirtHost}'");
        }

        void Add(string property, object? before, string? after)
        {
            if (!string.IsNullOrEmpty(after))
            {
                parts.Add($"set {property} '{before}' -> '{after}'");
            }
        }

        Add("MacAddress", client.MacAddress, spec.MacAddress);
        Add("Address", client.Address, spec.Address);
        Add("Address6", client.Address6, spec.Address6);
        if (spec.Roles is not null)
        {
            parts.Add($"set roles to '{string.Join(", ", spec.Roles)}'");
        }

        if (spec.AddRoles.Count > 0)
        {
            parts.Add($"add role(s) '{string.Join(", ", spec.AddRoles)}'");
        }

        if (spec.RemoveRoles.Count > 0)
        {
            parts.Add($"remove role(s) '{string.Join(", ", spec.RemoveRoles)}'");
        }

        return parts.Count == 0 ? "Set (nothing requested)" : "Set: " + string.Join("; ", parts);
    }
}
