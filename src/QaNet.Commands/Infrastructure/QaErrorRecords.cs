using System.Management.Automation;
using QaNet.Core.Validation;

namespace QaNet.Commands.Infrastructure;

/// <summary>Turns QaNet's errors into PowerShell error records with stable ids.</summary>
internal static class QaErrorRecords
{
    /// <summary>
    /// The first error's id becomes the record's id; every error (message, fix, file location)
    /// is printed, because fixing only the first of five problems per run wastes the user's time.
    /// </summary>
    public static ErrorRecord FromValidation(QaValidationException exception, object? target)
    {
        var record = new ErrorRecord(exception, exception.ErrorId, Category(exception.ErrorId), target);
        if (exception.Errors.Count > 0)
        {
            record.ErrorDetails = new ErrorDetails(string.Join(Environment.NewLine, exception.Errors.Select(e => e.ToString())))
            {
                RecommendedAction = exception.Errors[0].Fix,
            };
        }

        return record;
    }

    /// <summary>A record for <paramref name="id"/>, its category from the id's kind; with <paramref name="fix"/> shown as the recommended action.</summary>
    public static ErrorRecord Create(string id, object? target, string message, string? fix = null)
    {
        var record = new ErrorRecord(new InvalidOperationException(message), id, Category(id), target);
        if (fix is not null)
        {
            record.ErrorDetails = new ErrorDetails(message + " " + fix) { RecommendedAction = fix };
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
