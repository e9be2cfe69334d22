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

Describe 'Get-EksApiEvent' {
    # moto 5.2.1 has no CloudTrail LookupEvents, so the events themselves are covered by xunit (MonitoringTests);
    # here the emulator's request log shows what the command sends.
    BeforeAll {
        $script:Emulator = Start-TestEmulator
    }

    AfterAll {
        $Emulator | Stop-TestServer
    }

    It 'sends CloudTrail LookupEvents and nothing that changes anything' {
        Clear-EmulatorRequest -Emulator $Emulator
        Get-EksApiEvent -ClusterName demo -MaxEvents 5 -EndpointUrl $Emulator.Url -ErrorAction SilentlyContinue | Out-Null
        $sent = @(Get-EmulatorRequest -Emulator $Emulator)
        ($sent | Where-Object Operation -eq 'LookupEvents').Count | Should -BeGreaterOrEqual 1
        @(Get-EmulatorRequest -Mutating -Emulator $Emulator).Count | Should -Be 0
    }

    It 'refuses -StartTime after -EndTime before any request' {
        Clear-EmulatorRequest -Emulator $Emulator
        { Get-EksApiEvent -ClusterName demo -StartTime (Get-Date) -EndTime (Get-Date).AddDays(-1) -EndpointUrl $Emulator.Url } | Should -Throw -ErrorId 'InvalidTimeRange*'
        @(Get-EmulatorRequest -Emulator $Emulator).Count | Should -Be 0
    }
}
