using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Gets the endpoints of a policy.</summary>
[Cmdlet(VerbsCommon.Get, "QaEndpoint")]
[OutputType(typeof(QaEndpoint))]
public sealed class GetQaEndpointCommand : QaCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public override QaPolicy? Policy { get; set; }

    /// <summary>Endpoint names (wildcards allowed), typed or piped as strings.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SupportsWildcards]
    [QaNameTransformation(IgnorePolicy = true)]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string[]? Environment { get; set; }

    protected override void ProcessRecord()
    {
        var endpoints = SelectByName(ResolvePolicy().Endpoints, e => e.Name, Name, "endpoint", "Get-QaEndpoint")
            .Where(e => MatchesAny(e.Environment, Environment));
        WriteObject(endpoints, enumerateCollection: true);
    }
}
