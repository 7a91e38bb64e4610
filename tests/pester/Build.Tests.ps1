# The module folder as the build assembles it: what Import-Module by path sees.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    $ModuleDir = Split-Path $ModulePath
}

Describe 'the built module folder' {
    It 'keeps QaNet.Policy and YamlDotNet out of the module root' {
        Join-Path $ModuleDir 'dependencies/QaNet.Policy.dll' | Should -Exist
        Join-Path $ModuleDir 'dependencies/YamlDotNet.dll' | Should -Exist
        Join-Path $ModuleDir 'YamlDotNet.dll' | Should -Not -Exist
    }

    It 'ships the cmdlet and core assemblies beside the manifest' {
        Join-Path $ModuleDir 'QaNet.Commands.dll' | Should -Exist
        Join-Path $ModuleDir 'QaNet.Core.dll' | Should -Exist
    }
}
