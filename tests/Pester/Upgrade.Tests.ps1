# Update-EksControlPlane and the add-on cmdlets: against the EKS emulator (versions, add-ons, node groups,
# injected failures) and against plain moto (UpdateClusterConfig answered with {}).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    function script:Add-UpdateFailure {
        param([string] $UpdateType, [string] $Resource, [int] $Count = 1)
        $body = @{ updateType = $UpdateType; resource = $Resource; count = $Count; errorCode = 'PodEvictionFailure'; message = 'Reached max retries while trying to evict pods' }
        $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Url)/_emulator/update-failures" -Body ($body | ConvertTo-Json) -ContentType 'application/json'
    }
}

Describe 'Update-EksControlPlane against the EKS emulator' {
    BeforeAll {
        $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1 -UpdateSeconds 1
        Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        $null = New-EksCluster -Name c -KubernetesVersion 1.32 -AvailabilityZoneCount 2 -NatGateway None |
            Add-EksNodeGroup -Name web -InstanceType t3.medium -MinSize 1 -DesiredSize 1 -MaxSize 2
        $null = Add-EksNodeGroup -ClusterName c -Name batch -InstanceType t3.medium -MinSize 1 -DesiredSize 1 -MaxSize 2
        foreach ($addon in 'coredns', 'kube-proxy', 'vpc-cni') { $null = Add-EksAddon -ClusterName c -Name $addon }
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Emulator | Stop-TestServer
    }

    It 'Add-EksAddon installs the default version for the cluster, ACTIVE, and awscli sees it' {
        # coredns was installed before the node groups and is DEGRADED until a node has joined; as on EKS, that
        # follows the node group's ACTIVE by a little, so the test allows 30 s for it.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        do {
            $coredns = Get-EksAddon -ClusterName c -Name coredns
            if ($coredns.Status -eq 'ACTIVE') { break }
            Start-Sleep -Milliseconds 250
        } while ([DateTime]::UtcNow -lt $deadline)
        $coredns.PSTypeNames | Should -Contain 'EksModule.Types.EksAddon'
        $coredns.Status | Should -Be 'ACTIVE'
        $coredns.AddonVersion | Should -Be 'v1.11.4-eksbuild.14'
        (AwsJson eks describe-addon --cluster-name c --addon-name kube-proxy).addon.addonVersion | Should -Be 'v1.32.0-eksbuild.2'
        @(Get-EksCluster c | Get-EksAddon).AddonName | Should -Be @('coredns', 'kube-proxy', 'vpc-cni')
    }

    It 'refuses a two-minor jump with no request sent, naming the allowed versions' {
        $cluster = Get-EksCluster c
        Clear-EmulatorRequest -Emulator $Emulator
        $err = { $cluster | Update-EksControlPlane -KubernetesVersion 1.34 -ErrorAction Stop } | Should -Throw -ErrorId 'UnsupportedVersionUpgrade*' -PassThru
        $err.ToString() | Should -Match '-KubernetesVersion 1\.33'
        $err.TargetObject | Should -Be 'c'
        @(Get-EmulatorRequest -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It 'refuses text that is no version before any request' {
        Clear-EmulatorRequest -Emulator $Emulator
        { Update-EksControlPlane -ClusterName c -KubernetesVersion 'latest' } | Should -Throw -ErrorId 'InvalidKubernetesVersion*'
        { Update-EksControlPlane -ClusterName c } | Should -Throw -ErrorId 'NothingToUpdate*'
        { Update-EksControlPlane -ClusterName c -PublicAccessCidr 203.0.113.7/33 } | Should -Throw -ErrorId 'InvalidPublicAccessCidr*'
        @(Get-EmulatorRequest -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It '-WhatIf prints the whole plan in order and sends nothing that changes' {
        Clear-EmulatorRequest -Emulator $Emulator
        $script = @"
`$env:AWS_ENDPOINT_URL = '$($Emulator.Url)'
Import-Module '$(Join-Path (Get-TestModulePath) 'EksModule.psd1')'
Get-EksCluster c | Update-EksControlPlane -KubernetesVersion 1.33 -IncludeAddons -IncludeNodeGroups -WhatIf
"@
        $lines = @(Invoke-ChildPwsh -Script $script -Environment @{ AWS_CONFIG_FILE = $env:AWS_CONFIG_FILE; AWS_SHARED_CREDENTIALS_FILE = $env:AWS_SHARED_CREDENTIALS_FILE; AWS_REGION = 'us-east-1' }) -match '^What if'
        # coredns's default is the same for 1.32 and 1.33, so it has no step.
        $lines | Should -HaveCount 5
        $lines[0] | Should -Match 'control plane of c from Kubernetes 1\.32 to 1\.33'
        $lines[1] | Should -Match 'add-on kube-proxy of c from v1\.32\.0-eksbuild\.2 to v1\.33\.0-eksbuild\.2'
        $lines[2] | Should -Match 'add-on vpc-cni .* to v1\.19\.5-eksbuild\.1'
        $lines[3] | Should -Match 'node group batch of c from Kubernetes 1\.32 to 1\.33'
        $lines[4] | Should -Match 'node group web'
        @(Get-EmulatorRequest -Emulator $Emulator).operation | Should -Contain 'DescribeAddonVersions'
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator | Where-Object operation -ne 'ListInsights') | Should -BeNullOrEmpty
        (AwsJson eks describe-cluster --name c).cluster.version | Should -Be '1.32'
    }

    It 'fails preflight when an installed add-on has no version for the target, changing nothing' {
        $null = New-EksCluster -Name old -KubernetesVersion 1.33 -AvailabilityZoneCount 2 -NatGateway None
        $null = Add-EksAddon -ClusterName old -Name snapshot-controller
        Clear-EmulatorRequest -Emulator $Emulator
        $err = { Update-EksControlPlane -ClusterName old -KubernetesVersion 1.34 -ErrorAction Stop } | Should -Throw -ErrorId 'UpgradePreflightFailed*' -PassThru
        $err.ToString() | Should -Match 'snapshot-controller .* has no version for Kubernetes 1\.34'
        $err.ToString() | Should -Match 'insight'
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator | Where-Object operation -ne 'ListInsights') | Should -BeNullOrEmpty
        Remove-EksAddon -ClusterName old -Name snapshot-controller -Force
        Get-EksAddon -ClusterName old -Name snapshot-controller -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'upgrades control plane, every add-on and node group in order; a rerun after an injected failure finishes the rest' {
        Add-UpdateFailure -UpdateType AddonUpdate -Resource vpc-cni
        Clear-EmulatorRequest -Emulator $Emulator
        $first = @(Get-EksCluster c | Update-EksControlPlane -KubernetesVersion 1.33 -IncludeAddons -IncludeNodeGroups -ErrorVariable failed -ErrorAction SilentlyContinue)
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ResourceFailed*'
        $failed[0].ToString() | Should -Match 'PodEvictionFailure'
        $first[0].Step | Should -Be 'ControlPlane'
        $first[0].Status | Should -Be 'Successful'
        $first[0].Type | Should -Be 'VersionUpdate'
        $first[0].Id | Should -Not -BeNullOrEmpty
        $first[1].Resource | Should -Be 'kube-proxy'
        $first | Should -HaveCount 2
        (AwsJson eks describe-cluster --name c).cluster.version | Should -Be '1.33'
        (AwsJson eks describe-addon --cluster-name c --addon-name vpc-cni).addon.status | Should -Be 'UPDATE_FAILED'
        (AwsJson eks describe-nodegroup --cluster-name c --nodegroup-name web).nodegroup.version | Should -Be '1.32'

        Clear-EmulatorRequest -Emulator $Emulator
        $second = @(Get-EksCluster c | Update-EksControlPlane -KubernetesVersion 1.33 -IncludeAddons -IncludeNodeGroups)
        $updates = $second | Where-Object { $_ -is [EksModule.Types.EksClusterUpdate] }
        $updates.Resource | Should -Be @('vpc-cni', 'batch', 'web')
        $updates.Status | Sort-Object -Unique | Should -Be 'Successful'
        $second[-1].PSTypeNames | Should -Contain 'EksModule.Types.EksCluster'
        $second[-1].Version | Should -Be '1.33'
        $mutating = @(Get-EmulatorRequest -Mutating -Emulator $Emulator).operation | Where-Object { $_ -ne 'ListInsights' }
        $mutating | Should -Not -Contain 'UpdateClusterVersion'
        $mutating | Should -Be @('UpdateAddon', 'UpdateNodegroupVersion', 'UpdateNodegroupVersion')
        (AwsJson eks describe-addon --cluster-name c --addon-name vpc-cni).addon.addonVersion | Should -Be 'v1.19.5-eksbuild.1'
        (AwsJson eks describe-nodegroup --cluster-name c --nodegroup-name web).nodegroup.version | Should -Be '1.33'
    }

    It 'the kube-apiserver reports the new version after the upgrade' {
        $access = Get-TestKubeApiAccess -ClusterName c -Emulator $Emulator
        (Invoke-TestKubeApi -Access $access -Path '/version').Body.minor | Should -Match '^33'
    }

    It 'a rerun when everything is done sends no change' {
        Clear-EmulatorRequest -Emulator $Emulator
        $out = @(Update-EksControlPlane -ClusterName c -KubernetesVersion 1.33 -IncludeAddons -IncludeNodeGroups)
        $out | Should -HaveCount 1
        $out[0].Version | Should -Be '1.33'
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It 'is refused while another update runs, then succeeds (ResourceInUseException)' {
        Set-EmulatorTiming -UpdateSeconds 4 -Emulator $Emulator | Out-Null
        try {
            $null = Invoke-Aws eks update-cluster-config --name c --logging '{"clusterLogging":[{"types":["scheduler"],"enabled":true}]}'
            $out = @(Update-EksControlPlane -ClusterName c -LogType audit)
            $out[0].Type | Should -Be 'LoggingUpdate'
            $out[0].Status | Should -Be 'Successful'
            $out[-1].EnabledLogTypes | Should -Be 'audit,scheduler'
        } finally { Set-EmulatorTiming -UpdateSeconds 1 -Emulator $Emulator | Out-Null }
    }

    It 'Update-EksAddon changes vpc-cni configuration through the env schema, waited for' {
        $after = Get-EksAddon -ClusterName c -Name vpc-cni | Update-EksAddon -ConfigurationValues @{ ENABLE_PREFIX_DELEGATION = $true; WARM_IP_TARGET = 5 }
        $after.Status | Should -Be 'ACTIVE'
        $config = $after.ConfigurationValues | ConvertFrom-Json
        $config.env.ENABLE_PREFIX_DELEGATION | Should -Be 'true'
        $config.env.WARM_IP_TARGET | Should -Be '5'
        (AwsJson eks describe-addon --cluster-name c --addon-name vpc-cni).addon.configurationValues | Should -Be $after.ConfigurationValues
    }

    It 'Update-EksAddon reports a configuration the schema refuses as InvalidParameterException' {
        $err = { Update-EksAddon -ClusterName c -Name coredns -ConfigurationValues @{ bogus = 1 } -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidParameterException*' -PassThru
        $err.ToString() | Should -Match 'bogus'
    }

    It 'add-on cmdlets under -WhatIf send no mutating request' {
        Clear-EmulatorRequest -Emulator $Emulator
        Add-EksAddon -ClusterName c -Name aws-ebs-csi-driver -WhatIf
        Update-EksAddon -ClusterName c -Name coredns -AddonVersion latest -WhatIf
        Remove-EksAddon -ClusterName c -Name coredns -WhatIf
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
        (Get-EksAddon -ClusterName c -Name coredns).Status | Should -Be 'ACTIVE'
    }

    It 'Add-EksAddon converges on a rerun and refuses bad input before any request' {
        Clear-EmulatorRequest -Emulator $Emulator
        (Add-EksAddon -ClusterName c -Name vpc-cni).AddonName | Should -Be 'vpc-cni'
        { Add-EksAddon -ClusterName c -Name 'VPC CNI' } | Should -Throw -ErrorId 'InvalidAddonName*'
        { Add-EksAddon -ClusterName c -Name aws-ebs-csi-driver -ServiceAccountRoleArn 'ebs-role' } | Should -Throw -ErrorId 'InvalidServiceAccountRoleArn*'
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
    }
}

Describe 'Update-EksControlPlane against plain moto' {
    BeforeAll {
        $script:Moto = Start-TestMoto
        Set-TestAwsEnvironment -EndpointUrl $Moto.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        $null = New-EksCluster -Name c -AvailabilityZoneCount 2 -NatGateway None
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Moto | Stop-TestServer
    }

    It 'changes logging and endpoint access; awscli shows them' {
        $out = @(Update-EksControlPlane -ClusterName c -LogType api, audit -EndpointPrivateAccess $true -PublicAccessCidr 203.0.113.0/24)
        $out[0].Step | Should -Be 'ClusterConfig'
        $out[0].Status | Should -Be 'Applied'
        $out[-1].PSTypeNames | Should -Contain 'EksModule.Types.EksCluster'
        $cluster = (AwsJson eks describe-cluster --name c).cluster
        $cluster.resourcesVpcConfig.endpointPrivateAccess | Should -BeTrue
        $cluster.resourcesVpcConfig.publicAccessCidrs | Should -Be @('203.0.113.0/24')
        @($cluster.logging.clusterLogging | Where-Object enabled | ForEach-Object types) | Should -Contain 'audit'
        @($cluster.logging.clusterLogging | Where-Object enabled | ForEach-Object types) | Should -Contain 'api'
    }
}
