namespace QaNet.Commands.Infrastructure;

/// <summary>Parameter-set names shared by several cmdlets.</summary>
public static class ParameterSets
{
    /// <summary>Targets given by name (or id), typed or bound by property name.</summary>
    public const string ByName = "ByName";

    /// <summary>Targets given as objects, usually piped.</summary>
    public const string ByObject = "ByObject";

    /// <summary>A rule's client side given as client names.</summary>
    public const string Client = "Client";

    /// <summary>A rule's client side given as roles.</summary>
    public const string Role = "Role";
}
