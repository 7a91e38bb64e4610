# Issue 17, "every noun editable in place", the rest: Rename-QaClient/-Endpoint/-Network/-Group,
# Set-QaNetwork, Get-QaRule's association filters and Grant-QaEgress -ToClient, as a user types
# them against the Fedora example: the built module imported by path, no root.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $Example = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml')).Path

    function Get-PolicyText {
        Export-QaPolicy -Path TestDrive:/policy.yaml
        Get-Content -Raw TestDrive:/policy.yaml
    }

    function Get-ErrorId([scriptblock] $Call) {
        @(& $Call 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object FullyQualifiedErrorId)
    }
}

AfterAll {
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'Rename-Qa<Noun>' -ForEach @(
    # Old: how the file refers to the old name (ids, bridges and host names that merely contain it stay).
    @{ Noun = 'Client'; Name = 'taskotron-client01'; NewName = 'taskotron-client11'; Referenced = 'from: taskotron-client11'
        Old = '(name|from|to): taskotron-client01\s|client:taskotron-client01\b' }
    @{ Noun = 'Endpoint'; Name = 'bastion'; NewName = 'jump01'; Referenced = 'endpoint:jump01'
        Old = '(name|from|to|jumpHost): bastion\s|(endpoint|host):bastion\b' }
    @{ Noun = 'Network'; Name = 'qa-clients'; NewName = 'qa-comm'; Referenced = 'network:qa-comm'; Old = 'name: qa-clients\s|network:qa-clients\b' }
    @{ Noun = 'Group'; Name = 'sysadmin-qa'; NewName = 'qa-admins'; Referenced = 'group: qa-admins'; Old = 'group: sysadmin-qa\s|^  sysadmin-qa:' }
) {
    BeforeEach {
        $null = Import-QaPolicy $Example
    }

    It 'renames <Name> to <NewName> with every reference, and the file reads back the same' {
        $renamed = & "Rename-Qa$Noun" -Name $Name.ToUpperInvariant() -NewName $NewName -PassThru
        $renamed.Name | Should -Be $NewName
        $text = Get-PolicyText
        $text | Should -Not -Match "(?m)$Old"
        $before = Get-Content -Raw $Example
        $before | Should -Match "(?m)$Old"
        $text | Should -Match ([regex]::Escape($Referenced))
        $null = Import-QaPolicy TestDrive:/policy.yaml
        Get-PolicyText | Should -Be $text
        { Test-QaPolicy -ErrorAction Stop | Out-Null } | Should -Not -Throw
    }

    It '-WhatIf changes nothing, and a new name in upper case is InvalidName under -WhatIf too' {
        $before = Get-PolicyText
        & "Rename-Qa$Noun" -Name $Name -NewName $NewName -WhatIf
        Get-PolicyText | Should -Be $before
        $real = Get-ErrorId { & "Rename-Qa$Noun" -Name $Name -NewName $NewName.ToUpperInvariant() }
        $whatIf = Get-ErrorId { & "Rename-Qa$Noun" -Name $Name -NewName $NewName.ToUpperInvariant() -WhatIf }
        $real | Should -BeLike 'InvalidName,*'
        $whatIf | Should -Be $real
        Get-PolicyText | Should -Be $before
    }
}

Describe 'Rename refusals' {
    BeforeEach {
        $null = Import-QaPolicy $Example
    }

    It '<Call> is <Id>' -TestCases @(
        @{ Call = { Rename-QaClient beaker-client01 beaker-client02 }; Id = 'DuplicateClientName' }
        @{ Call = { Rename-QaEndpoint koji bodhi }; Id = 'DuplicateEndpoint' }
        @{ Call = { Rename-QaNetwork nothing n2 }; Id = 'NotFound' }
        @{ Call = { Rename-QaGroup sysadmin-qa sysadmin-main }; Id = 'DuplicateGroup' }
    ) {
        $before = Get-PolicyText
        Get-ErrorId $Call | Should -BeLike "$Id,*"
        Get-PolicyText | Should -Be $before
    }
}

Describe 'Set-QaNetwork' {
    BeforeEach {
        $null = Import-QaPolicy $Example
    }

    It 'grows the subnet and moves the default DHCP range with it' {
        $n = Set-QaNetwork qa-clients -Subnet 192.168.150.0/23 -PassThru
        "$($n.Subnet)" | Should -Be '192.168.150.0/23'
        "$($n.DhcpStart)-$($n.DhcpEnd)" | Should -Be '192.168.151.0-192.168.151.254'
    }

    It 'refuses a subnet that would leave clients outside, naming them, under -WhatIf as for real' {
        $before = Get-PolicyText
        $err = $null
        Set-QaNetwork qa-clients -Subnet 10.9.0.0/24 -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AddressOutsideSubnet,*'
        "$($err[0])" | Should -Match 'taskotron-client01 \(192\.168\.150\.10'
        Get-ErrorId { Set-QaNetwork qa-clients -Subnet 10.9.0.0/24 -WhatIf } | Should -Be $err[0].FullyQualifiedErrorId
        Get-PolicyText | Should -Be $before
    }

    It 'takes piped networks' {
        Get-QaNetwork qa-clients | Set-QaNetwork -Bridge br-qa2
        (Get-QaNetwork qa-clients).Bridge | Should -Be 'br-qa2'
    }
}

Describe 'Get-QaRule associations' {
    BeforeAll {
        $null = Import-QaPolicy $Example
    }

    It 'returns the rules selecting a client by its role and network too' {
        $ids = (Get-QaRule -Client taskotron-client01).Id
        $ids | Should -Contain 'taskotron-koji'          # role:taskotron
        $ids | Should -Contain 'clients-package-repos'   # network:qa-clients
        $ids | Should -Not -Contain 'beaker-lab'
    }

    It 'filters by role, endpoint and port, all together' {
        (Get-QaRule -Endpoint beaker-lab -Port 69/udp).Id | Should -Be 'beaker-lab'
        (Get-QaRule -Role beaker -Kind Ingress -Port 22).Id | Should -Be 'beaker-ssh'
        (Get-QaRule -Client (Get-QaClient beaker-client01) -Endpoint koji) | Should -BeNullOrEmpty
    }

    It 'reports a bad port as InvalidPort' {
        Get-ErrorId { Get-QaRule -Port 443/tpc } | Should -BeLike 'InvalidPort,*'
    }
}

Describe 'Grant-QaEgress -ToClient' {
    BeforeAll {
        $null = Import-QaPolicy $Example
    }

    It 'opens one client to another on the given port only, as to: client: in the file' {
        $rule = Grant-QaEgress -Client taskotron-client01 -ToClient beaker-client01 -Port 8080/tcp
        "$($rule.To)" | Should -Be 'client:beaker-client01'
        (Test-QaReachability -From taskotron-client01 -To beaker-client01 -Port 8080/tcp).Allowed | Should -BeTrue
        (Test-QaReachability -From beaker-client01 -To taskotron-client01 -Port 8080/tcp).Allowed | Should -BeFalse
        Get-PolicyText | Should -Match 'to: client:beaker-client01'
    }
}
