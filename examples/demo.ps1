#requires -Version 7.4
<#
.SYNOPSIS
    QaNet's main job on the example policy: load the Fedora QA layout and show what it says.
    Run it with ./build.sh demo (which builds the module first).
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/QaNet/QaNet.psd1'),
    [string] $PolicyPath = (Join-Path $PSScriptRoot 'policies/fedora-qa.yaml')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

$policy = Import-QaPolicy -Path $PolicyPath
"Policy $($policy.Name) from $PolicyPath"
''
'Networks'
Get-QaNetwork | Format-Table -AutoSize | Out-String -Width 160
'Clients'
Get-QaClient | Format-Table -AutoSize | Out-String -Width 160
'Endpoints'
Get-QaEndpoint | Format-Table -AutoSize | Out-String -Width 160
'Rules'
Get-QaRule | Format-Table -AutoSize | Out-String -Width 200
