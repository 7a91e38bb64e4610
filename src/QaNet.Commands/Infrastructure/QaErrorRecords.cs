using System.Management.Automation;
using QaNet.Core.Validation;

namespace QaNet.Commands.Infrastructure;

/// <summary>Turns QaNet's errors into PowerShell error records with stable ids.</summary>
internal static class QaErrorRecords
{
    /// <summary>
    /// One record for one problem: its own id, a <see cref="QaValidationException"/> of that
    /// problem, what is wrong and where (<c>file:line:column</c> for files) as the message, and the
    /// fix as the recommended action (PowerShell prints it once, as "Recommendation:").
    /// </summary>
    public static ErrorRecord FromValidation(QaValidationError error, object? target) =>
        new(new QaValidationException(error), error.Id, Category(error.Id), target)
        {
            ErrorDetails = new ErrorDetails(Describe(error)) { RecommendedAction = error.Fix },
        };

    /// <summary>
    /// The one record of a call that cannot go on (ThrowTerminatingError): the first problem's id;
    /// with several problems each is listed with its own fix, since one record has room for one
    /// recommended action only.
    /// </summary>
    public static ErrorRecord FromValidation(QaValidationException exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var record = new ErrorRecord(exception, exception.ErrorId, Category(exception.ErrorId), target);
        record.ErrorDetails = exception.Errors.Count switch
        {
            0 => null,
            1 => new ErrorDetails(Describe(exception.Errors[0])) { RecommendedAction = exception.Errors[0].Fix },
            _ => new ErrorDetails(string.Join(Environment.NewLine, exception.Errors.Select(e => e.ToString()))),
        };
        return record;
    }

    /// <summary>What is wrong and where, with the id, without the fix.</summary>
    private static string Describe(QaValidationError error) =>
        (error.Location is null ? string.Empty : error.Location + ": ") + error.Message + " [" + error.Id + "]";

    /// <summary>A record for <paramref name="id"/>, its category from the id's kind; with <paramref name="fix"/> shown as the recommended action.</summary>
    public static ErrorRecord Create(string id, object? target, string message, string? fix = null)
    {
        var record = new ErrorRecord(new InvalidOperationException(message), id, Category(id), target);
        if (fix is not null)
        {
            // The fix only as the recommended action: PowerShell's views print that as well.
            record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = fix };
        }

        return record;
    }

    public static ErrorRecord FromException(Exception exception, string id, object? target) =>
        new(exception, id, Category(id), target);

    /// <summary>A record that keeps <paramref name="exception"/> and shows <paramref name="fix"/> as the recommended action.</summary>
    public static ErrorRecord FromException(Exception exception, string id, object? target, string fix) =>
        new(exception, id, Category(id), target)
        {
            ErrorDetails = new ErrorDetails(exception.Message + " " + fix) { RecommendedAction = fix },
        };

    /// <summary>The one map from an id (through its <see cref="QaErrorKind"/>) to PowerShell's ErrorCategory.</summary>
    public static ErrorCategory Category(string id) => QaErrorIds.KindOf(id) switch
    {
        QaErrorKind.InvalidData => ErrorCategory.InvalidData,
        QaErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        QaErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        QaErrorKind.Busy => ErrorCategory.ResourceBusy,
        QaErrorKind.LimitExceeded => ErrorCategory.LimitsExceeded,
        QaErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        QaErrorKind.Timeout => ErrorCategory.OperationTimeout,
        QaErrorKind.Stopped => ErrorCategory.OperationStopped,
        QaErrorKind.Unreachable => ErrorCategory.ConnectionError,
        QaErrorKind.ReadFailed => ErrorCategory.ReadError,
        QaErrorKind.WriteFailed => ErrorCategory.WriteError,
        QaErrorKind.WrongType => ErrorCategory.InvalidType,
        QaErrorKind.OperationFailed => ErrorCategory.InvalidOperation,
        _ => ErrorCategory.InvalidArgument,
    };
}
