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
    [int] $Count = 20,
    # With the emulator (from the main Bench) and an ACTIVE cluster in it, also time kubectl through each token source.
    $Emulator,
    [string] $ClusterName = 'x',
    [int] $KubectlCount = 10
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

if ($Emulator) {
    Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers.psm1')
    Import-Module (Join-Path $ModulePath 'EksModule.psd1')
    $ours = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-bench-$PID-ours.yaml"
    $null = Update-EksKubeconfig -ClusterName $ClusterName -Path $ours
    $theirs = New-TestKubeconfig -ClusterName $ClusterName -Emulator $Emulator
    function Measure-Kubectl([string] $Kubeconfig) {
        $times = foreach ($i in 1..$KubectlCount) {
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $result = Invoke-TestKubectl -Kubeconfig $Kubeconfig -ArgumentList @('get', '--raw', '/version')
            $watch.Stop()
            if ($result.ExitCode -ne 0) { throw "kubectl failed: $($result.Error)" }
            $watch.Elapsed.TotalMilliseconds
        }
        $sorted = @($times | Sort-Object)
        $sorted[[int][math]::Floor($sorted.Count / 2)]
    }
    try {
        $oursMs = Measure-Kubectl $ours
        $theirsMs = Measure-Kubectl $theirs
        [pscustomobject]@{
            Measurement         = "kubectl get --raw /version on the emulator (median of $KubectlCount)"
            'via eks-token-helper' = '{0:N0} ms' -f $oursMs
            'via aws eks get-token' = '{0:N0} ms' -f $theirsMs
            Ratio               = '{0:N2}x' -f ($oursMs / $theirsMs)
        } | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    } finally {
        Remove-Item $ours, $theirs -ErrorAction SilentlyContinue
    }
}
