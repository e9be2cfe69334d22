@{
    RootModule           = 'EksModule.dll'
    # The build stamps this from Directory.Build.props.
    ModuleVersion        = '0.0.0'
    GUID                 = '6f1d3c52-9a4e-4f5b-8f0e-2b7c1e8d4a31'
    Author               = 'EksPowerShell contributors'
    CompanyName          = 'EksPowerShell'
    Copyright            = '(c) EksPowerShell contributors. Apache-2.0.'
    Description          = 'Amazon EKS end to end from PowerShell: clusters, node groups, load balancers, Route 53 records, upgrades and IAM authentication, as pipeline-friendly cmdlets with -WhatIf.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # The build combines src/EksModule/Formats/*.format.ps1xml (one per area) into this one file.
    FormatsToProcess     = @('EksModule.format.ps1xml')
    CmdletsToExport      = @(
        'New-EksCluster'
        'Get-EksCluster'
        'Wait-EksCluster'
        'Remove-EksCluster'
        'Add-EksNodeGroup'
        'Get-EksNodeGroup'
        'Set-EksNodeGroupScaling'
        'Remove-EksNodeGroup'
        'Get-EksNodeGroupInstance'
        'Get-EksNodeNetwork'
        'Get-EksToken'
        'Update-EksKubeconfig'
        'Set-EksDnsRecord'
        'Get-EksDnsRecord'
        'Remove-EksDnsRecord'
        'Update-EksControlPlane'
        'Get-EksAddon'
        'Add-EksAddon'
        'Update-EksAddon'
        'Remove-EksAddon'
        'Grant-EksClusterAccess'
        'Revoke-EksClusterAccess'
        'Get-EksClusterAccess'
        'New-EksLoadBalancer'
        'Get-EksLoadBalancer'
        'Remove-EksLoadBalancer'
        'Enable-EksPrivateAccess'
        'Set-EksLogRetention'
        'Get-EksApiEvent'
        'New-EksStorageClass'
        'Get-EksStorageClass'
        'Remove-EksStorageClass'
        'Register-EksOidcProvider'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'EKS', 'Kubernetes', 'Route53', 'ELB', 'Cloud', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/ekspowershell/EksPowerShell'
            LicenseUri   = 'https://github.com/ekspowershell/EksPowerShell/blob/main/LICENSE'
            ReleaseNotes = 'First release: cluster lifecycle (New-, Get-, Wait-, Remove-EksCluster) with a new multi-AZ VPC, -WhatIf and AWS.Tools-style credentials.'
        }
    }
}
