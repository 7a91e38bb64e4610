# Set-QaClient as a user sees it: imported by path from the built module folder.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop

    # Every client's placement, addresses and roles, and the network's hosts: what a change may touch.
    function Get-State {
        ((Get-QaClient | ForEach-Object { '{0},{1},{2},{3},{4}' -f $_.Name, $_.VirtHost, $_.MacAddress, $_.Address, ($_.Roles -join '+') }) -join ';') +
            '|' + ((Get-QaNetwork qa-clients).VirtHosts -join ',')
    }
}

AfterAll {
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'Set-QaClient' {
    BeforeEach {
        $p = New-QaPolicy -Name qa
        $n = New-QaIsolatedNetwork -Name qa-clients -Subnet 192.168.150.0/24 -Mode Nat -VirtHost vh1, vh2
        $null = $n | Add-QaClient -Name c1 -Role taskotron
        $null = $n | Add-QaClient -Name c2 -Role beaker
        $null = $n | Add-QaClient -Name c3 -Role taskotron -VirtHost vh2
        $null = Add-QaEndpoint -Name koji -Address 203.0.113.10 -Port 443/tcp
        $null = Grant-QaEgress -Role beaker -Endpoint koji
    }

    It 'moves a client by name and says which hosts the move touches' {
        $out = Set-QaClient c1 -VirtHost vh2 -PassThru -Verbose 4>&1
        $client = $out | Where-Object { $_ -is [QaNet.Core.Model.QaClient] }
        $client.VirtHost | Should -Be 'vh2'
        ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message |
            Should -Contain "Client 'c1': VirtHost 'vh1' -> 'vh2'."
        (Get-QaClient -VirtHost vh2).Name | Should -Be @('c1', 'c3')
    }

    It 'moves piped clients (Get-QaClient x | Set-QaClient -VirtHost vh2)' {
        Get-QaClient c2 | Set-QaClient -VirtHost vh2
        (Get-QaClient c2).VirtHost | Should -Be 'vh2'
        Get-QaClient -Role taskotron | Set-QaClient -VirtHost vh1
        (Get-QaClient -VirtHost vh1).Name | Should -Be @('c1', 'c3')
    }

    It 'changes addresses, MAC and roles together' {
        Set-QaClient c1 -Address 192.168.150.40 -MacAddress 52-54-00-AA-00-40 -AddRole x86
        $c = Get-QaClient c1
        "$($c.Address) $($c.MacAddress) $($c.Roles -join ',')" | Should -Be '192.168.150.40 52:54:00:aa:00:40 taskotron,x86'
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-State
        Get-QaClient | Set-QaClient -VirtHost vh2 -AddRole x -WhatIf
        Set-QaClient c1 -VirtHost vh3 -ExtendNetwork -Address 192.168.150.99 -WhatIf
        Get-State | Should -Be $before
    }

    It 'reports <Id> and changes nothing for <Script>' -ForEach @(
        @{ Script = 'Set-QaClient c1 -VirtHost vh3'; Id = 'UnknownVirtHost' }
        @{ Script = 'Set-QaClient c1 -VirtHost vh2 -Address (Get-QaClient c2).Address'; Id = 'DuplicateAddress' }
        @{ Script = 'Set-QaClient c1 -VirtHost vh2 -MacAddress (Get-QaClient c3).MacAddress'; Id = 'DuplicateMacAddress' }
        @{ Script = 'Set-QaClient c1 -Address 10.9.9.9'; Id = 'AddressOutsideSubnet' }
        @{ Script = 'Set-QaClient c1 -MacAddress zz:54:00:00:00:01'; Id = 'InvalidMacAddress' }
        @{ Script = 'Set-QaClient c2 -Role taskotron'; Id = 'InUse' }
        @{ Script = 'Set-QaClient nope -VirtHost vh2'; Id = 'NotFound' }
    ) {
        $before = Get-State
        { Invoke-Expression "$Script -ErrorAction Stop" } | Should -Throw -ErrorId "$Id,QaNet.Commands.SetQaClientCommand"
        Get-State | Should -Be $before
    }

    It 'spreads the network to a new host only with -ExtendNetwork' {
        Set-QaClient c2 -VirtHost vh3 -ExtendNetwork
        (Get-QaNetwork qa-clients).VirtHosts | Should -Be @('vh1', 'vh2', 'vh3')
        (Get-QaClient c2).VirtHost | Should -Be 'vh3'
    }

    It 'completes -VirtHost with the hosts of the client''s network' {
        $line = 'Set-QaClient -Name c1 -VirtHost v'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('vh1', 'vh2')
    }

    It 'moves the client''s ebtables and DHCP entry from the old host''s ruleset to the new host''s' {
        $mac = (Get-QaClient c1).MacAddress
        $ebtables = { param($vh) Get-QaRuleset -Network qa-clients -Backend Ebtables -VirtHost $vh -AsText | Out-String }
        $libvirt = { param($vh) Get-QaRuleset -Network qa-clients -Backend LibvirtXml -VirtHost $vh -AsText | Out-String }
        & $ebtables vh1 | Should -Match $mac
        & $ebtables vh2 | Should -Not -Match $mac
        Set-QaClient c1 -VirtHost vh2
        & $ebtables vh1 | Should -Not -Match $mac
        & $libvirt vh1 | Should -Not -Match $mac
        & $ebtables vh2 | Should -Match $mac
        & $libvirt vh2 | Should -Match $mac
    }

    It 'has help with a synopsis and examples' {
        $help = Get-Help Set-QaClient -Full
        $help.Synopsis | Should -Match 'virthost'
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
    }
}
