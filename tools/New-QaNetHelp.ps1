#requires -Version 7.4
<#
.SYNOPSIS
Builds the module's MAML help from docs/help/*.md and the cmdlets' own metadata.

.DESCRIPTION
Each cmdlet has one markdown source, docs/help/<Verb-Noun>.md, with the sections
SYNOPSIS, DESCRIPTION, EXAMPLES (### Example N: title, a ```powershell block, remarks),
PARAMETERS (### -Name, description), INPUTS and OUTPUTS (### type, description), NOTES
and RELATED LINKS. Parameters described the same way everywhere (-Policy, -WhatIf,
-Confirm) live once in docs/help/_shared-parameters.md; a cmdlet's file may override one.

What the text cannot get wrong comes from the cmdlet itself (Get-Command): parameter
sets, types, mandatory, position, pipeline input, wildcards, aliases. A cmdlet without a
source, a synopsis or an example, or a parameter without a description, fails the build:
help that silently lags behind the code is worse than none.

.EXAMPLE
./tools/New-QaNetHelp.ps1 -ModulePath out/QaNet -Source docs/help
Writes out/QaNet/en-US/QaNet.Commands.dll-Help.xml.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Source
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
    [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

function Read-HelpSource([string] $Path) {
    # Sections by '## ', subsections by '### '; fenced code kept verbatim.
    $doc = [ordered]@{ Title = $null; Sections = [ordered]@{} }
    $section = $null; $sub = $null; $inCode = $false
    foreach ($line in (Get-Content -LiteralPath $Path)) {
        if ($line -match '^```') { $inCode = -not $inCode }
        if (-not $inCode -and $line -match '^# (\S.*)$' -and -not $doc.Title) { $doc.Title = $Matches[1].Trim(); continue }
        if (-not $inCode -and $line -match '^## (.+)$') {
            $section = [ordered]@{ Text = [System.Collections.Generic.List[string]]::new(); Subs = [ordered]@{} }
            $doc.Sections[$Matches[1].Trim().ToUpperInvariant()] = $section; $sub = $null; continue
        }
        if (-not $inCode -and $line -match '^### (.+)$' -and $null -ne $section) {
            $sub = [System.Collections.Generic.List[string]]::new()
            $section.Subs[$Matches[1].Trim()] = $sub; continue
        }
        # An empty list is falsy in PowerShell: compare with null.
        if ($null -ne $sub) { $sub.Add($line) } elseif ($null -ne $section) { $section.Text.Add($line) }
    }
    $doc
}

function Split-Paragraphs([string[]] $Lines) {
    # Blank lines separate paragraphs; list items stay one paragraph each.
    $paras = [System.Collections.Generic.List[string]]::new(); $cur = [System.Collections.Generic.List[string]]::new()
    foreach ($l in $Lines) {
        if ($l.Trim() -eq '' -or $l -match '^\s*[-*] ') {
            if ($cur.Count) { $paras.Add(($cur -join ' ').Trim()); $cur.Clear() }
        }
        if ($l.Trim() -ne '') { $cur.Add($l.Trim()) }
    }
    if ($cur.Count) { $paras.Add(($cur -join ' ').Trim()) }
    @($paras | Where-Object { $_ })
}

function Get-SubText($Section, [string] $Key) {
    if ($Section -and $Section.Subs.Contains($Key)) { ,@($Section.Subs[$Key]) } else { $null }
}

$shared = Read-HelpSource (Join-Path $Source '_shared-parameters.md')
$manifest = Join-Path $ModulePath 'QaNet.psd1'
$module = Import-Module $manifest -Force -PassThru -ErrorAction Stop
try {
    $commands = Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name
    $problems = [System.Collections.Generic.List[string]]::new()

    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $outDir = Join-Path $ModulePath 'en-US'
    New-Item -ItemType Directory -Force $outDir | Out-Null
    $outFile = Join-Path $outDir 'QaNet.Commands.dll-Help.xml'
    $nsMaml = 'http://schemas.microsoft.com/maml/2004/10'
    $nsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $nsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
    $w = [System.Xml.XmlWriter]::Create($outFile, $settings)

    function Write-Paras([string[]] $Lines) {
        foreach ($p in (Split-Paragraphs $Lines)) { $w.WriteElementString('maml', 'para', $nsMaml, $p) }
    }

    function Write-Parameter($Cmd, $Param, $SetParam, [string[]] $Description) {
        $pipe = @()
        if ($SetParam.ValueFromPipeline) { $pipe += 'ByValue' }
        if ($SetParam.ValueFromPipelineByPropertyName) { $pipe += 'ByPropertyName' }
        $isSwitch = $Param.ParameterType -eq [switch]
        $w.WriteStartElement('command', 'parameter', $nsCommand)
        $w.WriteAttributeString('required', $SetParam.IsMandatory.ToString().ToLowerInvariant())
        $w.WriteAttributeString('variableLength', $Param.ParameterType.IsArray.ToString().ToLowerInvariant())
        $globbing = [bool]($Param.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
        $w.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
        $w.WriteAttributeString('pipelineInput', $(if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }))
        $w.WriteAttributeString('position', $(if ($SetParam.Position -ge 0) { "$($SetParam.Position)" } else { 'named' }))
        $w.WriteAttributeString('aliases', $(if ($Param.Aliases.Count) { $Param.Aliases -join ', ' } else { 'none' }))
        $w.WriteElementString('maml', 'name', $nsMaml, $Param.Name)
        $w.WriteStartElement('maml', 'description', $nsMaml); Write-Paras $Description; $w.WriteEndElement()
        if (-not $isSwitch) {
            $w.WriteStartElement('command', 'parameterValue', $nsCommand)
            $w.WriteAttributeString('required', 'true')
            $w.WriteAttributeString('variableLength', $Param.ParameterType.IsArray.ToString().ToLowerInvariant())
            $w.WriteString($Param.ParameterType.Name)
            $w.WriteEndElement()
        }
        $w.WriteStartElement('dev', 'type', $nsDev)
        $w.WriteElementString('maml', 'name', $nsMaml, $Param.ParameterType.FullName)
        $w.WriteEndElement()
        $w.WriteElementString('dev', 'defaultValue', $nsDev, $(if ($isSwitch) { 'False' } else { 'None' }))
        $w.WriteEndElement()
    }

    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems', 'http://msh')
    $w.WriteAttributeString('schema', 'maml')
    foreach ($cmd in $commands) {
        $file = Join-Path $Source "$($cmd.Name).md"
        if (-not (Test-Path -LiteralPath $file)) { $problems.Add("$($cmd.Name): no help source $file"); continue }
        $doc = Read-HelpSource $file
        $s = $doc.Sections
        $synopsis = if ($s.Contains('SYNOPSIS')) { Split-Paragraphs $s['SYNOPSIS'].Text } else { @() }
        if (-not $synopsis) { $problems.Add("$($cmd.Name): no SYNOPSIS") }
        $examples = if ($s.Contains('EXAMPLES')) { $s['EXAMPLES'].Subs } else { @{} }
        if ($examples.Count -eq 0) { $problems.Add("$($cmd.Name): no example") }

        # Descriptions: the cmdlet's own file first, then the shared ones.
        $descriptions = @{}
        $params = $cmd.Parameters.Values | Where-Object { $CommonParameters -notcontains $_.Name -or $_.Name -in 'WhatIf', 'Confirm' }
        foreach ($p in $params) {
            $text = Get-SubText $s['PARAMETERS'] "-$($p.Name)"
            if (-not $text) { $text = Get-SubText $shared.Sections['PARAMETERS'] "-$($p.Name)" }
            if (-not $text -or -not (Split-Paragraphs $text)) { $problems.Add("$($cmd.Name): parameter -$($p.Name) has no description") }
            else { $descriptions[$p.Name] = $text }
        }
        if ($s.Contains('PARAMETERS')) {
            foreach ($k in $s['PARAMETERS'].Subs.Keys) {
                if (-not $cmd.Parameters.ContainsKey($k.TrimStart('-'))) { $problems.Add("$($cmd.Name): help describes $k, which the cmdlet does not have") }
            }
        }
        if ($problems.Count) { continue }

        $w.WriteStartElement('command', 'command', $nsCommand)
        $w.WriteAttributeString('xmlns', 'maml', $null, $nsMaml)
        $w.WriteAttributeString('xmlns', 'dev', $null, $nsDev)
        $w.WriteStartElement('command', 'details', $nsCommand)
        $w.WriteElementString('command', 'name', $nsCommand, $cmd.Name)
        $w.WriteElementString('command', 'verb', $nsCommand, $cmd.Verb)
        $w.WriteElementString('command', 'noun', $nsCommand, $cmd.Noun)
        $w.WriteStartElement('maml', 'description', $nsMaml); Write-Paras $synopsis; $w.WriteEndElement()
        $w.WriteEndElement()
        $w.WriteStartElement('maml', 'description', $nsMaml)
        if ($s.Contains('DESCRIPTION')) { Write-Paras $s['DESCRIPTION'].Text }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'syntax', $nsCommand)
        foreach ($set in $cmd.ParameterSets) {
            $w.WriteStartElement('command', 'syntaxItem', $nsCommand)
            $w.WriteElementString('maml', 'name', $nsMaml, $cmd.Name)
            $ordered = $set.Parameters | Where-Object { $descriptions.ContainsKey($_.Name) } |
                Sort-Object @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { [int]::MaxValue } } }, @{ Expression = { -[int]$_.IsMandatory } }
            foreach ($sp in $ordered) { Write-Parameter $cmd $cmd.Parameters[$sp.Name] $sp $descriptions[$sp.Name] }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'parameters', $nsCommand)
        foreach ($p in ($params | Sort-Object Name)) {
            # Mandatory and pipeline input as in the set that asks most of the parameter.
            $sp = $cmd.ParameterSets.Parameters | Where-Object Name -EQ $p.Name | Sort-Object { -[int]$_.IsMandatory } | Select-Object -First 1
            Write-Parameter $cmd $p $sp $descriptions[$p.Name]
        }
        $w.WriteEndElement()

        foreach ($kind in @(@('INPUTS', 'inputTypes', 'inputType'), @('OUTPUTS', 'returnValues', 'returnValue'))) {
            $w.WriteStartElement('command', $kind[1], $nsCommand)
            if ($s.Contains($kind[0])) {
                foreach ($t in $s[$kind[0]].Subs.Keys) {
                    $w.WriteStartElement('command', $kind[2], $nsCommand)
                    $w.WriteStartElement('dev', 'type', $nsDev); $w.WriteElementString('maml', 'name', $nsMaml, $t); $w.WriteEndElement()
                    $w.WriteStartElement('maml', 'description', $nsMaml); Write-Paras $s[$kind[0]].Subs[$t]; $w.WriteEndElement()
                    $w.WriteEndElement()
                }
            }
            $w.WriteEndElement()
        }

        if ($s.Contains('NOTES') -and (Split-Paragraphs $s['NOTES'].Text)) {
            $w.WriteStartElement('maml', 'alertSet', $nsMaml)
            $w.WriteStartElement('maml', 'alert', $nsMaml)
            Write-Paras $s['NOTES'].Text
            $w.WriteEndElement(); $w.WriteEndElement()
        }

        $w.WriteStartElement('command', 'examples', $nsCommand)
        foreach ($title in $examples.Keys) {
            $lines = @($examples[$title])
            $start = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match '^```' })
            $end = if ($start -ge 0) { [array]::FindIndex($lines, $start + 1, [Predicate[string]] { param($l) $l -match '^```' }) } else { -1 }
            if ($start -lt 0 -or $end -lt 0) { $problems.Add("$($cmd.Name): example '$title' has no code block"); continue }
            $w.WriteStartElement('command', 'example', $nsCommand)
            $w.WriteElementString('maml', 'title', $nsMaml, "-------------------------- $title --------------------------")
            $w.WriteElementString('dev', 'code', $nsDev, ($lines[($start + 1)..($end - 1)] -join "`n"))
            $w.WriteStartElement('dev', 'remarks', $nsDev)
            Write-Paras $(if ($end + 1 -lt $lines.Count) { $lines[($end + 1)..($lines.Count - 1)] } else { @() })
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'relatedLinks', $nsCommand)
        $links = if ($s.Contains('RELATED LINKS')) { $s['RELATED LINKS'].Text | Where-Object { $_ -match '^\s*[-*]\s+' } } else { @() }
        foreach ($l in $links) {
            $text = ($l -replace '^\s*[-*]\s+', '').Trim()
            $uri = ''
            if ($text -match '^\[(.+)\]\((.*)\)$') { $text = $Matches[1]; $uri = $Matches[2] }
            $w.WriteStartElement('maml', 'navigationLink', $nsMaml)
            $w.WriteElementString('maml', 'linkText', $nsMaml, $text)
            $w.WriteElementString('maml', 'uri', $nsMaml, $uri)
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndDocument()
    $w.Dispose()

    if ($problems.Count) {
        Remove-Item -LiteralPath $outFile -ErrorAction SilentlyContinue
        throw "Help is incomplete:`n  " + ($problems -join "`n  ")
    }
    Write-Verbose "Wrote $outFile ($($commands.Count) cmdlets)"
}
finally {
    Remove-Module $module -Force -ErrorAction SilentlyContinue
}
