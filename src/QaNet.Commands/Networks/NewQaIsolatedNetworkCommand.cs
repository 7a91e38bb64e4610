using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Editing;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>Adds an isolated client network to a policy.</summary>
[Cmdlet(VerbsCommon.New, "QaIsolatedNetwork", SupportsShouldProcess = true)]
[OutputType(typeof(QaNetwork))]
public sealed class NewQaIsolatedNetworkCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    public string Name { get; set; } = string.Empty;

    [Parameter(Mandatory = true)]
    public string Subnet { get; set; } = string.Empty;

    [Parameter]
    public string? Subnet6 { get; set; }

    [Parameter(Mandatory = true)]
    public QaNetworkMode Mode { get; set; }

    [Parameter(Mandatory = true)]
    public string[] VirtHost { get; set; } = Array.Empty<string>();

    [Parameter]
    public string? Bridge { get; set; }

    [Parameter]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string? Gateway { get; set; }

    [Parameter]
    public string? DhcpStart { get; set; }

    [Parameter]
    public string? DhcpEnd { get; set; }

    protected override void ProcessRecord()
    {
        var policy = ResolvePolicy();
        var spec = new NetworkSpec(Name, Subnet, Mode, VirtHost)
        {
            Subnet6 = Subnet6,
            Bridge = Bridge,
            Gateway = Gateway,
            DhcpStart = DhcpStart,
            DhcpEnd = DhcpEnd,
        };
        if (!ShouldProcess($"network '{Name}' ({Mode}, {Subnet})", $"Add to policy '{policy.Name}'"))
        {
            return;
        }

        try
        {
            WriteObject(PolicyEditor.AddNetwork(policy, spec));
        }
        catch (QaValidationException e)
        {
            WriteValidationError(e, Name);
        }
    }
}
