#requires -Version 7.4
<#
.SYNOPSIS
Packs the built module folder into QaNet.<version>.nupkg with PowerShell's own PSResourceGet.

.DESCRIPTION
Compress-PSResource (Microsoft.PowerShell.PSResourceGet, shipped with PowerShell 7.4+)
validates the manifest and writes the nuspec from it: the version is the built manifest's
ModuleVersion (Directory.Build.props, filled in by the build), and ProjectUri, LicenseUri,
ReleaseNotes and Tags come from PrivateData.PSData. The package holds the module folder as
the build assembled it, so Install-PSResource puts exactly that folder on a machine.
Used by './build.sh pack' and by tests/pester/Package.Tests.ps1.

.EXAMPLE
./tools/New-QaNetPackage.ps1 -ModulePath out/QaNet -DestinationPath out
Writes out/QaNet.0.1.0.nupkg and returns it.
#>
[CmdletBinding()]
[OutputType([System.IO.FileInfo])]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DestinationPath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$manifestPath = Join-Path $ModulePath 'QaNet.psd1'
if (-not (Test-Path $manifestPath)) { throw "No built module at '$ModulePath' (QaNet.psd1 missing): run './build.sh build' first." }
$manifest = Import-PowerShellDataFile $manifestPath
$psData = $manifest.PrivateData.PSData
# Compress-PSResource silently leaves out what the manifest lacks; a package without them is not one to ship.
$missing = @('ProjectUri', 'LicenseUri', 'ReleaseNotes', 'Tags') | Where-Object { -not $psData[$_] }
if ($missing) { throw "$manifestPath lacks PrivateData.PSData.$($missing -join ', '): add it to module/QaNet/QaNet.psd1." }
if ($manifest.ModuleVersion -eq '0.0.0') { throw "$manifestPath still has the placeholder version 0.0.0: pack the module folder the build assembled (out/QaNet)." }

New-Item -ItemType Directory -Force $DestinationPath | Out-Null
$package = Join-Path $DestinationPath "QaNet.$($manifest.ModuleVersion).nupkg"
if (Test-Path $package) { Remove-Item -LiteralPath $package -Force }
Compress-PSResource -Path $ModulePath -DestinationPath $DestinationPath
if (-not (Test-Path $package)) { throw "Compress-PSResource returned without writing $package." }
Get-Item -LiteralPath $package
