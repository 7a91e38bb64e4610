#requires -Modules Pester
# The acceptance suite a Fedora QA admin keeps next to the policy: what the clients must and
# must not reach, checked against the policy (offline) and on a lab replica (-Live).
# Run: Invoke-Pester ./examples/acceptance   (as root; Pester must be imported before QaNet)

BeforeAll {
    $module = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $module -Force
    Import-QaPolicy -Path (Join-Path $PSScriptRoot '../policies/fedora-qa.yaml') | Out-Null
    $script:lab = 'qn-acc-'
    if (Get-QaLab -Prefix $lab -ErrorAction Ignore) { Stop-QaLab -Prefix $lab -Confirm:$false }
    Start-QaLab -Prefix $lab -Confirm:$false | Out-Null
}

AfterAll {
    Stop-QaLab -Prefix $lab -Confirm:$false
}

Describe 'the policy (offline)' {
    It 'lets taskotron clients fetch builds from koji' {
        'taskotron-client01' | Should -BeReachable -To koji -Port 443
    }
    It 'keeps beaker clients away from koji' {
        'beaker-client01' | Should -BeBlocked -To koji -Port 443
    }
}

Describe 'taskotron clients' {
    It 'reach koji over https' {
        'taskotron-client01' | Should -BeReachable -To koji -Port 443 -Live -Prefix $lab
    }
    It 'reach the buildmaster on 9989' {
        'taskotron-client03' | Should -BeReachable -To taskotron-master -Port 9989 -Live -Prefix $lab
    }
    It 'cannot reach the rest of the QA LAN' {
        'taskotron-client01' | Should -BeBlocked -To qa-lan -Port 22 -Live -Prefix $lab
    }
    It 'cannot reach each other' {
        'taskotron-client01' | Should -BeBlocked -To taskotron-client02 -Port 22 -Live -Prefix $lab
    }
}

Describe 'beaker clients' {
    It 'fetch from the lab controller over TFTP' {
        'beaker-client01' | Should -BeReachable -To beaker-lab -Port 69 -Protocol udp -Live -Prefix $lab
    }
    It 'cannot use koji' {
        'beaker-client02' | Should -BeBlocked -To koji -Port 443 -Live -Prefix $lab
    }
}

Describe 'connections into clients' {
    It 'come from the bastion over ssh' {
        'bastion' | Should -BeReachable -To taskotron-client01 -Port 22 -Live -Prefix $lab
    }
    It 'come from the lab controller on the harness port' {
        'beaker-lab' | Should -BeReachable -To beaker-client01 -Port 8081 -Live -Prefix $lab
    }
    It 'never come from the services' {
        'koji' | Should -BeBlocked -To taskotron-client01 -Port 22 -Live -Prefix $lab
    }
}

Describe 'the lab as the publish target' {
    # Start-QaLab published the policy; the publish cmdlets now reach the lab's hosts by themselves.
    It 'is already up to date' {
        $results = Publish-QaNetwork -Confirm:$false
        $results.Count | Should -BeGreaterThan 1
        $results.Outcome | Sort-Object -Unique | Should -Be 'Unchanged'
    }
    It 'shows no drift' {
        Test-QaNetwork -Quiet | Should -BeTrue
    }
    It 'has virthosts that pass the host preflight' {
        $checks = Test-QaVirtHost
        ($checks.VirtHost | Sort-Object -Unique) | Should -Be @('virthost-comm01', 'virthost-comm02')
        $checks | Where-Object Status -eq Fail | Should -BeNullOrEmpty
        ($checks | Where-Object Check -eq Ebtables).Found | Should -Match 'nf_tables'
        ($checks | Where-Object Check -eq Libvirt).Found | Should -Match '^libvirt \d+\.\d+'
        Test-QaVirtHost -Quiet | Should -BeTrue
    }
}

Describe 'the whole policy' {
    It 'holds on the lab cell by cell' {
        $script:cells = Test-QaReachability -All -Live -Lab $lab
        $cells.Count | Should -BeGreaterThan 1000
        $cells | Where-Object { -not $_.Conforms } | Should -BeNullOrEmpty
    }
    It 'writes the live conformance report for the team' {
        $file = Join-Path $TestDrive 'live.html'
        $script:cells | Export-QaReachabilityReport -Path $file
        Get-Content -Raw $file | Should -Match "live probes: $($script:cells.Count) conform, 0 do not"
    }
    It 'keeps the QA LAN out of reach of every client' {
        Test-QaReachability -From taskotron-client01 -To qa-lan -Port 22, 443 -Live -Lab $lab -Quiet | Should -BeFalse
    }
}
