# Every exported cmdlet has its page, and Get-Help shows what the page says (MAML built by build/ConvertTo-MamlHelp.ps1).
# EKSMODULE_TEST_DOCS_PATH points the suite at another docs folder, to exercise it against a fixture module.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-Module (Get-TestModulePath) -PassThru -Force
    # WhatIf and Confirm are shown and described in help; the other common parameters are summed up by Get-Help itself.
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + 'ProgressAction'
    $cmdletCases = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
            @{
                Name       = $_.Name
                Parameters = @($_.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
            }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-Module (Get-TestModulePath) -PassThru -Force
    $moduleName = $module.Name
    $docsPath = if ($env:EKSMODULE_TEST_DOCS_PATH) { $env:EKSMODULE_TEST_DOCS_PATH } else { Join-Path $PSScriptRoot '../../docs/cmdlets' }
    $helpFile = Join-Path $module.ModuleBase "en-US/$([IO.Path]::GetFileName($module.Path))-Help.xml"

    function Get-PageSection {
        <# The plain text of one ## section of a page, read independently of the converter. #>
        param([string] $Path, [string] $Section)
        $text = Get-Content -Raw -LiteralPath $Path
        $match = [regex]::Match($text, "(?ms)^##\s+$Section\s*`$(.*?)(?=^##\s|\z)")
        if (-not $match.Success) { return '' }
        $plain = $match.Groups[1].Value -replace '\[([^\]]+)\]\([^)]*\)', '$1' -replace '\*\*|__', ''
        ($plain -replace '\s+', ' ').Trim()
    }
}

Describe 'Help for EksModule cmdlets' {
    It 'the module exports cmdlets to document' {
        $cmdlets = @(Get-Command -Module $moduleName -CommandType Cmdlet)
        $cmdlets.Count | Should -BeGreaterThan 0 -Because 'a module with no cmdlets has nothing to help with'
    }

    It 'the help file is MAML: valid XML with the MAML namespaces, one command per cmdlet' {
        $helpFile | Should -Exist
        $xml = [xml]::new()
        $xml.Load($helpFile)
        $xml.DocumentElement.LocalName | Should -Be 'helpItems'
        $xml.DocumentElement.NamespaceURI | Should -Be 'http://msh'
        $xml.DocumentElement.GetAttribute('schema') | Should -Be 'maml'
        $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
        $ns.AddNamespace('msh', 'http://msh')
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
        $names = @($xml.SelectNodes('/msh:helpItems/command:command/command:details/command:name', $ns) | ForEach-Object InnerText)
        $names | Sort-Object | Should -Be @(Get-Command -Module $moduleName -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
        $xml.SelectNodes('//command:command/maml:description/maml:para', $ns).Count | Should -BeGreaterOrEqual $names.Count
        $xml.SelectNodes('//command:example/dev:code', $ns).Count | Should -BeGreaterOrEqual (2 * $names.Count)
    }

    Describe '<Name>' -ForEach $cmdletCases -AllowNullOrEmptyForEach {
        BeforeAll {
            $page = Join-Path $docsPath "$Name.md"
            $help = Get-Help -Name $Name -Full
            $command = Get-Command -Name $Name
        }

        It 'has its page docs/cmdlets/<Name>.md' {
            $page | Should -Exist
        }

        It 'shows the synopsis from its page' {
            $expected = Get-PageSection -Path $page -Section 'SYNOPSIS'
            $expected | Should -Not -BeNullOrEmpty
            ($help.Synopsis -replace '\s+', ' ').Trim() | Should -Be $expected
        }

        It 'shows a description' {
            # Without MAML Get-Help has no description at all, so this fails when the help file is not found.
            (@($help.description | ForEach-Object Text) -join ' ').Trim() | Should -Not -BeNullOrEmpty
        }

        It 'shows one syntax per parameter set' {
            @($help.syntax.syntaxItem).Count | Should -Be @($command.ParameterSets).Count
        }

        It 'describes -<_>' -ForEach $Parameters -AllowNullOrEmptyForEach {
            $parameterHelp = Get-Help -Name $Name -Parameter $_
            (@($parameterHelp.description | ForEach-Object Text) -join ' ').Trim() | Should -Not -BeNullOrEmpty
            $parameterHelp.type.name | Should -Not -BeNullOrEmpty
        }

        It 'has at least two examples whose code parses' {
            $examples = @($help.examples.example)
            $examples.Count | Should -BeGreaterOrEqual 2
            foreach ($example in $examples) {
                $example.code | Should -Not -BeNullOrEmpty -Because "$($example.title.Trim(' -')) needs code"
                $tokens = $null; $errors = $null
                $null = [System.Management.Automation.Language.Parser]::ParseInput($example.code, [ref]$tokens, [ref]$errors)
                @($errors | ForEach-Object Message) | Should -BeNullOrEmpty -Because "$($example.title.Trim(' -')) must be valid PowerShell"
            }
        }

        It 'Get-Help -Examples shows the examples' {
            $full = @($help.examples.example)
            $shown = Get-Help -Name $Name -Examples
            @($shown.examples.example).Count | Should -Be $full.Count
            $text = $shown | Out-String -Width 250
            foreach ($example in $full) {
                $firstLine = ($example.code -split "`n")[0].Trim()
                $title = $example.title.Trim(' -')
                $text.Contains($firstLine) | Should -BeTrue -Because "Get-Help -Examples should show the code of $title"
                $text.Contains($title) | Should -BeTrue -Because 'Get-Help -Examples should show each title'
            }
        }
    }
}
