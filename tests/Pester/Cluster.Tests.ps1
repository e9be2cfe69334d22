# The cluster lifecycle against plain moto: what a user sees, and what awscli (an independent client) sees.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Moto = Start-TestMoto
    Set-TestAwsEnvironment -EndpointUrl $Moto.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force

}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Moto | Stop-TestServer
}

Describe 'New-EksCluster with a new VPC' {
    BeforeAll {
        $script:cluster = New-EksCluster -Name demo -AvailabilityZoneCount 3
    }

    It 'returns an ACTIVE EksCluster with the EKS property names' {
        $cluster | Should -BeOfType 'EksModule.Types.EksCluster'
        $cluster.Name | Should -Be 'demo'
        $cluster.Status | Should -Be 'ACTIVE'
        $cluster.Region | Should -Be 'us-east-1'
        $cluster.Arn | Should -Be 'arn:aws:eks:us-east-1:123456789012:cluster/demo'
        $cluster.RoleArn | Should -Be 'arn:aws:iam::123456789012:role/eks-demo-cluster'
        $cluster.ResourcesVpcConfig.SubnetIds.Count | Should -Be 6
    }

    It 'makes a VPC with a public and a private subnet in each of 3 AZs, tagged for the load balancer controllers' {
        $subnets = (AwsJson ec2 describe-subnets --filters 'Name=tag:eksmodule:cluster-name,Values=demo').Subnets
        $subnets.Count | Should -Be 6
        ($subnets.AvailabilityZone | Sort-Object -Unique).Count | Should -Be 3
        $public = $subnets | Where-Object { $_.Tags | Where-Object { $_.Key -eq 'kubernetes.io/role/elb' -and $_.Value -eq '1' } }
        $private = $subnets | Where-Object { $_.Tags | Where-Object { $_.Key -eq 'kubernetes.io/role/internal-elb' -and $_.Value -eq '1' } }
        $public.Count | Should -Be 3
        $private.Count | Should -Be 3
        $subnets | ForEach-Object { ($_.Tags | Where-Object Key -eq 'kubernetes.io/cluster/demo').Value | Should -Be 'shared' }
        ($subnets.SubnetId | Sort-Object) | Should -Be ($cluster.ResourcesVpcConfig.SubnetIds | Sort-Object)
    }

    It 'creates the cluster role trusted by EKS with AmazonEKSClusterPolicy' {
        $role = (AwsJson iam get-role --role-name eks-demo-cluster).Role
        $role.AssumeRolePolicyDocument.Statement[0].Principal.Service | Should -Be 'eks.amazonaws.com'
        (AwsJson iam list-attached-role-policies --role-name eks-demo-cluster).AttachedPolicies.PolicyName | Should -Be 'AmazonEKSClusterPolicy'
    }

    It 'is seen by awscli' {
        (AwsJson eks describe-cluster --name demo).cluster.status | Should -Be 'ACTIVE'
    }

    It 'converges when run again: same cluster, no second VPC or role' {
        $again = New-EksCluster -Name demo -AvailabilityZoneCount 3
        $again.Arn | Should -Be $cluster.Arn
        (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=demo').Vpcs.Count | Should -Be 1
    }

    It 'formats as a table with the name, status and version' {
        $text = $cluster | Format-Table | Out-String
        $text | Should -Match 'Name\s+Status\s+Version'
        $text | Should -Match 'demo\s+ACTIVE\s+1\.\d+'
    }
}

Describe 'Get-EksCluster' {
    It 'lists every cluster, and filters by wildcard' {
        (Get-EksCluster).Name | Should -Contain 'demo'
        (Get-EksCluster -Name 'de*').Name | Should -Be 'demo'
        Get-EksCluster -Name 'zz*' | Should -BeNullOrEmpty
    }

    It 'takes names from the pipeline' {
        ('demo' | Get-EksCluster).Name | Should -Be 'demo'
    }

    It 'writes a non-terminating ResourceNotFoundException for a missing name and goes on' {
        $found = Get-EksCluster -Name 'missing', 'demo' -ErrorVariable errors -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'demo'
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ResourceNotFoundException*'
        $errors[0].TargetObject | Should -Be 'missing'
        $errors[0].ToString() | Should -Match "No cluster named 'missing'"
    }
}

Describe 'Bad input is refused before any request' {
    BeforeAll {
        $script:before = (AwsJson ec2 describe-vpcs).Vpcs.Count
    }

    It 'refuses an invalid name with InvalidClusterName' {
        { New-EksCluster -Name '-bad name' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidClusterName*'
    }

    It 'refuses an unknown Kubernetes version and names the supported ones' {
        $err = { New-EksCluster -Name ok -KubernetesVersion 1.12 -ErrorAction Stop } | Should -Throw -ErrorId 'UnsupportedKubernetesVersion*' -PassThru
        $err.ToString() | Should -Match 'Supported versions: 1\.\d+'
    }

    It 'refuses a VPC CIDR that cannot hold the subnets' {
        { New-EksCluster -Name ok -VpcCidr 10.0.0.0/28 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidNetworkPlan*'
    }

    It 'refuses fewer than 2 Availability Zones' {
        { New-EksCluster -Name ok -AvailabilityZoneCount 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'refuses a single subnet' {
        { New-EksCluster -Name ok -SubnetId subnet-1 -ErrorAction Stop } | Should -Throw -ErrorId 'TooFewSubnets*'
    }

    It 'refuses subnets that are all in one AZ' {
        $vpc = (AwsJson ec2 create-vpc --cidr-block 10.20.0.0/16).Vpc.VpcId
        $a = (AwsJson ec2 create-subnet --vpc-id $vpc --cidr-block 10.20.1.0/24 --availability-zone us-east-1a).Subnet.SubnetId
        $b = (AwsJson ec2 create-subnet --vpc-id $vpc --cidr-block 10.20.2.0/24 --availability-zone us-east-1a).Subnet.SubnetId
        $script:before = (AwsJson ec2 describe-vpcs).Vpcs.Count
        { New-EksCluster -Name ok -SubnetId $a, $b -ErrorAction Stop } | Should -Throw -ErrorId 'SubnetsInOneAvailabilityZone*'
    }

    It 'created nothing for any of them' {
        (AwsJson ec2 describe-vpcs).Vpcs.Count | Should -Be $before
        (AwsJson eks list-clusters).clusters | Should -Not -Contain 'ok'
        { Invoke-Aws iam get-role --role-name eks-ok-cluster } | Should -Throw '*NoSuchEntity*'
    }
}

Describe 'Region and credentials' {
    # The SDK reads its config files once per process, so these run in a fresh pwsh with a bare environment.
    It 'says how to set a region when there is none' {
        $out = Invoke-ChildPwsh @"
Import-Module '$(Get-TestModulePath)/EksModule.psd1'
try { Get-EksCluster -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.ToString() }
"@ -Environment @{ AWS_CONFIG_FILE = '/nonexistent/config'; AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials'; AWS_REGION = ''; AWS_DEFAULT_REGION = ''
            AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'; AWS_SECRET_ACCESS_KEY = 'secret'; AWS_EC2_METADATA_DISABLED = 'true'; AWS_ENDPOINT_URL = $Moto.Url }
        $out[0] | Should -BeLike 'NoRegion,*'
        $out[1] | Should -Match '-Region'
    }

    It 'says how to give credentials when there are none, and never prints a secret' {
        $out = Invoke-ChildPwsh @"
Import-Module '$(Get-TestModulePath)/EksModule.psd1'
try { Get-EksCluster -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.ToString() }
"@ -Environment @{ AWS_CONFIG_FILE = '/nonexistent/config'; AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials'; AWS_REGION = 'us-east-1'
            AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; AWS_EC2_METADATA_DISABLED = 'true'; AWS_ENDPOINT_URL = $Moto.Url }
        $out[0] | Should -BeLike 'NoCredentials,*'
        $out[1] | Should -Match 'ProfileName'
        $verbose = Get-EksCluster -AccessKey AKIAIOSFODNN7EXAMPLE -SecretKey 'very-secret-value' -Verbose 4>&1 | Out-String
        $verbose | Should -Not -Match 'very-secret-value'
        $verbose | Should -Match 'AccessKey/-SecretKey'
    }

    It 'says which profile to sign in when an SSO profile has no cached sign-in' {
        $dir = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-sso-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $dir | Out-Null
        try {
            Set-Content (Join-Path $dir 'config') "[profile work]`nsso_start_url = https://example.awsapps.com/start`nsso_account_id = 123456789012`nsso_role_name = Admin`nsso_region = us-east-1`nregion = us-east-1`n"
            # HOME is empty too, so no ~/.aws/sso/cache of this machine can sign the profile in.
            $out = Invoke-ChildPwsh @"
Import-Module '$(Get-TestModulePath)/EksModule.psd1'
try { Get-EksCluster -ProfileName work -ErrorAction Stop; 'no error' } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category; `$_.ToString() }
"@ -Environment @{ HOME = $dir; AWS_CONFIG_FILE = (Join-Path $dir 'config'); AWS_SHARED_CREDENTIALS_FILE = (Join-Path $dir 'credentials')
                AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; AWS_EC2_METADATA_DISABLED = 'true'; AWS_ENDPOINT_URL = $Moto.Url }
            $out[0] | Should -BeLike 'SsoLoginRequired,*'
            $out[1] | Should -Be 'AuthenticationError'
            $out[2] | Should -BeLike "*profile 'work'*Run 'aws sso login --profile work'*"
        } finally { Remove-Item -Recurse -Force $dir }
    }

    It 'accepts a PSCredential of access key and secret key' {
        $credential = [pscredential]::new('AKIAIOSFODNN7EXAMPLE', (ConvertTo-SecureString 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' -AsPlainText -Force))
        (Get-EksCluster -Name demo -Credential $credential).Name | Should -Be 'demo'
    }

    It 'honours $StoredAWSRegion' {
        $global:StoredAWSRegion = 'eu-west-1'
        try { Get-EksCluster | Should -BeNullOrEmpty } finally { Remove-Variable StoredAWSRegion -Scope Global }
        (Get-EksCluster).Name | Should -Contain 'demo'
    }
}

Describe 'Remove-EksCluster' {
    It 'removes the cluster piped from Get-EksCluster, and with -IncludeNetwork its VPC and role' {
        Get-EksCluster -Name demo | Remove-EksCluster -Confirm:$false -IncludeNetwork
        (AwsJson eks list-clusters).clusters | Should -Not -Contain 'demo'
        (AwsJson ec2 describe-vpcs --filters 'Name=tag:eksmodule:cluster-name,Values=demo').Vpcs.Count | Should -Be 0
        { Invoke-Aws iam get-role --role-name eks-demo-cluster } | Should -Throw '*NoSuchEntity*'
    }

    It 'reports a missing cluster as ResourceNotFoundException' {
        { Remove-EksCluster -Name gone -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ResourceNotFoundException*'
    }
}
