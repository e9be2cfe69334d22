<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks EksModule.
.DESCRIPTION
    Run with the repo's pinned PowerShell: `dotnet tool restore; dotnet pwsh ./build.ps1 <Task>`.
      Build     lays the importable module out at out/EksModule (manifest, DLL, one format file combined from
                src/EksModule/Formats, help, dependencies/,
                and the token helper for every shipped platform under bin/<rid>/).
      Test      Build for this machine's platform only, then xunit and Pester; ends with one line "N passed, N failed".
      Demo      the module's main job on the local emulators, narrated.
      Emulator  starts moto and the EKS emulator in the foreground and prints the endpoint variables to set.
      Bench     start-up and call-latency ratios against the AWS CLI, as a table.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Emulator', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Test: run only the Pester files whose name matches (e.g. 'Cluster'); xunit still runs unless -SkipXunit.
    [string] $PesterFilter,

    # Which platforms' token helper to publish into the module. Build publishes every shipped platform
    # (linux-x64, win-x64); the other tasks only the one this machine runs, since nothing here runs another.
    [ValidateSet('linux-x64', 'win-x64')]
    [string[]] $TokenHelperRuntime,
    [switch] $SkipXunit,
    [switch] $SkipPester
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$RepoRoot = $PSScriptRoot
$OutDir = Join-Path $RepoRoot 'out'
$ModuleOut = Join-Path $OutDir 'EksModule'
$ResultsDir = Join-Path $OutDir 'test-results'

function Invoke-Native {
    param([string] $FilePath, [string[]] $ArgumentList)
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($ArgumentList -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))
    [string]($props.Project.PropertyGroup | Where-Object { $_['Version'] } | Select-Object -First 1).Version
}

function Install-TestTools {
    # Pester and the isolation-test fixtures come from NuGet as PackageDownloads and are copied under tools/.
    $tools = Join-Path $RepoRoot 'tools'
    $wanted = @{
        'Pester'                 = 'pester/6.2.0/tools'
        'fixtures/AWSSDK.Core'   = 'awssdk.core/3.7.402/lib/net8.0'
        'fixtures/YamlDotNet'    = 'yamldotnet/13.1.1/lib/net7.0'
    }
    $missing = $wanted.Keys | Where-Object { -not (Test-Path (Join-Path $tools $_)) }
    if (-not $missing) { return }
    Invoke-Native dotnet @('restore', (Join-Path $RepoRoot 'build/Tools.csproj'), '--verbosity', 'quiet')
    $globalPackages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    foreach ($name in $missing) {
        $target = Join-Path $tools $name
        New-Item -ItemType Directory -Force -Path $target | Out-Null
        Copy-Item -Recurse -Force (Join-Path (Join-Path $globalPackages $wanted[$name]) '*') $target
    }
}

function Invoke-Build {
    Write-Host "Building EksPowerShell ($Configuration)..." -ForegroundColor Cyan
    Invoke-Native dotnet @('build', (Join-Path $RepoRoot 'EksPowerShell.sln'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')

    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $deps = Join-Path $ModuleOut 'dependencies'
    New-Item -ItemType Directory -Force -Path $deps, (Join-Path $ModuleOut 'en-US') | Out-Null

    $moduleBin = Join-Path $RepoRoot "src/EksModule/bin/$Configuration/net8.0"
    $engineBin = Join-Path $RepoRoot "src/EksModule.Engine/bin/$Configuration/net8.0"
    Copy-Item (Join-Path $moduleBin 'EksModule.dll'), (Join-Path $moduleBin 'EksModule.pdb') $ModuleOut
    Join-FormatFile -Source (Join-Path $RepoRoot 'src/EksModule/Formats') -Destination (Join-Path $ModuleOut 'EksModule.format.ps1xml')
    # Everything the engine needs, and nothing of PowerShell's own, goes behind the load context.
    Get-ChildItem $engineBin -File | Where-Object { $_.Extension -in '.dll', '.pdb' -and $_.BaseName -ne 'System.Management.Automation' } |
        Copy-Item -Destination $deps
    $runtimes = Join-Path $engineBin 'runtimes'
    if (Test-Path $runtimes) { Copy-Item -Recurse $runtimes $deps }

    Publish-TokenHelper -Destination $ModuleOut

    $manifest = Get-Content -Raw (Join-Path $RepoRoot 'EksModule.psd1')
    $version = Get-ModuleVersion
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    Set-Content -Path (Join-Path $ModuleOut 'EksModule.psd1') -Value $manifest -NoNewline

    $helpScript = Join-Path $RepoRoot 'build/ConvertTo-MamlHelp.ps1'
    if (Test-Path $helpScript) {
        & $helpScript -DocsPath (Join-Path $RepoRoot 'docs/cmdlets') -ModulePath $ModuleOut `
            -OutFile (Join-Path $ModuleOut 'en-US/EksModule.dll-Help.xml')
    }
    Write-Host "Module laid out at $ModuleOut (version $version)" -ForegroundColor Green
}

# The source keeps one format file per area (src/EksModule/Formats/<Area>.format.ps1xml); the module ships
# them as one file, the manifest's only FormatsToProcess entry. Import-Module reads and validates each
# format file separately, and one file instead of eight took about a quarter off the formatting share of
# an import (measured in one run, interleaved).
function Join-FormatFile {
    param([string] $Source, [string] $Destination)
    $combined = [xml]'<?xml version="1.0" encoding="utf-8"?><Configuration><ViewDefinitions /></Configuration>'
    $views = $combined.DocumentElement.SelectSingleNode('ViewDefinitions')
    $names = @{}
    foreach ($file in Get-ChildItem $Source -Filter '*.format.ps1xml' | Sort-Object Name) {
        $document = [xml](Get-Content -Raw $file.FullName)
        $sections = @($document.DocumentElement.ChildNodes | Where-Object NodeType -EQ 'Element')
        if ($document.DocumentElement.Name -ne 'Configuration' -or ($sections.Name | Where-Object { $_ -ne 'ViewDefinitions' })) {
            throw "$($file.Name): only <Configuration><ViewDefinitions> is combined; move other sections into a file of their own."
        }
        foreach ($view in $document.SelectNodes('/Configuration/ViewDefinitions/View')) {
            if ($names.ContainsKey($view.Name)) { throw "$($file.Name): the view name '$($view.Name)' is also used in $($names[$view.Name])." }
            $names[$view.Name] = $file.Name
            $null = $views.AppendChild($combined.ImportNode($view, $true))
        }
    }
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create($Destination, $settings)
    try { $combined.Save($writer) } finally { $writer.Dispose() }
}

# The kubeconfig exec helper, one per platform. linux-x64 is NativeAOT (about 50 ms to a token, no
# .NET needed); win-x64 cannot be NativeAOT-compiled from Linux, so it is self-contained, trimmed,
# single-file and ReadyToRun (no .NET needed either). Publishing is slow, so it is skipped while the
# published helper is newer than every source it is built from.
$TokenHelperTargets = [ordered]@{
    'linux-x64' = @('-p:PublishAot=true')
    'win-x64'   = @('--self-contained', '-p:PublishSingleFile=true', '-p:PublishTrimmed=true', '-p:PublishReadyToRun=true')
}

function Get-HostRuntime {
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    "$os-$(([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture).ToString().ToLowerInvariant())"
}

function Get-TokenHelperRuntime {
    if ($TokenHelperRuntime) { return $TokenHelperRuntime }
    if ($Task -eq 'Build') { return @($TokenHelperTargets.Keys) }
    # Only the helper this machine can run: the win-x64 publish costs minutes and no test here runs it.
    $hostRid = Get-HostRuntime
    if ($TokenHelperTargets.Contains($hostRid)) { return @($hostRid) }
    Write-Warning "No token helper is built for $hostRid; publishing every shipped platform instead."
    @($TokenHelperTargets.Keys)
}

function Publish-TokenHelper {
    param([string] $Destination)
    $project = Join-Path $RepoRoot 'src/EksModule.TokenHelper/EksModule.TokenHelper.csproj'
    $sources = @(Get-ChildItem (Join-Path $RepoRoot 'src/EksModule.TokenHelper') -File -Recurse -Include *.cs, *.csproj |
            Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }) +
        @(Get-ChildItem (Join-Path $RepoRoot 'src/EksModule.Engine/Auth') -File -Filter *.cs) +
        @(Get-Item (Join-Path $RepoRoot 'Directory.Packages.props'), (Join-Path $RepoRoot 'Directory.Build.props'))
    $newestSource = ($sources | Measure-Object -Property LastWriteTimeUtc -Maximum).Maximum
    foreach ($rid in Get-TokenHelperRuntime) {
        $name = if ($rid -like 'win-*') { 'eks-token-helper.exe' } else { 'eks-token-helper' }
        $published = Join-Path $OutDir "token-helper/$rid"
        $binary = Join-Path $published $name
        if (-not (Test-Path $binary) -or (Get-Item $binary).LastWriteTimeUtc -lt $newestSource) {
            Write-Host "Publishing the token helper for $rid..." -ForegroundColor Cyan
            if (Test-Path $published) { Remove-Item -Recurse -Force $published }
            $publishClock = [System.Diagnostics.Stopwatch]::StartNew()
            Invoke-Native dotnet (@('publish', $project, '-c', $Configuration, '-r', $rid, '-o', $published, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly') + $TokenHelperTargets[$rid])
            (Get-Item $binary).LastWriteTimeUtc = [datetime]::UtcNow
            Write-Host ('Published the token helper for {0} in {1:n0} s' -f $rid, $publishClock.Elapsed.TotalSeconds)
        }
        $target = Join-Path $Destination "bin/$rid"
        New-Item -ItemType Directory -Force -Path $target | Out-Null
        Copy-Item $binary $target
    }
}

function Get-TrxCounts([string] $Path) {
    $trx = [xml](Get-Content -Raw $Path)
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout }
}

function Invoke-Test {
    # Each phase's wall time is printed at the end: the suite has a budget (CI must stay well under 20 min).
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $phases = [ordered]@{}
    $lap = [timespan]::Zero
    Invoke-Build
    Install-TestTools
    $phases['build'] = $clock.Elapsed - $lap; $lap = $clock.Elapsed
    if (Test-Path $ResultsDir) { Remove-Item -Recurse -Force $ResultsDir }
    New-Item -ItemType Directory -Force -Path $ResultsDir | Out-Null
    $passed = 0; $failed = 0

    if (-not $SkipXunit) {
        Write-Host 'Running xunit...' -ForegroundColor Cyan
        & dotnet test (Join-Path $RepoRoot 'tests/EksModule.Tests/EksModule.Tests.csproj') -c $Configuration --no-build --nologo `
            --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal' --results-directory $ResultsDir
        $trxFile = Join-Path $ResultsDir 'xunit.trx'
        if (Test-Path $trxFile) {
            $x = Get-TrxCounts $trxFile
            $passed += $x.Passed; $failed += $x.Failed
        } else {
            Write-Warning 'xunit produced no results file; counting the run as one failure.'
            $failed += 1
        }
        $phases['xunit'] = $clock.Elapsed - $lap; $lap = $clock.Elapsed
    }

    if (-not $SkipPester) {
        Write-Host 'Running Pester...' -ForegroundColor Cyan
        $pesterJson = Join-Path $ResultsDir 'pester.json'
        $runnerArgs = @('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tests/Pester/Invoke-PesterRun.ps1'),
            '-ModulePath', $ModuleOut, '-ResultPath', $pesterJson)
        if ($PesterFilter) { $runnerArgs += @('-Filter', $PesterFilter) }
        Push-Location $RepoRoot
        try { & dotnet @runnerArgs } finally { Pop-Location }
        if (Test-Path $pesterJson) {
            $p = Get-Content -Raw $pesterJson | ConvertFrom-Json
            $passed += [int]$p.Passed; $failed += [int]$p.Failed
        } else {
            Write-Warning 'Pester produced no results file; counting the run as one failure.'
            $failed += 1
        }
        $phases['pester'] = $clock.Elapsed - $lap; $lap = $clock.Elapsed
    }

    $phases['total'] = $clock.Elapsed
    Write-Host ('Time: ' + (($phases.GetEnumerator() | ForEach-Object { '{0} {1:mm\:ss}' -f $_.Key, $_.Value }) -join ', '))
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

switch ($Task) {
    'Clean' { Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $OutDir, (Join-Path $RepoRoot 'tools') }
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Build; & (Join-Path $RepoRoot 'build/Demo.ps1') -ModulePath $ModuleOut }
    'Emulator' { Invoke-Build; & (Join-Path $RepoRoot 'build/Start-Emulators.ps1') }
    'Bench' { Invoke-Build; & (Join-Path $RepoRoot 'build/Bench.ps1') -ModulePath $ModuleOut }
}
