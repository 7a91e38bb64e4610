BeforeAll {
    Import-Module $env:QANET_MODULE_PATH -Force
    Import-QaPolicy -Path (Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml') | Out-Null
}

Describe 'Should -BeReachable and -BeBlocked' {
    It 'pass when the policy agrees' {
        'taskotron-client01' | Should -BeReachable -To koji -Port 443
        'koji' | Should -BeBlocked -To taskotron-client01 -Port 22
    }

    It 'name the deciding rule when a flow is unexpectedly allowed' {
        { 'taskotron-client01' | Should -BeBlocked -To koji -Port 443 } | Should -Throw -ExpectedMessage '*decided by taskotron-koji*'
    }

    It 'say default deny when nothing allows the flow' {
        { 'beaker-client01' | Should -BeReachable -To koji -Port 443 } | Should -Throw -ExpectedMessage '*decided by default deny*'
    }

    It 'find the -Live lab as Test-QaReachability -Live does, naming a missing one' {
        $e = { 'taskotron-client01' | Should -BeReachable -To koji -Port 443 -Live -Prefix qn-none- } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'LabNotFound,*'
        $e.Exception.Message | Should -BeLike "*No lab with prefix 'qn-none-' runs*"
    }
}

Describe 'lab cmdlets' {
    It 'are exported; Stop-QaLab asks before removing' {
        Get-Command Start-QaLab, Get-QaLab, Stop-QaLab -Module QaNet | Should -HaveCount 3
        (Get-Command Stop-QaLab).Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'offer the virthost profiles, and Get-QaLab''s table shows the profile' {
        (Get-Command Start-QaLab).Parameters['VirtHostProfile'].ParameterType.GetEnumNames() | Should -Be @('Debian12', 'Libvirt11', 'Fedora')
        $view = (Get-FormatData -TypeName QaNet.Core.Lab.QaLab).FormatViewDefinition | Where-Object Name -eq 'QaLab'
        $view.Control.Headers.Label | Should -Contain 'VirtHostProfile'
        $view.Control.Rows[0].Columns.DisplayEntry.Value | Should -Contain 'VirtHostProfile'
    }

    It 'report an unknown prefix as LabNotFound' {
        Get-QaLab -Prefix qn-none- -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'LabNotFound,*'
        Stop-QaLab -Prefix qn-none- -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable s
        $s[0].FullyQualifiedErrorId | Should -BeLike 'LabNotFound,*'
    }
}
