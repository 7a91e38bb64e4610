# QaNet.Policy and its YamlDotNet load into a private AssemblyLoadContext, so a session that
# already holds another YamlDotNet (another module's) can still import and export policies.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    $ModuleDir = Split-Path $ModulePath
    $Importable = $ModulePath
    $Example = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/policies/fedora-qa.yaml')).Path
    $Golden = (Resolve-Path (Join-Path $PSScriptRoot '../QaNet.Tests/Policy/Golden/fedora-qa.export.yaml')).Path

    # tests/QaNet.Tests downloads this version (PackageDownload) without referencing it.
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $OtherYaml = Join-Path $packages 'yamldotnet/16.3.0/lib/net8.0/YamlDotNet.dll'

    # A fresh process: the other YamlDotNet must be loaded before the module, as a user's
    # profile or another module would have done.
    $Child = Join-Path $TestDrive 'child.ps1'
    Set-Content -Path $Child -Value @'
param([string] $OtherYaml, [string] $Importable, [string] $Example, [string] $OutDir)
$ErrorActionPreference = 'Stop'
Add-Type -Path $OtherYaml
$otherVersion = [YamlDotNet.Core.Parser].Assembly.GetName().Version.ToString()
Import-Module $Importable

[string] $first = Join-Path $OutDir 'first.yaml'
[string] $second = Join-Path $OutDir 'second.yaml'
$p = Import-QaPolicy -Path $Example
Export-QaPolicy -Policy $p -Path $first
Export-QaPolicy -Policy (Import-QaPolicy -Path $first) -Path $second
try { Import-QaPolicy -Path $OtherYaml; $badId = '' } catch { $badId = $_.FullyQualifiedErrorId }

$alc = [System.Runtime.Loader.AssemblyLoadContext]
$policyAssembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'QaNet.Policy' }
[pscustomobject]@{
    OtherVersion     = $otherVersion
    PolicyName       = $p.Name
    PolicyAssemblies = @($policyAssembly).Count
    PolicyContext    = $alc::GetLoadContext($policyAssembly).Name
    PolicyIsDefault  = [object]::ReferenceEquals($alc::GetLoadContext($policyAssembly), $alc::Default)
    YamlDotNets      = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' } |
        ForEach-Object { '{0}@{1}' -f $_.GetName().Version, $alc::GetLoadContext($_).Name } | Sort-Object)
    BadFileErrorId   = $badId
} | ConvertTo-Json -Compress
'@

    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    $output = & dotnet $pwshDll -NoLogo -NoProfile -NonInteractive -File $Child $OtherYaml $Importable $Example $TestDrive 2>&1
    $ChildExit = $LASTEXITCODE
    $ChildOutput = ($output | Out-String)
    $Result = if ($ChildExit -eq 0) { $output | Select-Object -Last 1 | ConvertFrom-Json }
}

Describe 'QaNet.Policy in a session that already has another YamlDotNet' {
    It 'has the other YamlDotNet to load' {
        $OtherYaml | Should -Exist
    }

    It 'imports and exports the Fedora QA policy' {
        $ChildExit | Should -Be 0 -Because $ChildOutput
        $Result.OtherVersion | Should -BeLike '16.*'
        $Result.PolicyName | Should -Be 'fedora-qa'
    }

    It 'exports the same text the xunit golden file holds, twice over' {
        $first = Get-Content -Raw (Join-Path $TestDrive 'first.yaml')
        $first | Should -BeExactly (Get-Content -Raw $Golden)
        Get-Content -Raw (Join-Path $TestDrive 'second.yaml') | Should -BeExactly $first
    }

    It 'loads QaNet.Policy once, outside the default load context' {
        $Result.PolicyAssemblies | Should -Be 1
        $Result.PolicyIsDefault | Should -BeFalse
        $Result.PolicyContext | Should -Be 'QaNet.Policy'
    }

    It 'keeps both YamlDotNet versions, each in its own context' {
        $Result.YamlDotNets | Should -Be @('16.0.0.0@Default', '18.0.0.0@QaNet.Policy')
    }

    It 'reports a malformed file with a policy error id' {
        # A DLL is not a policy: it must come back as a QaNet error, not a crash.
        $Result.BadFileErrorId | Should -BeLike 'Policy*'
    }
}
