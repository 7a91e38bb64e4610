using System.ComponentModel;
using System.Globalization;

namespace QaNet.Core.Model;

/// <summary>
/// Refuses to make a policy out of a string, which conversions that try constructors (PowerShell's
/// parameter binding) would otherwise do through <see cref="QaPolicy(string)"/>: a string piped to a
/// cmdlet whose -Policy takes pipeline input became a new, empty policy of that name
/// (<c>'koji' | Get-QaEndpoint</c> found nothing), and <c>-Policy qa</c> worked on an empty policy.
/// With this converter the string does not bind there (it binds as a name where one does), and a
/// typed <c>-Policy 'qa'</c> is refused at binding with the fix in the message.
/// </summary>
public sealed class QaPolicyTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        throw new NotSupportedException(
            $"'{value}' is a name, not a QaPolicy: pass the policy object ($p = Import-QaPolicy <file>, New-QaPolicy, Get-QaPolicy), " +
            "or leave out -Policy to work on the session's current policy.");
}
