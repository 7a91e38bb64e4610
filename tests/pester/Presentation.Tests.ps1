# How QaNet objects and errors read: default views, Export-Csv and ConvertTo-Json (issue 17,
# bugs 7 and 10). Offline: no lab, no root; the views are rendered with Out-String.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $Example = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml')).Path
    $PSStyle.OutputRendering = 'PlainText'

    # The lines of a table's rows (after the header's dashes), for column checks.
    function Get-TableText($InputObject, [int] $Width) { ($InputObject | Out-String -Width $Width) -split "`r?`n" }
}

Describe 'Views (issue 17, bug 10)' {
    BeforeEach { $null = Import-QaPolicy $Example }

    It 'Get-QaRule keeps Priority and Expires on an 80-column console' {
        $null = Grant-QaEgress -Role beaker -Endpoint koji -Port 443/tcp -Priority 900 -ExpiresAt ([datetimeoffset]'2031-05-01T12:00:00Z') -Id beaker-koji-temp
        $lines = Get-TableText (Get-QaRule) 80
        $header = $lines | Where-Object { $_ -match '\bId\b' } | Select-Object -First 1
        $header | Should -Match '\bPriority\b'
        $header | Should -Match '\bExpires\b'
        $header | Should -Match '\bPorts\b'
        $temp = $lines | Where-Object { $_ -match 'beaker-koji-temp' }
        $temp | Should -Match '^\s*900\b'
        $temp | Should -Match '2031-05-01 12:00:00Z'
    }

    It 'Compare-QaPolicy names the clients of a region that is two client addresses, and keeps every column at 120' {
        $before = Get-QaPolicy
        $after = Import-QaPolicy $Example
        Revoke-QaRule -Id taskotron-koji -Confirm:$false
        $changes = @(Compare-QaPolicy -Reference $before -Difference $after)
        # taskotron-client02 and -03 (.2 and .3) are one /31 in the engine's partition.
        $changes[0].From | Should -Be 'taskotron-client02, taskotron-client03, taskotron-client01'
        $text = (Get-TableText $changes 120) -join "`n"
        $text | Should -Not -Match '/31'
        foreach ($column in 'Change', 'Port', 'From', 'To', 'Rules') { $text | Should -Match "\b$column\b" }
        $text | Should -Match 'allowed -> denied'
        $text | Should -Match 'taskotron-koji -> default deny'
    }

    It 'a lab host reads as its fields, its lists joined (built without starting a lab)' {
        $labHost = [QaNet.Core.Lab.QaLabHost]@{
            Name = 'taskotron-client01'; Kind = 'Client'; Namespace = 'qa-c1'; VirtHost = 'virthost-comm01'
            Addresses = [System.Collections.Generic.List[string]]@('192.168.150.10', '192.168.150.11')
            Members = [System.Collections.Generic.List[string]]@('taskotron-client01')
        }
        $list = $labHost | Format-List | Out-String
        $list | Should -Match 'Addresses\s*:\s*192\.168\.150\.10, 192\.168\.150\.11'
        $list | Should -Not -Match 'System\.Collections'
        $table = $labHost | Out-String
        $table | Should -Match 'taskotron-client01\s+Client\s+qa-c1\s+192\.168\.150\.10, 192\.168\.150\.11'
        "$labHost" | Should -Be 'taskotron-client01'
        "$([QaNet.Core.Lab.QaLabNetwork]::new('qa-clients', 'Nat', '192.168.150.0/24', [string[]]@('vh1'), [System.Collections.Generic.Dictionary[string, string]]::new(), $null))" | Should -Be 'qa-clients (Nat)'
    }

    It 'an error prints its fix once' {
        $e = $null
        $PSDefaultParameterValues = @{}
        Get-QaClient nope -ErrorVariable e -ErrorAction SilentlyContinue
        $fix = $e[0].ErrorDetails.RecommendedAction
        $fix | Should -Not -BeNullOrEmpty
        $ErrorView = 'ConciseView'
        # ConciseView wraps the message at the console's width inside its "| " margin: unwrap it.
        $text = (($e[0] | Out-String -Width 400) -replace '\s*\r?\n\s*(\|\s*)?', ' ') -replace '\s+', ' '
        $text | Should -Match 'There is no client named .nope.'
        ([regex]::Matches($text, [regex]::Escape($fix))).Count | Should -Be 1
        $text | Should -Match 'Recommendation'
    }
}

Describe 'Exports: Export-Csv and ConvertTo-Json (issue 17, bug 7)' {
    BeforeAll {
        $null = Import-QaPolicy $Example
        $Dir = Join-Path ([IO.Path]::GetTempPath()) "qanet-exports-$PID"
        $null = New-Item -ItemType Directory -Force $Dir

        # One object through Export-Csv and back: the row as a hashtable of cells.
        function Get-CsvRow($InputObject) {
            $file = Join-Path $Dir 'x.csv'
            $InputObject | Export-Csv -Path $file
            $rows = @(Import-Csv $file)
            $rows.Count | Should -Be 1
            $rows[0]
        }
        # One object through ConvertTo-Json (default depth, no switches) and back; warnings fail.
        function Get-JsonRoundTrip($InputObject) {
            $json = $InputObject | ConvertTo-Json -WarningVariable w -WarningAction SilentlyContinue
            $w | Should -BeNullOrEmpty -Because 'the default depth holds a QaNet object whole'
            $json.Length | Should -BeLessThan 2000 -Because 'no policy is dragged along'
            $json | Should -Not -Match '"(Policy|NetworkObject|Rule)"\s*:'
            $json | ConvertFrom-Json
        }
    }
    AfterAll { Remove-Item -Recurse -Force $Dir }

    It 'a network: mode by name, prefixes and addresses as text, lists joined in CSV, no policy' {
        $n = Get-QaNetwork qa-clients
        $csv = Get-CsvRow $n
        $csv.PSObject.Properties.Name | Should -Not -Contain 'Policy'
        $csv.Mode | Should -Be 'Nat'
        $csv.Subnet | Should -Be '192.168.150.0/24'
        $csv.Subnet6 | Should -Be 'fd00:150::/64'
        $csv.VirtHosts | Should -Be 'virthost-comm01, virthost-comm02'
        $csv.Clients | Should -Be 'taskotron-client01, taskotron-client02, taskotron-client03, beaker-client01, beaker-client02'
        $csv.DhcpStart | Should -Be '192.168.150.128'
        $j = Get-JsonRoundTrip $n
        $j.Name | Should -Be 'qa-clients'
        $j.Mode | Should -Be 'Nat'
        $j.Subnet | Should -Be '192.168.150.0/24'
        $j.HostAddress | Should -Be '192.168.150.1'
        $j.DhcpEnd | Should -Be '192.168.150.254'
        @($j.VirtHosts) | Should -Be @('virthost-comm01', 'virthost-comm02')
        @($j.Clients)[0] | Should -Be 'taskotron-client01'
    }

    It 'a client: addresses as text, roles joined in CSV and an array in JSON, no policy or network object' {
        $c = Get-QaClient taskotron-client01
        $csv = Get-CsvRow $c
        $csv.PSObject.Properties.Name | Should -Not -Contain 'Policy'
        $csv.PSObject.Properties.Name | Should -Not -Contain 'NetworkObject'
        $csv.Address | Should -Be '192.168.150.10'
        $csv.Address6 | Should -Be 'fd00:150::a'
        $csv.Network | Should -Be 'qa-clients'
        $csv.Roles | Should -Be 'taskotron'
        $j = Get-JsonRoundTrip $c
        $j.Address | Should -Be '192.168.150.10'
        $j.Address6 | Should -Be 'fd00:150::a'
        $j.MacAddress | Should -Be '52:54:00:d7:ec:56'
        @($j.Roles) | Should -Be @('taskotron')
        $j.PSObject.Properties.Name | Should -Not -Contain 'NetworkObject'
    }

    It 'a client with two roles: one readable CSV cell' {
        $null = Add-QaClient -Network qa-clients -Name multi-client01 -Role taskotron, beaker -VirtHost virthost-comm01
        (Get-CsvRow (Get-QaClient multi-client01)).Roles | Should -Be 'taskotron, beaker'
    }

    It 'an endpoint: ports and CIDRs as text' {
        $csv = Get-CsvRow (Get-QaEndpoint beaker-lab)
        $csv.Ports | Should -Be '80/tcp, 443/tcp, 8000/tcp, 69/udp'
        $csv.HostNames | Should -Be 'beaker-lab01.qa.fedoraproject.org'
        (Get-CsvRow (Get-QaEndpoint qa-lan)).Addresses | Should -Be '198.18.0.0/24'
        $j = Get-JsonRoundTrip (Get-QaEndpoint beaker-lab)
        @($j.Ports) | Should -Be @('80/tcp', '443/tcp', '8000/tcp', '69/udp')
        @((Get-JsonRoundTrip (Get-QaEndpoint qa-lan)).Addresses) | Should -Be @('198.18.0.0/24')
    }

    It 'a rule: kind by name, selectors as kind:value' {
        $r = Get-QaRule taskotron-koji
        $csv = Get-CsvRow $r
        $csv.Kind | Should -Be 'Egress'
        $csv.To | Should -Be 'endpoint:koji, endpoint:kojipkgs'
        $csv.From | Should -Be 'role:taskotron'
        $csv.Priority | Should -Be '1000'
        $csv.PSObject.Properties.Name | Should -Not -Contain 'Policy'
        $j = Get-JsonRoundTrip $r
        $j.Kind | Should -Be 'Egress'
        @($j.To) | Should -Be @('endpoint:koji', 'endpoint:kojipkgs')
        $j.Priority | Should -Be 1000
    }

    It 'an assertion: the port as 443/tcp' {
        $a = @(Get-QaAssertion)[0]
        (Get-CsvRow $a).Port | Should -Be '443/tcp'
        $j = Get-JsonRoundTrip $a
        $j.Port | Should -Be '443/tcp'
        $j.ExpectAllowed | Should -BeTrue
    }

    It 'a group: its source by name, members joined' {
        $g = Get-QaGroup sysadmin-main
        $csv = Get-CsvRow $g
        $csv.Source | Should -Be 'Policy'
        $csv.PSObject.Properties.Name | Should -Not -Contain 'Policy'
        (Get-JsonRoundTrip $g).Source | Should -Be 'Policy'
    }

    It 'a reachability result: protocol by name, addresses as text, no rule object' {
        $r = Test-QaReachability -From taskotron-client01 -To koji -Port 443/tcp
        $csv = Get-CsvRow $r
        $csv.Protocol | Should -Be 'Tcp'
        $csv.SourceAddress | Should -Be '192.168.150.10'
        $csv.DestinationAddress | Should -Be '203.0.113.10'
        $csv.DecidedBy | Should -Be 'taskotron-koji'
        $csv.PSObject.Properties.Name | Should -Not -Contain 'Rule'
        $j = Get-JsonRoundTrip $r
        $j.Protocol | Should -Be 'Tcp'
        $j.SourceAddress | Should -Be '192.168.150.10'
        $j.DestinationAddress | Should -Be '203.0.113.10'
        $j.RuleId | Should -Be 'taskotron-koji'
        $j.Allowed | Should -BeTrue
    }

    It 'a by-role row: DecidedBy joined in CSV, an array in JSON' {
        $row = Test-QaReachability -All -ByRole | Where-Object { $_.Role -eq 'taskotron' -and $_.To -eq 'koji' -and $_.Port -eq 443 }
        $csv = Get-CsvRow $row
        $csv.DecidedBy | Should -Be 'taskotron-koji'
        $csv.DecidedBy | Should -Not -Match 'System\.Collections'
        $csv.Protocol | Should -Be 'Tcp'
        $j = Get-JsonRoundTrip $row
        @($j.DecidedBy) | Should -Be @('taskotron-koji')
        $j.Protocol | Should -Be 'Tcp'
    }

    It 'a Compare-QaPolicy change: regions and ports as text, rules by id, no rule object' {
        $after = Import-QaPolicy $Example
        $before = Import-QaPolicy $Example   # the current policy again, for the tests after this one
        Revoke-QaRule -Policy $after -Id taskotron-master -Confirm:$false
        $change = Compare-QaPolicy $before $after | Where-Object RuleBefore -eq 'taskotron-master' | Select-Object -First 1
        $change | Should -Not -BeNullOrEmpty
        $j = Get-JsonRoundTrip $change
        @($j.Sources) | Should -Contain '192.168.150.10'
        @($j.Ports) | Should -Contain '443/tcp'
        $j.RuleBefore | Should -Be 'taskotron-master'
        $j.PSObject.Properties.Name | Should -Not -Contain 'RuleBeforeObject'
        (Get-CsvRow $change).Sources | Should -Match '^192\.168\.150\.2/31, '
        $change.RuleBeforeObject.Id | Should -Be 'taskotron-master'   # still there in code
    }

    It 'a Test-QaPolicy finding and a Test-QaAccess result: enums by name' {
        $p = Import-QaPolicy $Example
        Disable-QaRule -Id taskotron-master -Confirm:$false
        $f = Test-QaPolicy | Where-Object RuleId -eq 'taskotron-master' | Select-Object -First 1
        $jf = Get-JsonRoundTrip $f
        $jf.Kind | Should -Be 'DisabledRule'
        $jf.Severity | Should -BeOfType [string]
        $ja = Get-JsonRoundTrip (Test-QaAccess -User admin1 -HostName bastion -Right Sudo)
        $ja.Right | Should -Be 'Sudo'
        $ja.Allowed | Should -BeTrue
        $null = Import-QaPolicy $Example
    }

    It 'a ruleset: its backend by name' {
        $r = Get-QaRuleset -Backend Nft | Select-Object -First 1
        $json = $r | ConvertTo-Json -WarningVariable w -WarningAction SilentlyContinue
        $w | Should -BeNullOrEmpty -Because 'the compiled program is not exported'
        $j = $json | ConvertFrom-Json
        $j.Backend | Should -Be 'Nftables'
        $j.Text | Should -Be $r.Text
        $j.PSObject.Properties.Name | Should -Not -Contain 'Program'
        $r.Program | Should -Not -BeNullOrEmpty   # still there in code
        (Get-CsvRow $r).Backend | Should -Be 'Nftables'
    }

    It 'no CSV of any noun or result has a cell that is a type name' {
        $all = @(Get-QaNetwork) + @(Get-QaClient) + @(Get-QaEndpoint) + @(Get-QaRule) + @(Get-QaAssertion) + @(Get-QaGroup) + @(Get-QaAccess) +
            @(Test-QaReachability -All | Select-Object -First 50) + @(Test-QaReachability -All -ByRole | Select-Object -First 50) +
            @(Test-QaPolicy) + @(Get-QaRuleset -Backend Nft)
        foreach ($o in $all) {
            $text = ($o | ConvertTo-Csv) -join "`n"
            $text | Should -Not -Match 'System\.|item\(s\)|QaNet\.Core' -Because "$($o.GetType().Name) $o"
        }
    }

    It 'in code the back-references are still there, and the objects still pipe by name' {
        $c = Get-QaClient taskotron-client01
        $c.Policy.Name | Should -Be 'fedora-qa'
        $c.NetworkObject.Name | Should -Be 'qa-clients'
        (Test-QaReachability -From taskotron-client01 -To koji -Port 443/tcp).Rule.Id | Should -Be 'taskotron-koji'
        @(Get-QaAssertion | Select-Object -First 1 | Test-QaReachability).Count | Should -Be 1
        $c | Set-QaClient -VirtHost virthost-comm02 -WhatIf
        (Get-QaNetwork qa-clients).Mode -eq 'Nat' | Should -BeTrue
    }
}
