# Cluster access: Grant-/Revoke-/Get-EksClusterAccess through EKS access entries and the aws-auth ConfigMap, proved with
# kubectl (kubeconfig from Update-EksKubeconfig, the module's token helper) and another IAM user's keys against the emulator.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1 -UpdateSeconds 1
    Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-access-$PID"
    New-Item -ItemType Directory -Force -Path $Work | Out-Null

    # A second IAM user (and a third with no access), issued by moto through the emulator so the token verifier knows their secrets.
    function script:New-TestUser([string] $Name) {
        $null = Invoke-Aws iam create-user --user-name $Name
        $key = (Invoke-Aws iam create-access-key --user-name $Name).AccessKey
        [pscustomobject]@{
            Arn = "arn:aws:iam::123456789012:user/$Name"
            Keys = @{ AccessKey = $key.AccessKeyId; SecretKey = $key.SecretAccessKey }
            Environment = @{ AWS_ACCESS_KEY_ID = $key.AccessKeyId; AWS_SECRET_ACCESS_KEY = $key.SecretAccessKey }
        }
    }

    $vpc = (Invoke-Aws ec2 create-vpc --cidr-block 10.40.0.0/16).Vpc.VpcId
    $script:Subnets = @(
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.40.1.0/24 --availability-zone us-east-1a).Subnet.SubnetId
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.40.2.0/24 --availability-zone us-east-1b).Subnet.SubnetId
    )
    $script:RoleArn = (Invoke-Aws iam create-role --role-name access-eks --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}').Role.Arn
    $script:Cluster = New-EksCluster -Name access -SubnetId $Subnets -RoleArn $RoleArn
    $script:Legacy = New-EksCluster -Name legacy -SubnetId $Subnets -RoleArn $RoleArn -AuthenticationMode CONFIG_MAP

    $script:Reader = New-TestUser access-reader
    $script:Stranger = New-TestUser access-stranger
    $script:Kubeconfig = (Update-EksKubeconfig -ClusterName access -Path (Join-Path $Work 'access.yaml')).Path
    $script:LegacyKubeconfig = (Update-EksKubeconfig -ClusterName legacy -Path (Join-Path $Work 'legacy.yaml')).Path
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Emulator | Stop-TestServer
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'New-EksCluster -AuthenticationMode' {
    It 'defaults to API_AND_CONFIG_MAP and passes CONFIG_MAP on as accessConfig.authenticationMode' {
        $Cluster.AccessConfig.AuthenticationMode | Should -Be 'API_AND_CONFIG_MAP'
        $Legacy.AccessConfig.AuthenticationMode | Should -Be 'CONFIG_MAP'
        (Invoke-Aws eks describe-cluster --name legacy).cluster.accessConfig.authenticationMode | Should -Be 'CONFIG_MAP'
    }
}

Describe 'Grant-EksClusterAccess with access entries' {
    It 'previews under -WhatIf without sending a mutating request' {
        Clear-EmulatorRequest
        $result = Grant-EksClusterAccess -ClusterName access -PrincipalArn $Reader.Arn -AccessPolicy View -WhatIf
        $result | Should -BeNullOrEmpty
        Get-EmulatorRequest -Mutating | Should -BeNullOrEmpty
        (Invoke-Aws eks list-access-entries --cluster-name access).accessEntries | Should -Not -Contain $Reader.Arn
    }

    It 'lets a user granted View list namespaces but not create one (403), and converges on a rerun' {
        $granted = $Cluster | Grant-EksClusterAccess -PrincipalArn $Reader.Arn -AccessPolicy View
        $granted.PSObject.TypeNames[0] | Should -Be 'EksModule.Types.EksClusterAccess'
        $granted.Source | Should -Be 'AccessEntry'
        $granted.PrincipalArn | Should -Be $Reader.Arn
        $granted.Username | Should -Be $Reader.Arn
        $granted.AccessPolicies.PolicyArn | Should -Be 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'
        $granted.AccessPolicies.ScopeType | Should -Be 'cluster'
        ($granted | Format-Table | Out-String -Width 250) | Should -BeLike '*AccessEntry*View (cluster)*'

        $list = Invoke-TestKubectl $Kubeconfig @('get', 'namespaces', '-o', 'name') -Environment $Reader.Environment
        $list.ExitCode | Should -Be 0 -Because $list.Error
        $list.Output | Should -BeLike '*namespace/kube-system*'
        $create = Invoke-TestKubectl $Kubeconfig @('create', 'namespace', 'readers-cannot') -Environment $Reader.Environment
        $create.ExitCode | Should -Not -Be 0
        $create.Error | Should -BeLike '*forbidden*cannot create resource "namespaces"*'

        Clear-EmulatorRequest
        $again = Grant-EksClusterAccess access $Reader.Arn View
        $again.AccessPolicies.AccessPolicy | Should -Be 'View'
        Get-EmulatorRequest -Mutating | Should -BeNullOrEmpty
    }

    It 'scopes a policy to namespaces with -Namespace' {
        $granted = Grant-EksClusterAccess access $Reader.Arn Edit -Namespace team-a, 'team-b-*'
        $edit = $granted.AccessPolicies | Where-Object AccessPolicy -eq 'Edit'
        $edit.ScopeType | Should -Be 'namespace'
        $edit.Namespaces | Should -Be @('team-a', 'team-b-*')
        $policies = (Invoke-Aws eks list-associated-access-policies --cluster-name access --principal-arn $Reader.Arn).associatedAccessPolicies
        ($policies | Where-Object policyArn -like '*EditPolicy').accessScope.namespaces | Should -Be @('team-a', 'team-b-*')
    }

    It 'lists the creator and the granted user with Get-EksClusterAccess' {
        $all = Get-EksClusterAccess -ClusterName access
        $all.PrincipalArn | Should -Contain 'arn:aws:iam::123456789012:user/moto'
        $readerAccess = $all | Where-Object PrincipalArn -eq $Reader.Arn
        $readerAccess.AccessPolicies.AccessPolicy | Sort-Object | Should -Be @('Edit', 'View')
        (Get-EksClusterAccess access $Reader.Arn | Where-Object Source -eq 'AccessEntry').PrincipalArn | Should -Be $Reader.Arn
    }

    It 'disassociates one policy, then deletes the entry so the user gets 401' {
        Revoke-EksClusterAccess -ClusterName access -PrincipalArn $Reader.Arn -AccessPolicy Edit -Force
        (Get-EksClusterAccess access $Reader.Arn).AccessPolicies.AccessPolicy | Should -Be 'View'

        Clear-EmulatorRequest
        Revoke-EksClusterAccess -ClusterName access -PrincipalArn $Reader.Arn -WhatIf
        Get-EmulatorRequest -Mutating | Should -BeNullOrEmpty

        Get-EksClusterAccess access $Reader.Arn | Revoke-EksClusterAccess -Force
        (Invoke-Aws eks list-access-entries --cluster-name access).accessEntries | Should -Not -Contain $Reader.Arn
        $denied = Invoke-TestKubectl $Kubeconfig @('get', 'namespaces') -Environment $Reader.Environment
        $denied.ExitCode | Should -Not -Be 0
        # kubectl words a 401 as Unauthorized, or (with API discovery cached) as a request for credentials.
        $denied.Error | Should -Match 'Unauthorized|provide credentials'

        # Nothing left to revoke is no error: a rerun converges.
        Revoke-EksClusterAccess access $Reader.Arn -Force -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
    }

    It 'refuses a principal that is not an IAM user or role ARN' {
        { Grant-EksClusterAccess access 'arn:aws:sts::123456789012:assumed-role/x/y' View -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPrincipalArn,EksModule.Commands.GrantEksClusterAccessCommand'
    }
}

Describe 'Grant-EksClusterAccess on a CONFIG_MAP cluster (aws-auth)' {
    BeforeAll {
        $manifest = Join-Path $Work 'aws-auth.yaml'
        Set-Content $manifest @"
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::123456789012:role/nodes
      username: system:node:{{EC2PrivateDNSName}}
      groups:
        - system:bootstrappers
        - system:nodes
"@
        $applied = Invoke-TestKubectl $LegacyKubeconfig @('apply', '-f', $manifest)
        if ($applied.ExitCode -ne 0) { throw "kubectl apply aws-auth failed: $($applied.Error)" }
        function script:Get-AwsAuth {
            $result = Invoke-TestKubectl $LegacyKubeconfig @('get', 'configmap', 'aws-auth', '-n', 'kube-system', '-o', 'json')
            if ($result.ExitCode -ne 0) { throw "kubectl get aws-auth failed: $($result.Error)" }
            $result.Output | ConvertFrom-Json
        }
    }

    It 'gives an unmapped user 401' {
        $denied = Invoke-TestKubectl $LegacyKubeconfig @('get', 'namespaces') -Environment $Stranger.Environment
        $denied.ExitCode | Should -Not -Be 0
        $denied.Error | Should -BeLike '*Unauthorized*'
    }

    It 'previews under -WhatIf without writing aws-auth' {
        $before = (Get-AwsAuth).metadata.resourceVersion
        Grant-EksClusterAccess legacy $Reader.Arn ClusterAdmin -WhatIf | Should -BeNullOrEmpty
        (Get-AwsAuth).metadata.resourceVersion | Should -Be $before
    }

    It 'maps the user in mapUsers as system:masters, keeping the existing mapRoles entry' {
        $granted = Grant-EksClusterAccess -ClusterName legacy -PrincipalArn $Reader.Arn -AccessPolicy ClusterAdmin -Username reader
        $granted.Source | Should -Be 'AwsAuth'
        $granted.Username | Should -Be 'reader'
        $granted.KubernetesGroups | Should -Be @('system:masters')

        $awsAuth = Get-AwsAuth
        $awsAuth.data.mapRoles | Should -BeLike '*rolearn: arn:aws:iam::123456789012:role/nodes*'
        $awsAuth.data.mapRoles | Should -BeLike '*system:bootstrappers*'
        $awsAuth.data.mapUsers | Should -BeLike "*userarn: $($Reader.Arn)*"
        $awsAuth.data.mapUsers | Should -BeLike '*system:masters*'

        $create = Invoke-TestKubectl $LegacyKubeconfig @('create', 'namespace', 'from-reader') -Environment $Reader.Environment
        $create.ExitCode | Should -Be 0 -Because $create.Error
    }

    It 'lists aws-auth mappings through the in-process Kubernetes client, with the granted user''s own keys' {
        $keys = $Reader.Keys
        $mappings = Get-EksClusterAccess -ClusterName legacy @keys
        $mappings.Source | Sort-Object -Unique | Should -Be 'AwsAuth'
        ($mappings | Where-Object PrincipalArn -eq 'arn:aws:iam::123456789012:role/nodes').KubernetesGroups | Should -Be @('system:bootstrappers', 'system:nodes')
        ($mappings | Where-Object PrincipalArn -eq $Reader.Arn).Username | Should -Be 'reader'
    }

    It 'reports 401 from the in-process client for a user with no access' {
        $keys = $Stranger.Keys
        { Get-EksClusterAccess -ClusterName legacy @keys -ErrorAction Stop } | Should -Throw -ErrorId 'KubernetesUnauthorized,EksModule.Commands.GetEksClusterAccessCommand'
    }

    It 'needs -KubernetesGroup for policies aws-auth cannot express' {
        { Grant-EksClusterAccess legacy $Stranger.Arn View -ErrorAction Stop } |
            Should -Throw -ErrorId 'AccessPolicyNeedsGroup,EksModule.Commands.GrantEksClusterAccessCommand'
    }

    It 'removes only the revoked mapping' {
        Revoke-EksClusterAccess legacy $Reader.Arn -Force
        $awsAuth = Get-AwsAuth
        $awsAuth.data.mapUsers | Should -Not -BeLike "*$($Reader.Arn)*"
        $awsAuth.data.mapRoles | Should -BeLike '*role/nodes*'
        (Invoke-TestKubectl $LegacyKubeconfig @('get', 'namespaces') -Environment $Reader.Environment).Error | Should -Match 'Unauthorized|provide credentials'
    }
}
