@{
    RootModule           = 'QaNet.Commands.dll'
    # Registers Should -BeReachable / -BeBlocked when Pester is loaded; no Pester dependency.
    NestedModules        = @('QaNet.Assertions.psm1')
    # Filled in at build time from Directory.Build.props (the one place the version lives).
    ModuleVersion        = '0.0.0'
    GUID                 = 'e150f1f9-9798-44f5-b0d4-ae7933148d36'
    Author               = 'QaNet contributors'
    CompanyName          = 'QaNet'
    Copyright            = '(c) QaNet contributors'
    Description          = 'Isolates QA test client VMs (Taskotron, Beaker) on Linux virthosts and proves the isolation holds.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('QaNet.Format.ps1xml')
    # Loaded before the type data, which names their types (QaNet.Types.ps1xml: an adapter in
    # QaNet.Commands for types of QaNet.Core); the private QaNet.Policy and YamlDotNet stay out.
    RequiredAssemblies   = @('QaNet.Core.dll', 'QaNet.Commands.dll')
    TypesToProcess       = @('QaNet.Types.ps1xml')
    # Explicit lists: the module exports exactly these and nothing else.
    CmdletsToExport      = @(
        'New-QaPolicy'
        'Get-QaPolicy'
        'Import-QaPolicy'
        'Export-QaPolicy'
        'New-QaIsolatedNetwork'
        'Get-QaNetwork'
        'Remove-QaNetwork'
        'Set-QaNetwork'
        'Rename-QaNetwork'
        'Add-QaClient'
        'Get-QaClient'
        'Remove-QaClient'
        'Set-QaClient'
        'Rename-QaClient'
        'Add-QaEndpoint'
        'Get-QaEndpoint'
        'Set-QaEndpoint'
        'Remove-QaEndpoint'
        'Rename-QaEndpoint'
        'Get-QaHostName'
        'Add-QaHostName'
        'Remove-QaHostName'
        'Grant-QaEgress'
        'Grant-QaIngress'
        'Block-QaEgress'
        'Get-QaRule'
        'Revoke-QaRule'
        'Set-QaRule'
        'Enable-QaRule'
        'Disable-QaRule'
        'Start-QaLab'
        'Get-QaLab'
        'Stop-QaLab'
        # Reachability and analysis
        'Test-QaReachability'
        'Export-QaReachabilityReport'
        'Export-QaTopology'
        'Test-QaPolicy'
        'Compare-QaPolicy'
        'Add-QaAssertion'
        'Get-QaAssertion'
        'Remove-QaAssertion'
        # Access groups
        'Add-QaGroup', 'Get-QaGroup', 'Compare-QaGroup', 'Remove-QaGroup', 'Rename-QaGroup', 'Grant-QaAccess', 'Revoke-QaAccess', 'Get-QaAccess', 'Test-QaAccess'
        # Rendering
        'Get-QaRuleset'
        # Publishing
        'Publish-QaNetwork'
        'Confirm-QaPublish'
        'Undo-QaPublish'
        'Test-QaNetwork'
        'Test-QaVirtHost'
        # Existing VMs
        'Get-QaVirtHostDomain'
        'Connect-QaClient'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        # The package's metadata (./build.sh pack, Compress-PSResource writes it into the nuspec).
        PSData = @{
            Tags         = @('network', 'isolation', 'nftables', 'ebtables', 'libvirt', 'qa', 'Linux')
            # QaNet has no public home yet: .invalid (RFC 2606) never resolves, so nothing points
            # at someone else's site. Replace both when the repository is published.
            ProjectUri   = 'https://qanet.invalid/'
            # No license has been chosen; the package ships LICENSE saying so (see that file).
            LicenseUri   = 'https://qanet.invalid/LICENSE'
            ReleaseNotes = 'First package. Policies as cmdlets or YAML (networks, clients, endpoints, egress/ingress/block rules, access groups); one rule-matching engine for reachability, matrices, findings and diffs; renderers for libvirt, nftables, ebtables and access files; atomic publish with rollback and confirm-or-revert to local, namespace or SSH targets; a network-namespace lab that proves the rules on real kernels.'
        }
    }
}
