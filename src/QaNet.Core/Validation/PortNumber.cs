namespace QaNet.Core.Validation;

/// <summary>The one port rule: a TCP or UDP port number runs from 1 to <see cref="Max"/>.</summary>
public static class PortNumber
{
    public const int Max = 65535;

    public static bool IsValid(int port) => port is >= 1 and <= Max;
}
