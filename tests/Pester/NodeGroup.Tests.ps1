# Node group cmdlets: against plain moto (EKS basics, IAM) and against the EKS emulator (lifecycles, Auto Scaling groups, request log).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'Add-EksNodeGroup against moto' {
    BeforeAll {
        $script:Moto = Start-TestMoto
        Set-TestAwsEnvironment -EndpointUrl $Moto.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        $script:made = New-EksCluster -Name c -AvailabilityZoneCount 2 -NatGateway None |
            Add-EksNodeGroup -Name web -InstanceType t3.large -MinSize 1 -DesiredSize 2 -MaxSize 4 -Label @{ role = 'web' }
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Moto | Stop-TestServer
    }

    It 'writes an EksNodeGroup with the EKS property names' {
        $made | Should -HaveCount 1
        $made.PSTypeNames | Should -Contain 'EksModule.Types.EksNodeGroup'
        $made.NodegroupName | Should -Be 'web'
        $made.Name | Should -Be 'web'
        $made.ClusterName | Should -Be 'c'
        $made.Status | Should -Be 'ACTIVE'
        $made.ScalingConfig.DesiredSize | Should -Be 2
        $made.Region | Should -Be 'us-east-1'
    }

    It 'creates exactly that node group in the private subnets (awscli)' {
        $ng = (AwsJson eks describe-nodegroup --cluster-name c --nodegroup-name web).nodegroup
        $ng.instanceTypes | Should -Be @('t3.large')
        $ng.scalingConfig.minSize | Should -Be 1
        $ng.scalingConfig.desiredSize | Should -Be 2
        $ng.scalingConfig.maxSize | Should -Be 4
        $ng.labels.role | Should -Be 'web'
        $ng.amiType | Should -Be 'AL2023_x86_64_STANDARD'
        $ng.capacityType | Should -Be 'ON_DEMAND'
        $clusterSubnets = (AwsJson eks describe-cluster --name c).cluster.resourcesVpcConfig.subnetIds
        $private = (AwsJson ec2 describe-subnets --subnet-ids @clusterSubnets).Subnets |
            Where-Object { $_.Tags | Where-Object { $_.Key -eq 'kubernetes.io/role/internal-elb' -and $_.Value -eq '1' } } |
            ForEach-Object SubnetId
        $private | Should -HaveCount 2
        @($ng.subnets | Sort-Object) | Should -Be @($private | Sort-Object)
        $ng.nodeRole | Should -BeLike '*:role/eks-c-node'
    }

    It 'creates a node role trusted by EC2 with the three worker policies (awscli)' {
        $role = (AwsJson iam get-role --role-name eks-c-node).Role
        ($role.AssumeRolePolicyDocument | ConvertTo-Json -Depth 6) | Should -Match 'ec2.amazonaws.com'
        $policies = (AwsJson iam list-attached-role-policies --role-name eks-c-node).AttachedPolicies.PolicyName
        @($policies | Sort-Object) | Should -Be @('AmazonEC2ContainerRegistryReadOnly', 'AmazonEKS_CNI_Policy', 'AmazonEKSWorkerNodePolicy')
    }

    It 'converges on a rerun with the same shape' {
        $again = Add-EksNodeGroup -ClusterName c -Name web -InstanceType t3.large -MinSize 1 -DesiredSize 2 -MaxSize 4 -Label @{ role = 'web' }
        $again.NodegroupArn | Should -Be $made.NodegroupArn
        @((AwsJson eks list-nodegroups --cluster-name c).nodegroups) | Should -Be @('web')
    }

    It 'names what differs on a rerun with another shape' {
        $err = { Add-EksNodeGroup -ClusterName c -Name web -InstanceType m5.large -DesiredSize 3 -ErrorAction Stop } |
            Should -Throw -ErrorId 'NodeGroupShapeMismatch*' -PassThru
        $err.ToString() | Should -Match 'InstanceTypes: t3.large \(wanted m5.large\)'
        $err.ToString() | Should -Match 'DesiredSize 2 \(wanted 3\)'
        $err.ToString() | Should -Match 'Set-EksNodeGroupScaling'
        $err.TargetObject | Should -Be 'c/web'
    }

    It 'Get-EksCluster | Get-EksNodeGroup gives every node group of every piped cluster' {
        $null = Add-EksNodeGroup -ClusterName c -Name api -InstanceType t3.medium
        @(Get-EksCluster | Get-EksNodeGroup).Name | Sort-Object | Should -Be @('api', 'web')
        @(Get-EksNodeGroup -ClusterName c -Name w*).Name | Should -Be @('web')
    }
}

Describe 'Node groups against the EKS emulator' {
    BeforeAll {
        $script:Emulator = Start-TestEmulator -CreateSeconds 2 -DeleteSeconds 1 -UpdateSeconds 2
        Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        $script:ng = New-EksCluster -Name emu -AvailabilityZoneCount 2 -NatGateway None |
            Add-EksNodeGroup -Name web -InstanceType t3.large -MinSize 1 -DesiredSize 2 -MaxSize 4 -Taint 'dedicated=web:NoSchedule'
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Emulator | Stop-TestServer
    }

    It 'waits through CREATING and writes the node group ACTIVE with its Auto Scaling group' {
        $ng.Status | Should -Be 'ACTIVE'
        $ng.Taints[0].Effect | Should -Be 'NO_SCHEDULE'
        $ng.Resources.AutoScalingGroups[0].Name | Should -BeLike 'eks-web-*'
    }

    It 'Set-EksNodeGroupScaling -WhatIf sends no mutating request' {
        Clear-EmulatorRequest -Emulator $Emulator
        Get-EksCluster | Get-EksNodeGroup | Set-EksNodeGroupScaling -DesiredSize 3 -WhatIf
        @(Get-EmulatorRequest -Emulator $Emulator).Count | Should -BeGreaterThan 0
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
        (AwsJson eks describe-nodegroup --cluster-name emu --nodegroup-name web).nodegroup.scalingConfig.desiredSize | Should -Be 2
    }

    It 'Set-EksNodeGroupScaling sets 3, waits for the update, and the Auto Scaling group follows' {
        $after = Get-EksCluster | Get-EksNodeGroup | Set-EksNodeGroupScaling -DesiredSize 3 -PassThru
        $after.Status | Should -Be 'ACTIVE'
        $after.ScalingConfig.DesiredSize | Should -Be 3
        (Get-EmulatorRequest -Mutating -Emulator $Emulator).operation | Should -Contain 'UpdateNodegroupConfig'
        (Get-EmulatorRequest -Emulator $Emulator).operation | Should -Contain 'DescribeUpdate'
        $asg = (AwsJson autoscaling describe-auto-scaling-groups --auto-scaling-group-names $ng.Resources.AutoScalingGroups[0].Name).AutoScalingGroups[0]
        $asg.DesiredCapacity | Should -Be 3
        $asg.Instances | Should -HaveCount 3
    }

    It 'Get-EksNodeGroupInstance shows the instances across both zones' {
        $instances = @(Get-EksNodeGroup -ClusterName emu -Name web | Get-EksNodeGroupInstance)
        $instances | Should -HaveCount 3
        $instances[0].PSTypeNames | Should -Contain 'EksModule.Types.EksNodeGroupInstance'
        @($instances.AvailabilityZone | Sort-Object -Unique) | Should -Be @('us-east-1a', 'us-east-1b')
        $instances.LifecycleState | Sort-Object -Unique | Should -Be 'InService'
        $instances.HealthStatus | Sort-Object -Unique | Should -Be 'Healthy'
        $instances.InstanceType | Sort-Object -Unique | Should -Be 't3.large'
        $instances | ForEach-Object { $_.LaunchTime | Should -Not -BeNullOrEmpty }
        # Sorted by zone, and the table view groups by it.
        ($instances.AvailabilityZone -join ',') | Should -Be (($instances.AvailabilityZone | Sort-Object) -join ',')
        ($instances | Out-String) | Should -Match 'AvailabilityZone: us-east-1b'
    }

    It '-EnableClusterAutoscaler tags the node group and its Auto Scaling group' {
        Set-EksNodeGroupScaling -ClusterName emu -Name web -EnableClusterAutoscaler
        (AwsJson eks describe-nodegroup --cluster-name emu --nodegroup-name web).nodegroup.tags.'k8s.io/cluster-autoscaler/enabled' | Should -Be 'true'
        $tags = (AwsJson autoscaling describe-auto-scaling-groups --auto-scaling-group-names $ng.Resources.AutoScalingGroups[0].Name).AutoScalingGroups[0].Tags
        ($tags | Where-Object Key -eq 'k8s.io/cluster-autoscaler/emu').Value | Should -Be 'owned'
    }

    It 'rejects <Case> with <ErrorId> before sending any request' -ForEach @(
        @{ Case = 'min > desired'; ErrorId = 'InvalidScalingConfig'; Run = { Add-EksNodeGroup -ClusterName emu -Name bad -MinSize 3 -DesiredSize 2 -MaxSize 4 -ErrorAction Stop } }
        @{ Case = 'a bad taint effect'; ErrorId = 'InvalidTaint'; Run = { Add-EksNodeGroup -ClusterName emu -Name bad -Taint 'a=b:Sometimes' -ErrorAction Stop } }
        @{ Case = 'an unknown AMI type'; ErrorId = 'InvalidAmiType'; Run = { Add-EksNodeGroup -ClusterName emu -Name bad -AmiType Ubuntu -ErrorAction Stop } }
        @{ Case = 'desired > max on Set'; ErrorId = 'InvalidScalingConfig'; Run = { Set-EksNodeGroupScaling -ClusterName emu -Name web -DesiredSize 9 -MaxSize 4 -ErrorAction Stop } }
    ) {
        Clear-EmulatorRequest -Emulator $Emulator
        $err = { & $Run } | Should -Throw -ErrorId "$ErrorId*" -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-EmulatorRequest -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It 'Set-EksNodeGroupScaling beyond the current max is refused without a change' {
        Clear-EmulatorRequest -Emulator $Emulator
        { Set-EksNodeGroupScaling -ClusterName emu -Name web -DesiredSize 9 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidScalingConfig*'
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It 'Remove-EksNodeGroup -WhatIf deletes nothing; with -Force it waits until the node group and its Auto Scaling group are gone' {
        $null = Add-EksNodeGroup -ClusterName emu -Name tmp -DesiredSize 1
        $group = (Get-EksNodeGroup -ClusterName emu -Name tmp).AutoScalingGroupNames[0]
        Clear-EmulatorRequest -Emulator $Emulator
        Get-EksNodeGroup -ClusterName emu -Name tmp | Remove-EksNodeGroup -Force -WhatIf
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
        Get-EksNodeGroup -ClusterName emu -Name tmp | Remove-EksNodeGroup -Force
        @((AwsJson eks list-nodegroups --cluster-name emu).nodegroups) | Should -Not -Contain 'tmp'
        (AwsJson autoscaling describe-auto-scaling-groups --auto-scaling-group-names $group).AutoScalingGroups | Should -BeNullOrEmpty
    }

    It 'Remove-EksCluster -Force removes a cluster that has node groups' {
        $null = Add-EksNodeGroup -ClusterName emu -Name second -DesiredSize 1
        Remove-EksCluster -Name emu -Force
        (AwsJson eks list-clusters).clusters | Should -Not -Contain 'emu'
        $ops = (Get-EmulatorRequest -Mutating -Emulator $Emulator).operation
        @($ops | Where-Object { $_ -eq 'DeleteNodegroup' }).Count | Should -BeGreaterOrEqual 2
        [array]::LastIndexOf($ops, 'DeleteNodegroup') | Should -BeLessThan ([array]::LastIndexOf($ops, 'DeleteCluster'))
        (AwsJson autoscaling describe-auto-scaling-groups).AutoScalingGroups | Should -BeNullOrEmpty
    }
}
