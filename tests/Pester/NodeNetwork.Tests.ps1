# Get-EksNodeNetwork against the emulator: node groups run as Auto Scaling groups in moto, the emulator's VPC CNI assigns
# secondary addresses to the nodes' ENIs through EC2 (and starts pods bound to the nodes), and awscli and kubectl check
# what the cmdlet reports.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1 -UpdateSeconds 1
    Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-nodenet-$PID"
    New-Item -ItemType Directory -Force -Path $Work | Out-Null

    function script:Invoke-Aws {
        $output = & aws --endpoint-url $Emulator.Url --output json @args 2>&1
        if ($LASTEXITCODE -ne 0) { throw "aws $args failed: $output" }
        $text = ($output | Out-String).Trim()
        if ($text) { $text | ConvertFrom-Json }
    }
    function script:Get-InstanceEni([string] $InstanceId) {
        @((Invoke-Aws ec2 describe-network-interfaces --filters "Name=attachment.instance-id,Values=$InstanceId").NetworkInterfaces |
            Sort-Object { $_.Attachment.DeviceIndex })
    }
    function script:Wait-Until([scriptblock] $Condition, [int] $Seconds = 30) {
        $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([datetime]::UtcNow -gt $deadline) { return $false }
            Start-Sleep -Milliseconds 500
        }
        $true
    }
    function script:Get-NodeView([string] $NodeName) { Get-EksNodeNetwork -ClusterName net -NodeName $NodeName }
    function script:New-TestPod([string] $Name, [string] $Node, [switch] $HostNetwork) {
        $pod = [ordered]@{
            apiVersion = 'v1'; kind = 'Pod'
            metadata   = @{ name = $Name; namespace = 'default'; labels = @{ test = 'nodenet' } }
            spec       = [ordered]@{ nodeName = $Node; containers = @(@{ name = 'app'; image = 'public.ecr.aws/nginx/nginx:1.27' }) }
        }
        if ($HostNetwork) { $pod.spec.hostNetwork = $true }
        $file = Join-Path $Work "$Name.json"
        $pod | ConvertTo-Json -Depth 8 | Set-Content $file
        $result = Invoke-TestKubectl $Kubeconfig @('create', '-f', $file)
        if ($result.ExitCode -ne 0) { throw "kubectl create $Name failed: $($result.Error)" }
    }
    function script:Set-VpcCniConfiguration([hashtable] $Values) {
        # New-EksCluster may install vpc-cni as a default add-on: update it then, add it otherwise.
        if (Get-EksAddon -ClusterName net -Name vpc-cni -ErrorAction SilentlyContinue) {
            $null = Update-EksAddon -ClusterName net -Name vpc-cni -ConfigurationValues $Values
        } else {
            $null = Add-EksAddon -ClusterName net -Name vpc-cni -ConfigurationValues $Values
        }
    }

    $vpc = (Invoke-Aws ec2 create-vpc --cidr-block 10.60.0.0/16).Vpc.VpcId
    $script:Subnets = @(
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.60.1.0/24 --availability-zone us-east-1a).Subnet.SubnetId
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.60.2.0/24 --availability-zone us-east-1b).Subnet.SubnetId
    )
    $roleArn = (Invoke-Aws iam create-role --role-name net-eks --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}').Role.Arn
    $null = New-EksCluster -Name net -SubnetId $Subnets -RoleArn $roleArn
    $script:Kubeconfig = (Update-EksKubeconfig -ClusterName net -Path (Join-Path $Work 'net.yaml')).Path
    $null = Add-EksNodeGroup -ClusterName net -Name web -SubnetId $Subnets -InstanceType t3.medium -MinSize 1 -DesiredSize 2 -MaxSize 3 -WaitForNodes
    $null = Add-EksNodeGroup -ClusterName net -Name big -SubnetId $Subnets -InstanceType m5.large -MinSize 1 -DesiredSize 1 -MaxSize 2 -WaitForNodes
    $script:Limits = @{}
    foreach ($type in (Invoke-Aws ec2 describe-instance-types --instance-types t3.medium m5.large).InstanceTypes) { $Limits[$type.InstanceType] = $type.NetworkInfo }
    # ipamd fills each new node's primary ENI: IPv4 addresses per ENI - 1 secondary addresses.
    $filled = Wait-Until {
        $nodes = @(Get-EksNodeNetwork -ClusterName net)
        $nodes.Count -eq 3 -and -not ($nodes | Where-Object { $_.AssignedPodIps -ne $Limits[$_.InstanceType].Ipv4AddressesPerInterface - 1 })
    }
    if (-not $filled) { throw 'The emulated VPC CNI did not assign the nodes'' secondary addresses in time.' }
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Emulator | Stop-TestServer
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Get-EksNodeNetwork' {
    It 'writes one object per node with the limits DescribeInstanceTypes gives for its instance type' {
        $nodes = @(Get-EksNodeNetwork -ClusterName net)
        $nodes | Should -HaveCount 3
        $kubeNodes = (Invoke-TestKubectl $Kubeconfig @('get', 'nodes', '-o', 'json')).Output | ConvertFrom-Json
        foreach ($node in $nodes) {
            $node.PSObject.TypeNames[0] | Should -Be 'EksModule.Types.EksNodeNetwork'
            $instance = (Invoke-Aws ec2 describe-instances --instance-ids $node.InstanceId).Reservations[0].Instances[0]
            $node.NodeName | Should -Be $instance.PrivateDnsName
            $node.NodeName | Should -BeIn @($kubeNodes.items.metadata.name)
            $node.InstanceType | Should -Be $instance.InstanceType
            $node.AvailabilityZone | Should -Be $instance.Placement.AvailabilityZone
            $typeLimits = $Limits[$node.InstanceType]
            $node.MaxNetworkInterfaces | Should -Be $typeLimits.MaximumNetworkInterfaces
            $node.Ipv4AddressesPerInterface | Should -Be $typeLimits.Ipv4AddressesPerInterface
            $node.MaxPodsWithoutPrefixDelegation | Should -Be ([math]::Min(110, $typeLimits.MaximumNetworkInterfaces * ($typeLimits.Ipv4AddressesPerInterface - 1) + 2))
            $node.MaxPodsWithPrefixDelegation | Should -Be 110
            $node.MaxPods | Should -Be $node.MaxPodsWithoutPrefixDelegation
            $node.PrefixDelegation | Should -BeFalse
            $node.PrefixDelegationConfigured | Should -BeNullOrEmpty

            # The ENIs and addresses are EC2's, as awscli sees them.
            $enis = Get-InstanceEni $node.InstanceId
            @($node.NetworkInterfaces.NetworkInterfaceId) | Should -Be @($enis.NetworkInterfaceId)
            $node.NetworkInterfaceCount | Should -Be 1
            $secondary = @($enis[0].PrivateIpAddresses | Where-Object { -not $_.Primary }).Count
            $node.AssignedPodIps | Should -Be $secondary
            $node.AssignedPodIps | Should -Be ($typeLimits.Ipv4AddressesPerInterface - 1)
            $node.NetworkInterfaces[0].PrimaryIpAddress | Should -Be $instance.PrivateIpAddress
            $node.NetworkInterfaces[0].SubnetId | Should -Be $instance.SubnetId
            $node.PodsUsingIps | Should -Be 0
            $node.FreePodIps | Should -Be $node.AssignedPodIps
        }
        # The documented values: t3.medium 17 pods, m5.large 29.
        ($nodes | Where-Object InstanceType -eq 't3.medium').MaxPods | Sort-Object -Unique | Should -Be 17
        ($nodes | Where-Object InstanceType -eq 'm5.large').MaxPods | Should -Be 29
    }

    It 'counts the pods kubectl puts on a node, and the VPC CNI attaches another ENI as they use the warm one' {
        $node = @(Get-EksNodeNetwork -ClusterName net -NodegroupName web)[0]
        $script:Busy = $node
        'a1', 'a2', 'a3' | ForEach-Object { New-TestPod $_ -Node $node.NodeName }
        New-TestPod host1 -Node $node.NodeName -HostNetwork

        $view = Get-NodeView $node.NodeName
        $view.PodsUsingIps | Should -Be 3 -Because 'the host-network pod takes no VPC address'

        # Three of five addresses used leaves less than a whole ENI free: ipamd (WARM_ENI_TARGET=1) attaches a second ENI, filled.
        Wait-Until { (Get-NodeView $node.NodeName).NetworkInterfaceCount -eq 2 } | Should -BeTrue
        $view = Get-NodeView $node.NodeName
        $view.AssignedPodIps | Should -Be 10
        $view.PodsUsingIps | Should -Be 3
        $view.FreePodIps | Should -Be 7
        $view.MaxPodIps | Should -Be 15

        $enis = Get-InstanceEni $node.InstanceId
        $enis | Should -HaveCount 2
        $enis[1].Description | Should -Be "aws-K8S-$($node.InstanceId)"
        ($enis[1].TagSet | Where-Object Key -eq 'node.k8s.amazonaws.com/instance_id').Value | Should -Be $node.InstanceId
        @($view.NetworkInterfaces.NetworkInterfaceId) | Should -Be @($enis.NetworkInterfaceId)
        $view.NetworkInterfaces[1].SecondaryIpAddressCount | Should -Be 5

        # The pods run with addresses from the node's pool; the host-network pod with the node's own.
        $pool = @($view.NetworkInterfaces.SecondaryIpAddresses)
        Wait-Until { -not (((Invoke-TestKubectl $Kubeconfig @('get', 'pods', '-l', 'test=nodenet', '-o', 'json')).Output | ConvertFrom-Json).items | Where-Object { -not $_.status.podIP }) } |
            Should -BeTrue
        $pods = ((Invoke-TestKubectl $Kubeconfig @('get', 'pods', '-l', 'test=nodenet', '-o', 'json')).Output | ConvertFrom-Json).items
        foreach ($pod in $pods | Where-Object { $_.metadata.name -like 'a*' }) {
            $pod.status.phase | Should -Be 'Running'
            $pod.status.podIP | Should -BeIn $pool
        }
        @($pods | Where-Object { $_.metadata.name -like 'a*' } | ForEach-Object { $_.status.podIP } | Sort-Object -Unique) | Should -HaveCount 3
        ($pods | Where-Object { $_.metadata.name -eq 'host1' }).status.podIP | Should -Be $view.NetworkInterfaces[0].PrimaryIpAddress

        $table = Invoke-TestKubectl $Kubeconfig @('get', 'pods', '-o', 'wide')
        $table.ExitCode | Should -Be 0 -Because $table.Error
        $table.Output | Should -Match 'NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE'
        $table.Output | Should -Match ("a1\s+1/1\s+Running\s+0\s+\S+\s+[\d.]+\s+" + [regex]::Escape($node.NodeName))
    }

    It 'frees the addresses of deleted pods (the pool itself stays)' {
        $deleted = Invoke-TestKubectl $Kubeconfig @('delete', 'pod', 'a1', 'a2', '--wait=false')
        $deleted.ExitCode | Should -Be 0 -Because $deleted.Error
        $view = Get-NodeView $Busy.NodeName
        $view.PodsUsingIps | Should -Be 1
        $view.AssignedPodIps | Should -Be 10
        $view.FreePodIps | Should -Be 9
    }

    It 'shows addresses assigned outside the VPC CNI with aws ec2 assign-private-ip-addresses' {
        # WARM_IP_TARGET/MINIMUM_IP_TARGET make ipamd assign two addresses to a new node instead of filling its ENI.
        Set-VpcCniConfiguration @{ WARM_IP_TARGET = 1; MINIMUM_IP_TARGET = 2 }
        $null = Add-EksNodeGroup -ClusterName net -Name lean -SubnetId $Subnets -InstanceType t3.medium -MinSize 1 -DesiredSize 1 -MaxSize 1 -WaitForNodes
        Wait-Until { (Get-EksNodeNetwork -ClusterName net -NodegroupName lean).AssignedPodIps -eq 2 } | Should -BeTrue
        $lean = Get-EksNodeNetwork -ClusterName net -NodegroupName lean
        $lean.FreePodIps | Should -Be 2
        $lean.PrefixDelegationConfigured | Should -BeNullOrEmpty

        $null = Invoke-Aws ec2 assign-private-ip-addresses --network-interface-id $lean.NetworkInterfaces[0].NetworkInterfaceId --secondary-private-ip-address-count 2
        $after = Get-EksNodeNetwork -ClusterName net -NodegroupName lean
        $after.AssignedPodIps | Should -Be 4
        $after.FreePodIps | Should -Be 4
        $after.NetworkInterfaces[0].SecondaryIpAddressCount | Should -Be 4
        $awsSecondary = @((Get-InstanceEni $lean.InstanceId)[0].PrivateIpAddresses | Where-Object { -not $_.Primary }).PrivateIpAddress
        @($after.NetworkInterfaces[0].SecondaryIpAddresses | Sort-Object) | Should -Be @($awsSecondary | Sort-Object)
    }

    It 'takes prefix delegation from the vpc-cni add-on for a node without addresses yet, and from the ENIs otherwise' {
        Set-VpcCniConfiguration @{ ENABLE_PREFIX_DELEGATION = 'true'; WARM_PREFIX_TARGET = 1 }
        $null = Add-EksNodeGroup -ClusterName net -Name dense -SubnetId $Subnets -InstanceType m5.large -MinSize 1 -DesiredSize 1 -MaxSize 1 -WaitForNodes
        # moto cannot assign /28 prefixes, so the emulated VPC CNI assigns this node nothing: the configuration decides.
        $dense = Get-EksNodeNetwork -ClusterName net -NodegroupName dense
        $dense.PrefixDelegationConfigured | Should -BeTrue
        $dense.PrefixDelegation | Should -BeTrue
        $dense.AssignedPodIps | Should -Be 0
        $dense.MaxPods | Should -Be 110
        $dense.MaxPodIps | Should -Be (3 * 9 * 16)
        # The web nodes' ENIs hold secondary addresses: they stay in secondary-IP mode until replaced.
        foreach ($web in Get-EksNodeNetwork -ClusterName net -NodegroupName web) {
            $web.PrefixDelegationConfigured | Should -BeTrue
            $web.PrefixDelegation | Should -BeFalse
            $web.MaxPods | Should -Be 17
        }
    }
}

Describe 'Get-EksNodeNetwork selection and pipeline' {
    It 'asks DescribeInstanceTypes once for all the instance types of the nodes' {
        Clear-EmulatorRequest
        $all = @(Get-EksNodeNetwork -ClusterName net)
        $all | Should -HaveCount 5
        @($all.InstanceType | Sort-Object -Unique) | Should -Be @('m5.large', 't3.medium')
        @(Get-EmulatorRequest | Where-Object operation -eq 'DescribeInstanceTypes') | Should -HaveCount 1
        @(Get-EmulatorRequest -Mutating) | Should -HaveCount 0
    }

    It 'takes node groups from Get-EksNodeGroup, asking for each instance type once for the whole pipeline' {
        Clear-EmulatorRequest
        $piped = @(Get-EksNodeGroup -ClusterName net | Get-EksNodeNetwork)
        $piped | Should -HaveCount 5
        @(Get-EmulatorRequest | Where-Object operation -eq 'DescribeInstanceTypes') | Should -HaveCount 2

        $big = @(Get-EksNodeGroup -ClusterName net -Name big | Get-EksNodeNetwork)
        $big | Should -HaveCount 1
        $big[0].NodegroupName | Should -Be 'big'
        $big[0].Region | Should -Be 'us-east-1'
        @(Get-EksCluster -Name net | Get-EksNodeNetwork) | Should -HaveCount 5
    }

    It 'filters by node group, node name and instance id' {
        $web = @(Get-EksNodeNetwork -ClusterName net -NodegroupName web)
        $web | Should -HaveCount 2
        $web.NodegroupName | Sort-Object -Unique | Should -Be 'web'
        @(Get-EksNodeNetwork -ClusterName net -NodegroupName 'w*', 'le*') | Should -HaveCount 3
        @(Get-EksNodeNetwork net web, big) | Should -HaveCount 3

        $one = Get-EksNodeNetwork -ClusterName net -InstanceId $web[1].InstanceId
        $one.NodeName | Should -Be $web[1].NodeName
        @(Get-EksNodeNetwork -ClusterName net -NodeName $web[0].NodeName).InstanceId | Should -Be $web[0].InstanceId
        @(Get-EksNodeNetwork -ClusterName net -NodeName 'ip-10-60-*') | Should -HaveCount 5
    }

    It 'completes -NodegroupName with the node groups of the cluster on the command line' {
        $line = 'Get-EksNodeNetwork -ClusterName net -NodegroupName '
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Sort-Object) | Should -Be @('big', 'dense', 'lean', 'web')
        $line = 'Get-EksNodeNetwork -ClusterName net -NodegroupName l'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('lean')
    }

    It 'reports a node or node group that is not there without stopping' {
        $out = @(Get-EksNodeNetwork -ClusterName net -NodeName 'ip-10-99-9-9.ec2.internal' -ErrorVariable missing -ErrorAction SilentlyContinue)
        $out | Should -HaveCount 0
        $missing | Should -HaveCount 1
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'NodeNotFound*'

        $out = @(Get-EksNodeNetwork -ClusterName net -NodegroupName nope, big -ErrorVariable missing -ErrorAction SilentlyContinue)
        $out | Should -HaveCount 1
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'ResourceNotFoundException*'
        $missing[0].Exception.Message | Should -Match "nope"

        $out = @(Get-EksNodeNetwork -ClusterName nosuch -ErrorVariable missing -ErrorAction SilentlyContinue)
        $out | Should -HaveCount 0
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'ResourceNotFoundException*'
        $missing[0].Exception.Message | Should -Match "No cluster named 'nosuch' in us-east-1"

        { Get-EksNodeNetwork -ClusterName net -InstanceId 'not-an-id' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'shows the important columns as a table and every property in a list' {
        $table = Get-EksNodeNetwork -ClusterName net -NodegroupName big | Out-String -Width 200
        $table | Should -Match 'NodegroupName: big'
        $table | Should -Match 'NodeName\s+InstanceType\s+Zone\s+ENIs\s+Prefix\s+Assigned\s+Used\s+Free\s+MaxPods'
        $table | Should -Match 'm5\.large\s+us-east-1[ab]\s+1/3\s+off\s+9\s+0\s+9\s+29'
        $list = Get-EksNodeNetwork -ClusterName net -NodegroupName big | Format-List | Out-String -Width 200
        foreach ($property in 'MaxPodsWithoutPrefixDelegation', 'MaxPodsWithPrefixDelegation', 'MaxPodIps', 'Hypervisor', 'NetworkInterfaces') {
            $list | Should -Match "$property\s+:"
        }
        $list | Should -Match 'eni-\w+ \(device 0, subnet-\w+\) [\d.]+ \+9 secondary'
        $enis = (Get-EksNodeNetwork -ClusterName net -NodegroupName big).NetworkInterfaces | Out-String -Width 200
        $enis | Should -Match 'NetworkInterfaceId\s+Device\s+SubnetId\s+PrimaryIpAddress\s+Secondary\s+Prefixes\s+PodIps\s+Managed'
    }
}

Describe 'Get-EksNodeNetwork without Kubernetes' {
    It 'still writes the EC2 side, with a warning, for an identity the cluster does not map' {
        $null = Invoke-Aws iam create-user --user-name outsider
        $key = (Invoke-Aws iam create-access-key --user-name outsider).AccessKey
        $nodes = @(Get-EksNodeNetwork -ClusterName net -AccessKey $key.AccessKeyId -SecretKey $key.SecretAccessKey -WarningVariable warned -WarningAction SilentlyContinue)
        $nodes | Should -HaveCount 5
        $nodes | ForEach-Object { $_.PodsUsingIps | Should -BeNullOrEmpty; $_.FreePodIps | Should -BeNullOrEmpty }
        ($nodes | Where-Object NodegroupName -eq 'big').AssignedPodIps | Should -Be 9
        $warned | Should -HaveCount 1
        "$warned" | Should -Match "cluster 'net'"
        "$warned" | Should -Match '401'
    }

    It 'still writes the EC2 side, with a warning, when the endpoint is private and out of reach' {
        $null = Update-EksControlPlane -ClusterName net -EndpointPublicAccess $false -EndpointPrivateAccess $true
        try {
            (Invoke-TestKubectl $Kubeconfig @('get', 'nodes', '--request-timeout=10s')).ExitCode | Should -Not -Be 0
            $nodes = @(Get-EksNodeNetwork -ClusterName net -WarningVariable warned -WarningAction SilentlyContinue)
            $nodes | Should -HaveCount 5
            $nodes | ForEach-Object { $_.PodsUsingIps | Should -BeNullOrEmpty }
            ($nodes | Where-Object NodegroupName -eq 'lean').AssignedPodIps | Should -Be 4
            $warned | Should -HaveCount 1
            "$warned" | Should -Match 'could not be reached'
            "$warned" | Should -Match 'EndpointPublicAccess'
        } finally {
            $null = Update-EksControlPlane -ClusterName net -EndpointPublicAccess $true
        }
        (Get-EksNodeNetwork -ClusterName net -NodegroupName big).PodsUsingIps | Should -Be 0
    }
}

Describe 'The emulated VPC CNI' {
    It 'deletes the ENIs it attached once their instance is terminated, as DeleteOnTermination does' {
        $attached = @(Get-InstanceEni $Busy.InstanceId | Where-Object Description -eq "aws-K8S-$($Busy.InstanceId)")
        $attached | Should -HaveCount 1
        Remove-EksNodeGroup -ClusterName net -Name web -Force
        $gone = Wait-Until {
            $left = (Invoke-Aws ec2 describe-network-interfaces --filters 'Name=tag-key,Values=node.k8s.amazonaws.com/instance_id').NetworkInterfaces
            -not ($left | Where-Object NetworkInterfaceId -eq $attached[0].NetworkInterfaceId)
        }
        $gone | Should -BeTrue
        @(Get-EksNodeNetwork -ClusterName net -NodegroupName web -ErrorAction SilentlyContinue) | Should -HaveCount 0
    }
}
