#requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and demonstrates QaNet. Run through ./build.sh on a fresh machine.
.DESCRIPTION
    build  compiles the solution and assembles the module folder out/QaNet.
    test   build + installs test prerequisites + xunit + Pester; ends with 'N passed, N failed'.
           Tests marked [Trait("Runs", "OnDemand")] (too slow for CI) run only when -XunitFilter selects them.
           test -Pure: build + only the xunit tests that need no root, network namespaces,
           libvirtd or lab (--filter "Needs!=Root"); no installs, no Pester; same last line.
    demo   build + the main job on the example policy.
    bench  build + the benchmarks (see docs/performance.md).
    pack   build + out/QaNet.<version>.nupkg (tools/New-QaNetPackage.ps1, PSResourceGet's
           Compress-PSResource), installable with Install-PSResource from a local repository.
    fuzz   build + every SharpFuzz harness (fuzz/QaNet.Fuzz) under afl-fuzz for -Minutes each; prints
           executions, paths and coverage found and crashes; ends with 'N passed, N failed' (one per
           harness, passed = no crash and no hang). test runs them side by side, each for 60 s ($CiFuzzSeconds; docs/fuzzing.md).
    conformance  build + random policies against the kernel (tests/QaNet.Tests/Lab/RandomPolicyLabTests.cs):
           -Seeds N policies (seeds 1..N, from -FirstSeed) or one -Seed, each built as a lab in every
           mode (or -Mode Nat,Gateway,Bridged) and required to conform in every live cell; prints a
           line per seed and mode (cells, allowed, not conforming, seconds) and the failing seeds, each
           replayable with -Seed. Needs root (the lab). test runs the CI seeds (one per mode).
    docs   build + installs tools/docs-packages.txt (chromium, graphviz) + draws docs/images: the
           fedora-qa reachability report and topology, as headless Chromium screenshots 1,400 px
           wide (tools/New-QaNetDocsImages.ps1); fails on a screenshot that is blank or the wrong size.
    Every step that installs something checks first, so running it again is cheap.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'demo', 'bench', 'pack', 'fuzz', 'conformance', 'docs')]
    [string] $Task = 'build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Extra arguments for the test runners, e.g. a Pester tag or an xunit filter.
    [string] $XunitFilter,
    [string[]] $PesterPath,

    # test: only the xunit tests without [Trait("Needs", "Root")] (tests/QaNet.Tests/Support/NeedsRootTraitTests.cs
    # fails when a class that touches the machine lacks it).
    [switch] $Pure,

    # fuzz: how long each harness runs.
    [ValidateRange(0.1, 1440)]
    [double] $Minutes = 5,

    # conformance: how many random policies (seeds -FirstSeed .. -FirstSeed+N-1), or the one -Seed
    # to replay, and in which modes (default all three).
    [ValidateRange(1, 100000)]
    [int] $Seeds = 10,
    [ValidateRange(1, [int]::MaxValue)]
    [int] $FirstSeed = 1,
    [int] $Seed,
    [ValidateSet('Nat', 'Gateway', 'Bridged')]
    [string[]] $Mode
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
# Inside a function $PSBoundParameters is the function's own: whether -Seed was given is read here.
$SeedGiven = $PSBoundParameters.ContainsKey('Seed')
$PSStyle.OutputRendering = 'PlainText'
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'QaNet'
$ToolsDir = Join-Path $Root '.tools'

function Invoke-Native {
    # Runs a program with an argument vector and fails loudly on a non-zero exit.
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# pwsh runs as a dotnet tool, so the process is 'dotnet'; a child pwsh is dotnet + pwsh.dll.
$PwshDll = Join-Path $PSHOME 'pwsh.dll'
function Invoke-Pwsh {
    param([string[]] $Arguments)
    & dotnet $PwshDll -NoLogo -NoProfile -NonInteractive @Arguments
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))
    $v = $props.Project.PropertyGroup | ForEach-Object { $_.ModuleVersion } | Where-Object { $_ } | Select-Object -First 1
    if (-not $v) { throw 'ModuleVersion is missing from Directory.Build.props.' }
    $v
}

function Invoke-Build {
    Write-Host "==> dotnet build ($Configuration)"
    Invoke-Native dotnet @('build', (Join-Path $Root 'QaNet.sln'), '-c', $Configuration, '-nologo', '-v', 'quiet', '-clp:ErrorsOnly')

    Write-Host "==> assembling $ModuleOut"
    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $deps = Join-Path $ModuleOut 'dependencies'
    New-Item -ItemType Directory -Force $deps | Out-Null
    Copy-Item -Recurse -Path (Join-Path $Root 'module/QaNet/*') -Destination $ModuleOut
    Copy-Item (Join-Path $Root 'LICENSE') $ModuleOut   # ships in the package: LicenseUri's text

    $bin = Join-Path $Root "src/QaNet.Commands/bin/$Configuration/net8.0"
    foreach ($f in 'QaNet.Commands.dll', 'QaNet.Core.dll') { Copy-Item (Join-Path $bin $f) $ModuleOut }
    # QaNet.Policy and its YamlDotNet load into a private AssemblyLoadContext from here,
    # so another module's YamlDotNet in the same session cannot clash with ours.
    foreach ($f in 'QaNet.Policy.dll', 'YamlDotNet.dll') { Copy-Item (Join-Path $bin $f) $deps }

    $manifest = Join-Path $ModuleOut 'QaNet.psd1'
    if (Test-Path $manifest) {
        $text = (Get-Content -Raw $manifest) -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion = '$(Get-ModuleVersion)'"
        Set-Content -Path $manifest -Value $text -NoNewline
    }

    $helpTool = Join-Path $Root 'tools/New-QaNetHelp.ps1'
    if (Test-Path $helpTool) {
        Write-Host '==> generating MAML help'
        & $helpTool -ModulePath $ModuleOut -Source (Join-Path $Root 'docs/help')
    }
}

function Install-Pester {
    # Pester comes from NuGet (no PowerShell Gallery here): a PSResource repository on the
    # machine's NuGet source, then Save-PSResource; the module sits in the package's tools/.
    $psd1 = Join-Path $ToolsDir 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $psd1)) {
        $source = (dotnet nuget list source --format short 2>$null | Select-String -Pattern '^E\s+(\S+)' |
            ForEach-Object { $_.Matches[0].Groups[1].Value } | Select-Object -First 1)
        if (-not $source) { $source = 'https://api.nuget.org/v3/index.json' }
        if (-not (Get-PSResourceRepository -Name QaNetNuGet -ErrorAction SilentlyContinue)) {
            Register-PSResourceRepository -Name QaNetNuGet -Uri $source -Trusted
        }
        New-Item -ItemType Directory -Force $ToolsDir | Out-Null
        Write-Host "==> saving Pester 5.7.1 from $source"
        Save-PSResource -Name Pester -Version 5.7.1 -Repository QaNetNuGet -Path $ToolsDir -TrustRepository
    }
    $psd1
}

# One list, shared with the install-list test (tools/Test-InstallList.ps1): tools/lab-packages.txt.
Import-Module (Join-Path $Root 'tools/DebianPackages.psm1') -Force
$LabPackages = @(Read-DebianPackageList -Path (Join-Path $Root 'tools/lab-packages.txt'))

# Answers for the directory packages' questions (tools/lab-packages.txt), so that installing them
# changes neither /etc/nsswitch.conf nor the PAM stack (tests/pester/Install.Tests.ps1 checks).
$DebconfPreseed = @(
    'slapd slapd/no_configuration boolean true'
    'libnss-ldapd libnss-ldapd/nsswitch multiselect '
    'libnss-ldapd libnss-ldapd/clean_nsswitch boolean false'
    'nslcd nslcd/ldap-uris string ldapi:///'
    'nslcd nslcd/ldap-base string dc=invalid'
)

function Install-DebianPackages([string[]] $Name) {
    # apt-get only for what dpkg does not have: a second run installs nothing.
    $missing = @(Get-MissingDebianPackage -Name $Name)
    if ($missing.Count -gt 0) {
        Write-Host "==> apt-get install $($missing -join ' ')"
        $env:DEBIAN_FRONTEND = 'noninteractive'
        # The directory packages must leave the machine's own accounts alone: no slapd database
        # made, libnss-ldapd's postinst told to add nothing to /etc/nsswitch.conf, and no daemon
        # started in the root namespace (the lab starts its own slapd/nslcd in namespaces).
        $DebconfPreseed | & debconf-set-selections
        if ($LASTEXITCODE -ne 0) { throw 'debconf-set-selections failed' }
        $policyRc = '/usr/sbin/policy-rc.d'
        $ownPolicyRc = -not (Test-Path $policyRc)
        if ($ownPolicyRc) { Set-Content -LiteralPath $policyRc -Value "#!/bin/sh`n# QaNet's build.ps1: no service starts while it installs packages.`nexit 101"; & chmod 0755 $policyRc }
        try {
            Invoke-Native apt-get @('update', '-qq')
            Invoke-Native apt-get @(@('install', '-y', '-qq', '--no-install-recommends') + $missing)
        } finally {
            if ($ownPolicyRc) { Remove-Item -LiteralPath $policyRc -Force }
        }
        $still = @(Get-MissingDebianPackage -Name $missing)
        if ($still.Count -gt 0) { throw "apt-get install returned, but these packages are still not installed: $($still -join ' ')." }
    }
}

function Install-LabPrerequisites {
    # The real programs the renderer, publish and lab tests drive, inside network namespaces.
    if (-not $IsLinux) { throw 'The lab needs Linux.' }
    Install-DebianPackages $LabPackages
    # Debian's ebtables package selects ebtables-legacy, which kernels with only the nf_tables
    # bridge family cannot run; QaNet renders for ebtables-nft (from iptables). Select it.
    $current = (& update-alternatives --query ebtables 2>$null | Select-String -Pattern '^Value:\s*(\S+)' |
        ForEach-Object { $_.Matches[0].Groups[1].Value } | Select-Object -First 1)
    if ($current -ne '/usr/sbin/ebtables-nft') {
        Write-Host '==> update-alternatives --set ebtables /usr/sbin/ebtables-nft'
        Invoke-Native update-alternatives @('--quiet', '--set', 'ebtables', '/usr/sbin/ebtables-nft')
    }
    # libvirtd refuses to start without the accounts its QEMU driver expects.
    & getent group kvm *> $null
    if ($LASTEXITCODE -ne 0) { Invoke-Native groupadd @('--system', 'kvm') }
    & getent passwd libvirt-qemu *> $null
    if ($LASTEXITCODE -ne 0) {
        Invoke-Native useradd @('--system', '--no-create-home', '--home-dir', '/var/lib/libvirt', '--shell', '/usr/sbin/nologin', '--gid', 'kvm', 'libvirt-qemu')
    }
    & getent group libvirt-qemu *> $null
    if ($LASTEXITCODE -ne 0) { Invoke-Native groupadd @('--system', 'libvirt-qemu') }
}

function Read-TrxCounts([string] $Directory) {
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem -Path $Directory -Filter *.trx -Recurse -ErrorAction SilentlyContinue) {
        $c = ([xml](Get-Content -Raw $trx.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$c.passed
        $failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        $skipped += [int]$c.notExecuted
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

function New-TestResults {
    $results = Join-Path $Out 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    New-Item -ItemType Directory -Force $results | Out-Null
    $results
}

function Invoke-Xunit([string] $Results, [string] $Filter) {
    Write-Host "==> xunit$(if ($Filter) { " --filter $Filter" })"
    $xargs = @('test', (Join-Path $Root 'tests/QaNet.Tests'), '-c', $Configuration, '--no-build', '-nologo',
        '--logger', 'trx;LogFileName=xunit.trx', '--logger', 'console;verbosity=minimal', '--results-directory', $Results)
    if ($Filter) { $xargs += @('--filter', $Filter) }
    & dotnet @xargs | Out-Host   # shown, not returned: this function returns the counts
    $xunitExit = $LASTEXITCODE
    $x = Read-TrxCounts $Results
    if ($xunitExit -ne 0 -and $x.Failed -eq 0) { $x.Failed = 1 }   # the runner itself failed
    $x
}

function Write-TestSummary([int] $Passed, [int] $Failed, [int] $Skipped) {
    # The one line CI reads.
    if ($Skipped -gt 0) { "$Passed passed, $Failed failed, $Skipped skipped" } else { "$Passed passed, $Failed failed" }
    if ($Failed -gt 0) { exit 1 }
}

function Invoke-PureTests {
    # No root needed: nothing is installed, no namespace, libvirtd or lab is created, Pester
    # (whose lab suites need root) does not run.
    Invoke-Build
    $results = New-TestResults
    $filter = if ($XunitFilter) { "(Needs!=Root)&($XunitFilter)" } else { 'Needs!=Root' }
    $x = Invoke-Xunit $results $filter
    Write-Host "xunit: $($x.Passed) passed, $($x.Failed) failed, $($x.Skipped) skipped"
    Write-TestSummary $x.Passed $x.Failed $x.Skipped
}

function Invoke-Tests {
    Install-LabPrerequisites
    $pester = Install-Pester
    Invoke-Build

    $results = New-TestResults
    # Every program the tests make QaNet run is appended here; Test-InstallList.ps1 reads it.
    $env:QANET_COMMAND_LOG = Join-Path $results 'commands.log'
    # Tests marked [Trait("Runs", "OnDemand")] are too slow for CI; a run narrowed with -XunitFilter
    # that selects them runs them (docs/lab.md names each command).
    $x = Invoke-Xunit $results ($XunitFilter ? $XunitFilter : 'Runs!=OnDemand')

    Write-Host '==> Pester'
    $env:QANET_MODULE_PATH = Join-Path $ModuleOut 'QaNet.psd1'
    $env:QANET_PESTER_PATH = $pester
    $paths = if ($PesterPath) { $PesterPath } else { @((Join-Path $Root 'tests/pester'), (Join-Path $Root 'examples/acceptance')) }
    # Pester runs in its own process so the module under test never loads into this one.
    $script = @'
param($PesterModule, [string] $Paths, $ResultFile)
$PSStyle.OutputRendering = 'PlainText'
Import-Module $PesterModule -Force
$c = New-PesterConfiguration
$c.Run.Path = $Paths -split ','
$c.Run.PassThru = $true
$c.Output.Verbosity = 'Normal'
$c.TestResult.Enabled = $true
$c.TestResult.OutputPath = $ResultFile
$r = Invoke-Pester -Configuration $c
[pscustomobject]@{ Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount; Skipped = $r.SkippedCount + $r.NotRunCount } |
    ConvertTo-Json -Compress | Set-Content -Path ($ResultFile + '.json')
'@
    $scriptFile = Join-Path $results 'run-pester.ps1'
    New-Item -ItemType Directory -Force $results | Out-Null
    Set-Content -Path $scriptFile -Value $script
    $pesterResult = Join-Path $results 'pester.xml'
    Invoke-Pwsh @('-File', $scriptFile, '-PesterModule', $pester, '-Paths', ($paths -join ','), '-ResultFile', $pesterResult)
    $p = if (Test-Path "$pesterResult.json") { Get-Content -Raw "$pesterResult.json" | ConvertFrom-Json }
    else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }

    # A run narrowed with -XunitFilter or -PesterPath is a developer's targeted run: no fuzzers.
    $fuzz = @()
    if ($XunitFilter -or $PesterPath) { Write-Host '==> fuzz skipped (a filtered run)' }
    else {
        Write-Host "==> fuzz (each harness for $CiFuzzSeconds s; passed = no crash, no hang)"
        $fuzz = @(Invoke-Fuzzers $CiFuzzSeconds)
    }
    $f = [pscustomobject]@{ Passed = @($fuzz | Where-Object Passed).Count; Failed = @($fuzz | Where-Object { -not $_.Passed }).Count }
    foreach ($r in $fuzz | Where-Object { $_.Files }) {
        $keep = Join-Path $results "fuzz-$($r.Target)"
        New-Item -ItemType Directory -Force $keep | Out-Null
        Copy-Item -Path $r.Files -Destination $keep
    }

    Write-Host '==> install list (every program the tests ran comes from a listed or Essential package)'
    $env:QANET_COMMAND_LOG = $null
    $checks = @(& (Join-Path $Root 'tools/Test-InstallList.ps1') -CommandLog (Join-Path $results 'commands.log') -PackageList (Join-Path $Root 'tools/lab-packages.txt'))
    foreach ($c in $checks) { Write-Host ("  [{0}] {1}: {2}" -f ($c.Passed ? '+' : '-'), $c.Name, $c.Detail) }
    $i = [pscustomobject]@{ Passed = @($checks | Where-Object Passed).Count; Failed = @($checks | Where-Object { -not $_.Passed }).Count }

    $passed = $x.Passed + $p.Passed + $i.Passed + $f.Passed
    $failed = $x.Failed + $p.Failed + $i.Failed + $f.Failed
    $skipped = $x.Skipped + $p.Skipped
    Write-Host "xunit: $($x.Passed) passed, $($x.Failed) failed, $($x.Skipped) skipped"
    Write-Host "Pester: $($p.Passed) passed, $($p.Failed) failed, $($p.Skipped) skipped"
    Write-Host "fuzz: $($f.Passed) passed, $($f.Failed) failed"
    Write-Host "install list: $($i.Passed) passed, $($i.Failed) failed"
    Write-TestSummary $passed $failed $skipped
}

# The fuzz harnesses (fuzz/QaNet.Fuzz/FuzzTargets.cs) and how long test gives each: long enough
# for a few tens of thousands of inputs each, short enough to keep CI well inside its budget.
$FuzzTargets = @('yaml', 'nft', 'ebtables')
$CiFuzzSeconds = 60

function Install-Fuzzer {
    # afl-fuzz comes from Debian's afl++ (listed in tools/lab-packages.txt, so test installs it with
    # the rest); sharpfuzz is a local dotnet tool (.config/dotnet-tools.json), restored by build.sh.
    if (-not $IsLinux) { throw 'Fuzzing needs Linux (afl-fuzz).' }
    Install-DebianPackages @('afl++')
}

function Build-FuzzHarness {
    # A separate copy of the assemblies, instrumented in place: the module's own DLLs stay as built.
    $fuzzOut = Join-Path $Out 'fuzz'
    $bin = Join-Path $fuzzOut 'bin'
    if (Test-Path $bin) { Remove-Item -Recurse -Force $bin }
    Write-Host "==> dotnet publish fuzz/QaNet.Fuzz -> $bin"
    Invoke-Native dotnet @('publish', (Join-Path $Root 'fuzz/QaNet.Fuzz'), '-c', 'Release', '-o', $bin, '-nologo', '-v', 'quiet', '-clp:ErrorsOnly')
    foreach ($assembly in 'QaNet.Core.dll', 'QaNet.Policy.dll', 'YamlDotNet.dll') {
        Write-Host "==> sharpfuzz $assembly"
        Invoke-Native dotnet @('tool', 'run', 'sharpfuzz', (Join-Path $bin $assembly))
    }
    $seeds = Join-Path $fuzzOut 'seeds'
    if (Test-Path $seeds) { Remove-Item -Recurse -Force $seeds }
    New-Item -ItemType Directory -Force $seeds | Out-Null
    Copy-Item -Path (Join-Path $Root 'examples/policies/*.yaml') -Destination $seeds
    [pscustomobject]@{ Harness = Join-Path $bin 'QaNet.Fuzz.dll'; Seeds = $seeds; Directory = $fuzzOut }
}

function Start-Fuzzer([pscustomobject] $Build, [string] $Target, [int] $Seconds) {
    # One harness under afl-fuzz for $Seconds, from the seed corpus, in a fresh findings folder;
    # started, not waited for (Read-FuzzerResult waits), so the harnesses run side by side.
    $findings = Join-Path $Build.Directory $Target
    if (Test-Path $findings) { Remove-Item -Recurse -Force $findings }
    $log = Join-Path $Build.Directory "$Target.log"
    # dotnet is not an AFL-instrumented binary (the IL is); no UI, no core binding on a shared machine,
    # and this machine's core_pattern is not AFL's business.
    $env:AFL_SKIP_BIN_CHECK = '1'; $env:AFL_NO_UI = '1'; $env:AFL_SKIP_CPUFREQ = '1'
    $env:AFL_NO_AFFINITY = '1'; $env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'
    $argv = @('afl-fuzz', '-V', "$Seconds", '-i', $Build.Seeds, '-o', $findings, '-t', '5000', '-m', 'none',
        '--', 'dotnet', $Build.Harness, $Target)
    # Recorded like the programs QaNet runs, so tools/Test-InstallList.ps1 checks afl-fuzz's package too.
    if ($env:QANET_COMMAND_LOG) { Add-Content -Path $env:QANET_COMMAND_LOG -Value (ConvertTo-Json -Compress -InputObject $argv) }
    Write-Host "==> afl-fuzz $Target for $Seconds s (log: $log)"
    $p = Start-Process -FilePath $argv[0] -ArgumentList @($argv | Select-Object -Skip 1) -RedirectStandardOutput $log `
        -RedirectStandardError "$log.stderr" -NoNewWindow -PassThru
    $null = $p.Handle   # keeps the exit code readable after the process ends
    [pscustomobject]@{ Target = $Target; Seconds = $Seconds; Process = $p; Findings = $findings; Log = $log }
}

function Read-FuzzerResult([pscustomobject] $Run) {
    # Waits for one started harness (afl-fuzz -V ends it on time; the wait is bounded all the same).
    $Target = $Run.Target; $Seconds = $Run.Seconds; $findings = $Run.Findings; $log = $Run.Log
    if (-not $Run.Process.WaitForExit(($Seconds + 120) * 1000)) { $Run.Process.Kill($true); $Run.Process.WaitForExit() }
    $exit = $Run.Process.ExitCode
    $stats = @{}
    $statsFile = Join-Path $findings 'default/fuzzer_stats'
    if (Test-Path $statsFile) {
        foreach ($line in Get-Content $statsFile) {
            if ($line -match '^(\w+)\s*:\s*(.*)$') { $stats[$Matches[1]] = $Matches[2].Trim() }
        }
    }
    function Stat([string[]] $Names) { foreach ($n in $Names) { if ($stats.ContainsKey($n)) { return $stats[$n] } }; '0' }
    $crashFiles = @(Get-ChildItem -Path (Join-Path $findings 'default/crashes'), (Join-Path $findings 'default/hangs') -File -ErrorAction SilentlyContinue |
        Where-Object Name -ne 'README.txt' | ForEach-Object FullName)
    $r = [pscustomobject]@{
        Target     = $Target
        Seconds    = $Seconds
        Executions = [long](Stat 'execs_done')
        PerSecond  = [double](Stat 'execs_per_sec')
        Paths      = [long](Stat 'corpus_count', 'paths_total')
        Edges      = [long](Stat 'edges_found')
        Coverage   = Stat 'bitmap_cvg'
        Crashes    = [long](Stat 'saved_crashes', 'unique_crashes')
        Hangs      = [long](Stat 'saved_hangs', 'unique_hangs')
        Files      = $crashFiles
        Detail     = $null
    }
    $r.Detail = if ($exit -ne 0) { "afl-fuzz exited with $exit; see $log" }
    elseif ($r.Executions -eq 0) { "afl-fuzz ran no input; see $log" }
    $r | Add-Member -NotePropertyName Passed -NotePropertyValue ($exit -eq 0 -and $r.Executions -gt 0 -and $r.Crashes -eq 0 -and $r.Hangs -eq 0 -and $crashFiles.Count -eq 0)
    $r
}

function Invoke-Fuzzers([int] $Seconds) {
    # Every harness at once, each for $Seconds (so the wall time is $Seconds, not three times it);
    # one line each, then the inputs to replay for any that failed.
    $build = Build-FuzzHarness
    $runs = @(foreach ($t in $FuzzTargets) { Start-Fuzzer $build $t $Seconds })
    $results = @(foreach ($r in $runs) { Read-FuzzerResult $r })
    foreach ($r in $results) {
        Write-Host ("  [{0}] fuzz {1}: {2:N0} executions in {3} s ({4:N0}/s), {5} paths, {6} edges, map coverage {7}, {8} crashes, {9} hangs{10}" -f
            ($r.Passed ? '+' : '-'), $r.Target, $r.Executions, $r.Seconds, $r.PerSecond, $r.Paths, $r.Edges, $r.Coverage, $r.Crashes, $r.Hangs,
            ($r.Detail ? "; $($r.Detail)" : ''))
        foreach ($f in $r.Files) {
            Write-Host "      replay: dotnet fuzz/QaNet.Fuzz/bin/$Configuration/net10.0/QaNet.Fuzz.dll $($r.Target) '$f'"
        }
    }
    $results
}

function Invoke-Fuzz {
    Install-Fuzzer
    Invoke-Build
    $results = @(Invoke-Fuzzers ([int][math]::Ceiling($Minutes * 60)))
    $passed = @($results | Where-Object Passed).Count
    Write-TestSummary $passed ($results.Count - $passed) 0
}

function Invoke-Conformance {
    Install-LabPrerequisites
    Invoke-Build
    $results = New-TestResults
    $report = Join-Path $results 'conformance.tsv'
    if ($SeedGiven) { $env:QANET_CONFORMANCE_SEED = "$Seed" }
    else { $env:QANET_CONFORMANCE_SEEDS = "$Seeds"; $env:QANET_CONFORMANCE_FIRST = "$FirstSeed" }
    if ($Mode) { $env:QANET_CONFORMANCE_MODE = $Mode -join ',' }
    $env:QANET_CONFORMANCE_REPORT = $report
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $x = Invoke-Xunit $results 'FullyQualifiedName~QaNet.Tests.Lab.RandomPolicyLabTests'
    $rows = @(if (Test-Path $report) {
        Import-Csv -Path $report -Delimiter "`t" -Header Seed, Mode, Cells, Allowed, NotConforming, StartSeconds, MatrixSeconds })
    foreach ($r in $rows) {
        Write-Host ("  seed {0,6} {1,-8} {2,5} cells, {3,5} allowed, {4} not conforming, start {5} s, matrix {6} s" -f
            $r.Seed, $r.Mode, $r.Cells, $r.Allowed, $r.NotConforming, $r.StartSeconds, $r.MatrixSeconds)
    }
    $cells = ($rows | Measure-Object -Property Cells -Sum).Sum
    $allowed = ($rows | Measure-Object -Property Allowed -Sum).Sum
    $share = if ($cells) { $allowed / $cells } else { 0 }
    Write-Host ("conformance: {0} labs, {1:N0} cells, {2:P1} allowed, {3:N0} s" -f $rows.Count, $cells, $share, $clock.Elapsed.TotalSeconds)
    foreach ($r in $rows | Where-Object { [int]$_.NotConforming -gt 0 }) {
        Write-Host "  FAILED seed $($r.Seed) ($($r.Mode)): replay with ./build.sh conformance -Seed $($r.Seed) -Mode $($r.Mode)"
    }
    Write-TestSummary $x.Passed $x.Failed $x.Skipped
}

function Invoke-Demo {
    Install-LabPrerequisites
    Invoke-Build
    $demo = Join-Path $Root 'examples/demo.ps1'
    Invoke-Pwsh @('-File', $demo, '-ModulePath', (Join-Path $ModuleOut 'QaNet.psd1'))
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-Bench {
    Invoke-Build
    $bench = Join-Path $Root 'bench/QaNet.Bench'
    if (-not (Test-Path $bench)) { throw 'No benchmark project yet.' }
    Invoke-Native dotnet @('run', '-c', 'Release', '--project', $bench, '--', 'all')
}

function Invoke-Pack {
    Invoke-Build
    $package = & (Join-Path $Root 'tools/New-QaNetPackage.ps1') -ModulePath $ModuleOut -DestinationPath $Out
    Write-Host "==> $($package.FullName)"
}

function Invoke-Docs {
    # The pictures in docs/images; chromium is in its own list so the tests (and CI) never pay for it.
    if (-not $IsLinux) { throw 'The docs pictures are drawn with Debian packages (chromium, graphviz).' }
    Install-DebianPackages @(Read-DebianPackageList -Path (Join-Path $Root 'tools/docs-packages.txt'))
    Invoke-Build
    # In a child pwsh, like the tests: the module under test never loads into this process.
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/New-QaNetDocsImages.ps1'), '-ModulePath', (Join-Path $ModuleOut 'QaNet.psd1'),
        '-ImageDirectory', (Join-Path $Root 'docs/images'), '-WorkDirectory', (Join-Path $Out 'docs'))
    if ($LASTEXITCODE -ne 0) { throw "tools/New-QaNetDocsImages.ps1 failed with exit code $LASTEXITCODE." }
}

switch ($Task) {
    'build' { Invoke-Build }
    'test' { if ($Pure) { Invoke-PureTests } else { Invoke-Tests } }
    'demo' { Invoke-Demo }
    'bench' { Invoke-Bench }
    'pack' { Invoke-Pack }
    'fuzz' { Invoke-Fuzz }
    'conformance' { Invoke-Conformance }
    'docs' { Invoke-Docs }
}
