# Publishing to several virthosts as a user runs it: one host in a lab namespace with its own
# libvirtd (qn-pp-…), one host whose namespace does not exist (it fails at once, for real).
# Everything made here is removed afterwards whatever happens.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop

    $Ns = 'qn-pp-pst-{0:x4}' -f (Get-Random -Maximum 0xffff)
    $Missing = 'qn-pp-gone-{0:x4}' -f (Get-Random -Maximum 0xffff)
    $LabDir = Join-Path ([IO.Path]::GetTempPath()) $Ns
    $None = [Threading.CancellationToken]::None
    [QaNet.Core.Lab.Namespaces]::CreateAsync($Ns, 'qn-', $null, $None).GetAwaiter().GetResult()
    $Libvirtd = [QaNet.Core.Lab.LibvirtdInstance]::StartAsync($Ns, $LabDir, $null, $None).GetAwaiter().GetResult()

    function New-TwoHostPolicy {
        $null = New-QaPolicy -Name pester-pp
        $net = New-QaIsolatedNetwork -Name qn-pp-pester -Subnet 198.51.100.0/24 -Mode Nat -VirtHost vh0, vh1
        $null = $net | Add-QaClient -Name c0 -Role beaker -VirtHost vh0
        $null = $net | Add-QaClient -Name c1 -Role beaker -VirtHost vh1
        $null = Add-QaEndpoint -Name bastion -Address 192.0.2.10 -Port 22/tcp
        $null = Grant-QaIngress -From bastion -Role beaker -Port 22/tcp
        $p = Get-QaPolicy
        $null = [QaNet.Core.Editing.PolicyEditor]::SetTransport($p, [QaNet.Core.Model.QaHostTransport]::InNamespace('vh0', $Missing))
        $null = [QaNet.Core.Editing.PolicyEditor]::SetTransport($p, [QaNet.Core.Model.QaHostTransport]::InNamespace('vh1', $Ns, $Libvirtd.Uri))
        $p
    }

    function Reset-Lab {
        & ip netns exec $Ns virsh -c $Libvirtd.Uri net-destroy qn-pp-pester 2>$null | Out-Null
        & ip netns exec $Ns virsh -c $Libvirtd.Uri net-undefine qn-pp-pester 2>$null | Out-Null
        & ip netns exec $Ns nft delete table inet qanet 2>$null
        & rm -rf "/run/qanet/netns/$Ns"
    }
}

AfterAll {
    if ($Libvirtd) {
        Reset-Lab
        $Libvirtd.StopAsync($None).GetAwaiter().GetResult()
    }
    & rm -rf "/run/qanet/netns/$Ns"
    [QaNet.Core.Lab.Namespaces]::DeleteAsync($Ns, 'qn-', $null, $None).GetAwaiter().GetResult()
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'Publish-QaNetwork to several virthosts' {
    BeforeEach { Reset-Lab }

    It 'has -ThrottleLimit (default 5, 1..64) and -StopOnFirstFailure; Test-QaNetwork has -Summary' {
        $cmd = Get-Command Publish-QaNetwork
        $cmd.Parameters['ThrottleLimit'].ParameterType | Should -Be ([int])
        $cmd.Parameters['StopOnFirstFailure'].ParameterType | Should -Be ([switch])
        (Get-Command Test-QaNetwork).Parameters['Summary'].ParameterType | Should -Be ([switch])
        foreach ($name in 'Confirm-QaPublish', 'Undo-QaPublish', 'Test-QaNetwork') {
            (Get-Command $name).Parameters.ContainsKey('ThrottleLimit') | Should -BeTrue
        }
        { Publish-QaNetwork -Policy (New-TwoHostPolicy) -ThrottleLimit 0 -WhatIf } | Should -Throw -ErrorId 'ParameterArgumentValidationError,QaNet.Commands.Publishing.PublishQaNetworkCommand'
        (Get-Help Publish-QaNetwork -Parameter ThrottleLimit).Description.Text | Should -Match 'at the same time'
    }

    It 'goes on after a failed host by default: one result per host in host order, one error, a summary warning' {
        $p = New-TwoHostPolicy
        $r = Publish-QaNetwork -Policy $p -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue
        $r.VirtHost | Should -Be @('vh0', 'vh1')
        $r[0].Outcome | Should -Be 'Failed'
        $r[1].Outcome | Should -Be 'Applied'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HostCommandFailed,*'
        $warns[-1] | Should -Be '2 hosts: 1 applied, 1 failed (vh0: HostCommandFailed)'
        (Test-QaNetwork -Policy $p -VirtHost vh1 -Summary).InSync | Should -BeTrue
    }

    It 'with -StopOnFirstFailure reports the hosts not started as NotAttempted and changes nothing there' {
        $p = New-TwoHostPolicy
        $r = Publish-QaNetwork -Policy $p -Confirm:$false -ThrottleLimit 1 -StopOnFirstFailure -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue
        $r[0].Outcome | Should -Be 'Failed'
        $r[1].Outcome | Should -Be 'NotAttempted'
        $r[1].Error.Id | Should -Be 'PublishNotAttempted'
        $warns[-1] | Should -Be '2 hosts: 1 failed (vh0: HostCommandFailed), 1 not attempted (vh1: PublishNotAttempted)'
        (& ip netns exec $Ns virsh -c $Libvirtd.Uri net-list --all --name) -join '' | Should -Not -Match 'qn-pp-pester'
    }

    It 'says nothing loud when every host succeeds, and a re-publish is Unchanged' {
        $p = New-TwoHostPolicy
        $null = Publish-QaNetwork -Policy $p -VirtHost vh1 -Confirm:$false
        $r = Publish-QaNetwork -Policy $p -VirtHost vh1 -Confirm:$false -WarningVariable warns -InformationVariable info
        $r.Outcome | Should -Be 'Unchanged'
        $warns | Should -BeNullOrEmpty
        "$info" | Should -Be '1 host: 1 unchanged'
    }

    It 'Test-QaNetwork -Summary shows one status per host and the record the host carries' {
        $p = New-TwoHostPolicy
        $applied = Publish-QaNetwork -Policy $p -VirtHost vh1 -Confirm:$false
        $s = Test-QaNetwork -Policy $p -Summary -ErrorAction SilentlyContinue
        $s.VirtHost | Should -Be @('vh0', 'vh1')
        $s[0].Error.Id | Should -Be 'HostCommandFailed'
        $s[1].InSync | Should -BeTrue
        $s[1].PublishId | Should -Be $applied.PublishId
        $s[1].CarriesPolicy | Should -BeTrue
        ($s | Format-Table | Out-String) | Should -Match 'vh1\s+True'
    }
}
