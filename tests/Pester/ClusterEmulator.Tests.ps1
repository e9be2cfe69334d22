# Cluster cmdlets against the EKS emulator: real lifecycles, the request log and injected faults.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-TestEmulator -CreateSeconds 3 -DeleteSeconds 2
    Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Emulator | Stop-TestServer
}

Describe '-WhatIf changes nothing' {
    It 'New-EksCluster -WhatIf describes every step and sends only read requests' {
        Clear-EmulatorRequest -Emulator $Emulator
        $whatIf = New-EksCluster -Name preview -AvailabilityZoneCount 3 -WhatIf 6>&1 | Out-String
        $requests = Get-EmulatorRequest -Emulator $Emulator
        $requests.Count | Should -BeGreaterThan 0
        @($requests | Where-Object mutating) | Should -BeNullOrEmpty
        (AwsJson eks list-clusters).clusters | Should -Not -Contain 'preview'
    }

    It 'Remove-EksCluster -WhatIf -IncludeNetwork previews the cluster, network and role and deletes nothing' {
        $null = New-EksCluster -Name keep -AvailabilityZoneCount 2 -NatGateway None
        Clear-EmulatorRequest -Emulator $Emulator
        Remove-EksCluster -Name keep -IncludeNetwork -Force -WhatIf
        @(Get-EmulatorRequest -Emulator $Emulator | Where-Object mutating) | Should -BeNullOrEmpty
        (AwsJson eks describe-cluster --name keep).cluster.status | Should -Be 'ACTIVE'
    }
}

Describe 'Lifecycle' {
    It '-NoWait returns the cluster while it is CREATING; Wait-EksCluster returns it ACTIVE' {
        $cluster = New-EksCluster -Name life -AvailabilityZoneCount 2 -NatGateway None -NoWait
        $cluster.Status | Should -Be 'CREATING'
        (Wait-EksCluster -Name life -Timeout 120).Status | Should -Be 'ACTIVE'
    }

    It 'Wait-EksCluster gives up with WaitTimeout after -Timeout' {
        Set-EmulatorTiming -Emulator $Emulator -CreateSeconds 60
        try {
            $null = New-EksCluster -Name slow -AvailabilityZoneCount 2 -NatGateway None -NoWait
            $err = { Wait-EksCluster -Name slow -Timeout 2 -ErrorAction Stop } | Should -Throw -ErrorId 'WaitTimeout*' -PassThru
            $err.ToString() | Should -Match 'still CREATING'
        } finally { Set-EmulatorTiming -Emulator $Emulator -CreateSeconds 3 }
    }

    It 'Ctrl+C (StopProcessing) stops a long wait promptly' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Get-TestModulePath)/EksModule.psd1'; Wait-EksCluster -Name slow -Timeout 600")
        $handle = $ps.BeginInvoke()
        Start-Sleep -Seconds 3
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $watch.Stop()
        $handle.IsCompleted | Should -BeTrue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $ps.Dispose()
    }

    It 'retries through throttling and a server error on CreateCluster' {
        Add-EmulatorFault -Emulator $Emulator -Service eks -Operation CreateCluster -Kind throttle -Count 2
        Add-EmulatorFault -Emulator $Emulator -Service eks -Operation DescribeCluster -Kind http500 -Count 1
        (New-EksCluster -Name sturdy -AvailabilityZoneCount 2 -NatGateway None).Status | Should -Be 'ACTIVE'
        @(Get-EmulatorRequest -Emulator $Emulator | Where-Object { $_.operation -eq 'CreateCluster' }).Count | Should -BeGreaterOrEqual 3
    }

    It 'reports an AWS error with the AWS error code as ErrorId' {
        $err = { New-EksCluster -Name badrole -AvailabilityZoneCount 2 -NatGateway None -RoleArn 'arn:aws:iam::123456789012:role/none' -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidParameterException,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be 'badrole'
    }
}

Describe 'Remove-EksCluster with node groups' {
    BeforeAll {
        $script:c = New-EksCluster -Name withng -AvailabilityZoneCount 2 -NatGateway None
        $null = Invoke-Aws eks create-nodegroup --cluster-name withng --nodegroup-name web --subnets $c.SubnetIds[0] --node-role arn:aws:iam::123456789012:role/eks-withng-cluster
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        while ((Invoke-Aws eks describe-nodegroup --cluster-name withng --nodegroup-name web).nodegroup.status -ne 'ACTIVE') {
            if ([datetime]::UtcNow -gt $deadline) { throw 'The node group did not become ACTIVE within 30 s.' }
            Start-Sleep -Milliseconds 300
        }
    }

    It 'refuses without -Force and names the node groups' {
        $err = { Remove-EksCluster -Name withng -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ClusterHasNodegroups*' -PassThru
        $err.ToString() | Should -Match 'web'
        (AwsJson eks describe-cluster --name withng).cluster.status | Should -Be 'ACTIVE'
    }

    It 'with -Force deletes the node groups first, then the cluster, and waits until it is gone' {
        Remove-EksCluster -Name withng -Force
        { Invoke-Aws eks describe-cluster --name withng } | Should -Throw '*ResourceNotFoundException*'
        $ops = (Get-EmulatorRequest -Emulator $Emulator | Where-Object mutating).operation
        [array]::IndexOf($ops, 'DeleteNodegroup') | Should -BeLessThan ([array]::LastIndexOf($ops, 'DeleteCluster'))
    }
}

Describe 'Pipelines' {
    It 'resolves the region per piped object' {
        $rows = @(
            [pscustomobject]@{ Name = 'east'; Region = 'us-east-1' }
            [pscustomobject]@{ Name = 'west'; Region = 'us-west-2' }
        )
        $made = $rows | New-EksCluster -AvailabilityZoneCount 2 -NatGateway None
        ($made | Where-Object Name -eq 'west').Region | Should -Be 'us-west-2'
        (AwsJson eks list-clusters --region us-west-2).clusters | Should -Contain 'west'
        (AwsJson eks list-clusters --region us-west-2).clusters | Should -Not -Contain 'east'
    }
}

Describe 'Tab completion' {
    It 'completes -KubernetesVersion with the versions EKS supports, newest first' {
        $line = 'New-EksCluster -KubernetesVersion '
        $matches = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $matches | Should -Contain '1.35'
        $matches[0] | Should -Be '1.35'
    }

    It 'completes -Region from the regions the SDK knows' {
        $line = 'Get-EksCluster -Region eu-we'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'eu-west-1'
    }

    It 'completes cluster names from the region in use' {
        $line = 'Get-EksCluster -Name ke'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('keep')
    }
}
