# Export-QaTopology with the real Graphviz dot (tools/lab-packages.txt brings graphviz): the
# SVG of the Fedora QA example, and a hostile description that must stay one label.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    Import-Module $ModulePath -Force -ErrorAction Stop
    $FedoraQa = Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml'
}

AfterAll {
    Remove-Module QaNet -ErrorAction SilentlyContinue
}

Describe 'Export-QaTopology on fedora-qa' {
    BeforeAll {
        $null = Import-QaPolicy -Path $FedoraQa
        $svgPath = Join-Path $TestDrive 'fedora-qa.svg'
    }

    It 'writes an SVG that dot drew from the graph: every node and edge is there' {
        $file = Export-QaTopology -Path $svgPath -PassThru
        $file.FullName | Should -Be $svgPath
        [xml]$svg = Get-Content -Raw $svgPath
        $svg.svg | Should -Not -BeNullOrEmpty
        $titles = @(Select-Xml -Xml $svg -XPath '//*[local-name()="title"]' | ForEach-Object { $_.Node.InnerText })
        $titles | Should -Contain 'ep/koji'
        $titles | Should -Contain 'role/virthost-comm01/qa-clients/taskotron'
        $titles | Should -Contain 'role/virthost-comm01/qa-clients/taskotron->ep/koji'
        $titles | Should -Contain 'ep/bastion->net/virthost-comm02/qa-clients'
        $titles | Should -Not -Contain 'role/virthost-comm02/qa-clients/beaker->ep/koji'
        $text = @(Select-Xml -Xml $svg -XPath '//*[local-name()="text"]' | ForEach-Object { $_.Node.InnerText })
        $text | Should -Contain '80/tcp, 443/tcp'
        $text | Should -Contain 'management host bastion'
    }

    It 'keeps a hostile description inside the graph label' {
        $p = Get-QaPolicy
        $p.Description = 'x"]; evil -> koji; \"'
        $hostile = Join-Path $TestDrive 'hostile.svg'
        Export-QaTopology -Path $hostile
        [xml]$svg = Get-Content -Raw $hostile
        $titles = @(Select-Xml -Xml $svg -XPath '//*[local-name()="title"]' | ForEach-Object { $_.Node.InnerText })
        $titles | Should -Not -Contain 'evil'
        (Select-Xml -Xml $svg -XPath '//*[local-name()="text"]' | ForEach-Object { $_.Node.InnerText }) -join "`n" |
            Should -Match ([regex]::Escape('x"]; evil -> koji; \"'))
    }
}
