using System.Management.Automation;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>Adds a named service or management host to a policy.</summary>
[Cmdlet(VerbsCommon.Add, "QaEndpoint", SupportsShouldProcess = true)]
[OutputType(typeof(QaEndpoint))]
public sealed class AddQaEndpointCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    public string[] HostName { get; set; } = Array.Empty<string>();

    [Parameter]
    public string[] Address { get; set; } = Array.Empty<string>();

    [Parameter]
    [ArgumentCompleter(typeof(Completion.PortCompleter))]
    public string[] Port { get; set; } = Array.Empty<string>();

    [Parameter]
    [ArgumentCompleter(typeof(Completion.EnvironmentCompleter))]
    public string? Environment { get; set; }

    [Parameter]
    public string? Description { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var spec = new EndpointSpec(Name)
        {
            HostNames = HostName,
            Addresses = Address,
            Ports = Port,
            Environment = Environment,
            Description = Description,
        };
        if (TryChange($"endpoint '{Name}'", $"Add to policy '{policy.Name}'",
                whatIf => PolicyEditor.AddEndpoint(policy, spec, whatIf), Name, out var endpoint))
        {
            WriteObject(endpoint);
        }
    }
}
