# Access groups on the Fedora QA example, as a user drives them: who may log in where, through
# the bastion, decided by the same engine as network flows.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $Example = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml')).Path
}

AfterAll {
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'access on the Fedora QA example' {
    BeforeEach {
        $null = Import-QaPolicy -Path $Example
    }

    It 'lists the groups and grants the issue asks for' {
        (Get-QaGroup).Name | Should -Be @('sysadmin-main', 'sysadmin-qa', 'qa-automation-shell')
        (Get-QaAccess -Group sysadmin-qa -Host taskotron-client01).Rights | Should -Be @('Shell', 'Sudo')
        (Get-QaAccess -Host bastion).Group | Should -Contain 'qa-automation-shell'
    }

    It 'gives a sysadmin-qa member shell and sudo on a client through the bastion' {
        $r = Test-QaAccess -User qaadmin1 -Host taskotron-client01 -Right Sudo
        $r.Allowed | Should -BeTrue
        $r.Via | Should -Be 'bastion'
        $r.GrantId | Should -Be 'sysadmin-qa'
        $r.FailingHop | Should -BeNullOrEmpty
        ($r.Hops | Where-Object Kind -eq Network).DecidedBy | Should -Be 'bastion-ssh'
        Test-QaAccess -User qaadmin1 -Host taskotron-client01 -Quiet | Should -BeTrue
    }

    It 'lets a qa-automation-shell member onto the bastion only, and -Via names the failing hop' {
        Test-QaAccess -User qabot -Host bastion -Quiet | Should -BeTrue
        Test-QaAccess -User qabot -Host bastion -Right Sudo -Quiet | Should -BeFalse
        $r = Test-QaAccess -User qabot -Host beaker-client01 -Via bastion
        $r.Allowed | Should -BeFalse
        $r.FailingHop | Should -Be 'beaker-client01'
        $r.Reason | Should -Match 'default deny'
    }

    It 'refuses a non-member at the first hop' {
        $r = Test-QaAccess -User mallory -Host taskotron-client01
        $r.Allowed | Should -BeFalse
        $r.FailingHop | Should -Be 'bastion'
        $r.GrantId | Should -BeNullOrEmpty
    }

    It 'says which link breaks when the network cuts the bastion off' {
        Revoke-QaRule -Id bastion-ssh -Confirm:$false
        (Test-QaAccess -User qaadmin1 -Host taskotron-client01).FailingHop | Should -Be 'bastion->taskotron-client01'
    }

    It 'shows results in a table with the failing hop' {
        $text = Test-QaAccess -User qabot -Host taskotron-client01 | Out-String -Width 200
        $text | Should -Match 'User\s+Host\s+Right\s+Via\s+Allowed\s+GrantId\s+FailingHop'
        $text | Should -Match 'qabot\s+taskotron-client01\s+Shell\s+bastion\s+False\s+taskotron-client01'
    }

    It 'grants, tests and revokes in one pipeline with -WhatIf honoured' {
        $null = Add-QaGroup -Name qa-guests -Member guest1
        Grant-QaAccess -Group qa-guests -Host lockbox -Right Shell -WhatIf | Should -BeNullOrEmpty
        Test-QaAccess -User guest1 -Host lockbox -Quiet | Should -BeFalse
        $grant = Grant-QaAccess -Group qa-guests -Host lockbox -Right Shell
        Test-QaAccess -User guest1 -Host lockbox -Quiet | Should -BeTrue
        $grant | Revoke-QaAccess -Confirm:$false
        Test-QaAccess -User guest1 -Host lockbox -Quiet | Should -BeFalse
    }

    It 'reports stable error ids' {
        { Grant-QaAccess -Group nobody -Host bastion -Right Shell -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownReference,QaNet.Commands.GrantQaAccessCommand'
        { Test-QaAccess -User qabot -Host nowhere -ErrorAction Stop } |
            Should -Throw -ErrorId 'NotFound,QaNet.Commands.TestQaAccessCommand'
    }

    It 'renders the bastion''s access files through Get-QaRuleset -Backend Access' {
        $r = Get-QaRuleset -Backend Access -VirtHost bastion -ErrorVariable e
        $e | Should -BeNullOrEmpty
        $r | Should -HaveCount 1
        $r.Backend | Should -Be 'Access'
        $r.Host | Should -Be 'bastion'
        $r.Text | Should -Match 'qa-automation-shell'
        (Get-QaRuleset -Backend Access -AsText | Select-Object -First 1) | Should -BeOfType [string]
    }

    It 'has help with examples for <_>' -ForEach 'Add-QaGroup', 'Get-QaGroup', 'Grant-QaAccess', 'Revoke-QaAccess', 'Get-QaAccess', 'Test-QaAccess' {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -Match ([regex]::Escape($_) + '\s+\[')
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'access findings in Test-QaPolicy' {
    It 'reports a grant on a client the bastion cannot reach, an empty group and sudo without shell' {
        $null = Import-QaPolicy -Path $Example
        Test-QaPolicy | Where-Object Kind -in 'AccessHostUnreachable', 'EmptyGroup', 'SudoWithoutShell' | Should -BeNullOrEmpty
        Revoke-QaRule -Id bastion-ssh -Confirm:$false
        $null = Add-QaGroup -Name qa-empty
        $null = Add-QaGroup -Name qa-root -Member root1
        $null = Grant-QaAccess -Group qa-root -Host lockbox -Right Sudo -Id qa-root-sudo
        $kinds = Test-QaPolicy | Where-Object Kind -in 'AccessHostUnreachable', 'EmptyGroup', 'SudoWithoutShell'
        ($kinds | Where-Object Kind -eq 'AccessHostUnreachable').RuleId | Should -Be @('sysadmin-main', 'sysadmin-qa')
        ($kinds | Where-Object Kind -eq 'EmptyGroup').Path | Should -Be 'groups[qa-empty]'
        ($kinds | Where-Object Kind -eq 'SudoWithoutShell').RuleId | Should -Be 'qa-root-sudo'
    }
}
