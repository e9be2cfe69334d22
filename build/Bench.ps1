<#
.SYNOPSIS
    Start-up and call-latency of the module, side by side with the AWS CLI against the same emulator,
    in one run. Prints a table of medians and the ratios the targets are stated in.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [int] $StartRuns = 10, [int] $WarmRuns = 50, [int] $CliRuns = 10)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers.psm1') -Force

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $n = $sorted.Count
    if ($n % 2) { $sorted[($n - 1) / 2] } else { ($sorted[$n / 2 - 1] + $sorted[$n / 2]) / 2 }
}

function Measure-Process([string] $File, [string[]] $Arguments, [int] $Runs) {
    $times = foreach ($i in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        & $File @Arguments *> $null
        $watch.Stop()
        if ($LASTEXITCODE -ne 0) { throw "$File $Arguments failed with $LASTEXITCODE" }
        $watch.Elapsed.TotalMilliseconds
    }
    Get-Median $times
}

$pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
$pwsh = [Environment]::ProcessPath
$manifest = Join-Path $ModulePath 'EksModule.psd1'

$emulator = Start-TestEmulator -CreateSeconds 0
try {
    Set-TestAwsEnvironment -EndpointUrl $emulator.Url
    $null = aws ec2 create-vpc --cidr-block 10.9.0.0/16
    $vpc = aws ec2 describe-vpcs --filters Name=cidr,Values=10.9.0.0/16 --query 'Vpcs[0].VpcId' --output text
    $s1 = aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.9.1.0/24 --availability-zone us-east-1a --query Subnet.SubnetId --output text
    $s2 = aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.9.2.0/24 --availability-zone us-east-1b --query Subnet.SubnetId --output text
    $null = aws iam create-role --role-name bench --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}'
    $null = aws eks create-cluster --name x --role-arn arn:aws:iam::123456789012:role/bench --resources-vpc-config "subnetIds=$s1,$s2"

    Write-Host 'Measuring (medians)...' -ForegroundColor Cyan
    $pwshAlone = Measure-Process $pwsh ($pwshArgs + @('-NoProfile', '-NonInteractive', '-Command', 'exit 0')) $StartRuns
    $pwshImport = Measure-Process $pwsh ($pwshArgs + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$manifest'; exit 0")) $StartRuns

    # In-process numbers come from fresh pwsh processes that time themselves, one sample each.
    $inProcess = foreach ($i in 1..$StartRuns) {
        $line = & $pwsh @pwshArgs -NoProfile -NonInteractive -Command @"
`$import = (Measure-Command { Import-Module '$manifest' }).TotalMilliseconds
`$first = (Measure-Command { `$null = Get-EksCluster -Name x }).TotalMilliseconds
"`$import `$first"
"@
        $parts = ($line | Select-Object -Last 1) -split ' '
        [pscustomobject]@{ Import = [double]$parts[0]; First = [double]$parts[1] }
    }
    $warmLine = & $pwsh @pwshArgs -NoProfile -NonInteractive -Command @"
Import-Module '$manifest'
1..5 | ForEach-Object { `$null = Get-EksCluster -Name x }
(1..$WarmRuns | ForEach-Object { (Measure-Command { `$null = Get-EksCluster -Name x }).TotalMilliseconds }) -join ' '
"@
    $warm = Get-Median (($warmLine | Select-Object -Last 1) -split ' ' | ForEach-Object { [double]$_ })
    $cli = Measure-Process 'aws' @('eks', 'describe-cluster', '--name', 'x') $CliRuns

    $import = Get-Median $inProcess.Import
    $first = Get-Median $inProcess.First
    $rows = @(
        [pscustomobject]@{ Measure = 'pwsh start alone'; 'Median ms' = [math]::Round($pwshAlone, 1); Ratio = ''; Target = '' }
        [pscustomobject]@{ Measure = 'pwsh start + Import-Module'; 'Median ms' = [math]::Round($pwshImport, 1); Ratio = ''; Target = '' }
        [pscustomobject]@{ Measure = 'Import-Module in-process'; 'Median ms' = [math]::Round($import, 1); Ratio = ''; Target = '<= 50 ms' }
        [pscustomobject]@{ Measure = 'first Get-EksCluster after import'; 'Median ms' = [math]::Round($first, 1); Ratio = ('{0:N3} x aws' -f ($first / $cli)); Target = '<= 0.5 x aws' }
        [pscustomobject]@{ Measure = "warm Get-EksCluster -Name x (median of $WarmRuns)"; 'Median ms' = [math]::Round($warm, 2); Ratio = ('{0:N3} x aws' -f ($warm / $cli)); Target = '<= 0.05 x aws' }
        [pscustomobject]@{ Measure = "aws eks describe-cluster (median of $CliRuns)"; 'Median ms' = [math]::Round($cli, 1); Ratio = '1 x aws'; Target = '' }
    )
    $rows | Format-Table -AutoSize | Out-Host

    # Other areas add their own tables beside this one.
    foreach ($extra in Get-ChildItem $PSScriptRoot -Filter 'Bench.*.ps1') {
        & $extra.FullName -ModulePath $ModulePath -Emulator $emulator
    }
} finally {
    $emulator | Stop-TestServer
}
