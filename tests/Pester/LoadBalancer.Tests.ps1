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

Describe 'Remove-EksCluster with load balancers' {
    It 'previews, then deletes the load balancers its Services own before the cluster' {
        $null = New-EksCluster -Name gone -AvailabilityZoneCount 2 -NatGateway None
        $lb = New-EksLoadBalancer -ClusterName gone -Name web -Selector @{ app = 'web' } -Port 80
        $preview = Get-WhatIfText { Remove-EksCluster -Name gone -Force -WhatIf }
        $preview | Should -Match ([regex]::Escape($lb.LoadBalancerName))
        Remove-EksCluster -Name gone -Force
        Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $lb.LoadBalancerArn | Should -BeNullOrEmpty
    }

    It 'EKS itself leaves them behind: deleting the cluster through the API keeps its NLB (why Remove-EksCluster deletes them)' {
        $null = New-EksCluster -Name leaky -AvailabilityZoneCount 2 -NatGateway None
        $lb = New-EksLoadBalancer -ClusterName leaky -Name web -Selector @{ app = 'web' } -Port 80
        $null = AwsJson eks delete-cluster --name leaky
        Start-Sleep -Seconds 3
        (Get-V2LoadBalancer | Where-Object LoadBalancerArn -EQ $lb.LoadBalancerArn).LoadBalancerName | Should -Be $lb.LoadBalancerName
    }
}
