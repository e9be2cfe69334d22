# IAM authentication: Get-EksToken, the native token helper and Update-EksKubeconfig, against the EKS emulator and kubectl.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1
    Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
    $script:Rid = if ($IsWindows) { 'win-x64' } else { 'linux-x64' }
    $script:Helper = Join-Path (Get-TestModulePath) "bin/$Rid/eks-token-helper$(if ($IsWindows) { '.exe' })"
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-auth-$PID"
    New-Item -ItemType Directory -Force -Path $Work | Out-Null
    $null = New-EksCluster -Name authdemo -AvailabilityZoneCount 2 -NatGateway None
    $script:Cluster = Get-EksCluster -Name authdemo

    function script:Get-TokenUrl([string] $Token) {
        $body = $Token.Substring('k8s-aws-v1.'.Length).Replace('-', '+').Replace('_', '/')
        $body += '=' * ((4 - $body.Length % 4) % 4)
        [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($body))
    }
    function script:KubectlJson([string] $Kubeconfig) {
        $json = kubectl config view --raw -o json --kubeconfig $Kubeconfig
        if ($LASTEXITCODE -ne 0) { throw "kubectl config view failed for $Kubeconfig" }
        $json | ConvertFrom-Json -AsHashtable
    }
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Emulator | Stop-TestServer
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Describe 'Get-EksToken' {
    It 'writes an EksToken for the cluster piped from Get-EksCluster, signed for the regional STS host' {
        $before = [datetime]::UtcNow
        $token = Get-EksCluster -Name authdemo | Get-EksToken
        $token.PSObject.TypeNames[0] | Should -Be 'EksModule.Types.EksToken'
        $token.ClusterName | Should -Be 'authdemo'
        $token.Region | Should -Be 'us-east-1'
        $token.Token | Should -Match '^k8s-aws-v1\.[A-Za-z0-9_-]+$'
        $url = Get-TokenUrl $token.Token
        $url | Should -Match '^https://sts\.us-east-1\.amazonaws\.com/\?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F'
        $url | Should -Match '&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature=[0-9a-f]{64}$'
        ($token.ExpirationTimestamp - $before).TotalMinutes | Should -BeGreaterThan 13.9
        ($token.ExpirationTimestamp - $before).TotalMinutes | Should -BeLessThan 14.1
    }

    It 'shows a table with the cluster, region and expiry' {
        $text = Get-EksToken -ClusterName authdemo | Out-String
        $text | Should -Match 'ClusterName\s+Region\s+ExpirationTimestamp\s+Token'
        $text | Should -Match 'authdemo\s+us-east-1\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+k8s-aws-v1\.'
    }

    It 'signs the Outposts cluster id with -ClusterId' {
        $token = Get-EksToken -ClusterId 8f4c2b1a-0d3e-4f5a-9b6c-7d8e9f0a1b2c
        $token.ClusterName | Should -Be '8f4c2b1a-0d3e-4f5a-9b6c-7d8e9f0a1b2c'
    }

    It '-AsExecCredential writes v1beta1 by default and the apiVersion KUBERNETES_EXEC_INFO names' {
        $default = Get-EksToken -ClusterName authdemo -AsExecCredential | ConvertFrom-Json
        $default.kind | Should -Be 'ExecCredential'
        $default.apiVersion | Should -Be 'client.authentication.k8s.io/v1beta1'
        $default.status.token | Should -Match '^k8s-aws-v1\.'
        $default.status.expirationTimestamp | Should -BeOfType [datetime]
        try {
            $env:KUBERNETES_EXEC_INFO = '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}'
            (Get-EksToken -ClusterName authdemo -AsExecCredential | ConvertFrom-Json).apiVersion | Should -Be 'client.authentication.k8s.io/v1'
        } finally { Remove-Item Env:KUBERNETES_EXEC_INFO }
    }

    It 'the ExecCredential expiry is RFC 3339 UTC to the second' {
        $raw = Get-EksToken -ClusterName authdemo -AsExecCredential
        $raw | Should -Match '"expirationTimestamp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"'
    }

    It '-RoleArn signs with the assumed role''s temporary credentials' {
        $token = Get-EksToken -ClusterName authdemo -RoleArn 'arn:aws:iam::123456789012:role/eks-admins'
        $url = Get-TokenUrl $token.Token
        $url | Should -Not -Match 'AKIAIOSFODNN7EXAMPLE'
        $url | Should -Match '&X-Amz-Security-Token='
    }

    It 'stops with NoRegion before minting when no region is known' {
        $out = Invoke-ChildPwsh -Environment @{ AWS_REGION = ''; AWS_DEFAULT_REGION = ''; AWS_CONFIG_FILE = '/nonexistent'; AWS_ACCESS_KEY_ID = 'a'; AWS_SECRET_ACCESS_KEY = 'b' } -Script @"
Import-Module '$(Get-TestModulePath)/EksModule.psd1'
try { Get-EksToken -ClusterName x -ErrorAction Stop; 'no error' } catch { `$_.FullyQualifiedErrorId }
"@
        $out | Should -Match '^NoRegion'
    }
}

Describe 'eks-token-helper' {
    # The Build task lays out every shipped platform (linux-x64, win-x64) and fails if one is missing;
    # the Test task publishes only this machine's, the one these tests can run.
    It 'is shipped in the module for the platform it runs on, as an executable' {
        $Helper | Should -Exist
        if (-not $IsWindows) { (Get-Item $Helper).UnixFileMode.HasFlag([IO.UnixFileMode]::UserExecute) | Should -BeTrue }
    }

    It 'prints the ExecCredential with the token Get-EksToken mints for the same credentials' {
        $json = & $Helper token --cluster-name authdemo --region us-east-1
        $LASTEXITCODE | Should -Be 0
        $credential = ($json -join "`n") | ConvertFrom-Json
        $credential.kind | Should -Be 'ExecCredential'
        $helperUrl = Get-TokenUrl $credential.status.token
        $cmdletUrl = Get-TokenUrl (Get-EksToken -ClusterName authdemo).Token
        # Same everything but the second they were minted in (date and signature).
        ($helperUrl -replace 'X-Amz-Date=\w+|X-Amz-Signature=\w+|%2F\d{8}%2F', '') | Should -Be ($cmdletUrl -replace 'X-Amz-Date=\w+|X-Amz-Signature=\w+|%2F\d{8}%2F', '')
    }

    It 'reads the profile AWS_PROFILE names, including role_arn + source_profile' {
        Add-Content $env:AWS_CONFIG_FILE "[profile ops]`nrole_arn = arn:aws:iam::123456789012:role/ops`nsource_profile = default`n"
        try {
            $env:AWS_PROFILE = 'ops'
            $credential = (& $Helper token --cluster-name authdemo --region us-east-1) -join "`n" | ConvertFrom-Json
            $LASTEXITCODE | Should -Be 0
            Get-TokenUrl $credential.status.token | Should -Match '&X-Amz-Security-Token='
        } finally { Remove-Item Env:AWS_PROFILE }
    }

    It 'tells kubectl users to run aws sso login when the SSO profile has no cached sign-in' {
        $dir = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-sso-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $dir | Out-Null
        try {
            Set-Content (Join-Path $dir 'config') "[profile work]`nsso_start_url = https://example.awsapps.com/start`nsso_account_id = 123456789012`nsso_role_name = Admin`nsso_region = us-east-1`n"
            $result = Start-TestToolProcess -FilePath $Helper -ArgumentList @('token', '--cluster-name', 'authdemo', '--region', 'us-east-1', '--profile', 'work') `
                -Environment @{ HOME = $dir; AWS_CONFIG_FILE = (Join-Path $dir 'config'); AWS_SHARED_CREDENTIALS_FILE = (Join-Path $dir 'credentials') } `
                -RemoveEnvironment @('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL')
            $result.ExitCode | Should -Be 1
            $result.Output | Should -BeNullOrEmpty
            $result.Error | Should -BeLike "*SSO Token*Run 'aws sso login --profile work'*"
        } finally { Remove-Item -Recurse -Force $dir }
    }

    It 'fails with exit code 2 and a usage line on bad arguments' {
        $err = & $Helper token --region us-east-1 2>&1
        $LASTEXITCODE | Should -Be 2
        "$err" | Should -Match 'usage: eks-token-helper'
    }
}

Describe 'Update-EksKubeconfig' {
    BeforeAll {
        $script:Foreign = @'
apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- cluster:
    server: https://other.example.com:6443
    insecure-skip-tls-verify: true
    extensions:
    - name: client.authentication.k8s.io/exec
      extension:
        audience: other
  name: other
users:
- name: token-user
  user:
    token: abc.def.ghi
- name: exec-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: gke-gcloud-auth-plugin
      args: ["--flag", "0123"]
      interactiveMode: IfAvailable
      provideClusterInfo: true
contexts:
- context:
    cluster: other
    user: token-user
    namespace: kube-system
  name: other-ctx
- context:
    cluster: other
    user: exec-user
  name: exec-ctx
current-context: other-ctx
extensions:
- name: my-tool
  extension:
    keep: [1, 2, 3]
x-unknown-field: keep me
'@
    }

    It 'keeps every foreign cluster, user, context, preference and extension exactly as kubectl read them' {
        $path = Join-Path $Work 'merge.kubeconfig'
        Set-Content -Path $path -Value $Foreign -NoNewline
        $before = KubectlJson $path
        $entry = $Cluster | Update-EksKubeconfig -Path $path
        $after = KubectlJson $path
        foreach ($list in 'clusters', 'users', 'contexts') {
            foreach ($item in $before[$list]) {
                $match = $after[$list] | Where-Object { $_.name -eq $item.name }
                ($match | ConvertTo-Json -Depth 20 -Compress) | Should -Be ($item | ConvertTo-Json -Depth 20 -Compress)
            }
        }
        ($after.preferences | ConvertTo-Json -Depth 20 -Compress) | Should -Be ($before.preferences | ConvertTo-Json -Depth 20 -Compress)
        ($after.extensions | ConvertTo-Json -Depth 20 -Compress) | Should -Be ($before.extensions | ConvertTo-Json -Depth 20 -Compress)
        Get-Content -Raw $path | Should -Match 'x-unknown-field: keep me'
        $after['current-context'] | Should -Be 'other-ctx'
        $entry.IsCurrentContext | Should -BeFalse
    }

    It 'writes the cluster, an exec user running the module''s helper, and a context named by the cluster ARN' {
        $path = Join-Path $Work 'fresh.kubeconfig'
        $entry = Update-EksKubeconfig -ClusterName authdemo -Path $path -ProfileName default -RoleArn 'arn:aws:iam::123456789012:role/eks-admins'
        $entry.PSObject.TypeNames[0] | Should -Be 'EksModule.Types.EksKubeconfigEntry'
        $entry.ContextName | Should -Be $Cluster.Arn
        $entry.Server | Should -Be $Cluster.Endpoint
        $entry.IsCurrentContext | Should -BeTrue
        $config = KubectlJson $path
        $config['current-context'] | Should -Be $Cluster.Arn
        $written = ($config.clusters | Where-Object name -eq $Cluster.Arn).cluster
        $written.server | Should -Be $Cluster.Endpoint
        $written['certificate-authority-data'] | Should -Be $Cluster.CertificateAuthority.Data
        $exec = ($config.users | Where-Object name -eq $Cluster.Arn).user.exec
        $exec.command | Should -Be $Helper
        $exec.apiVersion | Should -Be 'client.authentication.k8s.io/v1beta1'
        $exec.args | Should -Be @('token', '--cluster-name', 'authdemo', '--region', 'us-east-1', '--role-arn', 'arn:aws:iam::123456789012:role/eks-admins')
        $exec.env[0].name | Should -Be 'AWS_PROFILE'
        $exec.env[0].value | Should -Be 'default'
        $exec.interactiveMode | Should -Be 'Never'
    }

    It 'is accepted by kubectl: get-contexts and view --minify' {
        $path = Join-Path $Work 'kubectl.kubeconfig'
        Set-Content -Path $path -Value $Foreign -NoNewline
        $null = Update-EksKubeconfig -ClusterName authdemo -Path $path -Alias demo -UserAlias demo-user
        $contexts = kubectl config get-contexts -o name --kubeconfig $path
        $LASTEXITCODE | Should -Be 0
        $contexts | Should -Contain 'demo'
        $contexts | Should -Contain 'other-ctx'
        $minified = kubectl config view --minify --raw -o json --context demo --kubeconfig $path | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $minified.clusters[0].name | Should -Be $Cluster.Arn
        $minified.users[0].name | Should -Be 'demo-user'
    }

    It 'kubectl runs the helper for credentials (the exec plugin succeeds; only the connection fails here)' {
        $path = Join-Path $Work 'exec.kubeconfig'
        $null = Update-EksKubeconfig -ClusterName authdemo -Path $path
        $port = Get-FreeTcpPort
        $out = kubectl --kubeconfig $path --server "https://127.0.0.1:$port" --request-timeout 5s get --raw /version 2>&1 | Out-String
        $LASTEXITCODE | Should -Not -Be 0
        $out | Should -Not -Match 'getting credentials|exec plugin'
        $out | Should -Match 'refused'
    }

    It 'kubectl get namespaces works against the emulated kube-apiserver through the helper' {
        $path = Join-Path $Work 'e2e.kubeconfig'
        $null = Update-EksKubeconfig -ClusterName authdemo -Path $path
        # AWS_ENDPOINT_URL stays set: the helper signs for the real STS host regardless, as the cluster requires.
        $result = Start-TestToolProcess -FilePath 'kubectl' -ArgumentList @('--kubeconfig', $path, 'get', 'namespaces', '-o', 'name')
        $result.Error | Should -BeNullOrEmpty
        $result.ExitCode | Should -Be 0
        $result.Output | Should -Match 'namespace/default'
        $version = Start-TestToolProcess -FilePath 'kubectl' -ArgumentList @('--kubeconfig', $path, 'get', '--raw', '/version')
        $version.ExitCode | Should -Be 0
    }

    It 'writes atomically with mode 0600 on Unix and leaves no temporary file' -Skip:$IsWindows {
        $path = Join-Path $Work 'mode.kubeconfig'
        Set-Content -Path $path -Value $Foreign
        [IO.File]::SetUnixFileMode($path, [IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')
        $null = Update-EksKubeconfig -ClusterName authdemo -Path $path
        [IO.File]::GetUnixFileMode($path) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        @(Get-ChildItem -Force $Work -Filter '.mode.kubeconfig*') | Should -BeNullOrEmpty
    }

    It 'running it again changes nothing' {
        $path = Join-Path $Work 'again.kubeconfig'
        $null = Update-EksKubeconfig -ClusterName authdemo -Path $path
        $first = Get-Content -Raw $path
        $null = Update-EksKubeconfig -ClusterName authdemo -Path $path
        Get-Content -Raw $path | Should -BeExactly $first
    }

    It '-SetCurrentContext switches kubectl''s current context' {
        $path = Join-Path $Work 'current.kubeconfig'
        Set-Content -Path $path -Value $Foreign
        $null = Update-EksKubeconfig -ClusterName authdemo -Path $path -Alias demo -SetCurrentContext
        kubectl config current-context --kubeconfig $path | Should -Be 'demo'
    }

    It 'defaults to the first file of $env:KUBECONFIG' {
        $first = Join-Path $Work 'first.kubeconfig'
        $second = Join-Path $Work 'second.kubeconfig'
        $saved = $env:KUBECONFIG
        try {
            $env:KUBECONFIG = $first + [IO.Path]::PathSeparator + $second
            (Update-EksKubeconfig -ClusterName authdemo).Path | Should -Be $first
            $first | Should -Exist
            $second | Should -Not -Exist
        } finally { $env:KUBECONFIG = $saved }
    }

    It '-WhatIf prints the YAML, writes no file and sends no mutating request' {
        $path = Join-Path $Work 'whatif.kubeconfig'
        Clear-EmulatorRequest -Emulator $Emulator
        $shown = Invoke-ChildPwsh -Environment @{ AWS_ENDPOINT_URL = $Emulator.Url } -Script "Import-Module '$(Get-TestModulePath)/EksModule.psd1'; Update-EksKubeconfig -ClusterName authdemo -Path '$path' -WhatIf"
        ($shown -join "`n") | Should -Match 'What if: Create kubeconfig'
        ($shown -join "`n") | Should -Match ([regex]::Escape("command: $Helper"))
        $path | Should -Not -Exist
        @(Get-EmulatorRequest -Emulator $Emulator -Mutating) | Should -BeNullOrEmpty
    }

    It 'reports a missing cluster as ResourceNotFoundException and writes nothing' {
        $path = Join-Path $Work 'missing.kubeconfig'
        { Update-EksKubeconfig -ClusterName nosuch -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'ResourceNotFoundException*'
        $path | Should -Not -Exist
    }

    It 'refuses a file that is not a kubeconfig mapping with InvalidKubeconfig and leaves it untouched' {
        $path = Join-Path $Work 'broken.kubeconfig'
        Set-Content -Path $path -Value '- just a list'
        { Update-EksKubeconfig -ClusterName authdemo -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidKubeconfig*'
        Get-Content -Raw $path | Should -Be "- just a list$([Environment]::NewLine)"
    }
}

Describe 'New-EksCluster -UpdateKubeconfig' {
    It 'writes the new cluster to the default kubeconfig as the current context once it is ACTIVE' {
        $path = Join-Path $Work 'new-cluster.kubeconfig'
        $saved = $env:KUBECONFIG
        try {
            $env:KUBECONFIG = $path
            $created = New-EksCluster -Name authnew -AvailabilityZoneCount 2 -NatGateway None -UpdateKubeconfig
            kubectl config current-context --kubeconfig $path | Should -Be $created.Arn
        } finally { $env:KUBECONFIG = $saved }
    }
}
