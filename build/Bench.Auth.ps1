<#
.SYNOPSIS
    Token mint time: the module's eks-token-helper against `aws eks get-token`, median of -Count runs each.
.DESCRIPTION
    Both mint locally from environment keys (no network call), so this measures start-up plus signing,
    which is what kubectl waits for on every exec. Called from the main Bench; prints one table.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Count = 20
)
$ErrorActionPreference = 'Stop'
$rid = if ($IsWindows) { 'win-x64' } else { 'linux-x64' }
$helper = Join-Path $ModulePath "bin/$rid/eks-token-helper$(if ($IsWindows) { '.exe' })"
if (-not (Test-Path $helper)) { throw "No token helper at $helper; run build.ps1 Build first." }

$saved = @{}
$env_ = @{ AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'; AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'; AWS_EC2_METADATA_DISABLED = 'true'; AWS_PROFILE = $null; AWS_SESSION_TOKEN = $null }
foreach ($k in $env_.Keys) {
    $saved[$k] = [Environment]::GetEnvironmentVariable($k)
    # Remove-Item, not SetEnvironmentVariable($null): PowerShell would pass "" and leave AWS_PROFILE set but empty.
    if ($null -eq $env_[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } else { Set-Item "Env:$k" $env_[$k] }
}

function Measure-Median([string] $File, [string[]] $Arguments) {
    $times = foreach ($i in 1..$Count) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = & $File @Arguments 2>&1
        $watch.Stop()
        if ($LASTEXITCODE -ne 0) { throw "$File exited with $LASTEXITCODE" }
        $watch.Elapsed.TotalMilliseconds
    }
    $sorted = @($times | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

try {
    $tokenArgs = @('--cluster-name', 'bench', '--region', 'us-east-1')
    $helperMs = Measure-Median $helper (@('token') + $tokenArgs)
    $aws = Get-Command aws -ErrorAction SilentlyContinue
    $awsMs = if ($aws) { Measure-Median $aws.Source (@('eks', 'get-token') + $tokenArgs) } else { $null }
    [pscustomobject]@{
        Measurement        = "EKS token mint (median of $Count)"
        'eks-token-helper' = '{0:N0} ms' -f $helperMs
        'aws eks get-token' = if ($awsMs) { '{0:N0} ms' -f $awsMs } else { 'aws not found' }
        Ratio              = if ($awsMs) { '{0:N2}x' -f ($helperMs / $awsMs) } else { '' }
        Target             = '<= 0.20x'
    } | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
} finally {
    foreach ($k in $saved.Keys) { if ($null -eq $saved[$k]) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } else { Set-Item "Env:$k" $saved[$k] } }
}
