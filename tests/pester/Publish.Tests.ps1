# Publishing as a user runs it: into a lab virthost (a qn- namespace with its own libvirtd),
# reached through the policy's transports; removed afterwards whatever happens.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop

    $Ns = 'qn-pst-{0:x6}' -f (Get-Random -Maximum 0xffffff)
    $LabDir = Join-Path ([IO.Path]::GetTempPath()) $Ns
    $None = [Threading.CancellationToken]::None
    [QaNet.Core.Lab.Namespaces]::CreateAsync($Ns, 'qn-', $null, $None).GetAwaiter().GetResult()
    $Libvirtd = [QaNet.Core.Lab.LibvirtdInstance]::StartAsync($Ns, $LabDir, $null, $None).GetAwaiter().GetResult()

    $Policy = New-QaPolicy -Name pester
    $net = New-QaIsolatedNetwork -Name qa-pester -Subnet 198.51.100.0/24 -Mode Nat -VirtHost vh1
    $null = $net | Add-QaClient -Name c1 -Role taskotron
    $null = Add-QaEndpoint -Name bastion -Address 192.0.2.10 -Port 22/tcp
    $null = Add-QaEndpoint -Name koji -Address 203.0.113.10 -Port 443/tcp
    $null = Grant-QaIngress -From bastion -Role taskotron -Port 22/tcp
    $null = Grant-QaEgress -Role taskotron -Endpoint koji
    $null = [QaNet.Core.Editing.PolicyEditor]::SetTransport($Policy, [QaNet.Core.Model.QaHostTransport]::InNamespace('vh1', $Ns, $Libvirtd.Uri))

    function Get-LabState {
        (& ip netns exec $Ns nft list ruleset) -join "`n"
        (& ip netns exec $Ns virsh -c $Libvirtd.Uri net-list --all --name) -join "`n"
        (& ip netns exec $Ns ebtables-save | Where-Object { $_ -notmatch '^#' }) -join "`n"
    }
}

AfterAll {
    if ($Libvirtd) { $Libvirtd.StopAsync($None).GetAwaiter().GetResult() }
    & rm -rf "/run/qanet/netns/$Ns"
    [QaNet.Core.Lab.Namespaces]::DeleteAsync($Ns, 'qn-', $null, $None).GetAwaiter().GetResult()
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'Publish-QaNetwork' {
    It '-WhatIf changes nothing and shows the plan, also from a policy file with transports' {
        $before = Get-LabState
        $r = Publish-QaNetwork -WhatIf
        $r.Outcome | Should -Be 'WhatIf'
        $r.Plan.Changes.Kind | Should -Contain 'LibvirtNetworkDefine'
        $r.Plan.Artifacts.NftTables[0].Definition | Should -Match 'table inet qanet'

        # A user's session: the policy file names the transport; What if: lists the changes.
        $file = Join-Path $LabDir 'pester.yaml'
        Export-QaPolicy -Path $file
        Get-Content -Raw $file | Should -Match "namespace: $Ns"
        $pwshDll = Join-Path $PSHOME 'pwsh.dll'
        $text = & ([Environment]::ProcessPath) $pwshDll -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; Import-QaPolicy '$file' | Publish-QaNetwork -WhatIf | Out-Null" 2>&1
        ($text -join "`n") | Should -Match 'What if: .*Publish.*vh1: \d+ changes'
        ($text -join "`n") | Should -Match 'LibvirtNetworkDefine network qa-pester'
        Get-LabState | Should -Be $before
    }

    It 'publishes, leaves no drift, and a second publish changes nothing' {
        $r = Publish-QaNetwork -Confirm:$false
        $r.Outcome | Should -Be 'Applied'
        Test-QaNetwork | Should -BeNullOrEmpty
        Test-QaNetwork -Quiet | Should -BeTrue
        (Publish-QaNetwork -Confirm:$false).Outcome | Should -Be 'Unchanged'
        & ip netns exec $Ns nft list table inet qanet | Out-String | Should -Match 'qanet:egress-taskotron-koji'
    }

    It 'publishes with -ConfirmTimeout and keeps it on Confirm-QaPublish' {
        $null = New-QaIsolatedNetwork -Name qa-pester2 -Subnet 198.51.101.0/24 -Mode Nat -VirtHost vh1 | Add-QaClient -Name c2 -Role taskotron
        $r = Publish-QaNetwork -ConfirmTimeout 00:05:00 -Confirm:$false
        $r.Outcome | Should -Be 'Applied'
        $r.ConfirmDeadline | Should -Not -BeNullOrEmpty
        (Confirm-QaPublish).Outcome | Should -Be 'Confirmed'
        Test-QaNetwork -Quiet | Should -BeTrue
        { Confirm-QaPublish -VirtHost vh1 -ErrorAction Stop } | Should -Throw -ErrorId 'PublishNotPending,QaNet.Commands.Publishing.ConfirmQaPublishCommand'
    }

    It 'reports bad input with stable error ids' {
        { Publish-QaNetwork -VirtHost nosuch -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownVirtHost,QaNet.Commands.Publishing.PublishQaNetworkCommand'
        { Publish-QaNetwork -Network nosuch -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'NotFound,QaNet.Commands.Publishing.PublishQaNetworkCommand'
        { Publish-QaNetwork -Transport @{ vh1 = 'carrier-pigeon' } -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTransport,QaNet.Commands.Publishing.PublishQaNetworkCommand'
        { Test-QaNetwork -Transport @{ vh1 = 'namespace:qn-no such' } -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTransport,QaNet.Commands.Publishing.TestQaNetworkCommand'
    }
}
