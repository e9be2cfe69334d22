# New-/Get-/Remove-EksLoadBalancer against the emulator, whose kube-apiserver acts as the cloud controllers:
# load balancers are checked in moto with awscli, Kubernetes objects through the cluster's API.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1
    Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
    function script:Get-V2LoadBalancer { @((AwsJson elbv2 describe-load-balancers).LoadBalancers) }
    # "What if:" lines go to the host, not to a stream: a transcript is what records them.
    function script:Get-WhatIfText([scriptblock] $Script) {
        $path = [IO.Path]::GetTempFileName()
        $null = Start-Transcript -Path $path -Force
        try { $null = & $Script } finally { $null = Stop-Transcript }
        try { Get-Content -Raw $path } finally { Remove-Item $path }
    }
    function script:Get-ClassicLoadBalancer { @((AwsJson elb describe-load-balancers).LoadBalancerDescriptions) }
    $null = New-EksCluster -Name lbc -AvailabilityZoneCount 2 -NatGateway None
    $script:ZoneId = (AwsJson route53 create-hosted-zone --name example.test --caller-reference ([guid]::NewGuid().ToString())).HostedZone.Id -replace '^/hostedzone/', ''
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Emulator | Stop-TestServer
}

Describe 'New-EksLoadBalancer' {
    It 'an NLB piped into Set-EksDnsRecord leaves an A alias to its DNS name and canonical zone' {
        $record = New-EksLoadBalancer -ClusterName lbc -Name web -Selector @{ app = 'web' } -Port 80 -Type Network | Set-EksDnsRecord -Name web.example.test
        $record.Type | Should -Be 'A'
        $nlb = Get-V2LoadBalancer | Where-Object LoadBalancerName -Match '^k8s-default-web-[0-9a-f]{10}$'
        $nlb.Type | Should -Be 'network'
        $nlb.Scheme | Should -Be 'internet-facing'
        $set = (AwsJson route53 list-resource-record-sets --hosted-zone-id $ZoneId).ResourceRecordSets | Where-Object { $_.Name -eq 'web.example.test.' -and $_.Type -eq 'A' }
        $set.AliasTarget.DNSName.TrimEnd('.') | Should -Be $nlb.DNSName
        $set.AliasTarget.HostedZoneId | Should -Be $nlb.CanonicalHostedZoneId
        $listeners = (AwsJson elbv2 describe-listeners --load-balancer-arn $nlb.LoadBalancerArn).Listeners
        @($listeners).Count | Should -Be 1
        $listeners[0].Port | Should -Be 80
    }

    It 'returns the load balancer object with its ARN, zone, listeners and region' {
        $script:Web = Get-EksLoadBalancer -ClusterName lbc -Name web
        $Web | Should -BeOfType 'EksModule.Types.EksLoadBalancer'
        $Web.Type | Should -Be 'Network'
        $Web.ServiceName | Should -Be 'web'
        # moto writes every ELBv2 ARN with loadbalancer/app/, so compare with what ELBv2 says rather than with AWS's net/ form.
        $Web.LoadBalancerArn | Should -Be (Get-V2LoadBalancer | Where-Object LoadBalancerName -EQ $Web.LoadBalancerName).LoadBalancerArn
        $Web.LoadBalancerName | Should -Match '^k8s-default-web-'
        $Web.CanonicalHostedZoneId | Should -Not -BeNullOrEmpty
        $Web.Listeners | Should -Be @('TCP:80')
        $Web.Region | Should -Be 'us-east-1'
        ($Web | Format-Table | Out-String) | Should -Match 'svc/default/web'
    }

    It 'a record made from a cluster''s load balancer is owned by the cluster''s ARN, and Remove-EksDnsRecord finds that owner from the alias' {
        $clusterArn = (Get-EksCluster -Name lbc).Arn
        $record = Get-EksDnsRecord -Name web.example.test -Type A
        $record.Owner | Should -Be $clusterArn
        $record.ManagedBy | Should -Be 'EksModule'
        # The account's default owner is another owner: a plain A record there is refused.
        { Set-EksDnsRecord -Name web.example.test -Type A -Value 192.0.2.1 -ErrorAction Stop } | Should -Throw -ErrorId 'RecordNotOwned*'
        (Get-EksLoadBalancer -ClusterName lbc -Name web | Set-EksDnsRecord -Name www.example.test).Owner | Should -Be $clusterArn
        Remove-EksDnsRecord -Name www.example.test -Type A -Confirm:$false -ErrorAction Stop
        (AwsJson route53 list-resource-record-sets --hosted-zone-id $ZoneId).ResourceRecordSets | Where-Object Name -like '*www.example.test.' | Should -BeNullOrEmpty
    }

    It 'a rerun converges: same load balancer, no AWS change' {
        Clear-EmulatorRequest -Emulator $Emulator
        $again = New-EksLoadBalancer -ClusterName lbc -Name web -Selector @{ app = 'web' } -Port 80 -Type Network
        $again.LoadBalancerArn | Should -Be $Web.LoadBalancerArn
        @(Get-EmulatorRequest -Emulator $Emulator -Mutating) | Should -BeNullOrEmpty
        @(Get-V2LoadBalancer | Where-Object LoadBalancerName -Match '^k8s-default-web-').Count | Should -Be 1
    }

    It 'Classic makes a Classic ELB named as the in-tree provider names them' {
        $classic = New-EksLoadBalancer -ClusterName lbc -Name legacy -Selector @{ app = 'legacy' } -Port 80, 8443 -Type Classic -Scheme Internal
        $classic.Type | Should -Be 'Classic'
        $elb = Get-ClassicLoadBalancer | Where-Object LoadBalancerName -EQ $classic.LoadBalancerArn
        $elb.LoadBalancerName | Should -Match '^a[0-9a-f]{31}$'
        $elb.Scheme | Should -Be 'internal'
        @($elb.ListenerDescriptions.Listener.LoadBalancerPort | Sort-Object) | Should -Be @(80, 8443)
    }

    It 'refuses to change an existing Service from Classic to Network, naming the leak' {
        $before = (Get-V2LoadBalancer).Count
        $err = { New-EksLoadBalancer -ClusterName lbc -Name legacy -Selector @{ app = 'legacy' } -Port 80 -Type Network -ErrorAction Stop } |
            Should -Throw -ErrorId 'LoadBalancerTypeChange*' -PassThru
        $err.ToString() | Should -Match 'Remove-EksLoadBalancer'
        (Get-V2LoadBalancer).Count | Should -Be $before
        (Get-EksLoadBalancer -ClusterName lbc -Name legacy).Type | Should -Be 'Classic'
    }

    It 'Application makes an ALB through an Ingress of class alb' {
        $alb = New-EksLoadBalancer -ClusterName lbc -Name shop -Selector @{ app = 'shop' } -Port 8080 -Type Application
        $alb.IngressName | Should -Be 'shop'
        $alb.Type | Should -Be 'Application'
        (Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $alb.LoadBalancerArn).Type | Should -Be 'application'
        $alb.Listeners | Should -Be @('HTTP:80')
    }

    It '-WhatIf describes the Service and sends no mutating request' {
        Clear-EmulatorRequest -Emulator $Emulator
        $before = (Get-V2LoadBalancer).Count
        $out = Get-WhatIfText { New-EksLoadBalancer -ClusterName lbc -Name preview -Selector @{ app = 'p' } -Port 80 -WhatIf }
        $out | Should -Match 'Create Service default/preview \(type LoadBalancer'
        $out | Should -Match 'aws-load-balancer-type: external'
        @(Get-EmulatorRequest -Emulator $Emulator -Mutating) | Should -BeNullOrEmpty
        Start-Sleep -Seconds 2
        Get-EksLoadBalancer -ClusterName lbc -Name preview | Should -BeNullOrEmpty
        (Get-V2LoadBalancer).Count | Should -Be $before
    }
}

Describe 'Get-EksLoadBalancer and Remove-EksLoadBalancer' {
    It 'lists every load balancer of the cluster' {
        $all = Get-EksLoadBalancer -ClusterName lbc
        @($all.Type | Sort-Object) | Should -Be @('Application', 'Classic', 'Network')
    }

    It 'Remove-EksLoadBalancer deletes the Service and waits until the NLB is gone' {
        Get-EksLoadBalancer -ClusterName lbc -Name web | Remove-EksLoadBalancer -Force
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $Web.LoadBalancerArn | Should -BeNullOrEmpty
        Get-EksLoadBalancer -ClusterName lbc -Name web | Should -BeNullOrEmpty
    }

    It 'Remove-EksLoadBalancer -WhatIf deletes nothing; without it the Ingress goes and the ALB with it' {
        $alb = Get-EksLoadBalancer -ClusterName lbc -Name shop
        $alb.IngressName | Should -Be 'shop'
        Clear-EmulatorRequest -Emulator $Emulator
        $preview = Get-WhatIfText { $alb | Remove-EksLoadBalancer -Force -WhatIf }
        $preview | Should -Match 'Delete Ingress default/shop'
        @(Get-EmulatorRequest -Emulator $Emulator -Mutating) | Should -BeNullOrEmpty
        (Get-EksLoadBalancer -ClusterName lbc -Name shop).State | Should -Be 'active'
        $alb | Remove-EksLoadBalancer -Force
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $alb.LoadBalancerArn | Should -BeNullOrEmpty
        Get-EksLoadBalancer -ClusterName lbc -Name shop | Should -BeNullOrEmpty
    }

    It '-KeepService turns a Classic Service back to ClusterIP and the ELB goes' {
        $classic = Get-EksLoadBalancer -ClusterName lbc -Name legacy
        Remove-EksLoadBalancer -ClusterName lbc -Name legacy -KeepService -Force
        Get-ClassicLoadBalancer | Where-Object LoadBalancerName -EQ $classic.LoadBalancerArn | Should -BeNullOrEmpty
    }
}

# What the module marks: a Service or Ingress it created carries eksmodule.io/managed-by=created; one it patched carries
# eksmodule.io/managed-by=patched and eksmodule.io/previous (what it changed, as it was). The other objects are the
# user's, made here with kubectl as a user (or Helm) would.
Describe 'Remove-EksLoadBalancer and Services or Ingresses the module did not create' {
    BeforeAll {
        $script:Kubeconfig = New-TestKubeconfig -ClusterName lbc -Emulator $Emulator
        function script:Invoke-Kubectl([string[]] $Arguments) {
            $result = Invoke-TestKubectl -Kubeconfig $Kubeconfig -ArgumentList $Arguments
            if ($result.ExitCode -ne 0) { throw "kubectl $Arguments failed: $($result.Error)" }
            $result.Output
        }
        function script:New-KubeObject([hashtable] $Object) {
            $path = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-object-$([guid]::NewGuid().ToString('n')).json"
            $Object | ConvertTo-Json -Depth 20 | Set-Content -Path $path
            try { $null = Invoke-Kubectl @('create', '-f', $path) } finally { Remove-Item $path }
        }
        # The object as kubectl sees it, or nothing when it does not exist.
        function script:Get-KubeObject([string] $Kind, [string] $Name) {
            $json = Invoke-Kubectl @('get', $Kind, $Name, '--ignore-not-found', '-o', 'json')
            if ($json) { $json | ConvertFrom-Json }
        }
        function script:Get-AnnotationName($Object) { @($Object.metadata.annotations.psobject.Properties.Name | Sort-Object) }
        function script:Wait-ActiveLoadBalancer([string] $Name) {
            $deadline = (Get-Date).AddSeconds(60)
            do {
                $lb = Get-EksLoadBalancer -ClusterName lbc -Name $Name
                if ($lb.State -eq 'active') { return $lb }
                Start-Sleep -Milliseconds 500
            } while ((Get-Date) -lt $deadline)
            throw "No active load balancer for '$Name' within 60 s."
        }
        $script:OwnAnnotations = @{ 'example.com/owner' = 'payments'; 'service.beta.kubernetes.io/aws-load-balancer-scheme' = 'internal' }
    }

    AfterAll { Remove-Item $Kubeconfig -ErrorAction SilentlyContinue }

    It 'New-EksLoadBalancer -ServiceName marks the Service it patches with its previous type and annotations' {
        New-KubeObject @{ apiVersion = 'v1'; kind = 'Service'
            metadata = @{ name = 'api'; namespace = 'default'; annotations = $OwnAnnotations }
            spec = @{ type = 'ClusterIP'; selector = @{ app = 'api' }; ports = @(@{ port = 80; protocol = 'TCP' }) } }
        $script:Api = New-EksLoadBalancer -ClusterName lbc -ServiceName api -Type Network
        $service = Get-KubeObject service api
        $service.spec.type | Should -Be 'LoadBalancer'
        $service.metadata.annotations.'service.beta.kubernetes.io/aws-load-balancer-scheme' | Should -Be 'internet-facing'
        $service.metadata.labels.'eksmodule.io/managed-by' | Should -Be 'patched'
        $previous = $service.metadata.annotations.'eksmodule.io/previous' | ConvertFrom-Json -AsHashtable
        $previous.spec.type | Should -Be 'ClusterIP'
        $previous.annotations['service.beta.kubernetes.io/aws-load-balancer-scheme'] | Should -Be 'internal'
        $previous.annotations.ContainsKey('service.beta.kubernetes.io/aws-load-balancer-type') | Should -BeTrue
        $previous.annotations['service.beta.kubernetes.io/aws-load-balancer-type'] | Should -BeNullOrEmpty
    }

    It 'Remove-EksLoadBalancer -WhatIf previews restoring the patched Service and changes nothing' {
        $before = Get-KubeObject service api
        $preview = Get-WhatIfText { Remove-EksLoadBalancer -ClusterName lbc -Name api -WhatIf }
        $preview | Should -Match 'Restore Service default/api'
        $preview | Should -Match 'type LoadBalancer -> ClusterIP'
        $preview | Should -Not -Match 'Delete Service'
        (Get-KubeObject service api).metadata.resourceVersion | Should -Be $before.metadata.resourceVersion
        (Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $Api.LoadBalancerArn).State.Code | Should -Be 'active'
    }

    It 'restores a Service it patched: type and annotations as they were, the NLB gone, the Service still there' {
        Remove-EksLoadBalancer -ClusterName lbc -Name api -Confirm:$false
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $Api.LoadBalancerArn | Should -BeNullOrEmpty
        $service = Get-KubeObject service api
        $service | Should -Not -BeNullOrEmpty
        $service.spec.type | Should -Be 'ClusterIP'
        $service.spec.selector.app | Should -Be 'api'
        Get-AnnotationName $service | Should -Be @('example.com/owner', 'service.beta.kubernetes.io/aws-load-balancer-scheme')
        $service.metadata.annotations.'service.beta.kubernetes.io/aws-load-balancer-scheme' | Should -Be 'internal'
        $service.metadata.labels.'eksmodule.io/managed-by' | Should -BeNullOrEmpty
        Get-EksLoadBalancer -ClusterName lbc -Name api | Should -BeNullOrEmpty
    }

    It 'refuses a Helm-managed LoadBalancer Service it never touched, naming it and Helm, and changes nothing' {
        New-KubeObject @{ apiVersion = 'v1'; kind = 'Service'
            metadata = @{ name = 'ingress-nginx-controller'; namespace = 'default'; labels = @{ 'app.kubernetes.io/managed-by' = 'Helm' }
                annotations = @{ 'service.beta.kubernetes.io/aws-load-balancer-type' = 'external'; 'service.beta.kubernetes.io/aws-load-balancer-scheme' = 'internet-facing' } }
            spec = @{ type = 'LoadBalancer'; selector = @{ app = 'ingress-nginx' }; ports = @(@{ name = 'http'; port = 80; protocol = 'TCP' }) } }
        $script:Nginx = Wait-ActiveLoadBalancer ingress-nginx-controller
        $before = Get-KubeObject service ingress-nginx-controller
        $err = { Remove-EksLoadBalancer -ClusterName lbc -Name ingress-nginx-controller -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'LoadBalancerNotOwned*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.TargetObject | Should -Be 'lbc/default/ingress-nginx-controller'
        $err.ToString() | Should -Match 'Service default/ingress-nginx-controller'
        $err.ToString() | Should -Match 'managed by Helm'
        $err.ToString() | Should -Match '-Force'
        { Remove-EksLoadBalancer -ClusterName lbc -Name ingress-nginx-controller -KeepService -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'LoadBalancerNotOwned*'
        { Remove-EksLoadBalancer -ClusterName lbc -Name ingress-nginx-controller -WhatIf -ErrorAction Stop } | Should -Throw -ErrorId 'LoadBalancerNotOwned*'
        (Get-KubeObject service ingress-nginx-controller).metadata.resourceVersion | Should -Be $before.metadata.resourceVersion
        (Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $Nginx.LoadBalancerArn).State.Code | Should -Be 'active'
    }

    It 'deletes that Service with -Force, and its NLB goes' {
        $preview = Get-WhatIfText { Remove-EksLoadBalancer -ClusterName lbc -Name ingress-nginx-controller -Force -WhatIf }
        $preview | Should -Match 'Delete Service default/ingress-nginx-controller.*not created by New-EksLoadBalancer.*managed by Helm'
        Remove-EksLoadBalancer -ClusterName lbc -Name ingress-nginx-controller -Force
        Get-KubeObject service ingress-nginx-controller | Should -BeNullOrEmpty
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $Nginx.LoadBalancerArn | Should -BeNullOrEmpty
    }

    It 'a Service it created is marked so and still deleted, without -Force' {
        $made = New-EksLoadBalancer -ClusterName lbc -Name made -Selector @{ app = 'made' } -Port 80
        (Get-KubeObject service made).metadata.labels.'eksmodule.io/managed-by' | Should -Be 'created'
        Remove-EksLoadBalancer -ClusterName lbc -Name made -Confirm:$false
        Get-KubeObject service made | Should -BeNullOrEmpty
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $made.LoadBalancerArn | Should -BeNullOrEmpty
    }

    It 'restores an Ingress it patched for an ALB, and the Service behind it; -WhatIf previews that' {
        New-KubeObject @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'portal'; namespace = 'default' }
            spec = @{ type = 'ClusterIP'; selector = @{ app = 'portal' }; ports = @(@{ port = 8080; protocol = 'TCP' }) } }
        New-KubeObject @{ apiVersion = 'networking.k8s.io/v1'; kind = 'Ingress'
            metadata = @{ name = 'portal'; namespace = 'default'; annotations = @{ 'example.com/owner' = 'web-team' } }
            spec = @{ rules = @(@{ http = @{ paths = @(@{ path = '/'; pathType = 'Prefix'; backend = @{ service = @{ name = 'portal'; port = @{ number = 8080 } } } }) } }) } }
        # -Name on an existing Service patches it too: instance targets need a NodePort Service.
        $alb = New-EksLoadBalancer -ClusterName lbc -Name portal -Selector @{ app = 'portal' } -Port 8080 -Type Application
        (Get-KubeObject ingress portal).metadata.labels.'eksmodule.io/managed-by' | Should -Be 'patched'
        $service = Get-KubeObject service portal
        $service.spec.type | Should -Be 'NodePort'
        $service.metadata.labels.'eksmodule.io/managed-by' | Should -Be 'patched'

        $before = Get-KubeObject ingress portal
        $preview = Get-WhatIfText { $alb | Remove-EksLoadBalancer -WhatIf }
        $preview | Should -Match 'Restore Ingress default/portal'
        $preview | Should -Match 'restore Service default/portal \(type NodePort -> ClusterIP'
        $preview | Should -Not -Match 'Delete Ingress'
        (Get-KubeObject ingress portal).metadata.resourceVersion | Should -Be $before.metadata.resourceVersion

        $alb | Remove-EksLoadBalancer -Confirm:$false
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $alb.LoadBalancerArn | Should -BeNullOrEmpty
        $ingress = Get-KubeObject ingress portal
        $ingress | Should -Not -BeNullOrEmpty
        $ingress.spec.ingressClassName | Should -BeNullOrEmpty
        Get-AnnotationName $ingress | Should -Be @('example.com/owner')
        $ingress.metadata.labels.'eksmodule.io/managed-by' | Should -BeNullOrEmpty
        $service = Get-KubeObject service portal
        $service.spec.type | Should -Be 'ClusterIP'
        $service.metadata.labels.'eksmodule.io/managed-by' | Should -BeNullOrEmpty
        Get-AnnotationName $service | Should -Be @()
    }

    It 'refuses an alb Ingress it never touched unless -Force' {
        New-KubeObject @{ apiVersion = 'networking.k8s.io/v1'; kind = 'Ingress'
            metadata = @{ name = 'grafana'; namespace = 'default'; labels = @{ 'app.kubernetes.io/managed-by' = 'Helm' } }
            spec = @{ ingressClassName = 'alb'; rules = @(@{ http = @{ paths = @(@{ path = '/'; pathType = 'Prefix'; backend = @{ service = @{ name = 'portal'; port = @{ number = 8080 } } } }) } }) } }
        $grafana = Wait-ActiveLoadBalancer grafana
        $err = { $grafana | Remove-EksLoadBalancer -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'LoadBalancerNotOwned*' -PassThru
        $err.ToString() | Should -Match 'Ingress default/grafana.*managed by Helm'
        Get-KubeObject ingress grafana | Should -Not -BeNullOrEmpty
        $grafana | Remove-EksLoadBalancer -Force
        Get-KubeObject ingress grafana | Should -BeNullOrEmpty
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $grafana.LoadBalancerArn | Should -BeNullOrEmpty
    }
}

Describe 'Remove-EksCluster with load balancers' {
    It 'previews, then deletes the load balancers its Services own before the cluster' {
        $null = New-EksCluster -Name gone -AvailabilityZoneCount 2 -NatGateway None
        $lb = New-EksLoadBalancer -ClusterName gone -Name web -Selector @{ app = 'web' } -Port 80
        # One the module never touched goes too: deleting its Service is what makes the controller delete its load balancer.
        $kubeconfig = New-TestKubeconfig -ClusterName gone -Emulator $Emulator
        $path = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-object-$([guid]::NewGuid().ToString('n')).json"
        @{ apiVersion = 'v1'; kind = 'Service'
            metadata = @{ name = 'helm-lb'; namespace = 'default'; labels = @{ 'app.kubernetes.io/managed-by' = 'Helm' }; annotations = @{ 'service.beta.kubernetes.io/aws-load-balancer-type' = 'external' } }
            spec = @{ type = 'LoadBalancer'; selector = @{ app = 'helm' }; ports = @(@{ port = 80; protocol = 'TCP' }) } } | ConvertTo-Json -Depth 20 | Set-Content -Path $path
        try { (Invoke-TestKubectl -Kubeconfig $kubeconfig -ArgumentList @('create', '-f', $path)).ExitCode | Should -Be 0 } finally { Remove-Item $path, $kubeconfig }
        $deadline = (Get-Date).AddSeconds(60)
        while (-not ($helm = Get-EksLoadBalancer -ClusterName gone -Name helm-lb | Where-Object State -EQ 'active') -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
        $helm | Should -Not -BeNullOrEmpty
        $preview = Get-WhatIfText { Remove-EksCluster -Name gone -Force -WhatIf }
        $preview | Should -Match ([regex]::Escape($lb.LoadBalancerName))
        $preview | Should -Match ([regex]::Escape($helm.LoadBalancerName))
        Remove-EksCluster -Name gone -Force
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $lb.LoadBalancerArn | Should -BeNullOrEmpty
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $helm.LoadBalancerArn | Should -BeNullOrEmpty
    }

    It 'EKS itself leaves them behind: deleting the cluster through the API keeps its NLB (why Remove-EksCluster deletes them)' {
        $null = New-EksCluster -Name leaky -AvailabilityZoneCount 2 -NatGateway None
        $lb = New-EksLoadBalancer -ClusterName leaky -Name web -Selector @{ app = 'web' } -Port 80
        $null = AwsJson eks delete-cluster --name leaky
        Start-Sleep -Seconds 3
        (Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $lb.LoadBalancerArn).LoadBalancerName | Should -Be $lb.LoadBalancerName
    }
}
