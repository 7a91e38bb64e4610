# -WhatIf validates and names match in any case (issue 17, bugs 2 and 5), as a user sees it:
# the built module imported by path, the Fedora example, no root.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $Example = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml')).Path

    # "What if:" goes to the host, not to a stream: run the call in a child pwsh and read its console.
    function Invoke-WhatIf([string] $Call) {
        $pwshDll = Join-Path $PSHOME 'pwsh.dll'
        $script = "Import-Module '$ModulePath'; `$null = Import-QaPolicy '$Example'; $Call -WhatIf -ErrorVariable e -ErrorAction SilentlyContinue; " +
            "`$e | ForEach-Object { 'ERROR ' + `$_.FullyQualifiedErrorId }"
        (& ([Environment]::ProcessPath) $pwshDll -NoProfile -NonInteractive -Command $script 2>&1) -join "`n"
    }
}

AfterAll {
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe '-WhatIf validates' {
    It 'reports <Id> for <Call>, as the real call does, and prints no What if: line' -TestCases @(
        @{ Call = 'Grant-QaEgress -Role taskotron -Endpoint kojii'; Id = 'UnknownReference' }
        @{ Call = 'Grant-QaEgress -Role taskotron -Endpoint koji -Port 443/tpc'; Id = 'InvalidPort' }
        @{ Call = 'Add-QaClient -Network qa-clients -Name beaker-client01'; Id = 'DuplicateClientName' }
        @{ Call = 'New-QaIsolatedNetwork -Name n2 -Subnet 192.168.150.0/25 -Mode Nat -VirtHost virthost-comm01'; Id = 'SubnetOverlap' }
        @{ Call = 'Set-QaEndpoint koji -Port @()'; Id = 'PortsRequired' }
        @{ Call = 'Set-QaRule bastion-ssh -Port 22/tpc'; Id = 'InvalidPort' }
        @{ Call = 'Add-QaHostName koji02.fedoraproject.org 203.0.113.300'; Id = 'InvalidAddress' }
        @{ Call = 'Remove-QaClient nope-* -Force'; Id = 'NotFound' }
        @{ Call = 'Set-QaRule nope-* -Priority 5'; Id = 'NotFound' }
        @{ Call = 'Set-QaNetwork qa-clients -Subnet 10.9.0.0/24'; Id = 'AddressOutsideSubnet' }
        @{ Call = 'Rename-QaClient beaker-client01 beaker-client02'; Id = 'DuplicateClientName' }
        @{ Call = 'Rename-QaEndpoint koji Koji2'; Id = 'InvalidName' }
    ) {
        $text = Invoke-WhatIf $Call
        $text | Should -Not -Match 'What if:'
        $text | Should -Match "ERROR $Id,"

        $null = Import-QaPolicy $Example
        Export-QaPolicy -Path TestDrive:/before.yaml
        $before = Get-Content -Raw TestDrive:/before.yaml
        $before | Should -Match 'name: fedora-qa'
        $err = $null
        Invoke-Expression "$Call -ErrorVariable err -ErrorAction SilentlyContinue" | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        Export-QaPolicy -Path TestDrive:/after.yaml
        Get-Content -Raw TestDrive:/after.yaml | Should -Be $before
    }

    It 'prints the What if: line of a valid change, with names in any case, and changes nothing' {
        $text = Invoke-WhatIf 'Grant-QaEgress -Role BEAKER -Endpoint KOJI'
        $text | Should -CMatch "What if: .*rule 'egress-beaker-koji' \(role:beaker -> endpoint:koji"
        $text | Should -Not -Match 'ERROR'
    }

    It 'prints one What if: line per rule a wildcard matches (Revoke-QaRule BEAKER-*)' {
        $text = Invoke-WhatIf 'Revoke-QaRule BEAKER-*'
        $lines = @($text -split "`n" | Where-Object { $_ -match '^What if:' })
        $lines.Count | Should -Be 4
        foreach ($id in 'beaker-server', 'beaker-lab', 'beaker-ssh', 'beaker-harness') {
            $text | Should -Match "What if: .*rule '$id' "
        }
        $text | Should -Not -Match 'ERROR'
    }

    It 'prints the What if: line of a valid in-place change (Set-QaEndpoint KOJI)' {
        $text = Invoke-WhatIf "Set-QaEndpoint KOJI -Port 8443/tcp"
        $text | Should -CMatch "What if: .*set Ports '80/tcp, 443/tcp' -> '8443/tcp'.* on target .endpoint 'koji' of policy 'fedora-qa'"
        $text | Should -Not -Match 'ERROR'
    }
}

Describe '-WhatIf of a rename' {
    It 'prints the rename and how many references go with it (Rename-QaEndpoint BASTION)' {
        $text = Invoke-WhatIf 'Rename-QaEndpoint BASTION jump01'
        $text | Should -CMatch "What if: .*Rename to 'jump01', with the \d+ reference\(s\) to it.* on target .endpoint 'bastion' of policy 'fedora-qa'"
        $text | Should -Not -Match 'ERROR'
    }
}

Describe 'Names match in any case' {
    BeforeEach {
        $null = Import-QaPolicy $Example
    }

    It 'Remove-QaClient BEAKER-CLIENT01 removes what Get-QaClient BEAKER-CLIENT01 finds' {
        $found = Get-QaClient BEAKER-CLIENT01
        $found.Name | Should -Be 'beaker-client01'
        (Remove-QaClient BEAKER-CLIENT01 -Force -Confirm:$false -PassThru).Name | Should -Be 'beaker-client01'
        Get-QaClient beaker-client01 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'a new name in upper case is InvalidName' {
        $err = $null
        Add-QaClient -Network qa-clients -Name Beaker-Client03 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidName,*'
    }
}
