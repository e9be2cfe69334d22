# New-EksCluster installing vpc-cni, kube-proxy and coredns as EKS add-ons: against the EKS emulator (add-on
# lifecycles, coredns DEGRADED without nodes, the request log, CloudTrail's record of CreateCluster) and plain moto.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    function script:AwsJson { param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments) aws @Arguments --output json | ConvertFrom-Json }
    function script:AddonNames([string] $Cluster) { @((AwsJson eks list-addons --cluster-name $Cluster).addons | Sort-Object) }
    function script:WaitFor([scriptblock] $Condition, [int] $Seconds = 20) {
        $deadline = (Get-Date).AddSeconds($Seconds)
        while (-not (& $Condition) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
        [bool](& $Condition)
    }
    # What CloudTrail recorded of the cluster's CreateCluster call: the request EKS received.
    function script:CreateClusterParameters([string] $Cluster) {
        $events = (AwsJson cloudtrail lookup-events --lookup-attributes "AttributeKey=ResourceName,AttributeValue=$Cluster").Events
        ($events | Where-Object EventName -eq 'CreateCluster' | Select-Object -First 1).CloudTrailEvent | ConvertFrom-Json | ForEach-Object requestParameters
    }
    function script:WhatIfLines([string] $Command) {
        $script = "`$env:AWS_ENDPOINT_URL = '$($Emulator.Url)'; Import-Module '$(Join-Path (Get-TestModulePath) 'EksModule.psd1')'; $Command"
        @(Invoke-ChildPwsh -Script $script -Environment @{ AWS_CONFIG_FILE = $env:AWS_CONFIG_FILE; AWS_SHARED_CREDENTIALS_FILE = $env:AWS_SHARED_CREDENTIALS_FILE; AWS_REGION = 'us-east-1' }) -match '^What if'
    }
}

Describe 'New-EksCluster installs the default add-ons as EKS add-ons (EKS emulator)' {
    BeforeAll {
        $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1 -UpdateSeconds 1
        Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        Clear-EmulatorRequest -Emulator $Emulator
        $script:Web = New-EksCluster -Name web -KubernetesVersion 1.33 -AvailabilityZoneCount 2 -NatGateway None -WarningVariable webWarnings
        $script:WebWarnings = $webWarnings
        $script:WebRequests = @(Get-EmulatorRequest -Mutating -Emulator $Emulator).operation
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Emulator | Stop-TestServer
    }

    It 'creates the cluster with bootstrapSelfManagedAddons false, then vpc-cni, kube-proxy and coredns at EKS''s default versions' {
        $Web.PSTypeNames | Should -Contain 'EksModule.Types.EksCluster'
        $Web.Status | Should -Be 'ACTIVE'
        (CreateClusterParameters web).bootstrapSelfManagedAddons | Should -BeFalse
        $WebRequests | Where-Object { $_ -in 'CreateCluster', 'CreateAddon' } | Should -Be @('CreateCluster', 'CreateAddon', 'CreateAddon', 'CreateAddon')
        AddonNames web | Should -Be @('coredns', 'kube-proxy', 'vpc-cni')
        (AwsJson eks describe-addon --cluster-name web --addon-name vpc-cni).addon.addonVersion | Should -Be 'v1.19.5-eksbuild.1'
        (AwsJson eks describe-addon --cluster-name web --addon-name kube-proxy).addon.addonVersion | Should -Be 'v1.33.0-eksbuild.2'
        (AwsJson eks describe-addon --cluster-name web --addon-name coredns).addon.addonVersion | Should -Be 'v1.11.4-eksbuild.14'
    }

    It 'does not wait for coredns, which EKS reports DEGRADED until nodes join, and says so' {
        (AwsJson eks describe-addon --cluster-name web --addon-name vpc-cni).addon.status | Should -Be 'ACTIVE'
        (AwsJson eks describe-addon --cluster-name web --addon-name kube-proxy).addon.status | Should -Be 'ACTIVE'
        $coredns = (AwsJson eks describe-addon --cluster-name web --addon-name coredns).addon
        $coredns.status | Should -Be 'DEGRADED'
        $coredns.health.issues.code | Should -Be 'InsufficientNumberOfReplicas'
        @($WebWarnings) | Should -HaveCount 1
        "$($WebWarnings[0])" | Should -Match "coredns of cluster 'web' is installed but DEGRADED"
        "$($WebWarnings[0])" | Should -Match 'Add-EksNodeGroup -ClusterName web'
    }

    It 'coredns becomes ACTIVE once a node group has Ready nodes' {
        $null = Add-EksNodeGroup -ClusterName web -Name system -InstanceType t3.medium -MinSize 1 -DesiredSize 1 -MaxSize 2 -WaitForNodes
        WaitFor { (Get-EksAddon -ClusterName web -Name coredns).Status -eq 'ACTIVE' } | Should -BeTrue
    }

    It 'a rerun installs an add-on that is missing and touches nothing else; the next rerun sends no change' {
        $null = aws eks delete-addon --cluster-name web --addon-name kube-proxy
        WaitFor { (AddonNames web) -notcontains 'kube-proxy' } | Should -BeTrue

        Clear-EmulatorRequest -Emulator $Emulator
        $again = New-EksCluster -Name web -AvailabilityZoneCount 2 -NatGateway None
        $again.Name | Should -Be 'web'
        $mutating = @(Get-EmulatorRequest -Mutating -Emulator $Emulator)
        $mutating.operation | Should -Be @('CreateAddon')
        $mutating[0].path | Should -Be '/clusters/web/addons'
        AddonNames web | Should -Be @('coredns', 'kube-proxy', 'vpc-cni')
        (AwsJson eks describe-addon --cluster-name web --addon-name kube-proxy).addon.status | Should -Be 'ACTIVE'

        Clear-EmulatorRequest -Emulator $Emulator
        $null = New-EksCluster -Name web -AvailabilityZoneCount 2 -NatGateway None
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It '-WhatIf lists the add-ons with their versions and sends nothing that changes anything' {
        Clear-EmulatorRequest -Emulator $Emulator
        $lines = @(WhatIfLines "New-EksCluster -Name preview -KubernetesVersion 1.34 -SubnetId $($Web.SubnetIds -join ',') -RoleArn '$($Web.RoleArn)' -WhatIf")
        $lines | Should -HaveCount 4
        $lines[0] | Should -Match "Create EKS cluster 'preview' .*then EKS add-ons vpc-cni v1\.19\.5-eksbuild\.1, kube-proxy v1\.34\.0-eksbuild\.2, coredns v1\.12\.1-eksbuild\.2"
        $lines[1] | Should -Match 'Install EKS add-on vpc-cni v1\.19\.5-eksbuild\.1" on target "preview/vpc-cni"'
        $lines[2] | Should -Match 'Install EKS add-on kube-proxy v1\.34\.0-eksbuild\.2'
        $lines[3] | Should -Match 'Install EKS add-on coredns v1\.12\.1-eksbuild\.2'
        @(Get-EmulatorRequest -Emulator $Emulator).operation | Should -Contain 'DescribeAddonVersions'
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
        (AwsJson eks list-clusters).clusters | Should -Not -Contain 'preview'
    }

    It '-WhatIf on an existing cluster lists only the missing add-on' {
        $null = aws eks delete-addon --cluster-name web --addon-name vpc-cni
        WaitFor { (AddonNames web) -notcontains 'vpc-cni' } | Should -BeTrue
        Clear-EmulatorRequest -Emulator $Emulator
        $lines = @(WhatIfLines 'New-EksCluster -Name web -AvailabilityZoneCount 2 -NatGateway None -WhatIf')
        @($lines -match 'Install EKS add-on') | Should -HaveCount 1
        $lines -match 'Install EKS add-on' | Should -Match 'vpc-cni v1\.19\.5-eksbuild\.1" on target "web/vpc-cni"'
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
        AddonNames web | Should -Not -Contain 'vpc-cni'
        $null = New-EksCluster -Name web -AvailabilityZoneCount 2 -NatGateway None
        AddonNames web | Should -Contain 'vpc-cni'
    }

    It '-Addon chooses the add-ons (names in any case); EKS bootstraps nothing of its own' {
        $cluster = New-EksCluster -Name pods -SubnetId $Web.SubnetIds -RoleArn $Web.RoleArn -Addon vpc-cni, EKS-Pod-Identity-Agent, vpc-cni
        $cluster.Status | Should -Be 'ACTIVE'
        AddonNames pods | Should -Be @('eks-pod-identity-agent', 'vpc-cni')
        (CreateClusterParameters pods).bootstrapSelfManagedAddons | Should -BeFalse
        (Get-EksCluster pods | Get-EksAddon).Status | Sort-Object -Unique | Should -Be 'ACTIVE'
    }

    It '-Addon @() installs none and turns EKS''s own bootstrap off; -SelfManagedAddons keeps EKS''s bootstrap' {
        $null = New-EksCluster -Name bare -SubnetId $Web.SubnetIds -RoleArn $Web.RoleArn -Addon @()
        AddonNames bare | Should -BeNullOrEmpty
        (CreateClusterParameters bare).bootstrapSelfManagedAddons | Should -BeFalse

        Clear-EmulatorRequest -Emulator $Emulator
        $null = New-EksCluster -Name legacy -SubnetId $Web.SubnetIds -RoleArn $Web.RoleArn -SelfManagedAddons
        AddonNames legacy | Should -BeNullOrEmpty
        (CreateClusterParameters legacy).PSObject.Properties.Name | Should -Not -Contain 'bootstrapSelfManagedAddons'
        @(Get-EmulatorRequest -Emulator $Emulator).operation | Should -Not -Contain 'DescribeAddonVersions'
    }

    It '-NoWait keeps EKS''s self-managed bootstrap; a rerun without -NoWait installs the EKS add-ons' {
        $cluster = New-EksCluster -Name later -SubnetId $Web.SubnetIds -RoleArn $Web.RoleArn -NoWait
        $cluster.Status | Should -Be 'CREATING'
        (CreateClusterParameters later).PSObject.Properties.Name | Should -Not -Contain 'bootstrapSelfManagedAddons'
        AddonNames later | Should -BeNullOrEmpty
        $null = New-EksCluster -Name later -SubnetId $Web.SubnetIds -RoleArn $Web.RoleArn -NoWait
        AddonNames later | Should -BeNullOrEmpty
        (New-EksCluster -Name later -SubnetId $Web.SubnetIds -RoleArn $Web.RoleArn -WarningAction SilentlyContinue).Status | Should -Be 'ACTIVE'
        AddonNames later | Should -Be @('coredns', 'kube-proxy', 'vpc-cni')
    }

    It 'refuses bad -Addon input before any request' {
        Clear-EmulatorRequest -Emulator $Emulator
        { New-EksCluster -Name nope -Addon 'core_dns' } | Should -Throw -ErrorId 'InvalidAddonName*'
        { New-EksCluster -Name nope -Addon coredns -NoWait } | Should -Throw -ErrorId 'AddonWithNoWait*'
        { New-EksCluster -Name nope -Addon coredns -SelfManagedAddons } | Should -Throw -ErrorId 'AddonWithSelfManagedAddons*'
        @(Get-EmulatorRequest -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It 'refuses an add-on EKS does not offer before anything is created' {
        Clear-EmulatorRequest -Emulator $Emulator
        $err = { New-EksCluster -Name nope -SubnetId $Web.SubnetIds -RoleArn $Web.RoleArn -Addon vpc-cni, no-such-addon -ErrorAction Stop } |
            Should -Throw -ErrorId 'AddonVersionNotFound*' -PassThru
        $err.ToString() | Should -Match 'no-such-addon'
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
        (AwsJson eks list-clusters).clusters | Should -Not -Contain 'nope'
    }

    It 'Add-EksAddon returns coredns DEGRADED with a warning on a cluster without nodes, instead of failing' {
        $addon = Add-EksAddon -ClusterName bare -Name coredns -WarningVariable warned
        $addon.Status | Should -Be 'DEGRADED'
        $addon.Health.Issues.Code | Should -Be 'InsufficientNumberOfReplicas'
        "$warned" | Should -Match 'until nodes join'
    }

    It 'completes -Addon with add-on names' {
        $completions = TabExpansion2 -inputScript 'New-EksCluster -Name x -Addon eks-' -cursorColumn 'New-EksCluster -Name x -Addon eks-'.Length
        $completions.CompletionMatches.CompletionText | Should -Contain 'eks-pod-identity-agent'
    }
}

Describe 'New-EksCluster against plain moto (no add-on API)' {
    BeforeAll {
        $script:Moto = Start-TestMoto
        Set-TestAwsEnvironment -EndpointUrl $Moto.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Moto | Stop-TestServer
    }

    It 'creates the cluster with EKS''s self-managed add-ons and warns, rather than failing' {
        $cluster = New-EksCluster -Name plain -AvailabilityZoneCount 2 -NatGateway None -WarningVariable warned
        $cluster.Status | Should -Be 'ACTIVE'
        "$warned" | Should -Match 'no add-on API'
        (AwsJson eks describe-cluster --name plain).cluster.status | Should -Be 'ACTIVE'
        $rerun = New-EksCluster -Name plain -AvailabilityZoneCount 2 -NatGateway None -WarningAction SilentlyContinue
        $rerun.Status | Should -Be 'ACTIVE'
    }
}
