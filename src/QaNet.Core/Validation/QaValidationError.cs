namespace QaNet.Core.Validation;

/// <summary>
/// One problem with a policy: what is wrong (<see cref="Message"/>), where (<see cref="Target"/>,
/// <see cref="Path"/> and, for files, <see cref="Location"/>), how to fix it (<see cref="Fix"/>)
/// and a stable <see cref="Id"/> from <see cref="QaErrorIds"/>.
/// </summary>
public sealed record QaValidationError(string Id, string Target, string? Path, string Message, string Fix)
{
    /// <summary><c>file:line:column</c> when the error comes from a policy file.</summary>
    public string? Location { get; init; }

    public override string ToString()
    {
        var where = Location is null ? string.Empty : Location + ": ";
        return $"{where}{Message} {Fix} [{Id}]";
    }

    public QaValidationError At(string? location) => this with { Location = location };

    internal static QaValidationError Port(string? text, string why) =>
        new(QaErrorIds.InvalidPort, "port", null,
            $"'{text}' is not a valid port ({why}).",
            "Write a port as '443/tcp', '69/udp', a range as '7080-7099/tcp', or 'icmp'; ports run from 1 to 65535.");

    internal static QaValidationError Name(string target, string? name) =>
        new(QaErrorIds.InvalidName, target, null,
            $"The name '{name}' of {target} is not valid.",
            $"Names are 1 to 63 characters of lowercase letters, digits, '.' and '-', starting with a letter or digit (pattern {Names.Pattern}).");
}

/// <summary>Thrown when a policy or a change to it is invalid; nothing was changed.</summary>
public sealed class QaValidationException : Exception
{
    public QaValidationException(QaValidationError error)
        : this(new[] { error })
    {
    }

    public QaValidationException(IReadOnlyList<QaValidationError> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>One error caused by <paramref name="inner"/> (a library's own exception, kept for the record).</summary>
    public QaValidationException(QaValidationError error, Exception? inner)
        : base(BuildMessage(new[] { error }), inner)
    {
        Errors = new[] { error };
    }

    public IReadOnlyList<QaValidationError> Errors { get; }

    /// <summary>The id of the first error: the one PowerShell reports as the error id.</summary>
    public string ErrorId => Errors.Count > 0 ? Errors[0].Id : QaErrorIds.InvalidName;

    private static string BuildMessage(IReadOnlyList<QaValidationError> errors) =>
        errors.Count switch
        {
            0 => "The policy is not valid.",
            1 => errors[0].ToString(),
            _ => errors[0] + $" (and {errors.Count - 1} more: " +
                 string.Join("; ", errors.Skip(1).Take(5).Select(e => e.ToString())) +
                 (errors.Count > 6 ? "; …" : string.Empty) + ")",
        };
}
