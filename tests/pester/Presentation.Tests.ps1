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
        $text = $e[0] | Out-String -Width 400
        ([regex]::Matches($text, [regex]::Escape($fix))).Count | Should -Be 1
        $text | Should -Match 'Recommendation'
    }
}
