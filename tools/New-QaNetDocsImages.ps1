#requires -Version 7.4
<#
.SYNOPSIS
    Draws the pictures in docs/images from the built module: the reachability report and the
    topology of examples/policies/fedora-qa.yaml, each as a headless Chromium screenshot 1,400
    px wide. ./build.sh docs runs it (after building and installing tools/docs-packages.txt).
.DESCRIPTION
    Writes docs/images/fedora-qa-topology.svg (Export-QaTopology), out/docs/fedora-qa-reachability.html
    (Export-QaReachabilityReport) and the screenshots docs/images/fedora-qa-reachability.png and
    docs/images/fedora-qa-topology.png, then refuses (throws) a screenshot that is not 1,400 px
    wide or has too few colours to be a rendered page (tools/PngImage.psm1).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ImageDirectory,
    [Parameter(Mandatory)] [string] $WorkDirectory,
    [string] $Policy = (Join-Path $PSScriptRoot '../examples/policies/fedora-qa.yaml'),
    [int] $Width = 1400,
    [int] $ReportHeight = 1000,
    # A rendered page has hundreds of colours (text is anti-aliased); a blank or failed one a handful.
    [int] $MinColours = 200,
    [int] $TimeoutSeconds = 120
)

$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Set-StrictMode -Version 3.0
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot 'PngImage.psm1') -Force

function Invoke-Screenshot {
    param([Parameter(Mandatory)] [string] $Url, [Parameter(Mandatory)] [string] $Png, [Parameter(Mandatory)] [int] $Height)
    # Debian bookworm's chromium (new headless mode): --screenshot writes the viewport, whose size
    # --window-size gives. A throwaway profile, no first-run, sync or background fetches (this
    # machine reaches no web), scale 1 so the PNG is exactly $Width px wide.
    $profileDir = Join-Path $WorkDirectory 'chromium-profile'
    if (Test-Path $profileDir) { Remove-Item -Recurse -Force $profileDir }
    $argv = @('--headless', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-extensions',
        "--user-data-dir=$profileDir", "--screenshot=$Png", "--window-size=$Width,$Height", $Url)
    # Chromium refuses to run as root with its sandbox on ("Running as root without --no-sandbox is
    # not supported"); the build runs as root and only opens our own local files, so drop it there.
    if ((& id -u) -eq '0') { $argv = @('--no-sandbox') + $argv }
    if (Test-Path $Png) { Remove-Item -Force $Png }
    Write-Verbose "chromium $($argv -join ' ')"
    $psi = [System.Diagnostics.ProcessStartInfo]::new('chromium')
    foreach ($a in $argv) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    $stderr = $p.StandardError.ReadToEndAsync()
    $null = $p.StandardOutput.ReadToEndAsync()
    if (-not $p.WaitForExit($TimeoutSeconds * 1000)) {
        $p.Kill($true)
        throw "chromium did not finish the screenshot of $Url within $TimeoutSeconds s."
    }
    $p.WaitForExit()
    if ($p.ExitCode -ne 0 -or -not (Test-Path $Png)) {
        throw "chromium exited with $($p.ExitCode) and wrote no $Png`: $($stderr.Result.Trim())"
    }
    $info = Assert-PngImage -Path $Png -Width $Width -MinColours $MinColours
    Write-Host ("==> {0}: {1} x {2} px, {3} colours" -f $Png, $info.Width, $info.Height, $info.Colours)
}

New-Item -ItemType Directory -Force $WorkDirectory, $ImageDirectory | Out-Null
$WorkDirectory = (Resolve-Path $WorkDirectory).ProviderPath
$ImageDirectory = (Resolve-Path $ImageDirectory).ProviderPath
$null = Import-QaPolicy -Path $Policy
$name = (Get-QaPolicy).Name

$report = Join-Path $WorkDirectory "$name-reachability.html"
Export-QaReachabilityReport -Path $report -Force
Invoke-Screenshot -Url ([uri]::new($report).AbsoluteUri) -Png (Join-Path $ImageDirectory "$name-reachability.png") -Height $ReportHeight

# The SVG shown at the page's width: a page holding it scaled to $Width, as tall as its aspect asks.
$svg = Join-Path $ImageDirectory "$name-topology.svg"
Export-QaTopology -Path $svg -Force
# dot writes a DOCTYPE, which .NET's XML reader refuses by default: read the one attribute.
$viewBox = [regex]::Match((Get-Content -Raw $svg), '<svg\b[^>]*\bviewBox="([^"]+)"')
$box = @(if ($viewBox.Success) { $viewBox.Groups[1].Value.Split(' ', [StringSplitOptions]::RemoveEmptyEntries) | ForEach-Object { [double]$_ } })
if ($box.Count -ne 4 -or $box[2] -le 0) { throw "$svg has no usable viewBox." }
$height = [int][math]::Ceiling($Width * $box[3] / $box[2])
$page = Join-Path $WorkDirectory "$name-topology.html"
Set-Content -Path $page -Value @"
<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>html, body { margin: 0; background: #fff; } img { display: block; width: ${Width}px; }</style></head>
<body><img src="$([uri]::new($svg).AbsoluteUri)" alt="topology"></body></html>
"@
Invoke-Screenshot -Url ([uri]::new($page).AbsoluteUri) -Png (Join-Path $ImageDirectory "$name-topology.png") -Height $height
