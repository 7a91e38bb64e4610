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

    public static ErrorRecord Create(string id, ErrorCategory category, object? target, string message, string? fix = null)
    {
        var record = new ErrorRecord(new InvalidOperationException(message), id, category, target);
        if (fix is not null)
        {
            record.ErrorDetails = new ErrorDetails(message + " " + fix) { RecommendedAction = fix };
        }

        return record;
    }

    public static ErrorRecord FromException(Exception exception, string id, ErrorCategory category, object? target) =>
        new(exception, id, category, target);

    public static ErrorCategory Category(string id) => id switch
    {
        QaErrorIds.NotFound or QaErrorIds.UnknownReference or QaErrorIds.UnknownVirtHost or QaErrorIds.PolicyFileNotFound
            => ErrorCategory.ObjectNotFound,
        QaErrorIds.DuplicateNetwork or QaErrorIds.DuplicateClientName or QaErrorIds.DuplicateEndpoint or
            QaErrorIds.DuplicateRuleId or QaErrorIds.DuplicateMacAddress or QaErrorIds.DuplicateAddress or
            QaErrorIds.NameConflict or QaErrorIds.SubnetOverlap or QaErrorIds.DhcpRangeCollision
            => ErrorCategory.ResourceExists,
        QaErrorIds.InUse => ErrorCategory.ResourceBusy,
        QaErrorIds.AddressPoolExhausted or QaErrorIds.PolicyTooLarge or QaErrorIds.PolicyTooDeep
            => ErrorCategory.LimitsExceeded,
        _ when id.StartsWith("Policy", StringComparison.Ordinal) => ErrorCategory.InvalidData,
        _ => ErrorCategory.InvalidArgument,
    };
}
