using System.Collections;
using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Reflection;
using QaNet.Core.Model;
using QaNet.Core.Net;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// How PowerShell sees the properties of QaNet's objects (module/QaNet/QaNet.Types.ps1xml registers
/// it for the nouns and results): what Export-Csv, ConvertTo-Json, Format-* and <c>$x.Name</c>
/// read. Values are presented as text where the model holds a value type with a canonical text
/// (addresses and prefixes, ports, selectors, enum names), lists as a list of those whose text is
/// "a, b" (one CSV cell), and references to other model objects (the owning policy, a client's
/// network object, a result's rule) are left out of the listed properties: they are for the
/// pipeline, their names are beside them (Network, RuleId), and in an export they dragged the whole
/// policy along. <c>$client.Policy</c> still returns the policy.
/// </summary>
/// <remarks>
/// ConvertTo-Json first reflects a type's public properties, skipping those marked
/// <c>[Newtonsoft.Json.JsonIgnore]</c>, and then adds the adapted properties not yet written; so
/// every property this adapter presents differently carries that attribute in the model
/// (<see cref="NeedsJsonIgnore"/>; tests/QaNet.Tests/Commands/ObjectAdapterTests.cs checks it).
/// </remarks>
public sealed class QaObjectAdapter : PSPropertyAdapter
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> PropertiesByType = new();

    /// <summary>Model objects another object refers to; shown by name, never as a nested object.</summary>
    private static readonly HashSet<Type> ModelObjects =
    [
        typeof(QaPolicy), typeof(QaNetwork), typeof(QaClient), typeof(QaEndpoint), typeof(QaRule), typeof(QaGroup), typeof(QaAccessGrant),
    ];

    /// <summary>Value types of the model whose ToString is their canonical text (as the YAML and the parameters write them).</summary>
    private static readonly HashSet<Type> TextTypes =
    [
        typeof(IPAddress), typeof(IPNetwork), typeof(QaPortRange), typeof(QaSelector), typeof(QaAddressRange), typeof(QaAccessTarget),
    ];

    public override Collection<PSAdaptedProperty> GetProperties(object baseObject)
    {
        ArgumentNullException.ThrowIfNull(baseObject);
        var result = new Collection<PSAdaptedProperty>();
        foreach (var property in Properties(baseObject.GetType()).Where(p => !IsHidden(p)))
        {
            result.Add(new PSAdaptedProperty(property.Name, property));
        }

        return result;
    }

    /// <summary>Any public property by name, references included (<c>$client.Policy</c>).</summary>
    public override PSAdaptedProperty? GetProperty(object baseObject, string propertyName)
    {
        ArgumentNullException.ThrowIfNull(baseObject);
        var property = Array.Find(Properties(baseObject.GetType()), p => string.Equals(p.Name, propertyName, StringComparison.OrdinalIgnoreCase));
        return property is null ? null : new PSAdaptedProperty(property.Name, property);
    }

    public override bool IsGettable(PSAdaptedProperty adaptedProperty) => true;

    public override bool IsSettable(PSAdaptedProperty adaptedProperty) =>
        Info(adaptedProperty).SetMethod is { IsPublic: true };

    public override object? GetPropertyValue(PSAdaptedProperty adaptedProperty)
    {
        var property = Info(adaptedProperty);
        var value = property.GetValue(adaptedProperty.BaseObject);
        return IsHidden(property) ? value : Present(value);
    }

    public override void SetPropertyValue(PSAdaptedProperty adaptedProperty, object value)
    {
        var property = Info(adaptedProperty);
        property.SetValue(adaptedProperty.BaseObject, LanguagePrimitives.ConvertTo(value, property.PropertyType, CultureInfo.InvariantCulture));
    }

    public override string GetPropertyTypeName(PSAdaptedProperty adaptedProperty)
    {
        var property = Info(adaptedProperty);
        var type = property.PropertyType;
        return IsHidden(property) || !NeedsJsonIgnore(type) ? type.FullName ?? type.Name
            : IsList(type) ? typeof(QaTextList).FullName! : typeof(string).FullName!;
    }

    /// <summary>The public, readable, non-indexed properties of a type.</summary>
    public static PropertyInfo[] Properties(Type type) =>
        PropertiesByType.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
            .ToArray());

    /// <summary>
    /// Whether PowerShell would see a property of this type differently from its reflected value:
    /// a reference, a text-presented value, or a list of anything but strings and numbers.
    /// </summary>
    public static bool NeedsJsonIgnore(PropertyInfo property) =>
        IsHidden(property) || NeedsJsonIgnore(property.PropertyType);

    /// <summary>
    /// Left out of the listed properties (still readable by name): references to model objects, and
    /// properties marked <c>[Browsable(false)]</c> — internals a script has no use for in an export,
    /// such as a ruleset's compiled program.
    /// </summary>
    private static bool IsHidden(PropertyInfo property) =>
        IsReference(property.PropertyType) ||
        property.GetCustomAttribute<System.ComponentModel.BrowsableAttribute>() is { Browsable: false };

    public static bool NeedsJsonIgnore(Type type) =>
        IsReference(type) || IsText(type) || (IsList(type) && ElementType(type) is { } e && !IsPlain(e));

    private static bool IsReference(Type type) => ModelObjects.Contains(type);

    private static bool IsText(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsEnum || TextTypes.Contains(t);
    }

    private static bool IsPlain(Type type) => type == typeof(string) || type.IsPrimitive;

    private static bool IsList(Type type) =>
        type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && !typeof(IDictionary).IsAssignableFrom(type) &&
        !type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));

    private static Type? ElementType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static object? Present(object? value) => value switch
    {
        null => null,
        string => value,
        _ when IsList(value.GetType()) => new QaTextList(((IEnumerable)value).Cast<object?>().Select(PresentItem)),
        _ => PresentItem(value),
    };

    private static object? PresentItem(object? item) =>
        item is not null && (IsText(item.GetType()) || IsReference(item.GetType()))
            ? Convert.ToString(item, CultureInfo.InvariantCulture)
            : item;

    private static PropertyInfo Info(PSAdaptedProperty adaptedProperty) => (PropertyInfo)adaptedProperty.Tag;
}

/// <summary>
/// A list property as PowerShell sees it: the items (as text where they have one), and as one
/// string "a, b" where a single value is wanted (an Export-Csv cell).
/// </summary>
public sealed class QaTextList : ReadOnlyCollection<object?>
{
    public QaTextList(IEnumerable<object?> items)
        : base(items.ToList())
    {
    }

    public override string ToString() => string.Join(", ", this.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)));
}
