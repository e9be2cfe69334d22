<#
.SYNOPSIS
    The module's main job on the local emulators, narrated: preview, create a 3-AZ cluster with its
    VPC and role, add nodes, expose a workload through an NLB with a Route 53 alias, look at it,
    remove it with its load balancer and network.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/Pester/TestHelpers.psm1') -Force

function Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }
function Show([string] $Command) {
    Write-Host "PS> $Command" -ForegroundColor Yellow
    & ([scriptblock]::Create($Command)) | Out-Host
}

Step 'Starting moto and the EKS emulator on loopback (clusters take 8 s to become ACTIVE here, 10-15 min in AWS)'
$emulator = Start-TestEmulator -CreateSeconds 8 -DeleteSeconds 4
try {
    Set-TestAwsEnvironment -EndpointUrl $emulator.Url
    Write-Host "AWS_ENDPOINT_URL=$($emulator.Url), region us-east-1, moto's test credentials."
    Import-Module (Join-Path $ModulePath 'EksModule.psd1') -Force

    Step 'Preview: -WhatIf lists every change and sends no mutating request'
    Show 'New-EksCluster -Name demo -AvailabilityZoneCount 3 -WhatIf'
    $mutating = @(Get-EmulatorRequest -Emulator $emulator -Mutating).Count
    Write-Host "Mutating requests the emulator saw: $mutating" -ForegroundColor Green

    Step 'Create: a VPC over 3 AZs (public + private subnets, NAT, load balancer tags), the cluster role, the cluster; waits for ACTIVE, then installs vpc-cni, kube-proxy and coredns as EKS add-ons (coredns waits for nodes)'
    Show 'New-EksCluster -Name demo -AvailabilityZoneCount 3 -Tag @{ team = "platform" }'

    Step 'Run it again: it converges on what exists instead of creating anything twice'
    Clear-EmulatorRequest -Emulator $emulator
    Show 'New-EksCluster -Name demo -AvailabilityZoneCount 3 | Select-Object Name, Status, Version'
    Write-Host "Mutating requests on the rerun: $(@(Get-EmulatorRequest -Emulator $emulator -Mutating).Count)" -ForegroundColor Green

    Step 'Add a managed node group (an Auto Scaling group behind it), then look at its instances across AZs'
    Show 'Get-EksCluster -Name demo | Add-EksNodeGroup -Name web -InstanceType t3.large -MinSize 1 -DesiredSize 3 -MaxSize 4 -Label @{ role = "web" } -WaitForNodes'
    Show 'Get-EksNodeGroupInstance -ClusterName demo -NodegroupName web'
    Write-Host 'With nodes Ready, coredns has somewhere to run and EKS reports every add-on ACTIVE:'
    Show 'Get-EksCluster -Name demo | Get-EksAddon'

    Step 'Expose a workload: a Service for the AWS Load Balancer Controller gets an NLB; pipe it into Route 53 as an alias record'
    Write-Host 'The zone comes first (in AWS you would already own one):'
    Show 'aws route53 create-hosted-zone --name demo.example.test --caller-reference "demo-$(Get-Date -Format yyyyMMddHHmmss)" --query "HostedZone.Id" --output text'
    Show "New-EksLoadBalancer -ClusterName demo -Name web -Selector @{ app = 'web' } -Port 80 -Type Network | Set-EksDnsRecord -Name web.demo.example.test"
    Show 'Get-EksDnsRecord -Name web.demo.example.test'
    Show 'Get-EksLoadBalancer -ClusterName demo'

    Step 'kubectl without the AWS CLI: the kubeconfig runs the module''s own token helper'
    $kubeconfig = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-demo-$PID.yaml"
    Show "Update-EksKubeconfig -ClusterName demo -Path '$kubeconfig' -SetCurrentContext"
    Show "kubectl --kubeconfig '$kubeconfig' get namespaces"
    Show "kubectl --kubeconfig '$kubeconfig' get services"
    Remove-Item $kubeconfig -ErrorAction SilentlyContinue

    Step 'List and inspect'
    Show 'Get-EksCluster'
    Show 'Get-EksCluster -Name demo | Format-List'
    Show 'aws eks describe-cluster --name demo --query "cluster.[name,status,version,resourcesVpcConfig.vpcId]" --output text'
    Write-Host 'Who changed the cluster, from CloudTrail''s event history:'
    Show 'Get-EksApiEvent -ClusterName demo | Where-Object { -not $_.ReadOnly } | Format-Table EventTime, EventName, Username'

    Step 'Remove the cluster (its load balancer and node group first, with -Force), then the VPC and roles the module made for it'
    Show 'Get-EksCluster -Name demo | Remove-EksCluster -Force -IncludeNetwork'
    Show 'Get-EksCluster'
    Show 'aws ec2 describe-vpcs --filters Name=tag:eksmodule:cluster-name,Values=demo --query "length(Vpcs)"'
    Show 'aws elbv2 describe-load-balancers --query "length(LoadBalancers)"'
    Write-Host "`nDemo finished." -ForegroundColor Green
} finally {
    $emulator | Stop-TestServer
}
