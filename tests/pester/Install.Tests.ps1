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

Describe 'The directory packages leave the machine alone' {
    # build.ps1 preseeds slapd and libnss-ldapd; the lab's hosts resolve through LDAP only inside
    # their private mount namespaces, never through the machine's own NSS or PAM.
    It 'keeps ldap and sss out of /etc/nsswitch.conf' {
        $sources = Get-Content -LiteralPath /etc/nsswitch.conf | Where-Object { $_ -match '^\s*(passwd|group|shadow|gshadow|netgroup)\s*:' } |
            ForEach-Object { ($_ -split ':', 2)[1] -split '\s+' } | Where-Object { $_ }
        $sources | Should -Not -Contain 'ldap'
        $sources | Should -Not -Contain 'sss'
    }

    It 'keeps pam_ldap and pam_sss out of the PAM stack' {
        Get-ChildItem -LiteralPath /etc/pam.d -File | Select-String -Pattern 'pam_(ldap|sss)\.so' | Should -BeNullOrEmpty
    }

    It 'runs no slapd or nslcd in the root namespace outside a lab' {
        # The packages' init scripts are kept from starting one (policy-rc.d during the install).
        foreach ($pidFile in '/run/slapd/slapd.pid', '/run/nslcd/nslcd.pid') {
            if (Test-Path -LiteralPath $pidFile) {
                $p = (Get-Content -LiteralPath $pidFile -Raw).Trim()
                Test-Path -LiteralPath "/proc/$p" | Should -BeFalse -Because "$pidFile names a running process"
            }
        }
    }
}
