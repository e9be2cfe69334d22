# The EKS emulator itself, checked with an independent client (awscli) so the module's tests can trust it.
BeforeAll {
    Import-Module $PSScriptRoot/TestHelpers.psm1 -Force

    # Long enough that awscli still sees CREATING right after create: its calls run in one warm process (Invoke-Aws),
    # a few hundred milliseconds each even on a loaded machine.
    $script:Emulator = Start-TestEmulator -CreateSeconds 6 -DeleteSeconds 1 -UpdateSeconds 2
    Set-TestAwsEnvironment -EndpointUrl $script:Emulator.Url

    function Wait-ClusterStatus([string] $Name, [string] $Status, [int] $TimeoutSeconds = 90) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        do {
            $current = (Invoke-Aws eks describe-cluster --name $Name).cluster.status
            if ($current -eq $Status) { return $current }
            Start-Sleep -Milliseconds 500
        } while ([DateTime]::UtcNow -lt $deadline)
        throw "Cluster $Name is still $current after $TimeoutSeconds s; expected $Status."
    }

    # Network and role go through the emulator's proxy to moto, as the module's calls will.
    $vpc = (Invoke-Aws ec2 create-vpc --cidr-block 10.20.0.0/16).Vpc.VpcId
    $script:SubnetIds = @(
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.20.1.0/24 --availability-zone us-east-1a).Subnet.SubnetId
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.20.2.0/24 --availability-zone us-east-1b).Subnet.SubnetId
    )
    $script:RoleArn = (Invoke-Aws iam create-role --role-name pester-eks --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}').Role.Arn

    function New-TestCluster([string] $Name) {
        Invoke-Aws eks create-cluster --name $Name --role-arn $script:RoleArn --resources-vpc-config "subnetIds=$($script:SubnetIds -join ',')"
    }
}

AfterAll {
    Stop-TestServer -Server $script:Emulator
}

Describe 'EKS emulator' {
    It 'creates a cluster that is CREATING at first and ACTIVE later' {
        $created = New-TestCluster -Name 'lifecycle'
        $created.cluster.status | Should -Be 'CREATING'
        $created.cluster.arn | Should -Be 'arn:aws:eks:us-east-1:123456789012:cluster/lifecycle'

        (Invoke-Aws eks describe-cluster --name lifecycle).cluster.status | Should -Be 'CREATING'
        Wait-ClusterStatus -Name 'lifecycle' -Status 'ACTIVE' | Should -Be 'ACTIVE'
        (Invoke-Aws eks describe-cluster --name lifecycle).cluster.endpoint | Should -Match '^https://127\.0\.0\.1:\d+$'
    }

    It 'logs CreateCluster as mutating and DescribeCluster as not' {
        Clear-EmulatorRequest
        $null = New-TestCluster -Name 'logged'
        $null = Invoke-Aws eks describe-cluster --name logged

        $eks = @(Get-EmulatorRequest | Where-Object service -EQ 'eks')
        $eks.operation | Should -Be @('CreateCluster', 'DescribeCluster')
        ($eks | Where-Object operation -EQ 'CreateCluster').mutating | Should -BeTrue
        ($eks | Where-Object operation -EQ 'DescribeCluster').mutating | Should -BeFalse
        $mutating = @(Get-EmulatorRequest -Mutating)
        $mutating.operation | Should -Be @('CreateCluster')
        $mutating[0].path | Should -Be '/clusters'
    }

    It 'answers two throttled requests with ThrottlingException, which awscli retries through' {
        Clear-EmulatorRequest
        Add-EmulatorFault -Service eks -Operation DescribeCluster -Kind throttle -Count 2

        (Invoke-Aws eks describe-cluster --name lifecycle).cluster.name | Should -Be 'lifecycle'
        @(Get-EmulatorRequest | Where-Object operation -EQ 'DescribeCluster').Count | Should -Be 3
    }

    It 'reports a missing cluster as ResourceNotFoundException' {
        { Invoke-Aws eks describe-cluster --name absent } | Should -Throw '*ResourceNotFoundException*No cluster found for name: absent.*'
    }
}
