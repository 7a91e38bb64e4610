# Get-QaRuleset as a user sees it, on the Fedora QA example: what each host would apply.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $FedoraQa = Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml'
}

AfterAll {
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'Get-QaRuleset on fedora-qa' {
    BeforeAll {
        $null = Import-QaPolicy -Path $FedoraQa
        $clientsOf = @{}
        Get-QaClient | Group-Object VirtHost | ForEach-Object { $clientsOf[$_.Name] = @($_.Group.Name | Sort-Object) }
    }

    It 'returns every backend of the Nat network on each virthost' {
        $all = Get-QaRuleset
        $all | ForEach-Object { "$($_.Backend) $($_.Host)" } | Should -Be @(
            'LibvirtXml virthost-comm01', 'LibvirtXml virthost-comm02',
            'Nftables virthost-comm01', 'Nftables virthost-comm02',
            'Ebtables virthost-comm01', 'Ebtables virthost-comm02')
        $all | ForEach-Object { $_.GetType().FullName } | Select-Object -Unique | Should -Be 'QaNet.Core.Render.QaRuleset'
    }

    It 'renders QaNet''s own nft table with the koji rule''s id in a comment' {
        $nft = Get-QaRuleset -Network qa-clients -Backend Nftables -VirtHost virthost-comm01 -AsText
        $nft | Should -BeOfType [string]
        $nft | Should -Match '(?m)^table inet qanet \{'
        $nft | Should -Match 'comment "qanet:taskotron-koji"'
    }

    It 'reserves one DHCP host per client of <_> in the libvirt XML' -ForEach 'virthost-comm01', 'virthost-comm02' {
        $xml = [xml](Get-QaRuleset -Backend LibvirtXml -VirtHost $_ -AsText)
        $hosts = $xml.network.ip | Where-Object { -not $_.family } | ForEach-Object { $_.dhcp.host }
        @($hosts.name | Sort-Object) | Should -Be $clientsOf[$_]
    }

    It 'returns only strings with -AsText' {
        $text = Get-QaRuleset -AsText
        $text.Count | Should -Be 6
        $text | ForEach-Object { $_ | Should -BeOfType [string] }
    }

    It 'binds piped networks' {
        (Get-QaNetwork | Get-QaRuleset -Backend Ebtables).Host | Should -Be @('virthost-comm01', 'virthost-comm02')
    }

    It 'shows a table with host, backend, networks and counts' {
        $text = Get-QaRuleset -Backend Nftables -VirtHost virthost-comm01 | Out-String -Width 200
        $text | Should -Match 'Host\s+VirtHost\s+Backend\s+Networks\s+RuleCount\s+ElementCount'
        $text | Should -Match 'virthost-comm01\s+virthost-comm01\s+Nftables\s+qa-clients\s+\d+\s+\d+'
    }

    It 'reports unknown names and unused backends with stable error ids' {
        Get-QaRuleset -Network nope -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'NotFound,QaNet.Commands.GetQaRulesetCommand'
        Get-QaRuleset -VirtHost nope -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'UnknownVirtHost,QaNet.Commands.GetQaRulesetCommand'

        $p = New-QaPolicy -Name bridged
        $null = New-QaIsolatedNetwork -Name lan -Subnet 198.51.100.0/24 -Mode Bridged -Bridge br-qa -VirtHost vh1
        Get-QaRuleset -Network lan -Backend Nftables -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'RenderBackendNotUsed,QaNet.Commands.GetQaRulesetCommand'
        (Get-QaRuleset -Policy $p).Backend | Should -Be @('LibvirtXml', 'Ebtables')
    }
}

Describe 'Get-QaRuleset help' {
    It 'has a synopsis, an example and every parameter described' {
        $help = Get-Help Get-QaRuleset -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        foreach ($name in 'Network', 'Backend', 'VirtHost', 'AsText', 'At', 'Policy') {
            ($help.Parameters.Parameter | Where-Object Name -EQ $name).Description | Should -Not -BeNullOrEmpty
        }
    }
}
