using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>
/// Changes endpoints of a policy in place: host names, addresses, ports, environment,
/// description. Each endpoint is changed as a whole or not at all.
/// </summary>
[Cmdlet(VerbsCommon.Set, "QaEndpoint", DefaultParameterSetName = ParameterSets.ByObject, SupportsShouldProcess = true)]
[OutputType(typeof(QaEndpoint))]
public sealed class SetQaEndpointCommand : ChangeCommand<QaEndpoint>
{
    /// <summary>Endpoint names; wildcards stand for every endpoint they match.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.ByObject, ValueFromPipeline = true)]
    public QaEndpoint[] InputObject { get; set; } = Array.Empty<QaEndpoint>();

    /// <summary>Replaces the host names (an empty array clears them).</summary>
    [Parameter]
    [AllowEmptyCollection]
    public string[]? HostName { get; set; }

    /// <summary>Replaces the addresses and prefixes (an empty array clears them).</summary>
    [Parameter]
    [AllowEmptyCollection]
    public string[]? Address { get; set; }

    /// <summary>Replaces the ports (an empty array clears them).</summary>
    [Parameter]
    [AllowEmptyCollection]
    [ArgumentCompleter(typeof(PortCompleter))]
    public string[]? Port { get; set; }

    /// <summary>An empty string clears it.</summary>
    [Parameter]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string? Environment { get; set; }

    /// <summary>An empty string clears it.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? Description { get; set; }

    protected override IEnumerable<string> TargetNames => Name;

    protected override IEnumerable<QaEndpoint> TargetObjects => InputObject;

    protected override string Kind => "endpoint";

    protected override string Lister => "Get-QaEndpoint";

    protected override string NameOf(QaEndpoint item) => item.Name;

    protected override QaPolicy PolicyOf(QaEndpoint item) => item.Policy;

    protected override QaEndpoint? Find(QaPolicy policy, string name) => policy.FindEndpoint(name);

    protected override IEnumerable<QaEndpoint> All(QaPolicy policy) => policy.Endpoints;

    protected override IReadOnlyList<QaPropertyChange> Change(QaPolicy policy, QaEndpoint item, bool whatIf) =>
        PolicyEditor.SetEndpoint(policy, new EndpointChangeSpec(item.Name)
        {
            HostNames = HostName,
            Addresses = Address,
            Ports = Port,
            Environment = Environment,
            Description = Description,
        }, whatIf);

    protected override string Describe(QaEndpoint item)
    {
        var parts = new List<string>();
        void Add(string property, object before, object? after)
        {
            if (after is not null)
            {
                parts.Add($"set {property} '{before}' -> '{after}'");
            }
        }

        Add("HostNames", string.Join(", ", item.HostNames), HostName is null ? null : string.Join(", ", HostName));
        Add("Addresses", string.Join(", ", item.Addresses), Address is null ? null : string.Join(", ", Address));
        Add("Ports", string.Join(", ", item.Ports), Port is null ? null : string.Join(", ", Port));
        Add("Environment", item.Environment ?? string.Empty, Environment);
        Add("Description", item.Description ?? string.Empty, Description);
        return Listed(parts);
    }
}
