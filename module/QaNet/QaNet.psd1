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
        'Add-QaClient'
        'Get-QaClient'
        'Remove-QaClient'
        'Set-QaClient'
        'Add-QaEndpoint'
        'Get-QaEndpoint'
        'Grant-QaEgress'
        'Grant-QaIngress'
        'Block-QaEgress'
        'Get-QaRule'
        'Revoke-QaRule'
        'Start-QaLab'
        'Get-QaLab'
        'Stop-QaLab'
        # Reachability and analysis
        'Test-QaReachability'
        'Export-QaReachabilityReport'
        'Test-QaPolicy'
        'Compare-QaPolicy'
        'Add-QaAssertion'
        'Get-QaAssertion'
        'Remove-QaAssertion'
        # Access groups
        'Add-QaGroup', 'Get-QaGroup', 'Grant-QaAccess', 'Revoke-QaAccess', 'Get-QaAccess', 'Test-QaAccess'
        # Rendering
        'Get-QaRuleset'
        # Publishing
        'Publish-QaNetwork'
        'Confirm-QaPublish'
        'Undo-QaPublish'
        'Test-QaNetwork'
        'Test-QaVirtHost'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('network', 'isolation', 'nftables', 'ebtables', 'libvirt', 'qa', 'Linux')
        }
    }
}
