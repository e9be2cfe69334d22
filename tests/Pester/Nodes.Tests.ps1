# Kubernetes nodes of managed node groups: the emulator registers a Node per Auto Scaling instance; -WaitForNodes on
# Add-EksNodeGroup and Set-EksNodeGroupScaling waits, through the in-process Kubernetes client, until they are Ready.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1 -UpdateSeconds 1
    Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-nodes-$PID"
    New-Item -ItemType Directory -Force -Path $Work | Out-Null

    function script:Get-Node([string] $Nodegroup) {
        $result = Invoke-TestKubectl $Kubeconfig @('get', 'nodes', '-l', "eks.amazonaws.com/nodegroup=$Nodegroup", '-o', 'json')
        if ($result.ExitCode -ne 0) { throw "kubectl get nodes failed: $($result.Error)" }
        @(($result.Output | ConvertFrom-Json).items)
    }
    function script:Test-Ready($Node) { ($Node.status.conditions | Where-Object type -eq 'Ready').status -eq 'True' }

    $vpc = (Invoke-Aws ec2 create-vpc --cidr-block 10.50.0.0/16).Vpc.VpcId
    $script:Subnets = @(
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.50.1.0/24 --availability-zone us-east-1a).Subnet.SubnetId
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.50.2.0/24 --availability-zone us-east-1b).Subnet.SubnetId
    )
    $roleArn = (Invoke-Aws iam create-role --role-name nodes-eks --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}').Role.Arn
    $null = New-EksCluster -Name nodes -SubnetId $Subnets -RoleArn $roleArn
    $script:Kubeconfig = (Update-EksKubeconfig -ClusterName nodes -Path (Join-Path $Work 'nodes.yaml')).Path
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Emulator | Stop-TestServer
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Add-EksNodeGroup -WaitForNodes' {
    It 'returns once the desired number of nodes is Ready, and kubectl shows them' {
        $made = Add-EksNodeGroup -ClusterName nodes -Name workers -SubnetId $Subnets -InstanceType m5.large -MinSize 1 -DesiredSize 2 -MaxSize 4 `
            -Label @{ role = 'worker' } -Taint 'dedicated=batch:NoSchedule' -WaitForNodes
        $made.Status | Should -Be 'ACTIVE'

        $nodes = Get-Node workers
        $nodes | Should -HaveCount 2
        foreach ($node in $nodes) {
            Test-Ready $node | Should -BeTrue
            $node.metadata.name | Should -Match '^ip-10-50-[12]-\d+\.ec2\.internal$'
            $node.metadata.labels.'node.kubernetes.io/instance-type' | Should -Be 'm5.large'
            $node.metadata.labels.'kubernetes.io/os' | Should -Be 'linux'
            $node.metadata.labels.role | Should -Be 'worker'
            $node.metadata.labels.'topology.kubernetes.io/zone' | Should -BeIn @('us-east-1a', 'us-east-1b')
            $node.spec.taints | Should -HaveCount 1
            $node.spec.taints[0].key | Should -Be 'dedicated'
            $node.spec.taints[0].effect | Should -Be 'NoSchedule'
        }
        # The instances are spread over both AZs.
        @($nodes.metadata.labels.'topology.kubernetes.io/zone' | Sort-Object -Unique) | Should -HaveCount 2

        $table = Invoke-TestKubectl $Kubeconfig @('get', 'nodes')
        $table.ExitCode | Should -Be 0 -Because $table.Error
        @($table.Output -split "`n" | Where-Object { $_ -match '^ip-\S+\s+Ready\s' }) | Should -HaveCount 2
    }

    It 'shows NotReady nodes right after the node group is made without waiting' {
        $null = Add-EksNodeGroup -ClusterName nodes -Name quick -SubnetId $Subnets -MinSize 1 -DesiredSize 1 -MaxSize 2 -NoWait
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        do { Start-Sleep -Milliseconds 300; $nodes = Get-Node quick } until ($nodes.Count -eq 1 -or [datetime]::UtcNow -gt $deadline)
        $nodes | Should -HaveCount 1
        Test-Ready $nodes[0] | Should -BeFalse
        $nodes[0].status.conditions[0].reason | Should -Be 'KubeletNotReady'
    }
}

Describe 'Set-EksNodeGroupScaling -WaitForNodes' {
    It 'waits for new nodes to join Ready when scaling out' {
        Set-EksNodeGroupScaling -ClusterName nodes -Name workers -DesiredSize 3 -WaitForNodes
        $nodes = Get-Node workers
        $nodes | Should -HaveCount 3
        $nodes | ForEach-Object { Test-Ready $_ | Should -BeTrue }
    }

    It 'waits for removed instances'' nodes to go when scaling in' {
        Set-EksNodeGroupScaling -ClusterName nodes -Name workers -DesiredSize 1 -WaitForNodes
        Get-Node workers | Should -HaveCount 1
    }
}

Describe 'node group deletion' {
    It 'takes the node group''s nodes away' {
        Remove-EksNodeGroup -ClusterName nodes -Name workers -Force
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        do { Start-Sleep -Milliseconds 300; $left = Get-Node workers } until ($left.Count -eq 0 -or [datetime]::UtcNow -gt $deadline)
        $left | Should -HaveCount 0
    }
}
