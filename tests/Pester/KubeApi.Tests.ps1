# The emulated kube-apiserver: TLS with the cluster CA, EKS token authentication as aws-iam-authenticator does it,
# access entries / aws-auth as authorization. Driven by the independent peers: kubectl, awscli, curl, botocore.
BeforeAll {
    Import-Module $PSScriptRoot/TestHelpers.psm1 -Force

    $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1 -UpdateSeconds 1
    Set-TestAwsEnvironment -EndpointUrl $script:Emulator.Url

    function Wait-ClusterActive([string] $Name) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ((Invoke-Aws eks describe-cluster --name $Name).cluster.status -ne 'ACTIVE') {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Cluster $Name did not become ACTIVE." }
            Start-Sleep -Milliseconds 300
        }
    }

    # Mints a token with botocore at a shifted clock (awscli's own signer, so only the time differs from get-token).
    function New-ShiftedToken([string] $ClusterName, [int] $MinutesAgo) {
        $script = @'
import base64, datetime, sys
from unittest import mock
import botocore.session
cluster, minutes = sys.argv[1], int(sys.argv[2])
client = botocore.session.get_session().create_client('sts', region_name='us-east-1')
client.meta.events.register('before-sign.sts.GetCallerIdentity', lambda request, **_: request.headers.__setitem__('x-k8s-aws-id', cluster))
then = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=minutes)
with mock.patch('botocore.auth.get_current_datetime', return_value=then):
    url = client.generate_presigned_url('get_caller_identity', Params={}, ExpiresIn=60, HttpMethod='GET')
print('k8s-aws-v1.' + base64.urlsafe_b64encode(url.encode()).decode().rstrip('='))
'@
        $result = Start-TestToolProcess -FilePath 'python3' -ArgumentList @('-c', $script, $ClusterName, "$MinutesAgo") -RemoveEnvironment @('AWS_ENDPOINT_URL')
        if ($result.ExitCode -ne 0) { throw "minting a shifted token failed: $($result.Error)" }
        $result.Output.Trim()
    }

    $vpc = (Invoke-Aws ec2 create-vpc --cidr-block 10.30.0.0/16).Vpc.VpcId
    $subnets = @(
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.30.1.0/24 --availability-zone us-east-1a).Subnet.SubnetId
        (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.30.2.0/24 --availability-zone us-east-1b).Subnet.SubnetId
    ) -join ','
    $script:RoleArn = (Invoke-Aws iam create-role --role-name kubeapi-eks --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}').Role.Arn
    $null = Invoke-Aws eks create-cluster --name kube --kubernetes-version 1.33 --role-arn $script:RoleArn --resources-vpc-config "subnetIds=$subnets"
    $null = Invoke-Aws eks create-cluster --name legacy --role-arn $script:RoleArn --resources-vpc-config "subnetIds=$subnets" --access-config authenticationMode=CONFIG_MAP
    Wait-ClusterActive kube
    Wait-ClusterActive legacy

    $script:Kubeconfig = New-TestKubeconfig -ClusterName kube -Emulator $script:Emulator
    $script:Access = Get-TestKubeApiAccess -ClusterName kube -Emulator $script:Emulator

    # A second IAM identity, issued by moto through the emulator so its secret is known to the token verifier.
    $null = Invoke-Aws iam create-user --user-name kube-reader
    $key = (Invoke-Aws iam create-access-key --user-name kube-reader).AccessKey
    $script:Reader = @{ AccessKey = $key.AccessKeyId; SecretKey = $key.SecretAccessKey }
    $script:ReaderArn = 'arn:aws:iam::123456789012:user/kube-reader'
    $script:ReaderEnv = @{ AWS_ACCESS_KEY_ID = $key.AccessKeyId; AWS_SECRET_ACCESS_KEY = $key.SecretAccessKey }
}

AfterAll {
    Stop-TestServer -Server $script:Emulator
    foreach ($path in $script:Kubeconfig, $script:Access.CaPath) { if ($path) { Remove-Item $path -ErrorAction SilentlyContinue } }
}

Describe 'kube-apiserver endpoint' {
    It 'publishes a loopback https endpoint whose certificate the cluster CA verifies' {
        $script:Access.Endpoint | Should -Match '^https://127\.0\.0\.1:\d+$'
        $answer = Invoke-TestKubeApi -Access $script:Access -Path '/version'
        $answer.StatusCode | Should -Be 200
        $answer.Body.gitVersion | Should -BeLike 'v1.33.*-eks-*'
    }

    It 'is not trusted under another cluster''s CA' {
        $other = Get-TestKubeApiAccess -ClusterName legacy -Emulator $script:Emulator
        try {
            { Invoke-TestKubeApi -Access ([pscustomobject]@{ Endpoint = $script:Access.Endpoint; CaPath = $other.CaPath }) -Path '/version' } |
                Should -Throw '*certificate*'
        } finally { Remove-Item $other.CaPath }
    }

    It 'serves kubectl get --raw /version with the cluster version' {
        $result = Invoke-TestKubectl -Kubeconfig $script:Kubeconfig -ArgumentList @('get', '--raw', '/version')
        $result.ExitCode | Should -Be 0 -Because $result.Error
        ($result.Output | ConvertFrom-Json).minor | Should -Be '33+'
    }

    It 'works for kubectl with awscli''s own exec entry (aws eks get-token)' {
        $awsKubeconfig = New-TestKubeconfig -ClusterName kube -Emulator $script:Emulator -AwsCli
        try {
            (Get-Content -Raw $awsKubeconfig) | Should -Match 'command: aws'
            $result = Invoke-TestKubectl -Kubeconfig $awsKubeconfig -ArgumentList @('get', 'namespaces', '-o', 'name')
            $result.ExitCode | Should -Be 0 -Because $result.Error
            $result.Output | Should -BeLike '*namespace/kube-system*'
        } finally { Remove-Item $awsKubeconfig }
    }

    It 'lists the namespaces every EKS cluster starts with through kubectl' {
        $result = Invoke-TestKubectl -Kubeconfig $script:Kubeconfig -ArgumentList @('get', 'namespaces', '-o', 'name')
        $result.ExitCode | Should -Be 0 -Because $result.Error
        ($result.Output -split "`n" | Where-Object { $_ }) | Should -Be @('namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system')
    }
}

Describe 'configmaps through kubectl' {
    It 'creates, applies, patches and deletes a configmap' {
        $kc = $script:Kubeconfig
        (Invoke-TestKubectl $kc @('create', 'namespace', 'apps')).ExitCode | Should -Be 0
        (Invoke-TestKubectl $kc @('-n', 'apps', 'create', 'configmap', 'settings', '--from-literal=color=blue')).ExitCode | Should -Be 0
        $manifest = Join-Path ([IO.Path]::GetTempPath()) "kubeapi-$([guid]::NewGuid().ToString('n')).yaml"
        Set-Content $manifest "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: applied`n  namespace: apps`ndata:`n  size: large`n"
        try {
            $apply = Invoke-TestKubectl $kc @('apply', '-f', $manifest)
            $apply.ExitCode | Should -Be 0 -Because $apply.Error
            (Get-Content -Raw $manifest).Replace('large', 'small') | Set-Content $manifest
            (Invoke-TestKubectl $kc @('apply', '-f', $manifest)).Output | Should -BeLike '*configured*'
        } finally { Remove-Item $manifest }
        (Invoke-TestKubectl $kc @('-n', 'apps', 'get', 'configmap', 'applied', '-o', 'jsonpath={.data.size}')).Output | Should -Be 'small'
        (Invoke-TestKubectl $kc @('-n', 'apps', 'patch', 'configmap', 'settings', '--type=merge', '-p', '{"data":{"shape":"round"}}')).ExitCode | Should -Be 0
        $settings = (Invoke-TestKubectl $kc @('-n', 'apps', 'get', 'configmap', 'settings', '-o', 'json')).Output | ConvertFrom-Json
        $settings.data.color | Should -Be 'blue'
        $settings.data.shape | Should -Be 'round'
        $table = (Invoke-TestKubectl $kc @('-n', 'apps', 'get', 'configmaps')).Output
        $table | Should -Match 'settings\s+2\s+'
        (Invoke-TestKubectl $kc @('delete', 'namespace', 'apps')).ExitCode | Should -Be 0
        (Invoke-TestKubectl $kc @('-n', 'apps', 'get', 'configmap', 'settings')).Error | Should -BeLike '*NotFound*'
    }

    It 'refuses a replace with a stale resourceVersion (409 Conflict)' {
        $token = Get-TestEksToken -ClusterName kube
        $created = Invoke-TestKubeApi -Access $script:Access -Token $token -Method POST -Path '/api/v1/namespaces/default/configmaps' -Body @{ metadata = @{ name = 'versioned' }; data = @{ a = '1' } }
        $created.StatusCode | Should -Be 201
        $stale = $created.Body
        $first = Invoke-TestKubeApi -Access $script:Access -Token $token -Method PUT -Path '/api/v1/namespaces/default/configmaps/versioned' -Body $stale
        $first.StatusCode | Should -Be 200
        $second = Invoke-TestKubeApi -Access $script:Access -Token $token -Method PUT -Path '/api/v1/namespaces/default/configmaps/versioned' -Body $stale
        $second.StatusCode | Should -Be 409
        $second.Body.reason | Should -Be 'Conflict'
    }
}

Describe 'token authentication' {
    # awscli's tokens here (the interop check); elsewhere in this file the module's helper mints them, faster.
    It 'accepts an aws eks get-token token minted for this cluster and rejects one minted for another (401)' {
        (Invoke-TestKubeApi -Access $script:Access -Token (Get-TestEksToken -ClusterName kube -AwsCli) -Path '/api/v1/namespaces').StatusCode | Should -Be 200
        $answer = Invoke-TestKubeApi -Access $script:Access -Token (Get-TestEksToken -ClusterName other -AwsCli) -Path '/api/v1/namespaces'
        $answer.StatusCode | Should -Be 401
        $answer.Body.kind | Should -Be 'Status'
        $answer.Body.reason | Should -Be 'Unauthorized'
    }

    It 'rejects a token signed 20 minutes ago and accepts the same minting path signed now' {
        (Invoke-TestKubeApi -Access $script:Access -Token (New-ShiftedToken kube 0) -Path '/api/v1/namespaces').StatusCode | Should -Be 200
        (Invoke-TestKubeApi -Access $script:Access -Token (New-ShiftedToken kube 20) -Path '/api/v1/namespaces').StatusCode | Should -Be 401
    }

    It 'rejects a token whose URL carries a parameter outside the allow-list' {
        $token = Get-TestEksToken -ClusterName kube
        $url = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String(($token.Substring(11).Replace('-', '+').Replace('_', '/')).PadRight([Math]::Ceiling(($token.Length - 11) / 4) * 4, '=')))
        $tampered = 'k8s-aws-v1.' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$url&X-Amz-User-Agent=x")).TrimEnd('=').Replace('+', '-').Replace('/', '_')
        (Invoke-TestKubeApi -Access $script:Access -Token $tampered -Path '/api/v1/namespaces').StatusCode | Should -Be 401
    }

    It 'lets anonymous callers read /version but not the API' {
        (Invoke-TestKubeApi -Access $script:Access -Path '/version').StatusCode | Should -Be 200
        $answer = Invoke-TestKubeApi -Access $script:Access -Path '/api/v1/namespaces'
        $answer.StatusCode | Should -Be 403
        $answer.Body.message | Should -BeLike '*system:anonymous*'
    }
}

Describe 'access entries as authorization' {
    It 'gives the cluster creator an admin access entry' {
        $entries = (Invoke-Aws eks list-access-entries --cluster-name kube).accessEntries
        $entries | Should -Contain 'arn:aws:iam::123456789012:user/moto'
    }

    It 'walks an identity from unmapped (401) to mapped without policy (403) to viewer and back' {
        $kc = $script:Kubeconfig
        $unmapped = Invoke-TestKubectl $kc @('get', 'namespaces') -Environment $script:ReaderEnv
        $unmapped.ExitCode | Should -Not -Be 0
        $unmapped.Error | Should -BeLike '*Unauthorized*'

        $null = Invoke-Aws eks create-access-entry --cluster-name kube --principal-arn $script:ReaderArn
        $noPolicy = Invoke-TestKubectl $kc @('get', 'namespaces') -Environment $script:ReaderEnv
        $noPolicy.Error | Should -BeLike "*namespaces is forbidden: User `"$($script:ReaderArn)`" cannot list resource `"namespaces`"*"

        $null = Invoke-Aws eks associate-access-policy --cluster-name kube --principal-arn $script:ReaderArn `
            --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy --access-scope type=cluster
        $list = Invoke-TestKubectl $kc @('get', 'namespaces', '-o', 'name') -Environment $script:ReaderEnv
        $list.ExitCode | Should -Be 0 -Because $list.Error
        $list.Output | Should -BeLike '*namespace/kube-system*'
        $create = Invoke-TestKubectl $kc @('-n', 'default', 'create', 'configmap', 'nope') -Environment $script:ReaderEnv
        $create.ExitCode | Should -Not -Be 0
        $create.Error | Should -BeLike '*configmaps is forbidden*cannot create resource "configmaps"*in the namespace "default"*'

        $null = Invoke-Aws eks delete-access-entry --cluster-name kube --principal-arn $script:ReaderArn
        (Invoke-TestKubectl $kc @('get', 'namespaces') -Environment $script:ReaderEnv).Error | Should -BeLike '*Unauthorized*'
    }

    It 'limits a namespace-scoped edit policy to its namespaces' {
        $null = Invoke-Aws eks create-access-entry --cluster-name kube --principal-arn $script:ReaderArn
        $null = Invoke-Aws eks associate-access-policy --cluster-name kube --principal-arn $script:ReaderArn `
            --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy --access-scope 'type=namespace,namespaces=team-*'
        $token = Get-TestEksToken -ClusterName kube @script:Reader
        try {
            (Invoke-TestKubeApi -Access $script:Access -Token $token -Path '/api/v1/namespaces/team-a/configmaps').StatusCode | Should -Be 200
            (Invoke-TestKubeApi -Access $script:Access -Token $token -Path '/api/v1/namespaces/default/configmaps').StatusCode | Should -Be 403
            (Invoke-TestKubeApi -Access $script:Access -Token $token -Path '/api/v1/configmaps').StatusCode | Should -Be 403
        } finally { $null = Invoke-Aws eks delete-access-entry --cluster-name kube --principal-arn $script:ReaderArn }
    }

    It 'maps an assumed-role session through its role''s access entry' {
        $session = (Invoke-Aws sts assume-role --role-arn $script:RoleArn --role-session-name alice).Credentials
        $null = Invoke-Aws eks create-access-entry --cluster-name kube --principal-arn $script:RoleArn
        try {
            $token = Get-TestEksToken -ClusterName kube -AccessKey $session.AccessKeyId -SecretKey $session.SecretAccessKey -SessionToken $session.SessionToken
            $answer = Invoke-TestKubeApi -Access $script:Access -Token $token -Path '/api/v1/namespaces'
            $answer.StatusCode | Should -Be 403
            $answer.Body.message | Should -BeLike '*User "arn:aws:sts::123456789012:assumed-role/kubeapi-eks/alice"*'
        } finally { $null = Invoke-Aws eks delete-access-entry --cluster-name kube --principal-arn $script:RoleArn }
    }
}

Describe 'aws-auth ConfigMap on a CONFIG_MAP cluster' {
    It 'admits the creator, then a user once mapRoles/mapUsers names it' {
        $kc = New-TestKubeconfig -ClusterName legacy -Emulator $script:Emulator
        try {
            (Invoke-TestKubectl $kc @('get', 'namespaces')).ExitCode | Should -Be 0
            (Invoke-TestKubectl $kc @('get', 'namespaces') -Environment $script:ReaderEnv).Error | Should -BeLike '*Unauthorized*'
            $awsAuth = Join-Path ([IO.Path]::GetTempPath()) "aws-auth-$([guid]::NewGuid().ToString('n')).yaml"
            Set-Content $awsAuth @"
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapUsers: |
    - userarn: $($script:ReaderArn)
      username: reader
      groups:
        - system:masters
"@
            try { (Invoke-TestKubectl $kc @('apply', '-f', $awsAuth)).ExitCode | Should -Be 0 } finally { Remove-Item $awsAuth }
            $mapped = Invoke-TestKubectl $kc @('get', 'configmaps', '-n', 'kube-system', '-o', 'name') -Environment $script:ReaderEnv
            $mapped.ExitCode | Should -Be 0 -Because $mapped.Error
            $mapped.Output | Should -BeLike '*configmap/aws-auth*'
        } finally { Remove-Item $kc }
    }
}

Describe 'services, ingresses and ingress classes through kubectl' {
    It 'applies and lists them with kubectl''s columns' {
        $kc = $script:Kubeconfig
        $manifest = Join-Path ([IO.Path]::GetTempPath()) "kubeapi-$([guid]::NewGuid().ToString('n')).yaml"
        Set-Content $manifest @'
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: alb
spec:
  controller: ingress.k8s.aws/alb
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - port: 80
    protocol: TCP
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: site
  namespace: default
spec:
  ingressClassName: alb
  defaultBackend:
    service:
      name: web
      port:
        number: 80
'@
        try {
            $apply = Invoke-TestKubectl $kc @('apply', '-f', $manifest)
            $apply.ExitCode | Should -Be 0 -Because $apply.Error
        } finally { Remove-Item $manifest }
        $services = Invoke-TestKubectl $kc @('get', 'svc')
        $services.ExitCode | Should -Be 0 -Because $services.Error
        $services.Output | Should -Match 'web\s+LoadBalancer\s+\S+\s+\S+\s+80/TCP'
        (Invoke-TestKubectl $kc @('get', 'ingressclass', 'alb', '-o', 'jsonpath={.spec.controller}')).Output | Should -Be 'ingress.k8s.aws/alb'
        (Invoke-TestKubectl $kc @('get', 'ingress', 'site', '-o', 'jsonpath={.spec.ingressClassName}')).Output | Should -Be 'alb'
        (Invoke-TestKubectl $kc @('delete', 'ingress', 'site')).ExitCode | Should -Be 0
        (Invoke-TestKubectl $kc @('delete', 'svc', 'web')).ExitCode | Should -Be 0
        (Invoke-TestKubectl $kc @('delete', 'ingressclass', 'alb')).ExitCode | Should -Be 0
    }
}
