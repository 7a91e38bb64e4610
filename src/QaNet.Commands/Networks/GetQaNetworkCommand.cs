using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Gets the networks of a policy.</summary>
[Cmdlet(VerbsCommon.Get, "QaNetwork")]
[OutputType(typeof(QaNetwork))]
public sealed class GetQaNetworkCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public QaNetworkMode[]? Mode { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(VirtHostNameCompleter))]
    public string[]? VirtHost { get; set; }

    protected override void ProcessRecord()
    {
        var networks = SelectByName(ResolvePolicy().Networks, n => n.Name, Name, "network", "Get-QaNetwork")
            .Where(n => Mode is null || Mode.Contains(n.Mode))
            .Where(n => VirtHost is null || n.VirtHosts.Exists(v => MatchesAny(v, VirtHost)));
        WriteObject(networks, enumerateCollection: true);
    }
}
