namespace QaNet.Core.Validation;

/// <summary>
/// Stable error ids: the one catalogue of every id QaNet raises (Core, the lab and the cmdlets;
/// <c>QaLabErrorIds</c> and <c>CommandErrorIds</c> are named views onto it), each with its
/// <see cref="QaErrorKind"/> (<see cref="KindOf"/>), which the cmdlets map to a PowerShell
/// ErrorCategory in one place. Scripts and tests match on the ids (as the first part of
/// PowerShell's FullyQualifiedErrorId); never rename one, only add.
/// </summary>
public static class QaErrorIds
{
    // Names and references
    public const string InvalidName = "InvalidName";
    public const string InvalidHostName = "InvalidHostName";
    public const string InvalidText = "InvalidText";
    public const string InvalidSelector = "InvalidSelector";
    public const string UnknownReference = "UnknownReference";
    public const string DuplicateNetwork = "DuplicateNetwork";
    public const string DuplicateClientName = "DuplicateClientName";
    public const string DuplicateEndpoint = "DuplicateEndpoint";
    public const string DuplicateRuleId = "DuplicateRuleId";
    public const string NameConflict = "NameConflict";

    // Networks
    public const string InvalidSubnet = "InvalidSubnet";
    public const string SubnetTooSmall = "SubnetTooSmall";
    public const string SubnetOverlap = "SubnetOverlap";
    public const string InvalidBridgeName = "InvalidBridgeName";
    public const string VirtHostRequired = "VirtHostRequired";
    public const string GatewayRequired = "GatewayRequired";
    public const string GatewayAddressOutsideSubnet = "GatewayAddressOutsideSubnet";
    public const string DhcpRangeInvalid = "DhcpRangeInvalid";
    public const string DhcpRangeCollision = "DhcpRangeCollision";

    // Clients
    public const string InvalidMacAddress = "InvalidMacAddress";
    public const string DuplicateMacAddress = "DuplicateMacAddress";
    public const string InvalidAddress = "InvalidAddress";
    public const string DuplicateAddress = "DuplicateAddress";
    public const string AddressOutsideSubnet = "AddressOutsideSubnet";
    public const string AddressReserved = "AddressReserved";
    public const string AddressPoolExhausted = "AddressPoolExhausted";
    public const string UnknownVirtHost = "UnknownVirtHost";

    // Endpoints and rules
    public const string EndpointWithoutTarget = "EndpointWithoutTarget";
    public const string InvalidPort = "InvalidPort";
    public const string PortRangeReversed = "PortRangeReversed";
    public const string PortsRequired = "PortsRequired";
    public const string InvalidRuleSide = "InvalidRuleSide";
    public const string EgressToAnyAddress = "EgressToAnyAddress";
    public const string InvalidPriority = "InvalidPriority";
    public const string InUse = "InUse";
    public const string NotFound = "NotFound";

    // Policy files
    public const string PolicyFileNotFound = "PolicyFileNotFound";
    public const string PolicySyntax = "PolicySyntax";
    public const string PolicyUnknownKey = "PolicyUnknownKey";
    public const string PolicyMissingKey = "PolicyMissingKey";
    public const string PolicyDuplicateKey = "PolicyDuplicateKey";
    public const string PolicyWrongType = "PolicyWrongType";
    public const string PolicyTagNotAllowed = "PolicyTagNotAllowed";
    public const string PolicyAliasNotAllowed = "PolicyAliasNotAllowed";
    public const string PolicyTooLarge = "PolicyTooLarge";
    public const string PolicyTooDeep = "PolicyTooDeep";
    public const string PolicyVersionUnsupported = "PolicyVersionUnsupported";
    public const string PolicyMultipleDocuments = "PolicyMultipleDocuments";

    // Hosts and publishing
    public const string InvalidSshOption = "InvalidSshOption";
    public const string HostCommandFailed = "HostCommandFailed";
    public const string HostCommandTimedOut = "HostCommandTimedOut";
    public const string InvalidArtifact = "InvalidArtifact";
    public const string PublishCheckFailed = "PublishCheckFailed";
    public const string PublishApplyFailed = "PublishApplyFailed";
    public const string PublishVerifyFailed = "PublishVerifyFailed";
    public const string PublishRollbackFailed = "PublishRollbackFailed";
    public const string PublishHostLocked = "PublishHostLocked";
    public const string PublishConfirmPending = "PublishConfirmPending";
    public const string PublishNotPending = "PublishNotPending";
    public const string PublishRevertedByTimer = "PublishRevertedByTimer";

    /// <summary>The confirm timer took the decision and had not finished restoring within <c>PublishOptions.RevertWait</c>.</summary>
    public const string PublishRevertUnfinished = "PublishRevertUnfinished";
    public const string ManagementPathCut = "ManagementPathCut";

    /// <summary>The host lacks a program or kernel feature the publish needs (Test-QaVirtHost says which and how to fix it).</summary>
    public const string VirtHostPrerequisiteMissing = "VirtHostPrerequisiteMissing";

    // Access groups and grants
    public const string DuplicateGroup = "DuplicateGroup";
    public const string InvalidUserName = "InvalidUserName";
    public const string DuplicateGrantId = "DuplicateGrantId";
    public const string InvalidAccessTarget = "InvalidAccessTarget";
    public const string AccessRightRequired = "AccessRightRequired";
    public const string NssGroupWithMembers = "NssGroupWithMembers";
    public const string NssLookupFailed = "NssLookupFailed";

    /// <summary>The directory (LDAP) server does not answer: no TCP connection to its address and port.</summary>
    public const string LdapServerUnreachable = "LdapServerUnreachable";

    /// <summary>The directory refused the bind: wrong bind DN or password.</summary>
    public const string LdapBindFailed = "LdapBindFailed";

    /// <summary>The group base DN (or base DN) does not exist in the directory.</summary>
    public const string LdapBaseNotFound = "LdapBaseNotFound";

    /// <summary>The TLS handshake failed: the server's certificate does not verify against the CA given, or the server speaks no TLS.</summary>
    public const string LdapTlsFailed = "LdapTlsFailed";

    /// <summary>Any other failure of an LDAP operation (the directory's result code is in the message).</summary>
    public const string LdapQueryFailed = "LdapQueryFailed";

    /// <summary>A directory setting that is not one: a URI other than ldap:// or ldaps://, a DN that is not one, a CA file that is missing.</summary>
    public const string InvalidDirectory = "InvalidDirectory";
    public const string InvalidTransport = "InvalidTransport";

    // Uplinks (networks spanning virthosts)
    public const string InvalidUplink = "InvalidUplink";
    public const string UplinkUnderlayMismatch = "UplinkUnderlayMismatch";
    public const string DuplicateUnderlayAddress = "DuplicateUnderlayAddress";
    public const string InvalidVni = "InvalidVni";
    public const string InvalidUplinkPort = "InvalidUplinkPort";
    public const string DuplicateVni = "DuplicateVni";
    public const string InvalidUplinkInterface = "InvalidUplinkInterface";
    public const string UplinkNicInUse = "UplinkNicInUse";
    public const string UnknownUplinkGateway = "UnknownUplinkGateway";

    // Publishing to many hosts
    public const string PublishNotAttempted = "PublishNotAttempted";

    /// <summary>Two hosts of one call would be reached on the same target (no transports: both are this machine).</summary>
    public const string SharedHostTarget = "SharedHostTarget";
    public const string PublishStopped = "PublishStopped";

    // Existing libvirt domains on a virthost (Get-QaVirtHostDomain, Connect-QaClient)
    public const string DomainNotFound = "DomainNotFound";

    /// <summary>No interface of the domain (or of any domain of the virthost) has the client's MAC.</summary>
    public const string DomainMacNotFound = "DomainMacNotFound";

    /// <summary>Several domains of the virthost have an interface with the client's MAC; -Domain picks one.</summary>
    public const string DomainMacAmbiguous = "DomainMacAmbiguous";

    // Reaching hosts
    /// <summary>ssh itself failed (exit 255): the host did not answer, refused, or rejected the key.</summary>
    public const string HostUnreachable = "HostUnreachable";

    // The lab (QaLabErrorIds)
    public const string LabAlreadyRunning = "LabAlreadyRunning";
    public const string LabNotFound = "LabNotFound";
    public const string LabStartFailed = "LabStartFailed";

    /// <summary>Stop could not remove every namespace of the lab; its state is kept so a second Stop-QaLab retries.</summary>
    public const string LabStopFailed = "LabStopFailed";
    public const string LabPublishFailed = "LabPublishFailed";
    public const string LabUnknownHost = "LabUnknownHost";

    /// <summary>A lab virthost profile whose software this machine cannot provide (no mmdebstrap, not bookworm, no backports).</summary>
    public const string LabProfileUnavailable = "LabProfileUnavailable";

    /// <summary>A traced flow that no nft table decides (Bridged networks, client to client): ebtables rules carry no rule ids.</summary>
    public const string TraceUnsupported = "TraceUnsupported";

    /// <summary>The trace table could not be added or <c>nft monitor trace</c> did not run.</summary>
    public const string TraceFailed = "TraceFailed";

    // Raised by the cmdlets themselves (CommandErrorIds)
    public const string NoCurrentPolicy = "NoCurrentPolicy";
    public const string PolicyMismatch = "PolicyMismatch";
    public const string InvalidNetworkArgument = "InvalidNetworkArgument";
    public const string NotFileSystemPath = "NotFileSystemPath";
    public const string PolicyFileExists = "PolicyFileExists";
    public const string PolicyReadFailed = "PolicyReadFailed";
    public const string PolicyWriteFailed = "PolicyWriteFailed";
    public const string InvalidPolicyArgument = "InvalidPolicyArgument";
    public const string ReportFileExists = "ReportFileExists";
    public const string ReportWriteFailed = "ReportWriteFailed";
    public const string InvalidReportInput = "InvalidReportInput";
    public const string TopologyRenderFailed = "TopologyRenderFailed";

    /// <summary>An Export- cmdlet's -Path is in a folder that does not exist.</summary>
    public const string OutputFolderNotFound = "OutputFolderNotFound";

    /// <summary>Add-QaClient got a piped network (or client) but no -Name, or a piped record without a Name.</summary>
    public const string ClientNameRequired = "ClientNameRequired";

    /// <summary>What kind of failure an id is: the same id has the same kind wherever it is raised.</summary>
    public static QaErrorKind KindOf(string id) => id switch
    {
        NotFound or UnknownReference or UnknownVirtHost or DomainNotFound or DomainMacNotFound or PolicyFileNotFound or OutputFolderNotFound or PublishNotPending or LabNotFound or LabUnknownHost
            => QaErrorKind.NotFound,
        NameConflict or SubnetOverlap or DhcpRangeCollision or LabAlreadyRunning or PolicyFileExists or ReportFileExists
            => QaErrorKind.AlreadyExists,
        _ when id.StartsWith("Duplicate", StringComparison.Ordinal) => QaErrorKind.AlreadyExists,
        InUse or PublishHostLocked or PublishConfirmPending => QaErrorKind.Busy,
        AddressPoolExhausted or PolicyTooLarge or PolicyTooDeep => QaErrorKind.LimitExceeded,
        ManagementPathCut => QaErrorKind.PermissionDenied,
        HostCommandTimedOut => QaErrorKind.Timeout,
        PublishNotAttempted or PublishStopped => QaErrorKind.Stopped,
        HostUnreachable or LdapServerUnreachable => QaErrorKind.Unreachable,
        LdapBindFailed => QaErrorKind.PermissionDenied,
        LdapBaseNotFound => QaErrorKind.NotFound,
        PolicyReadFailed => QaErrorKind.ReadFailed,
        PolicyWriteFailed or ReportWriteFailed => QaErrorKind.WriteFailed,
        InvalidReportInput => QaErrorKind.WrongType,
        PublishCheckFailed or PublishVerifyFailed or InvalidArtifact => QaErrorKind.InvalidData,
        NoCurrentPolicy or HostCommandFailed or VirtHostPrerequisiteMissing or NssLookupFailed or LdapTlsFailed or LdapQueryFailed
            or PublishApplyFailed or PublishRollbackFailed or PublishRevertedByTimer or PublishRevertUnfinished
            or LabStartFailed or LabStopFailed or LabPublishFailed or LabProfileUnavailable or TopologyRenderFailed or TraceFailed
            => QaErrorKind.OperationFailed,
        PolicyMismatch => QaErrorKind.InvalidArgument,
        // The policy file's own problems (syntax, keys, types, version).
        _ when id.StartsWith("Policy", StringComparison.Ordinal) => QaErrorKind.InvalidData,
        _ => QaErrorKind.InvalidArgument,
    };
}

/// <summary>What kind of failure an error id stands for (<see cref="QaErrorIds.KindOf"/>).</summary>
public enum QaErrorKind
{
    /// <summary>A value given is not valid (a name, an address, a port, an option).</summary>
    InvalidArgument,

    /// <summary>A file's or a host's content is not what it must be.</summary>
    InvalidData,
    NotFound,
    AlreadyExists,
    Busy,
    LimitExceeded,
    PermissionDenied,
    Timeout,
    Stopped,
    Unreachable,
    ReadFailed,
    WriteFailed,
    WrongType,

    /// <summary>A step on a host, in the lab or in the session could not be carried out.</summary>
    OperationFailed,
}
