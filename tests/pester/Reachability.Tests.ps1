# What a QA admin expects Test-QaReachability, Test-QaPolicy, Compare-QaPolicy and the HTML
# report to say about the Fedora QA layout (examples/policies/fedora-qa.yaml).
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $Example = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml')).Path
    $TaskotronClients = 'taskotron-client01', 'taskotron-client02', 'taskotron-client03'

    function Test-InAny($Ranges, [ipaddress] $Address) {
        # A change's ranges read as text (QaObjectAdapter); Parse gives the range back.
        [bool]($Ranges | Where-Object { [QaNet.Core.Net.QaAddressRange]::Parse($_).Contains($Address) })
    }
}

AfterAll {
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'Test-QaReachability on the Fedora QA layout' {
    BeforeAll {
        $null = Import-QaPolicy $Example
    }

    It 'lets a Taskotron client reach koji over https, by the koji rule' {
        $r = Test-QaReachability -From taskotron-client01 -To koji -Port 443
        $r.Allowed | Should -BeTrue
        $r.RuleId | Should -Be 'taskotron-koji'
        $r.DestinationAddress | Should -Be ([ipaddress]'203.0.113.10')
        $r.Reason | Should -Match 'taskotron-koji'
    }

    It 'keeps a QA LAN host out of reach over ssh, by default deny' -TestCases @(
        @{ To = '198.18.0.25' }, @{ To = 'qa-lan' }
    ) {
        $r = Test-QaReachability -From taskotron-client01 -To $To -Port 22
        $r.Allowed | Should -BeFalse
        $r.RuleId | Should -BeNullOrEmpty
        $r.DecidedBy | Should -Be 'default deny'
    }

    It 'lets the bastion into every client over ssh' {
        foreach ($client in (Get-QaClient).Name) {
            $r = Test-QaReachability -From bastion -To $client -Port 22
            $r.Allowed | Should -BeTrue -Because "bastion -> $client"
            $r.RuleId | Should -Be 'bastion-ssh'
        }
    }

    It 'never lets koji open a connection to a client, on any port' -TestCases @(
        @{ Port = 1; Protocol = 'Tcp' }, @{ Port = 22; Protocol = 'Tcp' }, @{ Port = 80; Protocol = 'Tcp' },
        @{ Port = 443; Protocol = 'Tcp' }, @{ Port = 8081; Protocol = 'Tcp' }, @{ Port = 7090; Protocol = 'Tcp' },
        @{ Port = 9989; Protocol = 'Tcp' }, @{ Port = 65535; Protocol = 'Tcp' }, @{ Port = 69; Protocol = 'Udp' },
        @{ Port = 0; Protocol = 'Icmp' }
    ) {
        foreach ($client in (Get-QaClient).Name) {
            $r = Test-QaReachability -From koji -To $client -Port $Port -Protocol $Protocol
            $r.Allowed | Should -BeFalse -Because "koji -> $client $Port/$Protocol"
            $r.RuleId | Should -BeNullOrEmpty
        }
    }

    It 'answers -Quiet with one boolean' {
        Test-QaReachability taskotron-client01 koji 443 -Quiet | Should -BeExactly $true
        Test-QaReachability taskotron-client01 198.18.0.25 22 -Quiet | Should -BeExactly $false
        Test-QaReachability bastion beaker-client01 22 -Quiet | Should -BeExactly $true
        Test-QaReachability koji taskotron-client01 22 -Quiet | Should -BeExactly $false
        # A role stands for its members: true only if every one of them is allowed.
        Test-QaReachability taskotron kojipkgs 443 -Quiet | Should -BeExactly $true
        Test-QaReachability taskotron beaker-lab 8000 -Quiet | Should -BeExactly $false
    }
}

Describe 'Test-QaReachability -All on the Fedora QA layout' {
    BeforeAll {
        $p = Import-QaPolicy $Example
        $Cells = @(Test-QaReachability -All)
        # The engine's ports: every single port an endpoint or rule names (both ends of a
        # range), plus the probe ports 22, 80 and 443. Ports read as their text (443/tcp).
        $Ports = @(
            (Get-QaEndpoint).Ports + (Get-QaRule).Ports |
                ForEach-Object { [QaNet.Core.Model.QaPortRange]::Parse($_) } |
                ForEach-Object { if ($_.IsIcmp) { 'icmp' } else { "$($_.From)/$($_.Protocol)"; "$($_.To)/$($_.Protocol)" } }
            '22/Tcp', '80/Tcp', '443/Tcp'
        ) | Sort-Object -Unique
    }

    It 'has one cell per client, endpoint and port (every endpoint''s addresses agree here)' {
        $clients = @(Get-QaClient).Count
        $endpoints = @(Get-QaEndpoint).Count
        $Cells.Count | Should -Be ($clients * $endpoints * $Ports.Count)
        @($Cells | Group-Object From, To, Port, Protocol | Where-Object Count -ne 1) | Should -BeNullOrEmpty
        @($Cells | ForEach-Object { "$($_.Port)/$($_.Protocol)" } | Sort-Object -Unique) | Should -Be $Ports
    }

    It 'agrees with single-flow queries, cell for cell, on a sample' {
        for ($i = 0; $i -lt $Cells.Count; $i += 13) {
            $c = $Cells[$i]
            $r = @(Test-QaReachability -From $c.From -To $c.To -Port $c.Port -Protocol $c.Protocol)
            $r.Count | Should -Be 1
            $r[0].Allowed | Should -Be $c.Allowed -Because "$c"
            $r[0].RuleId | Should -Be $c.RuleId -Because "$c"
        }
    }

    It 'shows the koji rule and the default deny where the admin expects them' {
        $koji = $Cells | Where-Object { $_.From -eq 'taskotron-client02' -and $_.To -eq 'koji' -and $_.Port -eq 443 }
        $koji.RuleId | Should -Be 'taskotron-koji'
        $lan = $Cells | Where-Object { $_.From -eq 'beaker-client01' -and $_.To -eq 'qa-lan' }
        $lan.Allowed | Should -Not -Contain $true
    }

    It 'folds clients into their roles with -ByRole' {
        $rows = @(Test-QaReachability -All -ByRole)
        $rows.Count | Should -Be (2 * @(Get-QaEndpoint).Count * $Ports.Count)
        $koji = $rows | Where-Object { $_.Role -eq 'taskotron' -and $_.To -eq 'koji' -and $_.Port -eq 443 }
        $koji.Allowed | Should -BeTrue
        ($koji.Members, $koji.AllowedMembers) | Should -Be (3, 3)
        $koji.DecidedBy | Should -Be 'taskotron-koji'
        $beaker = $rows | Where-Object { $_.Role -eq 'beaker' -and $_.To -eq 'koji' -and $_.Port -eq 443 }
        $beaker.Allowed | Should -BeFalse
        ($beaker.Members, $beaker.AllowedMembers) | Should -Be (2, 0)
    }
}

Describe 'Test-QaPolicy and assertions on the Fedora QA layout' {
    BeforeEach {
        $null = Import-QaPolicy $Example
    }

    It 'finds every assertion of the example holding' {
        @(Get-QaAssertion).Count | Should -Be 8
        Test-QaPolicy | Where-Object Kind -eq AssertionFailed | Should -BeNullOrEmpty
        Test-QaPolicy -Quiet | Should -BeExactly $true
    }

    It 'reports one AssertionFailed for a wrong expectation added with Add-QaAssertion' {
        $a = Add-QaAssertion -From taskotron-client01 -To koji -Port 22/tcp -Expect Allow -Description 'wrong on purpose'
        $a.ExpectAllowed | Should -BeTrue
        $failed = @(Test-QaPolicy | Where-Object Kind -eq AssertionFailed)
        $failed.Count | Should -Be 1
        $failed[0].Severity | Should -Be 'Error'
        $failed[0].Path | Should -Be 'tests[#9]'
        Test-QaPolicy -Quiet | Should -BeExactly $false

        $a | Remove-QaAssertion -Confirm:$false
        Test-QaPolicy | Where-Object Kind -eq AssertionFailed | Should -BeNullOrEmpty
    }
}

Describe 'Compare-QaPolicy after revoking the koji rule' {
    BeforeAll {
        $before = Import-QaPolicy $Example
        $after = Import-QaPolicy $Example
        Revoke-QaRule -Policy $after -Id taskotron-koji -Confirm:$false
        $Changes = @(Compare-QaPolicy -Reference $Example -Difference $after)
        $Koji = @(Get-QaEndpoint -Policy $before -Name koji, kojipkgs | ForEach-Object { $before.Hosts[$_.HostNames[0]] })
    }

    It 'reports only koji flows turning from allowed to denied' {
        $Changes | Should -Not -BeNullOrEmpty
        foreach ($c in $Changes) {
            ($c.Before, $c.After) | Should -Be ($true, $false)
            ($c.RuleBefore, $c.RuleAfter) | Should -Be ('taskotron-koji', 'default deny')
            @($c.Ports | ForEach-Object ToString) | Should -Be @('80/tcp', '443/tcp')
        }
    }

    It 'covers exactly the Taskotron clients and the koji addresses' {
        $sources = $Changes.Sources
        $destinations = $Changes.Destinations
        foreach ($client in Get-QaClient -Policy $before) {
            (Test-InAny $sources $client.Address) | Should -Be ($client.Name -in $TaskotronClients) -Because $client.Name
        }
        $Koji.Count | Should -Be 2
        foreach ($address in $Koji) { Test-InAny $destinations $address | Should -BeTrue }
        foreach ($other in '203.0.113.12', '198.51.100.20', '203.0.113.9') { Test-InAny $destinations $other | Should -BeFalse }
    }

    It 'agrees with the matrices before and after, cell for cell' {
        $old = @(Test-QaReachability -All -Policy $before)
        $new = @(Test-QaReachability -All -Policy $after)
        $changed = for ($i = 0; $i -lt $old.Count; $i++) {
            if ($old[$i].Allowed -ne $new[$i].Allowed) { $old[$i] }
        }
        $expected = foreach ($c in $TaskotronClients) { foreach ($e in 'koji', 'kojipkgs') { foreach ($port in 80, 443) { "$c $e $port" } } }
        @($changed | ForEach-Object { "$($_.From) $($_.To) $($_.Port)" } | Sort-Object) | Should -Be @($expected | Sort-Object)
    }
}

Describe 'Export-QaReachabilityReport' {
    BeforeAll {
        $null = Import-QaPolicy $Example
    }

    It 'writes one cell per result, with the deciding rule in the hover text' {
        $results = @(Test-QaReachability -All | Where-Object From -eq taskotron-client01)
        $file = Join-Path $TestDrive 'report.html'
        $info = $results | Export-QaReachabilityReport -Path $file -Title 'taskotron-client01' -PassThru
        $info | Should -BeOfType [System.IO.FileInfo]
        $html = Get-Content -Raw $file
        ([regex]::Matches($html, '<td class="cell (allow|deny)')).Count | Should -Be $results.Count
        $html | Should -Match 'title="taskotron-client01 → koji 443/tcp: allowed by taskotron-koji\.'
        $html | Should -Match 'title="taskotron-client01 → qa-lan 22/tcp: denied by default deny\.'
        $html | Should -Not -Match '<script|https?://'
    }

    It 'writes the whole matrix without input' {
        $file = Join-Path $TestDrive 'all.html'
        Export-QaReachabilityReport -Path $file
        ([regex]::Matches((Get-Content -Raw $file), '<td class="cell (allow|deny)')).Count | Should -Be @(Test-QaReachability -All).Count
    }

    It 'opens with one cell per role and endpoint: allowed ports both ways and the deciding rule as text' {
        $file = Join-Path $TestDrive 'grouped.html'
        Export-QaReachabilityReport -Path $file
        $html = Get-Content -Raw $file
        $cell = [regex]::Match($html, '<td class="ov[^"]*" data-group="taskotron" data-endpoint="koji">(.*?)</td>').Groups[1].Value
        $cell | Should -Match '<span class="ports">80, 443/tcp</span><span class="rule">taskotron-koji</span>'
        $bastion = [regex]::Match($html, '<td class="ov[^"]*" data-group="taskotron" data-endpoint="bastion">(.*?)</td>').Groups[1].Value
        $bastion | Should -Match 'class="line in allow" data-direction="in" data-rule="bastion-ssh"'
        $bastion | Should -Match '<span class="ports">22/tcp</span>'
    }

    It 'writes the -ByRole rows as a by-role report, without errors' {
        $rows = @(Test-QaReachability -All -ByRole)
        $file = Join-Path $TestDrive 'roles.html'
        $info = Test-QaReachability -All -ByRole | Export-QaReachabilityReport -Path $file -PassThru -ErrorVariable errors
        $errors | Should -BeNullOrEmpty
        $info | Should -BeOfType [System.IO.FileInfo]
        $html = Get-Content -Raw $file
        ([regex]::Matches($html, '<td class="cell (allow|deny|partial)')).Count | Should -Be $rows.Count
        $html | Should -Match '<th class="row">taskotron</th>'
        $html | Should -Match 'title="taskotron → koji 443/tcp: allowed by taskotron-koji\. 3 of 3 member'
    }
}
