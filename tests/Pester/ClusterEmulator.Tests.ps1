# Cluster cmdlets against the EKS emulator: real lifecycles, the request log and injected faults.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-TestEmulator -CreateSeconds 3 -DeleteSeconds 2
    Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Emulator | Stop-TestServer
}

Describe '-WhatIf changes nothing' {
    It 'New-EksCluster -WhatIf describes every step and sends only read requests' {
        Clear-EmulatorRequest -Emulator $Emulator
        $whatIf = New-EksCluster -Name preview -AvailabilityZoneCount 3 -WhatIf 6>&1 | Out-String
        $requests = Get-EmulatorRequest -Emulator $Emulator
        $requests.Count | Should -BeGreaterThan 0
        @($requests | Where-Object mutating) | Should -BeNullOrEmpty
        (AwsJson eks list-clusters).clusters | Should -Not -Contain 'preview'
    }

    It 'Remove-EksCluster -WhatIf -IncludeNetwork previews the cluster, network and role and deletes nothing' {
        $null = New-EksCluster -Name keep -AvailabilityZoneCount 2 -NatGateway None
        Clear-EmulatorRequest -Emulator $Emulator
        Remove-EksCluster -Name keep -IncludeNetwork -Force -WhatIf
        @(Get-EmulatorRequest -Emulator $Emulator | Where-Object mutating) | Should -BeNullOrEmpty
        (AwsJson eks describe-cluster --name keep).cluster.status | Should -Be 'ACTIVE'
    }
}

Describe 'Lifecycle' {
    It '-NoWait returns the cluster while it is CREATING; Wait-EksCluster returns it ACTIVE' {
        $cluster = New-EksCluster -Name life -AvailabilityZoneCount 2 -NatGateway None -NoWait
        $cluster.Status | Should -Be 'CREATING'
        (Wait-EksCluster -Name life -Timeout 120).Status | Should -Be 'ACTIVE'
    }

    It 'Wait-EksCluster gives up with WaitTimeout after -Timeout' {
        Set-EmulatorTiming -Emulator $Emulator -CreateSeconds 60
        try {
            $null = New-EksCluster -Name slow -AvailabilityZoneCount 2 -NatGateway None -NoWait
            $err = { Wait-EksCluster -Name slow -Timeout 2 -ErrorAction Stop } | Should -Throw -ErrorId 'WaitTimeout*' -PassThru
            $err.ToString() | Should -Match 'still CREATING'
        } finally { Set-EmulatorTiming -Emulator $Emulator -CreateSeconds 3 }
    }

    It 'Ctrl+C (StopProcessing) stops a long wait promptly' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)/EksModule.psd1'; Wait-EksCluster -Name slow -Timeout 600")
        $handle = $ps.BeginInvoke()
        Start-Sleep -Seconds 3
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $watch.Stop()
        $handle.IsCompleted | Should -BeTrue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $ps.Dispose()
    }

    It 'retries through throttling and a server error on CreateCluster' {
        Add-EmulatorFault -Emulator $Emulator -Service eks -Operation CreateCluster -Kind throttle -Count 2
        Add-EmulatorFault -Emulator $Emulator -Service eks -Operation DescribeCluster -Kind http500 -Count 1
        (New-EksCluster -Name sturdy -AvailabilityZoneCount 2 -NatGateway None).Status | Should -Be 'ACTIVE'
        @(Get-EmulatorRequest -Emulator $Emulator | Where-Object { $_.operation -eq 'CreateCluster' }).Count | Should -BeGreaterOrEqual 3
    }

    It 'reports an AWS error with the AWS error code as ErrorId' {
        $err = { New-EksCluster -Name badrole -AvailabilityZoneCount 2 -NatGateway None -RoleArn 'arn:aws:iam::123456789012:role/none' -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidParameterException,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be 'badrole'
    }
}

Describe 'Remove-EksCluster with node groups' {
    BeforeAll {
        $script:c = New-EksCluster -Name withng -AvailabilityZoneCount 2 -NatGateway None
        $null = Invoke-Aws eks create-nodegroup --cluster-name withng --nodegroup-name web --subnets $c.SubnetIds[0] --node-role arn:aws:iam::123456789012:role/eks-withng-cluster
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        while ((Invoke-Aws eks describe-nodegroup --cluster-name withng --nodegroup-name web).nodegroup.status -ne 'ACTIVE') {
            if ([datetime]::UtcNow -gt $deadline) { throw 'The node group did not become ACTIVE within 30 s.' }
            Start-Sleep -Milliseconds 300
        }
    }

    It 'refuses without -Force and names the node groups' {
        $err = { Remove-EksCluster -Name withng -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ClusterHasNodegroups*' -PassThru
        $err.ToString() | Should -Match 'web'
        (AwsJson eks describe-cluster --name withng).cluster.status | Should -Be 'ACTIVE'
    }

    It 'with -Force deletes the node groups first, then the cluster, and waits until it is gone' {
        Remove-EksCluster -Name withng -Force
        { Invoke-Aws eks describe-cluster --name withng } | Should -Throw '*ResourceNotFoundException*'
        $ops = (Get-EmulatorRequest -Emulator $Emulator | Where-Object mutating).operation
        [array]::IndexOf($ops, 'DeleteNodegroup') | Should -BeLessThan ([array]::LastIndexOf($ops, 'DeleteCluster'))
    }
}

Describe 'Remove-EksCluster -IncludeNetwork and what others put in the VPC' {
    BeforeAll {
        function script:Tags([hashtable] $Tags) { ($Tags.GetEnumerator() | ForEach-Object { "{Key=$($_.Key),Value=$($_.Value)}" }) -join ',' }
        # What a user would compare: the other team's groups with their rules, and every subnet, NAT gateway and endpoint.
        # (EKS deletes the cluster security group it made with the cluster, so that one is not compared.)
        function script:Get-VpcState([string] $VpcId, [string[]] $GroupIds) {
            [pscustomobject]@{
                Groups    = (AwsJson ec2 describe-security-groups --group-ids @GroupIds).SecurityGroups | Sort-Object GroupId | ConvertTo-Json -Depth 10
                Subnets   = @((AwsJson ec2 describe-subnets --filters "Name=vpc-id,Values=$VpcId").Subnets.SubnetId | Sort-Object)
                Nats      = @((AwsJson ec2 describe-nat-gateways --filter "Name=vpc-id,Values=$VpcId").NatGateways | Where-Object State -eq 'available' | ForEach-Object NatGatewayId | Sort-Object)
                Endpoints = @((AwsJson ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VpcId").VpcEndpoints | Where-Object State -notin 'deleted', 'deleting' | ForEach-Object VpcEndpointId | Sort-Object)
            }
        }
    }

    It 'keeps the network untouched and names every foreign resource when another team has resources in the VPC; the cluster itself is gone' {
        $null = New-EksCluster -Name shared -AvailabilityZoneCount 2 -NatGateway Single
        $vpcId = (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=shared').Vpcs[0].VpcId
        # Another team's database and app tier: two groups whose rules reference each other, a subnet with a NAT gateway, an endpoint.
        $db = (AwsJson ec2 create-security-group --vpc-id $vpcId --group-name team-db --description 'database' --tag-specifications "ResourceType=security-group,Tags=[$(Tags @{ Name = 'team-db' })]").GroupId
        $app = (AwsJson ec2 create-security-group --vpc-id $vpcId --group-name team-app --description 'app tier').GroupId
        $null = AwsJson ec2 authorize-security-group-ingress --group-id $db --ip-permissions "IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{GroupId=$app}]"
        $null = AwsJson ec2 authorize-security-group-ingress --group-id $app --ip-permissions "IpProtocol=tcp,FromPort=8080,ToPort=8080,UserIdGroupPairs=[{GroupId=$db}]"
        $subnet = (AwsJson ec2 create-subnet --vpc-id $vpcId --cidr-block 192.168.250.0/24 --availability-zone us-east-1a --tag-specifications "ResourceType=subnet,Tags=[$(Tags @{ Name = 'team-batch' })]").Subnet.SubnetId
        $eip = (AwsJson ec2 allocate-address --domain vpc).AllocationId
        $nat = (AwsJson ec2 create-nat-gateway --subnet-id $subnet --allocation-id $eip).NatGateway.NatGatewayId
        $endpoint = (AwsJson ec2 create-vpc-endpoint --vpc-id $vpcId --vpc-endpoint-type Interface --service-name com.amazonaws.us-east-1.sqs --subnet-ids $subnet --security-group-ids $app).VpcEndpoint.VpcEndpointId
        $before = Get-VpcState $vpcId $db, $app
        $before.Groups | Should -Match ([regex]::Escape($app)) -Because 'the rules reference the other group'

        Clear-EmulatorRequest -Emulator $Emulator

        $warnings = @()
        Remove-EksCluster -Name shared -Force -IncludeNetwork -ErrorVariable failure -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue

        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'ForeignResourcesInVpc,*'
        $failure[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $failure[0].TargetObject | Should -Be 'shared'
        $message = $failure[0].ToString()
        foreach ($id in $db, $app, $subnet, $nat, $endpoint, $vpcId) { $message | Should -Match ([regex]::Escape($id)) }
        $message | Should -Match "team-db"
        $message | Should -Match "Cluster 'shared' itself is deleted"
        $message | Should -Match ([regex]::Escape("run 'Remove-EksCluster -Name shared -IncludeNetwork' again"))
        ($warnings -join ' ') | Should -Match ([regex]::Escape($db)) -Because 'the user is told before the cluster goes'
        (AwsJson eks list-clusters).clusters | Should -Not -Contain 'shared'
        @(Get-EmulatorRequest -Emulator $Emulator -Mutating | Where-Object Service -in 'ec2', 'iam') | Should -BeNullOrEmpty
        $after = Get-VpcState $vpcId $db, $app
        $after.Groups | Should -Be $before.Groups -Because 'the foreign groups keep their rules that reference each other'
        $after.Subnets | Should -Be $before.Subnets
        $after.Nats | Should -Be $before.Nats
        $after.Endpoints | Should -Be $before.Endpoints
        (AwsJson ec2 describe-vpcs --vpc-ids $vpcId).Vpcs.Count | Should -Be 1

        # As the message says: once the other team's resources are gone, the same command finishes.
        $null = AwsJson ec2 delete-vpc-endpoints --vpc-endpoint-ids $endpoint
        $null = AwsJson ec2 delete-nat-gateway --nat-gateway-id $nat
        $null = AwsJson ec2 release-address --allocation-id $eip
        $null = AwsJson ec2 delete-subnet --subnet-id $subnet
        $null = AwsJson ec2 revoke-security-group-ingress --group-id $db --ip-permissions "IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{GroupId=$app}]"
        $null = AwsJson ec2 revoke-security-group-ingress --group-id $app --ip-permissions "IpProtocol=tcp,FromPort=8080,ToPort=8080,UserIdGroupPairs=[{GroupId=$db}]"
        $null = AwsJson ec2 delete-security-group --group-id $db
        $null = AwsJson ec2 delete-security-group --group-id $app
        Remove-EksCluster -Name shared -Force -IncludeNetwork -ErrorAction Stop
        (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=shared').Vpcs.Count | Should -Be 0
    }

    It "deletes the cluster's own leftovers: security groups its controllers tagged and the VPC CNI's available network interfaces" {
        $null = New-EksCluster -Name leftover -AvailabilityZoneCount 2 -NatGateway None
        $vpcId = (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=leftover').Vpcs[0].VpcId
        $subnet = (AwsJson ec2 describe-subnets --filters "Name=vpc-id,Values=$vpcId").Subnets[0].SubnetId
        # The legacy cloud provider's ELB group, the load balancer controller's group (each referencing the other),
        # and an ENI ipamd made and never deleted, still using the controller's group.
        $legacy = (AwsJson ec2 create-security-group --vpc-id $vpcId --group-name k8s-elb-a1 --description 'Security group for Kubernetes ELB' --tag-specifications "ResourceType=security-group,Tags=[$(Tags @{ 'kubernetes.io/cluster/leftover' = 'owned' })]").GroupId
        $lbc = (AwsJson ec2 create-security-group --vpc-id $vpcId --group-name k8s-traffic-leftover --description '[k8s] Shared Backend SecurityGroup for LoadBalancer' --tag-specifications "ResourceType=security-group,Tags=[$(Tags @{ 'elbv2.k8s.aws/cluster' = 'leftover' })]").GroupId
        $null = AwsJson ec2 authorize-security-group-ingress --group-id $legacy --ip-permissions "IpProtocol=tcp,FromPort=80,ToPort=80,UserIdGroupPairs=[{GroupId=$lbc}]"
        $null = AwsJson ec2 authorize-security-group-ingress --group-id $lbc --ip-permissions "IpProtocol=tcp,FromPort=80,ToPort=80,UserIdGroupPairs=[{GroupId=$legacy}]"
        $eni = (AwsJson ec2 create-network-interface --subnet-id $subnet --groups $lbc --description 'aws-K8S-i-0123456789abcdef0' --tag-specifications "ResourceType=network-interface,Tags=[$(Tags @{ 'cluster.k8s.amazonaws.com/name' = 'leftover'; 'node.k8s.amazonaws.com/instance_id' = 'i-0123456789abcdef0' })]").NetworkInterface.NetworkInterfaceId

        Remove-EksCluster -Name leftover -Force -IncludeNetwork -ErrorAction Stop

        (AwsJson ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$vpcId").NetworkInterfaces.NetworkInterfaceId | Should -Not -Contain $eni
        (AwsJson ec2 describe-security-groups --filters "Name=group-id,Values=$legacy,$lbc").SecurityGroups | Should -BeNullOrEmpty
        (AwsJson ec2 describe-vpcs --filters "Name=vpc-id,Values=$vpcId").Vpcs | Should -BeNullOrEmpty
    }

    It 'still deletes the whole network, NAT gateway and Elastic IP included, when nothing foreign is there' {
        $null = New-EksCluster -Name plain -AvailabilityZoneCount 2 -NatGateway Single
        $vpcId = (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=plain').Vpcs[0].VpcId

        Remove-EksCluster -Name plain -Force -IncludeNetwork -ErrorAction Stop

        (AwsJson ec2 describe-vpcs --filters "Name=vpc-id,Values=$vpcId").Vpcs | Should -BeNullOrEmpty
        (AwsJson ec2 describe-subnets --filters "Name=vpc-id,Values=$vpcId").Subnets | Should -BeNullOrEmpty
        (AwsJson ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpcId").SecurityGroups | Should -BeNullOrEmpty
        (AwsJson ec2 describe-network-interfaces --filters "Name=vpc-id,Values=$vpcId").NetworkInterfaces | Should -BeNullOrEmpty
        (AwsJson ec2 describe-addresses --filters 'Name=tag:eksmodule:cluster-name,Values=plain').Addresses | Should -BeNullOrEmpty
        (AwsJson ec2 describe-internet-gateways --filters 'Name=tag:eksmodule:cluster-name,Values=plain').InternetGateways | Should -BeNullOrEmpty
        @((AwsJson ec2 describe-nat-gateways --filter "Name=vpc-id,Values=$vpcId").NatGateways | Where-Object State -ne 'deleted') | Should -BeNullOrEmpty
    }
}

Describe 'Pipelines' {
    It 'resolves the region per piped object' {
        $rows = @(
            [pscustomobject]@{ Name = 'east'; Region = 'us-east-1' }
            [pscustomobject]@{ Name = 'west'; Region = 'us-west-2' }
        )
        $made = $rows | New-EksCluster -AvailabilityZoneCount 2 -NatGateway None
        ($made | Where-Object Name -eq 'west').Region | Should -Be 'us-west-2'
        (AwsJson eks list-clusters --region us-west-2).clusters | Should -Contain 'west'
        (AwsJson eks list-clusters --region us-west-2).clusters | Should -Not -Contain 'east'
    }
}

Describe 'Tab completion' {
    It 'completes -KubernetesVersion with the versions EKS supports, newest first' {
        $line = 'New-EksCluster -KubernetesVersion '
        $matches = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $matches | Should -Contain '1.35'
        $matches[0] | Should -Be '1.35'
    }

    It 'completes -Region from the regions the SDK knows' {
        $line = 'Get-EksCluster -Region eu-we'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'eu-west-1'
    }

    It 'completes cluster names from the region in use' {
        $line = 'Get-EksCluster -Name ke'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('keep')
    }
}
