#requires -Version 7.4
<#
.SYNOPSIS
    QaNet's main job on the example policy: replay the Fedora QA layout on real kernels in a
    lab of network namespaces, publish the policy into it, probe every cell of the live
    conformance matrix and stop the lab. Run it as root with ./build.sh demo (which builds
    the module and installs the lab's packages first).
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/QaNet/QaNet.psd1'),
    [string] $PolicyPath = (Join-Path $PSScriptRoot 'policies/fedora-qa.yaml'),
    [string] $ReportPath = (Join-Path $PSScriptRoot '../out/live-conformance.html'),
    [string] $Prefix = 'qn-demo-',
    # Ssh: the virthosts run sshd and QaNet reaches them over real OpenSSH from an operator
    # namespace, as it reaches real virthosts (a few seconds more than Namespace; docs/lab.md).
    [ValidateSet('Namespace', 'Ssh')]
    [string] $HostAccess = 'Ssh'
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

$policy = Import-QaPolicy -Path $PolicyPath
"Policy $($policy.Name): $(@($policy.Networks).Count) network(s), $(@($policy.Clients).Count) clients, $($policy.Endpoints.Count) endpoints, $($policy.Rules.Count) rules"
if (Get-QaLab -Prefix $Prefix -ErrorAction Ignore) { Stop-QaLab -Prefix $Prefix -Confirm:$false }
$watch = [Diagnostics.Stopwatch]::StartNew()
try {
    # Start-QaLab publishes the policy into the lab's virthosts through QaNet's publisher.
    $lab = Start-QaLab -Prefix $Prefix -HostAccess $HostAccess -Confirm:$false
    "Lab $Prefix up in $([int]$watch.Elapsed.TotalSeconds) s (hosts reached through $HostAccess):"
    $lab.Hosts | Format-Table Name, Kind, Namespace, @{ n = 'Addresses'; e = { $_.Addresses -join ', ' } }, AddressSource -AutoSize | Out-String -Width 160
    foreach ($w in $lab.State.Warnings) { Write-Warning $w }

    # The publish cmdlets reach the lab this session started through its transports.
    $drift = @(Test-QaNetwork -Policy $policy)
    "Test-QaNetwork (hosts reached through $HostAccess): $($drift.Count) drift item(s)"

    $engine = [QaNet.Core.Engine.QaReachability]::Create($policy, [DateTimeOffset]::UtcNow)
    $flows = [QaNet.Core.Probes.QaLiveMatrix]::Flows($lab.State, $policy, $null)
    "Probing $($flows.Count) cells (TCP connect, UDP echo) ..."
    $results = [QaNet.Core.Probes.QaLiveMatrix]::RunAsync($engine, $flows, $null, $null, $null, [Threading.CancellationToken]::None).GetAwaiter().GetResult()

    # One line per source: what it reached; everything not listed was filtered, as the engine says.
    'Live conformance matrix (open ports per destination; ! = the kernel disagrees with the engine)'
    foreach ($row in $results | Group-Object From) {
        $open = foreach ($to in $row.Group | Group-Object To) {
            $ports = @($to.Group | Where-Object { $_.Observed -or -not $_.Conforms } | ForEach-Object { ($(if ($_.Conforms) { '' } else { '!' })) + $_.PortText } | Select-Object -Unique)
            if ($ports.Count) { "$($to.Name) $($ports -join ',')" }
        }
        $closed = @($row.Group | Where-Object { -not $_.Observed }).Count
        '  {0,-20} -> {1}   ({2} closed)' -f $row.Name, ($(if ($open) { $open -join ' | ' } else { 'nothing' })), $closed
    }

    $bad = @($results | Where-Object { -not $_.Conforms })
    $filtered = @($results | Where-Object { -not $_.Observed -and $_.ObservedDetail -in 'timed out', 'no echo' }).Count
    ''
    "$($results.Count) cells: $(@($results | Where-Object Allowed).Count) allowed, $filtered filtered; $($results.Count - $bad.Count) conform, $($bad.Count) do not."
    $bad | Format-Table -AutoSize | Out-String -Width 200

    New-Item -ItemType Directory -Force (Split-Path $ReportPath) | Out-Null
    $results | Export-QaReachabilityReport -Path $ReportPath -Title "Live conformance of $($policy.Name) (lab $Prefix)"
    "HTML report: $ReportPath"
}
finally {
    Stop-QaLab -Prefix $Prefix -Confirm:$false
    "Lab stopped; demo took $([int]$watch.Elapsed.TotalSeconds) s."
}
if ($bad.Count) { exit 1 }
