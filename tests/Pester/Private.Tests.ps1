# Private clusters against plain moto: the VPC endpoints awscli sees, the endpoint access EKS keeps, and cleanup.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Moto = Start-TestMoto
    Set-TestAwsEnvironment -EndpointUrl $Moto.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force

    function script:LiveEndpoints([string] $VpcId) {
        (AwsJson ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VpcId").VpcEndpoints | Where-Object State -notin 'deleted', 'deleting'
    }
    $script:InterfaceServices = 'ecr.api', 'ecr.dkr', 'ec2', 'sts', 'logs', 'elasticloadbalancing', 'autoscaling' | ForEach-Object { "com.amazonaws.us-east-1.$_" }
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Moto | Stop-TestServer
}

Describe 'New-EksCluster -Private' {
    BeforeAll {
        $script:cluster = New-EksCluster -Name p -AvailabilityZoneCount 2 -Private
        $script:vpcId = (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=p').Vpcs[0].VpcId
        $script:endpoints = @(LiveEndpoints $vpcId)
        $script:privateSubnets = (AwsJson ec2 describe-subnets --filters "Name=vpc-id,Values=$vpcId" 'Name=tag:kubernetes.io/role/internal-elb,Values=1').Subnets.SubnetId
    }

    It 'creates the 7 interface endpoints in the private subnets with private DNS' {
        $interface = $endpoints | Where-Object VpcEndpointType -eq 'Interface'
        ($interface.ServiceName | Sort-Object) | Should -Be ($InterfaceServices | Sort-Object)
        foreach ($endpoint in $interface) {
            $endpoint.PrivateDnsEnabled | Should -BeTrue
            ($endpoint.SubnetIds | Sort-Object) | Should -Be ($privateSubnets | Sort-Object)
            ($endpoint.Tags | Where-Object Key -eq 'eksmodule:cluster-name').Value | Should -Be 'p'
        }
    }

    It 'puts the interface endpoints behind eks-p-endpoints, which allows HTTPS from the VPC CIDR' {
        $group = (AwsJson ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpcId" 'Name=group-name,Values=eks-p-endpoints').SecurityGroups
        $group.Count | Should -Be 1
        $rule = $group[0].IpPermissions | Where-Object { $_.FromPort -eq 443 -and $_.ToPort -eq 443 -and $_.IpProtocol -eq 'tcp' }
        $rule.IpRanges.CidrIp | Should -Be '192.168.0.0/16'
        ($endpoints | Where-Object VpcEndpointType -eq 'Interface').Groups.GroupId | Sort-Object -Unique | Should -Be $group[0].GroupId
    }

    It 'adds the S3 gateway endpoint on the private route tables' {
        $gateway = @($endpoints | Where-Object VpcEndpointType -eq 'Gateway')
        $gateway.Count | Should -Be 1
        $gateway[0].ServiceName | Should -Be 'com.amazonaws.us-east-1.s3'
        $privateTables = (AwsJson ec2 describe-route-tables --filters "Name=vpc-id,Values=$vpcId" 'Name=tag:eksmodule:component,Values=private-route-table').RouteTables.RouteTableId
        ($gateway[0].RouteTableIds | Sort-Object) | Should -Be ($privateTables | Sort-Object)
    }

    It 'creates the cluster with a private-only endpoint' {
        $config = (AwsJson eks describe-cluster --name p).cluster.resourcesVpcConfig
        $config.endpointPrivateAccess | Should -BeTrue
        $config.endpointPublicAccess | Should -BeFalse
    }

    It 'creates nothing when run again' {
        New-EksCluster -Name p -AvailabilityZoneCount 2 -Private | Out-Null
        @(LiveEndpoints $vpcId).Count | Should -Be 8
        (AwsJson ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpcId" 'Name=group-name,Values=eks-p-endpoints').SecurityGroups.Count | Should -Be 1
    }

    It 'refuses -Private with -EndpointPublicAccess $true before any request' {
        { New-EksCluster -Name q -Private -EndpointPublicAccess $true } | Should -Throw -ErrorId 'PrivateWithPublicAccess*'
    }

    It 'Remove-EksCluster -IncludeNetwork leaves no endpoint and no VPC' {
        Remove-EksCluster -Name p -Force -IncludeNetwork
        @(LiveEndpoints $vpcId).Count | Should -Be 0
        (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=p').Vpcs.Count | Should -Be 0
    }
}

Describe 'Enable-EksPrivateAccess' {
    BeforeAll {
        New-EksCluster -Name pub -AvailabilityZoneCount 2 | Out-Null
        $script:pubVpc = (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=pub').Vpcs[0].VpcId
    }

    It '-WhatIf lists every endpoint and creates none' {
        # What-if lines go to the host, not to a stream, so a child pwsh's output is where to read them.
        $preview = Invoke-ChildPwsh -Environment @{ AWS_ENDPOINT_URL = $Moto.Url } -Script "Import-Module '$(Get-TestModulePath)/EksModule.psd1'; Enable-EksPrivateAccess -ClusterName pub -WhatIf" | Out-String
        foreach ($service in $InterfaceServices + 'com.amazonaws.us-east-1.s3') { $preview | Should -Match ([regex]::Escape($service)) }
        @(LiveEndpoints $pubVpc).Count | Should -Be 0
        (AwsJson eks describe-cluster --name pub).cluster.resourcesVpcConfig.endpointPublicAccess | Should -BeTrue
    }

    It 'creates the endpoints and makes the cluster private-only' {
        $result = Enable-EksPrivateAccess -ClusterName pub -Force
        $result.Name | Should -Be 'pub'
        @(LiveEndpoints $pubVpc).Count | Should -Be 8
        $config = (AwsJson eks describe-cluster --name pub).cluster.resourcesVpcConfig
        $config.endpointPrivateAccess | Should -BeTrue
        $config.endpointPublicAccess | Should -BeFalse
    }

    It 'creates nothing more when run again' {
        Enable-EksPrivateAccess -ClusterName pub -Force | Out-Null
        @(LiveEndpoints $pubVpc).Count | Should -Be 8
    }
}
