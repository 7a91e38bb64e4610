using System.Management.Automation;
using QaNet.Core.Model;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// For a <c>-Network</c> that takes pipeline input by value and is typed <c>object</c> (Add-QaClient): a
/// piped record that is not one of QaNet's objects (an Import-Csv row, a [pscustomobject]) binds
/// there as a whole, since an object parameter takes anything; it stands for the network its
/// Network property names, as its other properties bind by name. Networks, clients, names and
/// records without a Network property pass unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class QaNetworkArgumentTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (inputData is not PSObject record || record.BaseObject is string or QaNetwork or QaClient)
        {
            return inputData;
        }

        var network = record.Properties["Network"]?.Value;
        return network is null ? inputData : network;
    }
}
