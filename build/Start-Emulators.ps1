<#
.SYNOPSIS
    Runs moto and the EKS emulator in the foreground on free loopback ports until Ctrl+C.
.DESCRIPTION
    Prints the lines to paste into another PowerShell session so EksModule (and the AWS CLI)
    talk to the emulators instead of AWS.
#>
param([double] $CreateSeconds = 20, [double] $DeleteSeconds = 10, [double] $UpdateSeconds = 20)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers.psm1') -Force
$emulator = Start-TestEmulator -CreateSeconds $CreateSeconds -DeleteSeconds $DeleteSeconds -UpdateSeconds $UpdateSeconds
try {
    Write-Host "moto on $($emulator.Moto.Url), the EKS emulator in front of it on $($emulator.Url)." -ForegroundColor Green
    Write-Host 'In another PowerShell session, point the module at them with:' -ForegroundColor Cyan
    Write-Host "`$env:AWS_ENDPOINT_URL = '$($emulator.Url)'"
    Write-Host "`$env:AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'"
    Write-Host "`$env:AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'"
    Write-Host "`$env:AWS_REGION = 'us-east-1'"
    Write-Host "Import-Module '$((Resolve-Path (Join-Path $PSScriptRoot '../out/EksModule')).Path)'"
    Write-Host 'Clusters take' $CreateSeconds 's to become ACTIVE. Press Ctrl+C to stop the emulators.' -ForegroundColor Cyan
    while (-not $emulator.Process.HasExited) { Start-Sleep -Milliseconds 500 }
    Write-Warning "The emulator exited with code $($emulator.Process.ExitCode)."
} finally {
    $emulator | Stop-TestServer
    Write-Host 'Emulators stopped.'
}
