using System.Management.Automation;
using QaNet.Core.Model;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// Keeps PowerShell from making a QaPolicy out of a string through its public constructor
/// (module/QaNet/QaNet.Types.ps1xml registers it). Without it <c>'koji' | Get-QaEndpoint</c> bound
/// 'koji' to <c>-Policy</c> as a new, empty policy named koji and silently found nothing, and
/// <c>-Policy qa</c> worked on an empty policy. With it a string piped to a cmdlet whose
/// <c>-Policy</c> takes pipeline input does not bind there (it binds as a name, where one does),
/// and <c>-Policy 'qa'</c> is refused at binding, with the fix in the message.
/// </summary>
public sealed class QaPolicyConverter : PSTypeConverter
{
    public override bool CanConvertFrom(object sourceValue, Type destinationType) => sourceValue is string;

    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        throw new PSInvalidCastException(
            $"'{sourceValue}' is a name, not a QaPolicy: pass the policy object ($p = Import-QaPolicy <file>, New-QaPolicy, Get-QaPolicy), " +
            "or leave out -Policy to work on the session's current policy.");

    public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) =>
        throw new PSInvalidCastException($"A QaPolicy does not convert to {destinationType}.");
}
