# Existing VMs as the module presents them (issue 17): a listed domain's view and its Mac alias,
# and the property names Add-QaClient binds. Listing and connecting against a real libvirtd:
# tests/QaNet.Tests/Lab/DomainLabTests.cs; against a scripted virsh: Commands/DomainCommandTests.cs.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop

    function New-Domain {
        $nic = [QaNet.Core.Publish.QaDomainInterface]::new('52:54:00:aa:00:01', 'network', 'qa-clients', 'virbr7', 'virtio', 'vnet3')
        [QaNet.Core.Publish.QaVirtHostDomain]::new('virthost-comm01', 'legacy01', 'running', $true, [QaNet.Core.Publish.QaDomainInterface[]]@($nic))
    }
}

AfterAll {
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'a listed domain' {
    It 'has Name, Mac (alias of MacAddress), Network and VirtHost of its first interface' {
        $d = New-Domain
        $d.Mac | Should -Be '52:54:00:aa:00:01'
        $d.MacAddress | Should -Be '52:54:00:aa:00:01'
        $d.Network | Should -Be 'qa-clients'
        $d.VirtHost | Should -Be 'virthost-comm01'
    }

    It 'shows state and interfaces in its table view, grouped by virthost' {
        $text = New-Domain | Format-Table | Out-String -Width 200
        $text | Should -Match 'VirtHost: virthost-comm01'
        $text | Should -Match 'legacy01\s+running\s+True\s+52:54:00:aa:00:01 qa-clients \(vnet3\)'
    }

    It 'exports its interfaces as objects, not as a type name' {
        $json = New-Domain | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json.Interfaces[0].Target | Should -Be 'vnet3'
    }

    It 'pipes into Add-QaClient by property name' {
        $null = New-QaPolicy -Name dom
        $null = New-QaIsolatedNetwork -Name qa-clients -Subnet 192.168.150.0/24 -Mode Nat -VirtHost virthost-comm01
        $client = New-Domain | Add-QaClient -Network qa-clients
        $client.Name | Should -Be 'legacy01'
        $client.MacAddress | Should -Be '52:54:00:aa:00:01'
    }
}
