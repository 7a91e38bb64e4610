# The package as a user installs it: the nupkg './build.sh pack' makes (tools/New-QaNetPackage.ps1)
# from the built module, installed with Install-PSResource from a local repository and used in a
# fresh pwsh. PSResourceGet keeps its repository list under LocalApplicationData ($XDG_DATA_HOME,
# else ~/.local/share) and installs -Scope CurrentUser into $HOME/.local/share/powershell/Modules,
# which pwsh searches; so every child process here gets a scratch HOME and XDG_DATA_HOME: the
# user's registered repositories and installed modules are never touched.
BeforeAll {
    $ModulePath = if ($env:QANET_MODULE_PATH) { $env:QANET_MODULE_PATH } else { Join-Path $PSScriptRoot '../../out/QaNet/QaNet.psd1' }
    $ModuleDir = Split-Path $ModulePath
    $Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $Version = (Import-PowerShellDataFile $ModulePath).ModuleVersion

    # Not TestDrive: Pester empties that before the file's AfterAll, which still needs the scratch home.
    $Scratch = Join-Path ([IO.Path]::GetTempPath()) "qanet-package-$([guid]::NewGuid().ToString('N'))"
    $RepoDir = Join-Path $Scratch 'repo'
    $ScratchHome = Join-Path $Scratch 'home'
    $DataHome = Join-Path $ScratchHome '.local/share'
    # It must exist: .NET answers LocalApplicationData with '' for a missing folder, and
    # PSResourceGet would then keep its repository list in the working directory.
    New-Item -ItemType Directory -Force $DataHome | Out-Null
    $RepoName = "QaNetPackageTest-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $UserRepositories = @(Get-PSResourceRepository | ForEach-Object Name | Sort-Object)
    $UserInstall = Join-Path $HOME ".local/share/powershell/Modules/QaNet/$Version"
    $UserInstallExisted = Test-Path $UserInstall

    # A fresh pwsh (no profile) with the scratch home; returns its output (JSON on the last line) and exit code.
    function Invoke-ScratchPwsh([string] $Command) {
        $pwsh = [Environment]::ProcessPath
        [string[]] $prefix = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $saved = $env:HOME, $env:XDG_DATA_HOME
        try {
            $env:HOME = $ScratchHome
            $env:XDG_DATA_HOME = $DataHome
            $text = & $pwsh @prefix -NoProfile -NonInteractive -Command "`$ErrorActionPreference = 'Stop'; `$PSStyle.OutputRendering = 'PlainText'; $Command" 2>&1
            $exit = $LASTEXITCODE
            $json = try { [string]($text | Select-Object -Last 1) | ConvertFrom-Json } catch { $null }   # shown through Text when it fails
            [pscustomobject]@{ ExitCode = $exit; Text = ($text -join "`n"); Json = $json }
        }
        finally { $env:HOME, $env:XDG_DATA_HOME = $saved }
    }

    $Package = & (Join-Path $Root 'tools/New-QaNetPackage.ps1') -ModulePath $ModuleDir -DestinationPath $RepoDir

    # Opens the nupkg as the zip it is: the nuspec and the list of entries.
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $zip = [IO.Compression.ZipFile]::OpenRead($Package.FullName)
    try {
        $Entries = @($zip.Entries | ForEach-Object FullName)
        $reader = [IO.StreamReader]::new($zip.GetEntry('QaNet.nuspec').Open())
        try { $Nuspec = ([xml]$reader.ReadToEnd()).package.metadata } finally { $reader.Dispose() }
    }
    finally { $zip.Dispose() }

    $Install = Invoke-ScratchPwsh @"
Register-PSResourceRepository -Name '$RepoName' -Uri '$RepoDir' -Trusted
`$r = Install-PSResource -Name QaNet -Repository '$RepoName' -Scope CurrentUser -PassThru
[pscustomobject]@{ Name = `$r.Name; Version = `$r.Version.ToString(); InstalledLocation = `$r.InstalledLocation
    Repositories = @(Get-PSResourceRepository | ForEach-Object Name) } | ConvertTo-Json -Compress
"@
}

AfterAll {
    # Unregistering proves the repository was only ever in the scratch home, which goes with it.
    try {
        $r = Invoke-ScratchPwsh "Unregister-PSResourceRepository -Name '$RepoName'; ConvertTo-Json -Compress -AsArray @(Get-PSResourceRepository | ForEach-Object Name)"
        if ($r.ExitCode -ne 0 -or $r.Json -contains $RepoName) { throw "Unregister-PSResourceRepository $RepoName failed: $($r.Text)" }
    }
    finally { Remove-Item -Recurse -Force -LiteralPath $Scratch -ErrorAction SilentlyContinue }
}

Describe 'the QaNet package' {
    It 'is QaNet.<version>.nupkg with the version of the built manifest' {
        $Package.Name | Should -Be "QaNet.$Version.nupkg"
        $Version | Should -Not -Be '0.0.0'
        $Nuspec.id | Should -Be 'QaNet'
        $Nuspec.version | Should -Be $Version
    }

    It 'has a manifest with project, license, release notes and tags' {
        $psData = (Import-PowerShellDataFile (Join-Path $Root 'module/QaNet/QaNet.psd1')).PrivateData.PSData
        $Nuspec.projectUrl | Should -Be $psData.ProjectUri
        $Nuspec.licenseUrl | Should -Be $psData.LicenseUri
        $Nuspec.releaseNotes | Should -Be $psData.ReleaseNotes
        $Nuspec.releaseNotes | Should -Not -BeNullOrEmpty
        $tags = $Nuspec.tags -split '\s+'
        foreach ($t in $psData.Tags) { $tags | Should -Contain $t }
    }

    It 'holds the built module: assemblies, private dependencies, manifest, views, help and LICENSE' {
        foreach ($f in 'QaNet.psd1', 'QaNet.Commands.dll', 'QaNet.Core.dll', 'QaNet.Assertions.psm1', 'QaNet.Format.ps1xml',
            'dependencies/QaNet.Policy.dll', 'dependencies/YamlDotNet.dll', 'en-US/QaNet.Commands.dll-Help.xml',
            'en-US/about_QaNet.help.txt', 'LICENSE') {
            $Entries | Should -Contain $f
        }
        # Nothing of the module folder is left behind, and YamlDotNet stays out of the root.
        $built = Get-ChildItem -Recurse -File $ModuleDir | ForEach-Object { [IO.Path]::GetRelativePath($ModuleDir, $_.FullName) -replace '\\', '/' }
        foreach ($f in $built) { $Entries | Should -Contain $f }
        $Entries | Should -Not -Contain 'YamlDotNet.dll'
    }

    It 'installs with Install-PSResource from a local repository into a scratch CurrentUser scope' {
        $Install.ExitCode | Should -Be 0 -Because $Install.Text
        $Install.Json.Name | Should -Be 'QaNet'
        $Install.Json.Version | Should -Be $Version
        $Install.Json.InstalledLocation | Should -BeLike "$ScratchHome/*"
        $Install.Json.Repositories | Should -Contain $RepoName
        Get-Content -Raw (Join-Path $DataHome 'PSResourceGet/PSResourceRepository.xml') | Should -Match ([regex]::Escape("Name=`"$RepoName`""))
        Join-Path $ScratchHome ".local/share/powershell/Modules/QaNet/$Version/dependencies/YamlDotNet.dll" | Should -Exist
    }

    It 'imports by name in a fresh pwsh, loads a policy, runs cmdlets and has real help' {
        $policy = Join-Path $Root 'examples/policies/fedora-qa.yaml'
        $r = Invoke-ScratchPwsh @"
Import-Module QaNet
`$m = Get-Module QaNet
`$null = New-QaPolicy -Name scratch
Import-QaPolicy -Path '$policy' | Out-Null
`$help = Get-Help Add-QaClient -Full
[pscustomobject]@{ ModuleBase = `$m.ModuleBase; Version = `$m.Version.ToString(); Clients = @(Get-QaClient).Count
    Endpoints = @(Get-QaEndpoint).Count; Synopsis = `$help.Synopsis; Examples = @(`$help.examples.example).Count
    Description = (`$help.description | Out-String).Trim() } | ConvertTo-Json -Compress
"@
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $r.Json.ModuleBase | Should -BeLike "$ScratchHome/*"
        $r.Json.Version | Should -Be $Version
        # The same file through the built module, in this process: the installed copy must agree.
        Import-Module $ModulePath -Force
        try {
            Import-QaPolicy -Path $policy | Out-Null
            $expectedClients = @(Get-QaClient).Count
            $expectedEndpoints = @(Get-QaEndpoint).Count
        }
        finally { Remove-Module QaNet }
        $expectedClients | Should -BeGreaterThan 0
        $r.Json.Clients | Should -Be $expectedClients
        $r.Json.Endpoints | Should -Be $expectedEndpoints
        # The synopsis written in docs/help, not the syntax line Get-Help makes up when it finds no help.
        $source = Get-Content (Join-Path $Root 'docs/help/Add-QaClient.md')
        $r.Json.Synopsis | Should -Be $source[([array]::IndexOf($source, '## SYNOPSIS') + 1)]
        $r.Json.Examples | Should -BeGreaterThan 0
        $r.Json.Description | Should -Not -BeNullOrEmpty
    }

    It "leaves this user's registered repositories and installed modules as they were" {
        @(Get-PSResourceRepository | ForEach-Object Name | Sort-Object) | Should -Be $UserRepositories
        Get-PSResourceRepository -Name $RepoName -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Test-Path $UserInstall | Should -Be $UserInstallExisted
    }
}
