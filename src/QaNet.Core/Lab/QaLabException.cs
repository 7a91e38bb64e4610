using QaNet.Core.Validation;

namespace QaNet.Core.Lab;

/// <summary>Error ids of the lab (stable, PascalCase; the cmdlets use them as FullyQualifiedErrorId).</summary>
public static class QaLabErrorIds
{
    public const string LabAlreadyRunning = QaErrorIds.LabAlreadyRunning;
    public const string LabNotFound = QaErrorIds.LabNotFound;
    public const string LabStartFailed = QaErrorIds.LabStartFailed;
    /// <summary>Stop could not remove every namespace of the lab; its state is kept so a second Stop-QaLab retries.</summary>
    public const string LabStopFailed = QaErrorIds.LabStopFailed;
    public const string LabPublishFailed = QaErrorIds.LabPublishFailed;
    public const string LabUnknownHost = QaErrorIds.LabUnknownHost;
    public const string LabProfileUnavailable = QaErrorIds.LabProfileUnavailable;
    public const string TraceUnsupported = QaErrorIds.TraceUnsupported;
    public const string TraceFailed = QaErrorIds.TraceFailed;
}

public sealed class QaLabException : Exception
{
    public QaLabException(string errorId, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; }
}
