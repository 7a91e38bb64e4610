#requires -Version 7.4
<#
.SYNOPSIS
    Proves the install list complete: every program QaNet or its lab ran during the tests comes
    from an Essential Debian package or from one named in tools/lab-packages.txt, and ebtables
    selects the nf_tables binary.
.DESCRIPTION
    The programs are not kept by hand: ProcessRunner appends every command it starts to the file
    named by QANET_COMMAND_LOG (one JSON array per line), and build.ps1 sets it for the test run.
    Wrappers are looked through (ip netns exec, ssh's remote words, setsid, unshare, nsenter, env, sudo,
    start-stop-daemon --exec, the program a constant 'sh -c' script execs), each program is
    found in PATH, its real file asked of dpkg -S, and the package must be Essential or listed.
    This fails on a developer's machine too: a program whose package was installed by hand is
    reported, whatever the machine has.
.OUTPUTS
    One object per check: Name, Passed, Detail. build.ps1 counts them in its final line.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $CommandLog,
    [Parameter(Mandatory)] [string] $PackageList
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

function ConvertFrom-ShellWord([string] $Word) {
    # The inverse of PosixShell.Quote: 'it'\''s' -> it's; an unquoted word stays as it is.
    if ($Word.StartsWith("'") -and $Word.EndsWith("'") -and $Word.Length -ge 2) {
        return $Word.Substring(1, $Word.Length - 2).Replace("'\''", "'")
    }
    $Word
}

function Get-RunProgram([string[]] $Argv) {
    # The programs one command line starts, wrappers looked through.
    if ($Argv.Count -eq 0) { return }
    $program = $Argv[0]
    $rest = @($Argv | Select-Object -Skip 1)
    $program
    $name = Split-Path -Leaf $program
    switch ($name) {
        'ip' {
            if ($rest.Count -ge 3 -and $rest[0] -eq 'netns' -and $rest[1] -eq 'exec') { Get-RunProgram @($rest | Select-Object -Skip 3) }
        }
        'ssh' {
            $i = [array]::IndexOf($rest, '--')
            if ($i -ge 0 -and $rest.Count -gt $i + 2) { Get-RunProgram @($rest | Select-Object -Skip ($i + 2) | ForEach-Object { ConvertFrom-ShellWord $_ }) }
        }
        { $_ -in 'setsid', 'sudo', 'env' } {
            $words = @($rest | Where-Object { $_ -notmatch '^-' -and $_ -notmatch '^[A-Za-z_][A-Za-z0-9_]*=' })
            # sudo -u <user>: the user is not a program.
            if ($name -eq 'sudo') {
                $j = [array]::IndexOf($rest, '-u')
                if ($j -ge 0 -and $rest.Count -gt $j + 1) { $words = @($rest | Select-Object -Skip ($j + 2) | Where-Object { $_ -notmatch '^-' }) }
            }
            if ($words.Count -gt 0) { Get-RunProgram @($rest | Select-Object -Skip ([array]::IndexOf($rest, $words[0]))) }
        }
        # chroot is not looked through: the program it starts comes from a virthost profile's own tree.
        { $_ -in 'unshare', 'nsenter' } {
            $i = [array]::IndexOf($rest, '--')
            if ($i -ge 0) { Get-RunProgram @($rest | Select-Object -Skip ($i + 1)) }
        }
        'start-stop-daemon' {
            $i = [array]::IndexOf($rest, '--exec')
            if ($i -ge 0 -and $rest.Count -gt $i + 1) { $rest[$i + 1] }
        }
        { $_ -in 'sh', 'bash' } {
            $i = [array]::IndexOf($rest, '-c')
            if ($i -ge 0 -and $rest.Count -gt $i + 1) {
                $script = $rest[$i + 1]
                foreach ($m in [regex]::Matches($script, '(?<![A-Za-z0-9_./$-])(?<=(?:^|[;&|(]|\bexec\s|\bthen\s|\bdo\s)\s*)([a-z][a-z0-9_.-]*)(?=\s|;|$)')) {
                    $w = $m.Groups[1].Value
                    if ($w -notin 'if', 'then', 'else', 'fi', 'for', 'do', 'done', 'while', 'exec', 'set', 'cd', 'echo', 'printf', 'read', 'test', 'true', 'false', 'export', 'trap', 'wait', 'exit', 'shift', 'case', 'esac', 'in', 'kill') { $w }
                }
                # Programs handed to the constant script as positional parameters.
                $rest | Select-Object -Skip ($i + 2) | Where-Object { $_ -match '^/(usr/)?s?bin/[^/]+$' }
            }
        }
    }
}

function Find-Program([string] $Program) {
    if ($Program.Contains('/')) { return (Test-Path -PathType Leaf $Program) ? $Program : $null }
    foreach ($dir in ($env:PATH -split ':') + @('/usr/sbin', '/sbin')) {
        if (-not $dir) { continue }
        $p = Join-Path $dir $Program
        if (Test-Path -PathType Leaf $p) { return $p }
    }
    $null
}

function Get-Package([string] $Path) {
    # The package owning a file; merged /usr means dpkg may know it as /bin/x or /usr/bin/x.
    $real = (& realpath -- $Path).Trim()
    $candidates = @($real, $Path)
    foreach ($c in @($candidates)) {
        if ($c -match '^/usr(/.*)$') { $candidates += $Matches[1] } else { $candidates += '/usr' + $c }
    }
    foreach ($c in $candidates | Select-Object -Unique) {
        $out = & dpkg-query -S -- $c 2>$null
        if ($LASTEXITCODE -eq 0) {
            foreach ($line in $out) {
                if ($line -match '^(?!diversion)([^:, ]+)(?::[a-z0-9]+)?(?:, [^:]+)*: ') { return $Matches[1] }
            }
        }
    }
    $null
}

Import-Module (Join-Path $PSScriptRoot 'DebianPackages.psm1') -Force
$listed = @(Read-DebianPackageList -Path $PackageList)
$results = [System.Collections.Generic.List[object]]::new()
function Add-Result([string] $Name, [bool] $Passed, [string] $Detail) {
    $results.Add([pscustomobject]@{ Name = $Name; Passed = $Passed; Detail = $Detail })
}

$programs = [System.Collections.Generic.SortedSet[string]]::new([StringComparer]::Ordinal)
if (Test-Path $CommandLog) {
    foreach ($line in [IO.File]::ReadLines($CommandLog)) {
        if (-not $line) { continue }
        $argv = [string[]]($line | ConvertFrom-Json)
        foreach ($p in Get-RunProgram $argv) { [void]$programs.Add($p) }
    }
}
if ($programs.Count -eq 0) {
    Add-Result 'commands recorded' $false "No command was recorded in $CommandLog; was $('QANET_COMMAND_LOG') set for the tests?"
}

$essential = @{}
foreach ($program in $programs) {
    $path = Find-Program $program
    if (-not $path) {
        Add-Result $program $false "'$program' is run by QaNet but is not installed (not in PATH); add the package that provides it to tools/lab-packages.txt."
        continue
    }
    $package = Get-Package $path
    if (-not $package) {
        Add-Result $program $false "$path belongs to no Debian package (installed by hand?); QaNet must get it from a package in tools/lab-packages.txt."
        continue
    }
    if (-not $essential.ContainsKey($package)) { $essential[$package] = (& dpkg-query -W -f '${Essential}' $package 2>$null) -eq 'yes' }
    if ($essential[$package] -or $listed -contains $package) {
        Add-Result $program $true "$path from $package$($essential[$package] ? ' (Essential)' : '')"
    }
    else {
        Add-Result $program $false "$path comes from '$package', which tools/lab-packages.txt does not list and which is not Essential: a fresh machine lacks it. Add '$package' to the list."
    }
}

# Every listed package is installed: build.ps1 installed what it found missing (a package dpkg
# has never heard of must count as missing, not be skipped).
$notInstalled = @(Get-MissingDebianPackage -Name $listed)
foreach ($package in $listed) {
    $ok = $package -notin $notInstalled
    Add-Result "package $package" $ok ($ok ? 'installed' : "$package is listed in $PackageList but not installed; build.ps1's Install-LabPrerequisites should have installed it.")
}

$selected = (& update-alternatives --query ebtables 2>$null | Select-String -Pattern '^Value:\s*(\S+)' |
    ForEach-Object { $_.Matches[0].Groups[1].Value } | Select-Object -First 1)
Add-Result 'ebtables alternative' ($selected -eq '/usr/sbin/ebtables-nft') `
    "ebtables points to '$selected'; QaNet needs /usr/sbin/ebtables-nft (update-alternatives --set ebtables /usr/sbin/ebtables-nft)."

$results
