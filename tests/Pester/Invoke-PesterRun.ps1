# Runs the Pester suite against the built module in this fresh pwsh and writes the counts as JSON.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string] $Filter
)
$ErrorActionPreference = 'Stop'
$repoRoot = Resolve-Path (Join-Path $PSScriptRoot '../..')
Import-Module (Join-Path $repoRoot 'tools/Pester/Pester.psd1') -Force

$env:EKSMODULE_TEST_MODULE_PATH = $ModulePath
# Plain text everywhere: error records captured from child processes carry no escape sequences.
$env:NO_COLOR = '1'
$PSStyle.OutputRendering = 'PlainText'
$config = New-PesterConfiguration
$files = Get-ChildItem $PSScriptRoot -Filter '*.Tests.ps1' | Where-Object { -not $Filter -or $_.Name -like "*$Filter*" }
$config.Run.Path = @($files.FullName)
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
# A container that failed to run (syntax error, BeforeAll throw) counts as a failure too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
# Time per file, slowest first: the suite has a budget (CI must stay well under 20 minutes).
$perFile = @($result.Containers | Sort-Object Duration -Descending | ForEach-Object {
        [pscustomobject]@{
            File    = Split-Path -Leaf $_.Item
            Seconds = [math]::Round($_.Duration.TotalSeconds, 1)
            Passed  = $_.PassedCount
            Failed  = $_.FailedCount
        }
    })
$perFile | Format-Table -AutoSize | Out-String | Write-Host
@{ Passed = $result.PassedCount; Failed = $failed; Files = $perFile } | ConvertTo-Json -Depth 3 | Set-Content $ResultPath
