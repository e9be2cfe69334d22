# Control plane log retention against plain moto, checked with awscli.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Moto = Start-TestMoto
    Set-TestAwsEnvironment -EndpointUrl $Moto.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force

    function script:LogGroup([string] $Name) {
        (AwsJson logs describe-log-groups --log-group-name-prefix $Name).logGroups | Where-Object logGroupName -eq $Name
    }
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Moto | Stop-TestServer
}

Describe 'Set-EksLogRetention' {
    It 'creates the absent log group with the retention' {
        $result = Set-EksLogRetention -ClusterName logs1 -RetentionDays 30
        $result | Should -BeOfType 'EksModule.Types.EksLogGroup'
        $result.LogGroupName | Should -Be '/aws/eks/logs1/cluster'
        (LogGroup '/aws/eks/logs1/cluster').retentionInDays | Should -Be 30
    }

    It 'changes the retention of an existing group' {
        $null = Invoke-Aws logs create-log-group --log-group-name /aws/eks/logs2/cluster
        Set-EksLogRetention -ClusterName logs2 -RetentionDays 365 | Out-Null
        (LogGroup '/aws/eks/logs2/cluster').retentionInDays | Should -Be 365
    }

    It 'refuses a day count CloudWatch Logs does not accept, before any request' {
        { Set-EksLogRetention -ClusterName logs3 -RetentionDays 10 } | Should -Throw -ErrorId 'InvalidRetentionDays*'
        LogGroup '/aws/eks/logs3/cluster' | Should -BeNullOrEmpty
    }

    It '-WhatIf creates nothing' {
        Set-EksLogRetention -ClusterName logs4 -RetentionDays 7 -WhatIf
        LogGroup '/aws/eks/logs4/cluster' | Should -BeNullOrEmpty
    }
}

Describe 'Get-EksApiEvent against the emulator''s CloudTrail event history' {
    # moto 5.2.1 has no CloudTrail LookupEvents; the emulator records the EKS calls it serves as CloudTrail does and
    # answers LookupEvents from them. awscli reads the same history, as a peer that parses CloudTrail's wire format.
    BeforeAll {
        $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1 -UpdateSeconds 1
        $script:E = $Emulator.Url
        function script:Trail { param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments) aws --endpoint-url $E cloudtrail lookup-events @Arguments --output json 2>&1 }

        # An IAM user of its own, so the events name a caller that is not the test's default key.
        $null = aws --endpoint-url $E iam create-user --user-name auditor
        $key = (aws --endpoint-url $E iam create-access-key --user-name auditor --output json | ConvertFrom-Json).AccessKey
        $script:Auditor = @{ AccessKey = $key.AccessKeyId; SecretKey = $key.SecretAccessKey; EndpointUrl = $E }
        $script:Before = [datetime]::UtcNow.AddSeconds(-1)
        $script:Audited = New-EksCluster -Name audited -AvailabilityZoneCount 2 -NatGateway None -Addon @() @Auditor
        $script:AfterCreate = [datetime]::UtcNow.AddSeconds(1)
        $null = New-EksCluster -Name other -SubnetId $Audited.SubnetIds -RoleArn $Audited.RoleArn -Addon @() -EndpointUrl $E
    }

    AfterAll {
        $Emulator | Stop-TestServer
    }

    It 'returns the CreateCluster event with the caller''s user name and the request EKS received' {
        $created = @(Get-EksApiEvent -ClusterName audited -EventName CreateCluster -EndpointUrl $E)
        $created | Should -HaveCount 1
        $created[0].PSTypeNames | Should -Contain 'EksModule.Types.EksApiEvent'
        $created[0].Username | Should -Be 'auditor'
        $created[0].ReadOnly | Should -BeFalse
        $created[0].ClusterName | Should -Be 'audited'
        $created[0].SourceIpAddress | Should -Be '127.0.0.1'
        $created[0].EventTime | Should -BeGreaterOrEqual $Before
        $created[0].EventTime | Should -BeLessOrEqual $AfterCreate
        $record = $created[0].CloudTrailEvent | ConvertFrom-Json
        $record.eventSource | Should -Be 'eks.amazonaws.com'
        $record.eventName | Should -Be 'CreateCluster'
        $record.eventType | Should -Be 'AwsApiCall'
        $record.userIdentity.type | Should -Be 'IAMUser'
        $record.userIdentity.userName | Should -Be 'auditor'
        $record.userIdentity.accessKeyId | Should -Be $Auditor.AccessKey
        $record.requestParameters.name | Should -Be 'audited'
        $record.requestParameters.bootstrapSelfManagedAddons | Should -BeFalse
        $record.responseElements.cluster.status | Should -Be 'CREATING'
        $record.eventID | Should -Be $created[0].EventId
    }

    It 'keeps other clusters'' events out, and filters by operation, time and count' {
        $about = Get-EksApiEvent -ClusterName audited -EndpointUrl $E | ForEach-Object { ($_.CloudTrailEvent | ConvertFrom-Json).requestParameters } |
            ForEach-Object { if ($_.PSObject.Properties['clusterName']) { $_.clusterName } else { $_.name } }
        $about | Sort-Object -Unique | Should -Be 'audited'
        @(Get-EksApiEvent -ClusterName other -EventName CreateCluster -EndpointUrl $E) | Should -HaveCount 1
        @(Get-EksApiEvent -ClusterName other -EndpointUrl $E | Where-Object Username -eq 'auditor') | Should -BeNullOrEmpty
        $reads = @(Get-EksApiEvent -ClusterName audited -EventName DescribeCluster -EndpointUrl $E)
        $reads.Count | Should -BeGreaterThan 0
        $reads.EventName | Sort-Object -Unique | Should -Be 'DescribeCluster'
        $reads.ReadOnly | Sort-Object -Unique | Should -Be $true
        @(Get-EksApiEvent -ClusterName audited -StartTime $AfterCreate -EndpointUrl $E).EventName | Should -Not -Contain 'CreateCluster'
        @(Get-EksApiEvent -ClusterName audited -EndTime $Before -EndpointUrl $E) | Should -BeNullOrEmpty
        @(Get-EksApiEvent -ClusterName audited -MaxEvents 2 -EndpointUrl $E) | Should -HaveCount 2
    }

    It 'pages through more than 50 events, newest first, with read requests only' {
        1..55 | ForEach-Object { $null = Get-EksCluster -Name audited -EndpointUrl $E }
        Clear-EmulatorRequest -Emulator $Emulator
        $all = @(Get-EksApiEvent -ClusterName audited -EndpointUrl $E)
        $all.Count | Should -BeGreaterThan 56
        # Oldest first at the end: New-EksCluster's look for an existing cluster (refused, and recorded so), then CreateCluster.
        $all[-1].EventName | Should -Be 'DescribeCluster'
        ($all[-1].CloudTrailEvent | ConvertFrom-Json).errorCode | Should -Be 'ResourceNotFoundException'
        $all[-2].EventName | Should -Be 'CreateCluster'
        $times = $all.EventTime
        ($times | Sort-Object -Descending) -join ',' | Should -Be ($times -join ',')
        $lookups = @(Get-EmulatorRequest -Emulator $Emulator | Where-Object operation -eq 'LookupEvents')
        $lookups.Count | Should -BeGreaterOrEqual 2
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It 'awscli reads the same history: lookup attributes, paging and CloudTrail''s errors' {
        $byUser = (Trail --lookup-attributes 'AttributeKey=Username,AttributeValue=auditor' | ConvertFrom-Json).Events
        $byUser.EventName | Should -Contain 'CreateCluster'
        $byUser.Username | Sort-Object -Unique | Should -Be 'auditor'
        ($byUser | Where-Object EventName -eq 'CreateCluster').Resources.ResourceName | Should -Contain 'audited'
        $byName = (Trail --lookup-attributes 'AttributeKey=ResourceName,AttributeValue=other' | ConvertFrom-Json).Events
        $byName.EventName | Should -Contain 'CreateCluster'
        (Trail --lookup-attributes 'AttributeKey=ReadOnly,AttributeValue=false' | ConvertFrom-Json).Events.ReadOnly | Sort-Object -Unique | Should -Be 'false'

        $page = Trail --no-paginate --max-results 5 | ConvertFrom-Json
        $page.Events | Should -HaveCount 5
        $next = Trail --no-paginate --max-results 5 --next-token $page.NextToken | ConvertFrom-Json
        $next.Events | Should -HaveCount 5
        $next.Events.EventId | Should -Not -Contain $page.Events[0].EventId

        "$(Trail --lookup-attributes 'AttributeKey=Username,AttributeValue=auditor' 'AttributeKey=EventName,AttributeValue=CreateCluster')" | Should -Match 'InvalidLookupAttributesException'
        "$(Trail --lookup-attributes 'AttributeKey=Colour,AttributeValue=blue')" | Should -Match 'InvalidLookupAttributesException'
        "$(Trail --start-time 2026-01-02 --end-time 2026-01-01)" | Should -Match 'InvalidTimeRangeException'
        "$(Trail --no-paginate --max-results 51)" | Should -Match 'InvalidMaxResultsException'
        "$(Trail --no-paginate --next-token not-a-token)" | Should -Match 'InvalidNextTokenException'
        "$(Trail --no-paginate --next-token $page.NextToken --lookup-attributes 'AttributeKey=ReadOnly,AttributeValue=true')" | Should -Match 'InvalidNextTokenException'
    }

    It 'refuses -StartTime after -EndTime before any request' {
        Clear-EmulatorRequest -Emulator $Emulator
        { Get-EksApiEvent -ClusterName demo -StartTime (Get-Date) -EndTime (Get-Date).AddDays(-1) -EndpointUrl $E } | Should -Throw -ErrorId 'InvalidTimeRange*'
        @(Get-EmulatorRequest -Emulator $Emulator).Count | Should -Be 0
    }
}
