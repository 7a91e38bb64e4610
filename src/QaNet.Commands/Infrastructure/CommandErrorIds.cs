using QaNet.Core.Validation;

namespace QaNet.Commands.Infrastructure;

/// <summary>
/// Stable error ids raised by the cmdlet layer itself: names for their entries in the one
/// catalogue, <see cref="QaErrorIds"/> (which also gives each its kind). Scripts match on them; never rename one.
/// </summary>
public static class CommandErrorIds
{
    /// <summary>No <c>-Policy</c> was given and the session has no current policy yet.</summary>
    public const string NoCurrentPolicy = QaErrorIds.NoCurrentPolicy;

    /// <summary>A piped or passed object belongs to another policy than the one given with <c>-Policy</c>.</summary>
    public const string PolicyMismatch = QaErrorIds.PolicyMismatch;

    /// <summary><c>-Network</c> got something that is neither a network name nor a QaNetwork.</summary>
    public const string InvalidNetworkArgument = QaErrorIds.InvalidNetworkArgument;

    /// <summary>A path is not on the file system provider.</summary>
    public const string NotFileSystemPath = QaErrorIds.NotFileSystemPath;

    /// <summary><c>Export-QaPolicy -NoClobber</c> found the file already there.</summary>
    public const string PolicyFileExists = QaErrorIds.PolicyFileExists;

    /// <summary>The operating system refused to read a policy file.</summary>
    public const string PolicyReadFailed = QaErrorIds.PolicyReadFailed;

    /// <summary>The operating system refused to write a policy file.</summary>
    public const string PolicyWriteFailed = QaErrorIds.PolicyWriteFailed;

    /// <summary><c>-Reference</c>/<c>-Difference</c> got something that is neither a policy nor the path of one policy file.</summary>
    public const string InvalidPolicyArgument = QaErrorIds.InvalidPolicyArgument;

    /// <summary><c>Export-QaReachabilityReport -NoClobber</c> found the file already there.</summary>
    public const string ReportFileExists = QaErrorIds.ReportFileExists;

    /// <summary>The operating system refused to write a report file.</summary>
    public const string ReportWriteFailed = QaErrorIds.ReportWriteFailed;

    /// <summary>Export-QaTopology could not run Graphviz's dot (not installed) or dot refused the graph.</summary>
    public const string TopologyRenderFailed = QaErrorIds.TopologyRenderFailed;

    /// <summary>Export-QaReachabilityReport was given something that is not a reachability result.</summary>
    public const string InvalidReportInput = QaErrorIds.InvalidReportInput;

    /// <summary>An Export- cmdlet's <c>-Path</c> is in a folder that does not exist.</summary>
    public const string OutputFolderNotFound = QaErrorIds.OutputFolderNotFound;

    /// <summary>Add-QaClient got a piped network (or client) but no -Name, or a piped record without a Name.</summary>
    public const string ClientNameRequired = QaErrorIds.ClientNameRequired;
}
