# Nouns that pipe into each other (issue 17), as a user types them: the built module imported by
# path, the Fedora example imported fresh for each test, and the policy state asserted afterwards.
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

Describe 'Get- cmdlets take what the pipeline brings' {
    BeforeEach { $p = Import-QaPolicy $Example }

    It 'Get-QaNetwork qa-clients | Get-QaClient gives the clients of that network only' {
        # A second network, so that "only" can fail.
        $other = New-QaIsolatedNetwork -Name lab-2 -Subnet 198.51.100.0/24 -Mode Nat -VirtHost virthost-comm01
        $null = $other | Add-QaClient -Name other-client01 -Role taskotron
        $names = @(Get-QaNetwork qa-clients | Get-QaClient).Name
        $names | Should -Be @('taskotron-client01', 'taskotron-client02', 'taskotron-client03', 'beaker-client01', 'beaker-client02')
        @(Get-QaNetwork lab-2 | Get-QaClient).Name | Should -Be @('other-client01')
        @(Get-QaNetwork | Get-QaClient -Role taskotron).Count | Should -Be 4
    }

    It 'a piped network brings its own policy, also when another one is current' {
        $null = New-QaPolicy -Name other
        @(Get-QaNetwork -Policy $p qa-clients | Get-QaClient).Count | Should -Be 5
        @(Get-QaClient) | Should -BeNullOrEmpty
    }

    It "'koji' | Get-QaEndpoint finds koji (the string is a name, not a new policy named koji)" {
        @('koji' | Get-QaEndpoint).Name | Should -Be 'koji'
        @('koji*' | Get-QaEndpoint).Name | Should -Be @('koji', 'kojipkgs')
        @($p | Get-QaEndpoint).Count | Should -Be $p.Endpoints.Count
        # Typed, a name is refused at binding (it made an empty policy named so before).
        $id = try { Get-QaEndpoint -Policy 'fedora-qa'; 'bound' } catch { $_.FullyQualifiedErrorId }
        $id | Should -BeLike 'CannotConvertArgument*,QaNet.Commands.GetQaEndpointCommand'
    }
}

Describe 'Grant-QaEgress and Test-QaReachability take piped clients' {
    BeforeEach { $p = Import-QaPolicy $Example }

    It 'Get-QaClient -Role taskotron | Grant-QaEgress -Endpoint koji -Port 443/tcp adds one rule per client' {
        $before = $p.Rules.Count
        $rules = @(Get-QaClient -Role taskotron | Grant-QaEgress -Endpoint koji -Port 443/tcp)
        $rules.Id | Should -Be @('egress-taskotron-client01-koji', 'egress-taskotron-client02-koji', 'egress-taskotron-client03-koji')
        $p.Rules.Count | Should -Be ($before + 3)
        foreach ($r in $rules) {
            $r.Kind | Should -Be 'Egress'
            @($r.From).Count | Should -Be 1
            "$($r.To)" | Should -Be 'endpoint:koji'
            "$($r.Ports)" | Should -Be '443/tcp'
        }
        @($rules.From | ForEach-Object { "$_" }) | Should -Be @('client:taskotron-client01', 'client:taskotron-client02', 'client:taskotron-client03')
    }

    It 'the rules go to the piped clients'' own policy' {
        $other = New-QaPolicy -Name other
        $null = Get-QaClient -Policy $p beaker-client01 | Grant-QaEgress -Endpoint koji
        $p.FindRule('egress-beaker-client01-koji') | Should -Not -BeNullOrEmpty
        $other.Rules | Should -BeNullOrEmpty
    }

    It 'Get-QaClient | Test-QaReachability -To koji -Port 443/tcp gives one result per client' {
        $results = @(Get-QaClient | Test-QaReachability -To koji -Port 443/tcp)
        $results.From | Should -Be @((Get-QaClient).Name)
        foreach ($r in $results) {
            $r.To | Should -Be 'koji'
            $r.Port | Should -Be 443
        }
        @($results | Where-Object Allowed).From | Should -Be @('taskotron-client01', 'taskotron-client02', 'taskotron-client03')
        @($results | Where-Object Allowed).RuleId | Sort-Object -Unique | Should -Be 'taskotron-koji'
    }
}

Describe 'Add-QaClient takes records (Import-Csv)' {
    It 'adds a client per row: Name, Network, Mac, Address, Role(s) with "a;b" or "a,b" in a cell' {
        $null = New-QaPolicy -Name csv
        $null = New-QaIsolatedNetwork -Name qa-clients -Subnet 192.168.150.0/24 -Mode Nat -VirtHost virthost-comm01
        Set-Content -Path TestDrive:/clients.csv -Value @(
            'Name,Network,Mac,Address,Roles'
            'tc01,qa-clients,52:54:00:00:00:01,192.168.150.11,taskotron;x86'
            'tc02,qa-clients,52:54:00:00:00:02,192.168.150.12,"taskotron,aarch64"'
            'bc01,qa-clients,,,beaker'
        )
        $added = @(Import-Csv TestDrive:/clients.csv | Add-QaClient)
        $added.Name | Should -Be @('tc01', 'tc02', 'bc01')
        $c = Get-QaClient tc01
        ($c.MacAddress, "$($c.Address)", $c.Network) | Should -Be @('52:54:00:00:00:01', '192.168.150.11', 'qa-clients')
        @((Get-QaClient tc01).Roles) | Should -Be @('taskotron', 'x86')
        @((Get-QaClient tc02).Roles) | Should -Be @('taskotron', 'aarch64')
        # Blank cells: the next free MAC and address, as without the parameter.
        $b = Get-QaClient bc01
        $b.MacAddress | Should -Match '^52:54:00(:[0-9a-f]{2}){3}$'
        "$($b.Address)" | Should -Match '^192\.168\.150\.'
        @($b.Roles) | Should -Be @('beaker')
    }

    It 'Get-QaClient | Export-Csv re-imports into a fresh policy through Import-Csv | Add-QaClient' {
        $p = Import-QaPolicy $Example
        Get-QaClient | Export-Csv -Path TestDrive:/round.csv
        $n = Get-QaNetwork qa-clients
        $fresh = New-QaPolicy -Name fresh
        $null = New-QaIsolatedNetwork -Name qa-clients -Subnet "$($n.Subnet)" -Subnet6 "$($n.Subnet6)" -Mode $n.Mode -VirtHost $n.VirtHosts
        $null = Import-Csv TestDrive:/round.csv | Add-QaClient

        @($fresh.Clients).Count | Should -Be @($p.Clients).Count
        foreach ($old in $p.Clients) {
            $new = $fresh.FindClient($old.Name)
            $new | Should -Not -BeNullOrEmpty
            ($new.Network, $new.MacAddress, "$($new.Address)", "$($new.Address6)", $new.VirtHost) |
                Should -Be @($old.Network, $old.MacAddress, "$($old.Address)", "$($old.Address6)", $old.VirtHost)
            @($new.Roles) | Should -Be @($old.Roles)
        }
    }

    It 'a piped network stands for its network only: without -Name the error id is ClientNameRequired' {
        $p = Import-QaPolicy $Example
        $err = $null
        Get-QaNetwork qa-clients | Add-QaClient -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -Be 'ClientNameRequired,QaNet.Commands.AddQaClientCommand'
        @($p.Clients).Count | Should -Be 5
        # A piped client gives its network, not its MAC, address or roles.
        $c = Get-QaClient beaker-client01 | Add-QaClient -Name beaker-client09
        $c.Network | Should -Be 'qa-clients'
        @($c.Roles) | Should -BeNullOrEmpty
        $c.MacAddress | Should -Not -Be (Get-QaClient beaker-client01).MacAddress
    }
}

Describe 'Remove-/Disable- cmdlets take names and objects from the pipeline' {
    BeforeEach { $p = Import-QaPolicy $Example }

    It "'taskotron-client01' | Remove-QaClient -Force removes that client" {
        'taskotron-client01' | Remove-QaClient -Force -Confirm:$false
        $p.FindClient('taskotron-client01') | Should -BeNullOrEmpty
        @($p.Clients).Count | Should -Be 4
    }

    It 'Get-QaClient -Role beaker | Remove-QaClient -Force removes the beaker clients only' {
        Get-QaClient -Role beaker | Remove-QaClient -Force -Confirm:$false
        @($p.Clients.Name) | Should -Be @('taskotron-client01', 'taskotron-client02', 'taskotron-client03')
    }

    It 'Get-QaRule -Kind Block | Disable-QaRule disables the block rules only' {
        $null = Block-QaEgress -Role taskotron -Cidr 192.0.2.0/24 -Port 443/tcp -Id block-doc-net
        $null = Block-QaEgress -Role beaker -Cidr 198.51.100.0/24 -Port 443/tcp -Id block-doc-net2
        Get-QaRule -Kind Block | Disable-QaRule
        @($p.Rules | Where-Object { -not $_.Enabled }).Id | Should -Be @('block-doc-net', 'block-doc-net2')
        @($p.Rules | Where-Object Kind -NE 'Block' | Where-Object { -not $_.Enabled }) | Should -BeNullOrEmpty
    }

    It "'koji' | Get-QaEndpoint | Remove-QaEndpoint -Force removes koji and what names it" {
        'koji' | Get-QaEndpoint | Remove-QaEndpoint -Force -Confirm:$false
        $p.FindEndpoint('koji') | Should -BeNullOrEmpty
        $p.FindEndpoint('kojipkgs') | Should -Not -BeNullOrEmpty
        @($p.Rules | Where-Object { @($_.To | ForEach-Object { "$_" }) -contains 'endpoint:koji' }) | Should -BeNullOrEmpty
    }

    It "'egress-*' style ids pipe into Revoke-QaRule as strings" {
        'beaker-*' | Revoke-QaRule -Confirm:$false
        @($p.Rules.Id | Where-Object { $_ -like 'beaker-*' }) | Should -BeNullOrEmpty
        $p.FindRule('taskotron-koji') | Should -Not -BeNullOrEmpty
    }
}

Describe 'Wildcards on Set-/Remove-/Revoke-/Enable-/Disable-' {
    BeforeEach { $p = Import-QaPolicy $Example }

    It 'Remove-QaClient beaker-* -Force removes every match, in any case' {
        Remove-QaClient BEAKER-* -Force -Confirm:$false
        @($p.Clients.Name) | Should -Be @('taskotron-client01', 'taskotron-client02', 'taskotron-client03')
    }

    It 'a wildcard that matches nothing is NotFound (as a literal name that matches nothing), and nothing changes' -TestCases @(
        @{ Call = 'Remove-QaClient nope-* -Force -Confirm:$false'; Cmdlet = 'RemoveQaClientCommand' }
        @{ Call = 'Remove-QaEndpoint nope-* -Force -Confirm:$false'; Cmdlet = 'RemoveQaEndpointCommand' }
        @{ Call = 'Remove-QaNetwork nope-* -Force -Confirm:$false'; Cmdlet = 'RemoveQaNetworkCommand' }
        @{ Call = 'Revoke-QaRule nope-* -Confirm:$false'; Cmdlet = 'RevokeQaRuleCommand' }
        @{ Call = 'Disable-QaRule nope-*'; Cmdlet = 'DisableQaRuleCommand' }
        @{ Call = 'Enable-QaRule nope-*'; Cmdlet = 'EnableQaRuleCommand' }
        @{ Call = 'Set-QaRule nope-* -Priority 5'; Cmdlet = 'SetQaRuleCommand' }
        @{ Call = 'Set-QaEndpoint nope-* -Description x'; Cmdlet = 'SetQaEndpointCommand' }
        @{ Call = 'Set-QaClient nope-* -AddRole x'; Cmdlet = 'SetQaClientCommand' }
        @{ Call = 'Remove-QaClient nope -Force -Confirm:$false'; Cmdlet = 'RemoveQaClientCommand' }
    ) {
        Export-QaPolicy -Path TestDrive:/before.yaml
        $err = $null
        Invoke-Expression "$Call -ErrorVariable err -ErrorAction SilentlyContinue" | Out-Null
        @($err).Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be "NotFound,QaNet.Commands.$Cmdlet"
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Export-QaPolicy -Path TestDrive:/after.yaml
        Get-Content -Raw TestDrive:/after.yaml | Should -Be (Get-Content -Raw TestDrive:/before.yaml)
    }

    It 'Set-QaClient, Set-QaEndpoint, Set-QaRule and Disable-QaRule change every match' {
        Set-QaClient taskotron-* -AddRole x86
        @($p.Clients | Where-Object { $_.Roles -contains 'x86' }).Name | Should -Be @('taskotron-client01', 'taskotron-client02', 'taskotron-client03')
        Set-QaEndpoint beaker-* -Description 'beaker'
        @($p.Endpoints | Where-Object Description -EQ 'beaker').Name | Should -Be @('beaker-server', 'beaker-lab')
        Set-QaRule beaker-* -Priority 300
        @($p.Rules | Where-Object Priority -EQ 300).Id | Should -Be @($p.Rules.Id | Where-Object { $_ -like 'beaker-*' })
        Disable-QaRule *-ssh
        @($p.Rules | Where-Object { -not $_.Enabled }).Id | Should -Be @('bastion-ssh', 'lockbox-ssh', 'taskotron-master-ssh', 'beaker-ssh')
        Enable-QaRule *
        @($p.Rules | Where-Object { -not $_.Enabled }) | Should -BeNullOrEmpty
    }

    It 'Remove-QaClient beaker-* -WhatIf lists each client it would remove and removes none' {
        $text = Invoke-WhatIf 'Remove-QaClient beaker-* -Force'
        ($text -split "`n" | Where-Object { $_ -match '^What if:' }).Count | Should -Be 2
        $text | Should -Match "What if: .* on target .client 'beaker-client01'"
        $text | Should -Match "What if: .* on target .client 'beaker-client02'"
        $text | Should -Not -Match 'ERROR'
    }

    It 'the name parameters of those cmdlets are marked [SupportsWildcards]' -TestCases @(
        @{ Cmdlet = 'Remove-QaClient'; Parameter = 'Name' }
        @{ Cmdlet = 'Set-QaClient'; Parameter = 'Name' }
        @{ Cmdlet = 'Remove-QaEndpoint'; Parameter = 'Name' }
        @{ Cmdlet = 'Set-QaEndpoint'; Parameter = 'Name' }
        @{ Cmdlet = 'Remove-QaNetwork'; Parameter = 'Name' }
        @{ Cmdlet = 'Remove-QaGroup'; Parameter = 'Name' }
        @{ Cmdlet = 'Remove-QaHostName'; Parameter = 'Name' }
        @{ Cmdlet = 'Revoke-QaRule'; Parameter = 'Id' }
        @{ Cmdlet = 'Revoke-QaAccess'; Parameter = 'Id' }
        @{ Cmdlet = 'Set-QaRule'; Parameter = 'Id' }
        @{ Cmdlet = 'Enable-QaRule'; Parameter = 'Id' }
        @{ Cmdlet = 'Disable-QaRule'; Parameter = 'Id' }
    ) {
        $attributes = (Get-Command $Cmdlet).Parameters[$Parameter].Attributes
        @($attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count | Should -Be 1
        (Get-Help $Cmdlet -Parameter $Parameter).globbing | Should -Be 'true'
    }
}
