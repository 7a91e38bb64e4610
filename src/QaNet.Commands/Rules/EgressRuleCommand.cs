using System.Management.Automation;
using QaNet.Commands.Completion;
using QaNet.Commands.Infrastructure;
using QaNet.Core.Model;

namespace QaNet.Commands;

/// <summary>Grant-QaEgress and Block-QaEgress: the same parameters, a different rule kind.</summary>
public abstract class EgressRuleCommand : RuleCommand
{
    [Parameter]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(EndpointNameCompleter))]
    public string[] Endpoint { get; set; } = Array.Empty<string>();

    /// <summary>
    /// Other clients as destinations (<c>to: client:&lt;name&gt;</c> in the file): client-to-client
    /// traffic is egress from the sources. Such a rule needs -Port (a client serves no ports of its own).
    /// </summary>
    [Parameter]
    [QaNameTransformation]
    [ArgumentCompleter(typeof(ClientNameCompleter))]
    public string[] ToClient { get; set; } = Array.Empty<string>();

    /// <summary>Destinations given as addresses or prefixes rather than endpoints.</summary>
    [Parameter]
    public string[] Cidr { get; set; } = Array.Empty<string>();

    /// <summary>Allows 0.0.0.0/0 or ::/0 as a destination, which is refused otherwise.</summary>
    [Parameter]
    public SwitchParameter AllowAnyDestination { get; set; }

    protected abstract QaRuleKind Kind { get; }

    protected override void ProcessRecord()
    {
        var cidrs = CidrSelectors(Cidr);
        if (cidrs is null)
        {
            return;
        }

        var to = Endpoint.Select(QaSelector.Endpoint).Concat(cidrs).ToList();
        to.AddRange(ToClient.Select(QaSelector.Client));
        AddRule(Kind, ClientSide, to, AllowAnyDestination);
    }
}
