<#
.SYNOPSIS
    Turns docs/cmdlets/<Verb-Noun>.md (platyPS-style markdown) into the module's MAML help file.
.DESCRIPTION
    Prose (synopsis, descriptions, examples, notes, links) comes from the markdown. Parameter metadata
    (type, mandatory, position, pipeline input, aliases, parameter sets) comes from the built cmdlets,
    read by Get-Command in a child pwsh so the build session never loads the module and syntax is never
    stale. The page format is described in docs/cmdlets/README.md.

    Throws, listing every problem at once, when an exported cmdlet has no page, a page documents a
    parameter the cmdlet lacks, a cmdlet parameter is undocumented, or a page is incomplete (no synopsis,
    no description, fewer than two examples).
.EXAMPLE
    ./build/ConvertTo-MamlHelp.ps1 -DocsPath docs/cmdlets -ModulePath out/EksModule -OutFile out/EksModule/en-US/EksModule.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutFile
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$MamlNs = 'http://schemas.microsoft.com/maml/2004/10'
$CommandNs = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$DevNs = 'http://schemas.microsoft.com/maml/dev/2004/10'
$MsHelpNs = 'http://msdn.microsoft.com/mshelp'
$MinimumExamples = 2

# -WhatIf and -Confirm are not common parameters in Get-Help's sense (its <CommonParameters> text does not
# mention them), so they are shown and described; these texts stand in when a page does not describe them.
$ShouldProcessDescriptions = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

#region Cmdlet metadata (child process)

function Get-CmdletMetadata {
    <# Imports the built module in a child pwsh and returns its cmdlets' parameter metadata. #>
    param([string] $Path)

    $quotedPath = "'" + ($Path -replace "'", "''") + "'"
    $childScript = @"
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
Set-StrictMode -Version 3.0
function Get-FriendlyTypeName([type] `$Type) {
    if (`$Type.IsArray) { return (Get-FriendlyTypeName `$Type.GetElementType()) + '[]' }
    if (`$Type.IsGenericType) {
        `$arguments = `$Type.GetGenericArguments()
        if (`$Type.GetGenericTypeDefinition() -eq [Nullable``1]) { return Get-FriendlyTypeName `$arguments[0] }
        return (`$Type.Name -replace '``\d+$', '') + '[' + ((`$arguments | ForEach-Object { Get-FriendlyTypeName `$_ }) -join ', ') + ']'
    }
    `$Type.Name
}
`$common = [System.Collections.Generic.HashSet[string]]::new([string[]]([System.Management.Automation.Cmdlet]::CommonParameters + 'ProgressAction' + 'UseTransaction'), [StringComparer]::OrdinalIgnoreCase)
`$module = Import-Module -Name $quotedPath -PassThru -Force
`$result = foreach (`$command in (Get-Command -Module `$module.Name -CommandType Cmdlet | Sort-Object Name)) {
    `$parameters = foreach (`$meta in `$command.Parameters.Values) {
        if (`$common.Contains(`$meta.Name)) { continue }
        `$validValues = @()
        foreach (`$attribute in `$meta.Attributes) {
            if (`$attribute -is [System.Management.Automation.ValidateSetAttribute]) { `$validValues = @(`$attribute.ValidValues) }
        }
        `$elementType = if (`$meta.ParameterType.IsArray) { `$meta.ParameterType.GetElementType() } else { `$meta.ParameterType }
        if (-not `$validValues -and `$elementType.IsEnum) { `$validValues = @([Enum]::GetNames(`$elementType)) }
        [ordered]@{
            Name              = `$meta.Name
            TypeName          = Get-FriendlyTypeName `$meta.ParameterType
            TypeFullName      = `$meta.ParameterType.ToString()
            IsSwitch          = `$meta.SwitchParameter
            Aliases           = @(`$meta.Aliases)
            SupportsWildcards = [bool](`$meta.Attributes | Where-Object { `$_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            ValidValues       = `$validValues
        }
    }
    `$sets = foreach (`$set in `$command.ParameterSets) {
        [ordered]@{
            Name       = `$set.Name
            IsDefault  = `$set.IsDefault
            Parameters = @(foreach (`$p in `$set.Parameters) {
                if (`$common.Contains(`$p.Name) -and `$p.Name -notin 'WhatIf', 'Confirm') { continue }
                [ordered]@{
                    Name                            = `$p.Name
                    IsMandatory                     = `$p.IsMandatory
                    Position                        = `$p.Position
                    ValueFromPipeline               = `$p.ValueFromPipeline
                    ValueFromPipelineByPropertyName = `$p.ValueFromPipelineByPropertyName
                    ValueFromRemainingArguments     = `$p.ValueFromRemainingArguments
                }
            })
        }
    }
    [ordered]@{
        Name        = `$command.Name
        Verb        = `$command.Verb
        Noun        = `$command.Noun
        OutputTypes = @(`$command.OutputType | ForEach-Object { `$_.Name })
        Parameters  = @(`$parameters)
        Sets        = @(`$sets)
    }
}
'EKSHELP-JSON:' + (ConvertTo-Json -InputObject @(`$result) -Depth 8 -Compress)
"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($childScript))
    # The running pwsh may be an apphost (pwsh) or `dotnet pwsh.dll` (the repo's dotnet tool); reuse whichever it is.
    $host_ = [Environment]::ProcessPath
    $hostArgs = @()
    if ([IO.Path]::GetFileNameWithoutExtension($host_) -ne 'pwsh') { $hostArgs = @((Join-Path $PSHOME 'pwsh.dll')) }
    $hostArgs += @('-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', $encoded)
    $output = & $host_ @hostArgs 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "Could not read cmdlet metadata from '$Path' (child pwsh exit code $LASTEXITCODE):`n$($output -join "`n")"
    }
    # Anything else the import printed (warnings, host output) must not be taken for the metadata.
    $json = $null
    foreach ($line in $output) {
        if ($line -is [string] -and $line.StartsWith('EKSHELP-JSON:')) { $json = $line.Substring(13) }
        else { Write-Verbose "child pwsh: $line" }
    }
    if ($null -eq $json) { throw "Could not read cmdlet metadata from '$Path': the child pwsh printed none:`n$($output -join "`n")" }
    @(ConvertFrom-Json -InputObject $json)
}

#endregion

#region Markdown

function ConvertFrom-InlineMarkdown {
    <# Plain text for Get-Help: links become "text (url)", emphasis markers and backslash escapes go. #>
    param([string] $Text)
    # Code spans (`~\.kube\config`) are left exactly as written; only the text between them is touched.
    $pieces = [regex]::Split($Text, '(`+[^`]*?`+)')
    $converted = foreach ($piece in $pieces) {
        if ($piece.StartsWith('`')) { $piece; continue }
        $piece = [regex]::Replace($piece, '\[([^\]]+)\]\(([^)\s]+)\)', {
                param($m)
                $url = $m.Groups[2].Value
                if ($url -match '^[a-z][a-z0-9+.-]*://') { "$($m.Groups[1].Value) ($url)" } else { $m.Groups[1].Value }
            })
        $piece = $piece -replace '(\*\*|__)(?=\S)(.+?)(?<=\S)\1', '$2'
        $piece -replace '\\([\\`*_{}\[\]()#+\-.!<>|])', '$1'
    }
    $converted -join ''
}

function Split-MarkdownBlock {
    <# Splits section lines into text paragraphs, list items and fenced code blocks, in document order. #>
    param([string[]] $Lines)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $paragraph = [System.Collections.Generic.List[string]]::new()
    $fence = $null; $fenceLang = ''; $code = $null
    $flush = {
        if ($paragraph.Count -gt 0) {
            $text = ConvertFrom-InlineMarkdown (($paragraph | ForEach-Object { $_.Trim() }) -join ' ')
            $blocks.Add([pscustomobject]@{ Kind = 'Text'; Lang = ''; Text = $text })
            $paragraph.Clear()
        }
    }
    foreach ($line in $Lines) {
        if ($null -ne $fence) {
            if ($line -match "^\s*$([regex]::Escape($fence))[``~]*\s*$") {
                $blocks.Add([pscustomobject]@{ Kind = 'Code'; Lang = $fenceLang; Text = ($code -join "`n") })
                $fence = $null
            } else { $code.Add($line) }
            continue
        }
        if ($line -match '^\s*(`{3,}|~{3,})\s*([^\s`]*)') {
            . $flush
            $fence = $Matches[1]; $fenceLang = $Matches[2].ToLowerInvariant()
            $code = [System.Collections.Generic.List[string]]::new()
            continue
        }
        if ($line -match '^\s*$') { . $flush; continue }
        # A list item starts its own paragraph, so items stay on separate lines in Get-Help.
        if ($line -match '^\s*([-*+]|\d+[.)])\s+') { . $flush }
        $paragraph.Add($line)
    }
    . $flush
    if ($null -ne $fence) { throw "unclosed code fence ($fence)" }
    $blocks
}

function Get-Paragraph {
    <# The blocks of a section as maml:para strings; a code block stays one para with its line breaks. #>
    param([object[]] $Blocks)
    foreach ($block in $Blocks) { $block.Text }
}

function ConvertFrom-CmdletMarkdown {
    <# Parses one page into synopsis, description, examples, parameters, inputs, outputs, notes and links. #>
    param([string] $Path)

    $lines = [string[]](Get-Content -LiteralPath $Path -Encoding utf8)
    $frontMatter = @{}
    if ($lines.Count -gt 0 -and $lines[0] -match '^---\s*$') {
        $end = -1
        for ($i = 1; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^---\s*$') { $end = $i; break } }
        if ($end -lt 0) { throw 'front matter has no closing ---' }
        foreach ($line in $lines[1..($end - 1)]) {
            if ($end -gt 1 -and $line -match '^\s*([^:#]+?)\s*:\s*(.*?)\s*$') { $frontMatter[$Matches[1]] = $Matches[2].Trim("'", '"') }
        }
        $lines = if ($end + 1 -lt $lines.Count) { $lines[($end + 1)..($lines.Count - 1)] } else { @() }
    }

    # Headings outside code fences cut the page into a tree: H1 title, H2 sections, H3 subsections.
    $title = $null
    $sections = [ordered]@{}
    $section = $null; $sub = $null
    $inFence = $null
    foreach ($line in $lines) {
        if ($null -eq $inFence -and $line -match '^\s*(`{3,}|~{3,})') { $inFence = $Matches[1] }
        elseif ($null -ne $inFence -and $line -match "^\s*$([regex]::Escape($inFence))[``~]*\s*$") { $inFence = $null }
        elseif ($null -eq $inFence -and $line -match '^(#{1,3})\s+(.+?)\s*#*\s*$') {
            $level = $Matches[1].Length; $text = $Matches[2]
            if ($level -eq 1) { $title = $text; $section = $null; $sub = $null; continue }
            if ($level -eq 2) {
                $key = $text.ToUpperInvariant()
                $section = [pscustomobject]@{ Lines = [System.Collections.Generic.List[string]]::new(); Subs = [System.Collections.Generic.List[object]]::new() }
                $sections[$key] = $section; $sub = $null; continue
            }
            if ($null -eq $section) { throw "### $text appears before any ## section" }
            $sub = [pscustomobject]@{ Title = $text; Lines = [System.Collections.Generic.List[string]]::new() }
            $section.Subs.Add($sub); continue
        }
        if ($null -ne $sub) { $sub.Lines.Add($line) } elseif ($null -ne $section) { $section.Lines.Add($line) }
    }
    if ($null -ne $inFence) { throw "a code fence ($inFence) is never closed" }

    $sectionBlocks = {
        param([string] $Name)
        if ($sections.Contains($Name)) { @(Split-MarkdownBlock $sections[$Name].Lines) } else { @() }
    }
    $subsections = {
        param([string] $Name)
        if ($sections.Contains($Name)) { @($sections[$Name].Subs) } else { @() }
    }

    $examples = foreach ($sub in (& $subsections 'EXAMPLES')) {
        $blocks = @(Split-MarkdownBlock $sub.Lines)
        $codeBlock = $blocks | Where-Object Kind -EQ 'Code' | Select-Object -First 1
        [pscustomobject]@{
            Title   = ($sub.Title -replace '^\s*EXAMPLE\s*(\d+)\s*:?\s*', 'Example $1: ').TrimEnd(' ', ':')
            Code    = if ($codeBlock) { $codeBlock.Text } else { '' }
            Remarks = @(Get-Paragraph @($blocks | Where-Object { $_ -ne $codeBlock }))
        }
    }

    $parameters = [ordered]@{}
    foreach ($sub in (& $subsections 'PARAMETERS')) {
        # platyPS pages end the list with a fixed CommonParameters paragraph; Get-Help adds its own.
        if ($sub.Title -match '^CommonParameters$') { continue }
        if ($sub.Title -notmatch '^-(\S+)$') { throw "parameter heading '### $($sub.Title)' must be '### -Name'" }
        $parameterName = $Matches[1]
        $blocks = @(Split-MarkdownBlock $sub.Lines)
        $yaml = @{}
        foreach ($block in ($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Lang -in 'yaml', 'yml' })) {
            foreach ($line in ($block.Text -split "`n")) {
                if ($line -match '^\s*([^:]+?)\s*:\s*(.*?)\s*$' -and -not $yaml.ContainsKey($Matches[1])) { $yaml[$Matches[1]] = $Matches[2] }
            }
        }
        $parameters[$parameterName] = [pscustomobject]@{
            Description = @(Get-Paragraph @($blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Lang -in 'yaml', 'yml') }))
            Yaml        = $yaml
        }
    }

    $typeEntries = {
        param([string] $Name)
        foreach ($sub in (& $subsections $Name)) {
            [pscustomobject]@{ TypeName = (ConvertFrom-InlineMarkdown $sub.Title); Description = @(Get-Paragraph @(Split-MarkdownBlock $sub.Lines)) }
        }
    }

    $links = [System.Collections.Generic.List[object]]::new()
    if ($frontMatter['online version']) { $links.Add([pscustomobject]@{ Text = 'Online Version:'; Uri = $frontMatter['online version'] }) }
    if ($sections.Contains('RELATED LINKS')) {
        foreach ($line in $sections['RELATED LINKS'].Lines) {
            if ($line -match '^\s*$') { continue }
            $found = [regex]::Matches($line, '\[([^\]]+)\]\(([^)\s]*)\)')
            if ($found.Count -eq 0) {
                $links.Add([pscustomobject]@{ Text = (ConvertFrom-InlineMarkdown ($line -replace '^\s*[-*+]\s+', '').Trim()); Uri = '' })
            }
            foreach ($m in $found) {
                # Only absolute URLs are useful to Get-Help -Online; a link to a sibling page is a name.
                $uri = if ($m.Groups[2].Value -match '^[a-z][a-z0-9+.-]*://') { $m.Groups[2].Value } else { '' }
                $links.Add([pscustomobject]@{ Text = $m.Groups[1].Value; Uri = $uri })
            }
        }
    }

    [pscustomobject]@{
        Title       = $title
        Synopsis    = @(Get-Paragraph (& $sectionBlocks 'SYNOPSIS'))
        Description = @(Get-Paragraph (& $sectionBlocks 'DESCRIPTION'))
        Examples    = @($examples)
        Parameters  = $parameters
        Inputs      = @(& $typeEntries 'INPUTS')
        Outputs     = @(& $typeEntries 'OUTPUTS')
        Notes       = @(Get-Paragraph (& $sectionBlocks 'NOTES'))
        Links       = @($links)
    }
}

#endregion

#region MAML

function Write-Para {
    param([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs)
    $Writer.WriteStartElement('maml', 'description', $MamlNs)
    foreach ($para in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $MamlNs, $para) }
    $Writer.WriteEndElement()
}

function Format-PipelineInput {
    param([object[]] $SetParameters)
    $kinds = @()
    if ($SetParameters | Where-Object ValueFromPipeline) { $kinds += 'ByValue' }
    if ($SetParameters | Where-Object ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

function Format-Position([object] $Position) {
    if ([int]$Position -lt 0) { 'named' } else { [string]$Position }
}

function Format-PerSet {
    <# One value when every set agrees, otherwise "value (Set), value (Set)" so nothing is hidden. #>
    param([object[]] $Entries, [scriptblock] $Selector)
    $values = foreach ($entry in $Entries) { [pscustomobject]@{ Set = $entry.Set; Value = [string](& $Selector $entry.Parameter) } }
    $distinct = @($values.Value | Select-Object -Unique)
    if ($distinct.Count -le 1) { return $distinct[0] }
    ($values | ForEach-Object { "$($_.Value) ($($_.Set))" }) -join ', '
}

function Write-MamlParameter {
    param(
        [System.Xml.XmlWriter] $Writer,
        [object] $Meta,
        [string] $Required,
        [string] $Position,
        [string] $PipelineInput,
        [string[]] $Description,
        [string] $DefaultValue,
        [bool] $Globbing,
        [bool] $InSyntax
    )
    $Writer.WriteStartElement('command', 'parameter', $CommandNs)
    $Writer.WriteAttributeString('required', $Required)
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $PipelineInput)
    $Writer.WriteAttributeString('position', $Position)
    $aliases = @($Meta.Aliases | Where-Object { $_ })
    $Writer.WriteAttributeString('aliases', $(if ($aliases) { $aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $MamlNs, $Meta.Name)
    Write-Para $Writer $Description
    if ($InSyntax -and @($Meta.ValidValues).Count -gt 0) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $CommandNs)
        foreach ($value in $Meta.ValidValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $CommandNs)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $CommandNs, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    # Get-Help shows a switch as "-Force" in syntax but as "-Force <SwitchParameter>" in the parameter list.
    if (-not ($InSyntax -and $Meta.IsSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $CommandNs)
        $Writer.WriteAttributeString('required', $(if ($Meta.IsSwitch) { 'false' } else { 'true' }))
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($Meta.TypeName)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $DevNs)
    $Writer.WriteElementString('maml', 'name', $MamlNs, $Meta.TypeFullName)
    $Writer.WriteElementString('maml', 'uri', $MamlNs, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $DevNs, $DefaultValue)
    $Writer.WriteEndElement()
}

function Write-MamlTypeList {
    param([System.Xml.XmlWriter] $Writer, [string] $ListName, [string] $ItemName, [object[]] $Entries)
    $Writer.WriteStartElement('command', $ListName, $CommandNs)
    foreach ($entry in $Entries) {
        $Writer.WriteStartElement('command', $ItemName, $CommandNs)
        $Writer.WriteStartElement('dev', 'type', $DevNs)
        $Writer.WriteElementString('maml', 'name', $MamlNs, $entry.TypeName)
        $Writer.WriteEndElement()
        Write-Para $Writer $entry.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-MamlCommand {
    param([System.Xml.XmlWriter] $Writer, [object] $Command, [object] $Page, [hashtable] $Descriptions)

    $metaByName = @{}
    foreach ($meta in $Command.Parameters) { $metaByName[$meta.Name] = $meta }
    foreach ($name in 'WhatIf', 'Confirm') {
        if (-not $metaByName.ContainsKey($name) -and ($Command.Sets | ForEach-Object Parameters | Where-Object Name -EQ $name)) {
            $metaByName[$name] = [pscustomobject]@{ Name = $name; TypeName = 'SwitchParameter'; TypeFullName = 'System.Management.Automation.SwitchParameter'; IsSwitch = $true; Aliases = @($(if ($name -eq 'WhatIf') { 'wi' } else { 'cf' })); SupportsWildcards = $false; ValidValues = @() }
        }
    }
    $defaultOf = {
        param([string] $Name)
        $value = if ($Page.Parameters.Contains($Name)) { $Page.Parameters[$Name].Yaml['Default value'] }
        if ($value) { $value } elseif ($metaByName[$Name].IsSwitch) { 'False' } else { 'None' }
    }
    $globbingOf = {
        param([string] $Name)
        $declared = if ($Page.Parameters.Contains($Name)) { $Page.Parameters[$Name].Yaml['Accept wildcard characters'] }
        [bool]$metaByName[$Name].SupportsWildcards -or $declared -match '^\s*true\s*$'
    }

    $Writer.WriteStartElement('command', 'command', $CommandNs)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $MamlNs)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $CommandNs)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $DevNs)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $MsHelpNs)

    $Writer.WriteStartElement('command', 'details', $CommandNs)
    $Writer.WriteElementString('command', 'name', $CommandNs, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $CommandNs, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $CommandNs, $Command.Noun)
    Write-Para $Writer $Page.Synopsis
    $Writer.WriteEndElement()
    Write-Para $Writer $Page.Description

    # Default set first, like Get-Command -Syntax; positional parameters first, in position order.
    $Writer.WriteStartElement('command', 'syntax', $CommandNs)
    foreach ($set in @($Command.Sets | Sort-Object { -not $_.IsDefault })) {
        $Writer.WriteStartElement('command', 'syntaxItem', $CommandNs)
        $Writer.WriteElementString('maml', 'name', $MamlNs, $Command.Name)
        $ordered = @($set.Parameters | Where-Object { [int]$_.Position -ge 0 } | Sort-Object { [int]$_.Position }) +
            @($set.Parameters | Where-Object { [int]$_.Position -lt 0 -and $_.Name -notin 'WhatIf', 'Confirm' }) +
            @($set.Parameters | Where-Object { $_.Name -in 'WhatIf', 'Confirm' })
        foreach ($p in $ordered) {
            Write-MamlParameter -Writer $Writer -Meta $metaByName[$p.Name] -Required ([string]$p.IsMandatory).ToLowerInvariant() `
                -Position (Format-Position $p.Position) -PipelineInput (Format-PipelineInput @($p)) -Description $Descriptions[$p.Name] `
                -DefaultValue (& $defaultOf $p.Name) -Globbing (& $globbingOf $p.Name) -InSyntax $true
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    # Each parameter once, in the page's order, then any the page leaves to the defaults (WhatIf, Confirm).
    $Writer.WriteStartElement('command', 'parameters', $CommandNs)
    $names = @($Page.Parameters.Keys | Where-Object { $metaByName.ContainsKey($_) }) + @($metaByName.Keys | Where-Object { -not $Page.Parameters.Contains($_) } | Sort-Object)
    foreach ($name in $names) {
        $entries = foreach ($set in $Command.Sets) {
            foreach ($p in $set.Parameters) { if ($p.Name -eq $name) { [pscustomobject]@{ Set = $set.Name; Parameter = $p } } }
        }
        $entries = @($entries)
        # Get-Help shows "Required?" only for a plain true/false, so a mixed case is spelled out in the description.
        $mandatoryIn = @($entries | Where-Object { $_.Parameter.IsMandatory } | ForEach-Object Set)
        $required = $mandatoryIn.Count -gt 0 -and $mandatoryIn.Count -eq $entries.Count
        $description = @($Descriptions[$name])
        if ($mandatoryIn.Count -gt 0 -and -not $required) {
            $description += "Required in the $($mandatoryIn -join ', ') parameter set$(if ($mandatoryIn.Count -gt 1) { 's' }); optional in the others."
        }
        Write-MamlParameter -Writer $Writer -Meta $metaByName[$name] `
            -Required ([string]$required).ToLowerInvariant() `
            -Position (Format-PerSet $entries { param($p) Format-Position $p.Position }) `
            -PipelineInput (Format-PipelineInput @($entries.Parameter)) -Description $description `
            -DefaultValue (& $defaultOf $name) -Globbing (& $globbingOf $name) -InSyntax $false
    }
    $Writer.WriteEndElement()

    $inputs = $Page.Inputs
    if ($inputs.Count -eq 0) { $inputs = @([pscustomobject]@{ TypeName = 'None'; Description = @() }) }
    Write-MamlTypeList $Writer 'inputTypes' 'inputType' $inputs
    $outputs = $Page.Outputs
    if ($outputs.Count -eq 0) {
        $outputs = @($Command.OutputTypes | ForEach-Object { [pscustomobject]@{ TypeName = $_; Description = @() } })
    }
    Write-MamlTypeList $Writer 'returnValues' 'returnValue' $outputs

    if ($Page.Notes.Count -gt 0) {
        $Writer.WriteStartElement('maml', 'alertSet', $MamlNs)
        $Writer.WriteStartElement('maml', 'alert', $MamlNs)
        foreach ($para in $Page.Notes) { $Writer.WriteElementString('maml', 'para', $MamlNs, $para) }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $CommandNs)
    foreach ($example in $Page.Examples) {
        $Writer.WriteStartElement('command', 'example', $CommandNs)
        $Writer.WriteElementString('maml', 'title', $MamlNs, "--------- $($example.Title) ---------")
        $Writer.WriteElementString('dev', 'code', $DevNs, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $DevNs)
        # The trailing empty para keeps a blank line between one example and the next title.
        foreach ($para in @($example.Remarks) + '') { $Writer.WriteElementString('maml', 'para', $MamlNs, $para) }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $CommandNs)
    foreach ($link in $Page.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $MamlNs)
        $Writer.WriteElementString('maml', 'linkText', $MamlNs, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $MamlNs, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

#endregion

$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
$commands = @(Get-CmdletMetadata -Path $ModulePath)
$problems = [System.Collections.Generic.List[string]]::new()
$pages = @{}

$pageFiles = if (Test-Path -LiteralPath $DocsPath) {
    @(Get-ChildItem -LiteralPath $DocsPath -Filter '*-*.md' -File)
} else { @() }
foreach ($file in $pageFiles) {
    try { $pages[$file.BaseName] = ConvertFrom-CmdletMarkdown -Path $file.FullName }
    catch { $problems.Add("$($file.Name): cannot be read: $($_.Exception.Message)") }
}

$descriptionsByCommand = @{}
foreach ($command in $commands) {
    $name = $command.Name
    $page = $pages[$name]
    if ($null -eq $page) {
        if (-not ($pageFiles | Where-Object BaseName -EQ $name)) {
            $problems.Add("$name is exported but has no page: add $(Join-Path $DocsPath "$name.md") (template in docs/cmdlets/README.md).")
        }
        continue
    }
    $file = "$name.md"
    if ($page.Title -cne $name) { $problems.Add("${file}: the title must be '# $name', found '# $($page.Title)'.") }
    if (-not ($page.Synopsis -join '').Trim()) { $problems.Add("${file}: ## SYNOPSIS is empty.") }
    if (-not ($page.Description -join '').Trim()) { $problems.Add("${file}: ## DESCRIPTION is empty.") }
    if ($page.Examples.Count -lt $MinimumExamples) {
        $problems.Add("${file}: has $($page.Examples.Count) example(s); at least $MinimumExamples are required under ## EXAMPLES.")
    }
    foreach ($example in $page.Examples) {
        if (-not $example.Code.Trim()) { $problems.Add("${file}: '$($example.Title)' has no code block."); continue }
        $tokens = $null; $parseErrors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseInput($example.Code, [ref]$tokens, [ref]$parseErrors)
        foreach ($parseError in $parseErrors) {
            $problems.Add("${file}: '$($example.Title)' is not valid PowerShell (line $($parseError.Extent.StartLineNumber): $($parseError.Message))")
        }
    }

    $shouldProcess = @($command.Parameters.Name | Where-Object { $_ -in 'WhatIf', 'Confirm' })
    $actual = @($command.Parameters.Name | Where-Object { $_ -notin $shouldProcess })
    $descriptions = @{}
    foreach ($documented in $page.Parameters.Keys) {
        if ($documented -notin $actual -and $documented -notin $shouldProcess) {
            $problems.Add("${file}: documents -$documented, but $name has no such parameter.")
            continue
        }
        $text = @($page.Parameters[$documented].Description | Where-Object { $_.Trim() })
        if ($text.Count -eq 0) { $problems.Add("${file}: -$documented has no description.") }
        $descriptions[$documented] = $text
    }
    foreach ($parameter in $actual) {
        if (-not $page.Parameters.Contains($parameter)) {
            $problems.Add("${file}: -$parameter is a parameter of $name but is not documented under ## PARAMETERS.")
        }
    }
    foreach ($parameter in $shouldProcess) {
        if (-not $descriptions.ContainsKey($parameter)) { $descriptions[$parameter] = @($ShouldProcessDescriptions[$parameter]) }
    }
    $descriptionsByCommand[$name] = $descriptions
}
foreach ($orphan in ($pages.Keys | Where-Object { $_ -notin $commands.Name } | Sort-Object)) {
    Write-Warning "$orphan.md documents a cmdlet the module does not export; it is left out of the help file."
}

if ($problems.Count -gt 0) {
    throw "Cmdlet help is incomplete ($($problems.Count) problem(s)); fix the pages under $DocsPath`:`n  - " + ($problems -join "`n  - ")
}

$outDir = Split-Path -Parent $OutFile
if ($outDir) { New-Item -ItemType Directory -Force -Path $outDir | Out-Null }
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$settings.NewLineChars = "`n"
$writer = [System.Xml.XmlWriter]::Create([IO.Path]::GetFullPath($OutFile, (Get-Location).ProviderPath), $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($command in $commands) {
        Write-MamlCommand -Writer $writer -Command $command -Page $pages[$command.Name] -Descriptions $descriptionsByCommand[$command.Name]
    }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
} finally { $writer.Dispose() }

Write-Host "Help for $($commands.Count) cmdlet(s) written to $OutFile"
