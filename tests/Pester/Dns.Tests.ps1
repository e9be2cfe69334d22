# Set-/Get-/Remove-EksDnsRecord: against plain moto (checked with awscli), and through the emulator's
# front door, whose request log shows how many change calls were made and that -WhatIf changes nothing.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    function script:New-TestZone([string] $Name, [switch] $Private, [string] $VpcId) {
        $arguments = @('route53', 'create-hosted-zone', '--name', $Name, '--caller-reference', [guid]::NewGuid().ToString())
        if ($Private) { $arguments += @('--vpc', "VPCRegion=us-east-1,VPCId=$VpcId", '--hosted-zone-config', 'PrivateZone=true') }
        (AwsJson @arguments).HostedZone.Id -replace '^/hostedzone/', ''
    }
    function script:Get-TestRecordSet([string] $ZoneId) { (AwsJson route53 list-resource-record-sets --hosted-zone-id $ZoneId).ResourceRecordSets }
    # Another team's record, made with awscli as they would: no EksModule mark.
    function script:Add-ForeignRecord([string] $ZoneId, [string] $Name, [string] $Type, [string] $Value) {
        $batch = @{ Changes = @(@{ Action = 'CREATE'; ResourceRecordSet = @{ Name = $Name; Type = $Type; TTL = 300; ResourceRecords = @(@{ Value = $Value }) } }) } | ConvertTo-Json -Depth 6 -Compress
        $null = AwsJson route53 change-resource-record-sets --hosted-zone-id $ZoneId --change-batch $batch
    }
    function script:Get-TestRecordValue([string] $ZoneId, [string] $Name, [string] $Type) {
        (Get-TestRecordSet $ZoneId | Where-Object { $_.Name -eq "$Name." -and $_.Type -eq $Type }).ResourceRecords.Value
    }
}

Describe 'Set-EksDnsRecord against plain moto' {
    BeforeAll {
        $script:Moto = Start-TestMoto
        Set-TestAwsEnvironment -EndpointUrl $Moto.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        $vpc = (AwsJson ec2 create-vpc --cidr-block 10.0.0.0/16).Vpc.VpcId
        $subnetA = (AwsJson ec2 create-subnet --vpc-id $vpc --cidr-block 10.0.1.0/24 --availability-zone us-east-1a).Subnet.SubnetId
        $subnetB = (AwsJson ec2 create-subnet --vpc-id $vpc --cidr-block 10.0.2.0/24 --availability-zone us-east-1b).Subnet.SubnetId
        $script:Nlb = (AwsJson elbv2 create-load-balancer --name app-nlb --type network --subnets $subnetA $subnetB).LoadBalancers[0]
        $script:ZoneId = New-TestZone -Name example.test
        $script:SubZoneId = New-TestZone -Name sub.example.test
        $script:PrivateZoneId = New-TestZone -Name example.test -Private -VpcId $vpc
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Moto | Stop-TestServer
    }

    It 'writes an A alias to an NLB given by ARN, with the DNS name and canonical zone from ELBv2' {
        $record = Set-EksDnsRecord -Name app.example.test -LoadBalancerArn $Nlb.LoadBalancerArn
        $record | Should -BeOfType 'EksModule.Types.EksDnsRecord'
        $record.Type | Should -Be 'A'
        $record.Status | Should -Be 'INSYNC'
        $record.HostedZoneId | Should -Be $ZoneId
        $set = Get-TestRecordSet $ZoneId | Where-Object { $_.Name -eq 'app.example.test.' -and $_.Type -eq 'A' }
        $set.AliasTarget.DNSName.TrimEnd('.') | Should -Be $Nlb.DNSName
        $set.AliasTarget.HostedZoneId | Should -Be $Nlb.CanonicalHostedZoneId
    }

    It 'picks the zone with the longest matching suffix, and the private zone only with -PrivateZone' {
        (Set-EksDnsRecord -Name www.sub.example.test -Type CNAME -Value app.example.test).HostedZoneId | Should -Be $SubZoneId
        (Set-EksDnsRecord -Name db.example.test -Type A -Value 10.0.1.5 -PrivateZone).HostedZoneId | Should -Be $PrivateZoneId
        Get-TestRecordSet $ZoneId | Where-Object Name -eq 'db.example.test.' | Should -BeNullOrEmpty
    }

    It 'converges: a rerun with the same values sends nothing and reports Action None' {
        $again = Set-EksDnsRecord -Name app.example.test -LoadBalancerArn $Nlb.LoadBalancerArn
        $again.Action | Should -Be 'None'
        $again.ChangeId | Should -BeNullOrEmpty
    }

    It 'updates an existing record with UPSERT and reports the previous value' {
        $null = Set-EksDnsRecord -Name txt.example.test -Type TXT -Value 'v=one'
        $updated = Set-EksDnsRecord -Name txt.example.test -Type TXT -Value 'v=two' -TTL 60
        $updated.Action | Should -Be 'UPSERT'
        $updated.PreviousValue | Should -Match 'v=one'
        (Get-TestRecordSet $ZoneId | Where-Object Name -eq 'txt.example.test.').ResourceRecords.Value | Should -Be '"v=two"'
    }

    It 'Get-EksDnsRecord filters by wildcard name and type; Remove-EksDnsRecord deletes the exact record' {
        $found = Get-EksDnsRecord -Name '*.example.test' -Type A
        $found.Name | Should -Contain 'app.example.test'
        $found.Type | Sort-Object -Unique | Should -Be 'A'
        Get-EksDnsRecord -Name txt.example.test -Type TXT | Remove-EksDnsRecord -Force
        Get-TestRecordSet $ZoneId | Where-Object Name -eq 'txt.example.test.' | Should -BeNullOrEmpty
    }

    It 'formats as a table with name, type and target' {
        $text = Get-EksDnsRecord -Name app.example.test | Format-Table | Out-String
        $text | Should -Match 'app\.example\.test\s+A'
        $text | Should -Match 'ALIAS'
    }

    It 'says which zone is missing, with an ErrorId' {
        { Set-EksDnsRecord -Name web.nowhere.test -Type A -Value 192.0.2.1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'NoSuchHostedZone*'
    }

    It 'reports an unknown load balancer as LoadBalancerNotFound' {
        { Set-EksDnsRecord -Name x.example.test -LoadBalancerArn 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/none/0000000000000000' -ErrorAction Stop } |
            Should -Throw -ErrorId 'LoadBalancerNotFound*'
    }
}

Describe 'Set-EksDnsRecord through the emulator (request log)' {
    BeforeAll {
        $script:Emulator = Start-TestEmulator
        Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        $script:ZoneId = New-TestZone -Name bulk.test
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Emulator | Stop-TestServer
        $Emulator.Moto | Stop-TestServer
    }

    It 'sends 2,500 piped CNAME records with their ownership marks in at most 7 change calls, and all arrive' {
        Clear-EmulatorRequest
        $records = 1..2500 | ForEach-Object { [pscustomobject]@{ Name = "host$_.bulk.test"; Type = 'CNAME'; Value = "target$_.example.net"; TTL = 60 } }
        $written = $records | Set-EksDnsRecord
        $written.Count | Should -Be 2500
        $changes = @(Get-EmulatorRequest -Mutating | Where-Object operation -eq 'ChangeResourceRecordSets')
        # Each record travels with its mark (TXT, about 67 value characters): 2 ResourceRecord elements and about
        # 89 value characters a pair, so Route 53's 32,000-character limit allows about 359 pairs a request: 7.
        $changes.Count | Should -BeLessOrEqual 7
        $changes.Count | Should -BeGreaterThan 0
        $sets = Get-TestRecordSet $ZoneId
        $cnames = @($sets | Where-Object Type -eq 'CNAME')
        $cnames.Count | Should -Be 2500
        @($sets | Where-Object { $_.Type -eq 'TXT' -and $_.Name -like '_eksmodule-cname.host*' }).Count | Should -Be 2500
        ($cnames | Where-Object Name -eq 'host1234.bulk.test.').ResourceRecords.Value | Should -Be 'target1234.example.net'
    }

    It '-WhatIf shows current and new values per record and sends no mutating request' {
        Clear-EmulatorRequest
        # "What if:" lines go to the host, not to a stream: read them from a child pwsh's standard output.
        $module = Join-Path (Get-TestModulePath) 'EksModule.psd1'
        $output = Invoke-ChildPwsh -Script "Import-Module '$module'; Set-EksDnsRecord -Name host1.bulk.test -Type CNAME -Value other.example.net -WhatIf" | Out-String
        $output | Should -Match 'current target1\.example\.net'
        $output | Should -Match 'new other\.example\.net'
        @(Get-EmulatorRequest -Mutating).Count | Should -Be 0
        @(Get-EmulatorRequest).Count | Should -BeGreaterThan 0
        $null = Get-EksDnsRecord -Name host1.bulk.test | Remove-EksDnsRecord -WhatIf
        @(Get-EmulatorRequest -Mutating).Count | Should -Be 0
    }

    It 'rejects bad input with an ErrorId before sending any request' -TestCases @(
        @{ Arguments = @{ Name = 'a.bulk.test'; Type = 'A'; Value = 'not-an-ip' }; ErrorId = 'InvalidRecordValue' }
        @{ Arguments = @{ Name = 'a.bulk.test'; Type = 'BOGUS'; Value = 'x' }; ErrorId = 'InvalidRecordType' }
        @{ Arguments = @{ Name = 'a..bulk.test'; Type = 'A'; Value = '192.0.2.1' }; ErrorId = 'InvalidRecordName' }
        @{ Arguments = @{ Name = 'a.bulk.test'; Type = 'CNAME'; Value = @('x.test', 'y.test') }; ErrorId = 'InvalidRecordValue' }
        @{ Arguments = @{ Name = 'a.bulk.test'; Type = 'A' }; ErrorId = 'MissingRecordValue' }
        @{ Arguments = @{ Name = 'a.bulk.test'; Value = '192.0.2.1' }; ErrorId = 'MissingRecordType' }
    ) {
        param($Arguments, $ErrorId)
        Clear-EmulatorRequest
        $errors = $null
        $terminating = $null
        try { Set-EksDnsRecord @Arguments -ErrorVariable errors -ErrorAction SilentlyContinue } catch { $terminating = $_ }
        $terminating.FullyQualifiedErrorId | Should -BeLike 'NothingSent*'
        $errors[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId*"
        $errors[0].ErrorDetails.Message | Should -Not -BeNullOrEmpty
        @(Get-EmulatorRequest).Count | Should -Be 0
    }

    It 'one bad record among many stops the whole batch: nothing is sent' {
        Clear-EmulatorRequest
        $rows = @(
            [pscustomobject]@{ Name = 'ok1.bulk.test'; Type = 'A'; Value = '192.0.2.10' }
            [pscustomobject]@{ Name = 'bad.bulk.test'; Type = 'A'; Value = '999.1.1.1' }
        )
        { $rows | Set-EksDnsRecord -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'NothingSent*'
        @(Get-EmulatorRequest -Mutating).Count | Should -Be 0
    }
}

Describe 'Set-/Remove-EksDnsRecord leave other people''s names alone' {
    BeforeAll {
        $script:Moto = Start-TestMoto
        Set-TestAwsEnvironment -EndpointUrl $Moto.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        $script:ZoneId = New-TestZone -Name shared.test
        # moto answers every caller as account 123456789012.
        $script:AccountOwner = 'arn:aws:iam::123456789012:root'
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Moto | Stop-TestServer
    }

    It 'refuses to replace or delete another team''s CNAME, naming its current value; the record survives' {
        Add-ForeignRecord $ZoneId api.shared.test CNAME their-host.other.test
        $errors = $null
        $out = Set-EksDnsRecord -Name api.shared.test -Type CNAME -Value mine.example.test -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'RecordNotOwned*'
        $errors[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errors[0].TargetObject | Should -Be 'api.shared.test'
        $errors[0].ErrorDetails.Message | Should -Match 'their-host\.other\.test'
        $errors[0].ErrorDetails.Message | Should -Match '-Force'
        Get-TestRecordValue $ZoneId api.shared.test CNAME | Should -Be 'their-host.other.test'

        $errors = $null
        Remove-EksDnsRecord -Name api.shared.test -Type CNAME -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'RecordNotOwned*'
        $errors[0].ErrorDetails.Message | Should -Match 'their-host\.other\.test'
        Get-TestRecordValue $ZoneId api.shared.test CNAME | Should -Be 'their-host.other.test'
        Get-TestRecordSet $ZoneId | Where-Object Name -like '_eksmodule-*' | Should -BeNullOrEmpty
    }

    It 'refuses a name ExternalDNS owns, naming its owner' {
        Add-ForeignRecord $ZoneId web.shared.test A 192.0.2.10
        Add-ForeignRecord $ZoneId a-web.shared.test TXT '"heritage=external-dns,external-dns/owner=someone,external-dns/resource=service/default/web"'
        $errors = $null
        Set-EksDnsRecord -Name web.shared.test -Type A -Value 192.0.2.99 -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'RecordNotOwned*'
        $errors[0].ErrorDetails.Message | Should -Match "ExternalDNS owner 'someone'"
        $errors[0].ErrorDetails.Message | Should -Match '192\.0\.2\.10'
        $errors = $null
        Remove-EksDnsRecord -Name web.shared.test -Type A -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].ErrorDetails.Message | Should -Match "ExternalDNS owner 'someone'"
        Get-TestRecordValue $ZoneId web.shared.test A | Should -Be '192.0.2.10'
        (Get-EksDnsRecord -Name web.shared.test -Type A).Owner | Should -Be 'someone'
    }

    It 'refuses a name with an ExternalDNS claim even before the record exists' {
        Add-ForeignRecord $ZoneId cname-soon.shared.test TXT '"heritage=external-dns,external-dns/owner=someone"'
        { Set-EksDnsRecord -Name soon.shared.test -Type CNAME -Value mine.example.test -ErrorAction Stop } | Should -Throw -ErrorId 'RecordNotOwned*'
        Get-TestRecordSet $ZoneId | Where-Object Name -eq 'soon.shared.test.' | Should -BeNullOrEmpty
    }

    It '-Force adopts a foreign name: it gets our mark, and later Set and Remove need no -Force' {
        $adopted = Set-EksDnsRecord -Name api.shared.test -Type CNAME -Value mine.example.test -Force
        $adopted.Owner | Should -Be $AccountOwner
        Get-TestRecordValue $ZoneId api.shared.test CNAME | Should -Be 'mine.example.test'
        Get-TestRecordValue $ZoneId _eksmodule-cname.api.shared.test TXT | Should -Be "`"heritage=eksmodule,eksmodule/owner=$AccountOwner`""
        (Get-EksDnsRecord -Name api.shared.test).Owner | Should -Be $AccountOwner
        Get-EksDnsRecord -Name '*eksmodule*' | Should -BeNullOrEmpty

        (Set-EksDnsRecord -Name api.shared.test -Type CNAME -Value other.example.test -ErrorAction Stop).Action | Should -Be 'UPSERT'
        Remove-EksDnsRecord -Name api.shared.test -Type CNAME -Confirm:$false -ErrorAction Stop
        Get-TestRecordSet $ZoneId | Where-Object Name -like '*api.shared.test.' | Should -BeNullOrEmpty
    }

    It 'a rerun with the same -OwnerId converges; another owner id is refused, naming the owner' {
        $first = Set-EksDnsRecord -Name team.shared.test -Type A -Value 192.0.2.20 -OwnerId team-a -ErrorAction Stop
        $first.Action | Should -Be 'CREATE'
        $again = Set-EksDnsRecord -Name team.shared.test -Type A -Value 192.0.2.20 -OwnerId team-a -ErrorAction Stop
        $again.Action | Should -Be 'None'
        $again.ChangeId | Should -BeNullOrEmpty
        $errors = $null
        Set-EksDnsRecord -Name team.shared.test -Type A -Value 192.0.2.21 -OwnerId team-b -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].ErrorDetails.Message | Should -Match "EksModule owner 'team-a'"
        { Remove-EksDnsRecord -Name team.shared.test -Type A -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'RecordNotOwned*'
        Get-TestRecordValue $ZoneId team.shared.test A | Should -Be '192.0.2.20'
    }

    It 'Remove-EksDnsRecord deletes our mark with the record' {
        $null = Set-EksDnsRecord -Name gone.shared.test -Type TXT -Value 'v=1'
        Get-TestRecordValue $ZoneId _eksmodule-txt.gone.shared.test TXT | Should -Not -BeNullOrEmpty
        Get-EksDnsRecord -Name gone.shared.test -Type TXT | Remove-EksDnsRecord -Confirm:$false -ErrorAction Stop
        Get-TestRecordSet $ZoneId | Where-Object Name -like '*gone.shared.test.' | Should -BeNullOrEmpty
    }

    It 'rejects an owner id that cannot go in the mark, before any change' {
        { Set-EksDnsRecord -Name bad.shared.test -Type A -Value 192.0.2.1 -OwnerId 'a,b=c' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOwnerId*'
        Get-TestRecordSet $ZoneId | Where-Object Name -eq 'bad.shared.test.' | Should -BeNullOrEmpty
    }
}

Describe 'Adopting with -Force under -WhatIf (emulator request log)' {
    BeforeAll {
        $script:Emulator = Start-TestEmulator
        Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
        Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
        $script:ZoneId = New-TestZone -Name whatif.test
        Add-ForeignRecord $ZoneId api.whatif.test CNAME their-host.other.test
    }
    AfterAll {
        Remove-Module EksModule -ErrorAction SilentlyContinue
        $Emulator | Stop-TestServer
        $Emulator.Moto | Stop-TestServer
    }

    It '-Force -WhatIf sends no change: the foreign record keeps its value and gets no mark' {
        Clear-EmulatorRequest
        Set-EksDnsRecord -Name api.whatif.test -Type CNAME -Value mine.example.test -Force -WhatIf
        Remove-EksDnsRecord -Name api.whatif.test -Type CNAME -Force -WhatIf
        @(Get-EmulatorRequest -Mutating).Count | Should -Be 0
        @(Get-EmulatorRequest).Count | Should -BeGreaterThan 0
        Get-TestRecordValue $ZoneId api.whatif.test CNAME | Should -Be 'their-host.other.test'
        Get-TestRecordSet $ZoneId | Where-Object Name -like '_eksmodule-*' | Should -BeNullOrEmpty
    }
}
