using System.Management.Automation;
using QaNet.Core.Model;
using QaNet.Core.Validation;

namespace QaNet.Commands;

/// <summary>The directory a cmdlet reads: the policy's, with what its parameters say over it.</summary>
internal static class DirectoryParameters
{
    public static QaDirectory Resolve(QaPolicy policy, string? uri, string? baseDn, QaDirectoryTls? tls, string? caFile, PSCredential? credential)
    {
        var directory = policy.Directory;
        if (uri is not null)
        {
            var baseOf = baseDn ?? directory?.BaseDn ?? throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidDirectory, "directory", null,
                $"-Uri {uri} needs -BaseDn (the directory's base DN, e.g. dc=fedoraproject,dc=org).", "Give -BaseDn, or a directory: section in the policy."));
            directory = new QaDirectory { Uri = uri, BaseDn = baseOf };
        }
        else if (directory is null)
        {
            throw new QaValidationException(new QaValidationError(QaErrorIds.InvalidDirectory, "directory", null,
                "The policy has no directory to read groups from.", "Give -Uri and -BaseDn, or add a directory: section (uri, base) to the policy."));
        }
        else if (baseDn is not null)
        {
            directory = directory with { BaseDn = baseDn };
        }

        return directory with
        {
            Tls = tls ?? directory.Tls,
            CaFile = caFile ?? directory.CaFile,
            BindDn = credential?.UserName ?? directory.BindDn,
        };
    }
}
