# The install step's package detection (tools/DebianPackages.psm1), against the machine's real dpkg.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../tools/DebianPackages.psm1') -Force
}

Describe 'Get-MissingDebianPackage' {
    It 'counts a package dpkg has never heard of as missing (a fresh machine)' {
        # dpkg-query prints nothing on stdout for it; an earlier check read that as installed.
        Get-MissingDebianPackage -Name 'qanet-no-such-package' | Should -Be 'qanet-no-such-package'
    }

    It 'counts an installed package as present and keeps the order of the rest' {
        # dpkg itself is Essential: installed on every Debian machine.
        Get-MissingDebianPackage -Name 'qanet-missing-b', 'dpkg', 'qanet-missing-a' | Should -Be @('qanet-missing-b', 'qanet-missing-a')
    }

    It 'returns nothing when every package is installed' {
        Get-MissingDebianPackage -Name 'dpkg' | Should -BeNullOrEmpty
    }

    It 'refuses a word that is not a package name before it reaches dpkg-query' {
        { Get-MissingDebianPackage -Name '--admindir=/tmp' } | Should -Throw '*Not a Debian package name*'
    }
}

Describe 'Read-DebianPackageList' {
    It 'reads tools/lab-packages.txt without comments or blank lines' {
        $list = @(Read-DebianPackageList -Path (Join-Path $PSScriptRoot '../../tools/lab-packages.txt'))
        $list | Should -Contain 'nftables'
        $list | Should -Contain 'libvirt-daemon'
        $list | Where-Object { $_ -match '[#\s]' } | Should -BeNullOrEmpty
    }
}
