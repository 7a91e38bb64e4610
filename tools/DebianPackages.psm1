#requires -Version 7.4
# Which Debian packages of a list are not installed: shared by build.ps1 (what to apt-get install)
# and tests/pester/Install.Tests.ps1. One dpkg-query for the whole list; a package dpkg has never
# heard of (the usual case on a fresh machine) prints nothing on stdout and counts as missing.

Set-StrictMode -Version 3.0

function Read-DebianPackageList {
    # tools/lab-packages.txt: one package per line, '#' starts a comment.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Path)
    Get-Content -LiteralPath $Path | ForEach-Object { ($_ -replace '#.*$', '').Trim() } | Where-Object { $_ }
}

function Get-MissingDebianPackage {
    # The names of -Name whose dpkg status is not "install ok installed", in the order given.
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Name)
    if ($Name.Count -eq 0) { return }
    foreach ($n in $Name) {
        if ($n -notmatch '^[a-z0-9][a-z0-9+.-]+\z') { throw "Not a Debian package name: '$n' (lowercase letters, digits, '+', '-', '.')." }
    }
    # Unknown packages make dpkg-query exit 1 and complain on stderr; the others are listed.
    $installed = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::Ordinal)
    foreach ($line in @(& dpkg-query -W -f '${Package}\t${Status}\n' -- @Name 2>$null)) {
        $fields = "$line".Split("`t")
        if ($fields.Count -eq 2 -and $fields[1] -eq 'install ok installed') { [void]$installed.Add($fields[0]) }
    }
    $Name | Where-Object { -not $installed.Contains($_) }
}

Export-ModuleMember -Function Read-DebianPackageList, Get-MissingDebianPackage
