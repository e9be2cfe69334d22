# EBS-backed PersistentVolumes against the emulator: StorageClasses in the emulated kube-apiserver (checked with kubectl),
# New-/Get-/Remove-EksStorageClass, and the EBS CSI driver's IAM role through the cluster's OIDC provider (checked with awscli).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Emulator = Start-TestEmulator -CreateSeconds 1 -DeleteSeconds 1 -UpdateSeconds 1
    Set-TestAwsEnvironment -EndpointUrl $Emulator.Url
    Import-Module (Join-Path (Get-TestModulePath) 'EksModule.psd1') -Force
    function script:AwsJson { param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments) aws @Arguments --output json | ConvertFrom-Json }
    # "What if:" lines go to the host, not to a stream: a transcript is what records them.
    function script:Get-WhatIfText([scriptblock] $Script) {
        $path = [IO.Path]::GetTempFileName()
        $null = Start-Transcript -Path $path -Force
        try { $null = & $Script } finally { $null = Stop-Transcript }
        try { Get-Content -Raw $path } finally { Remove-Item $path }
    }
    # A simple function, so kubectl's own flags (-o, -p) reach it as arguments.
    function script:Kubectl { Invoke-TestKubectl $Kubeconfig ([string[]] $args) }
    function script:Get-Classes {
        $result = Kubectl get storageclasses -o json
        if ($result.ExitCode -ne 0) { throw "kubectl get storageclasses failed: $($result.Error)" }
        @(($result.Output | ConvertFrom-Json).items)
    }
    function script:Get-DefaultClassName {
        @(Get-Classes | Where-Object { $_.metadata.PSObject.Properties['annotations'] -and $_.metadata.annotations.'storageclass.kubernetes.io/is-default-class' -eq 'true' }).metadata.name
    }
    function script:Get-Providers { @((AwsJson iam list-open-id-connect-providers).OpenIDConnectProviderList.Arn) }

    $null = New-EksCluster -Name st -AvailabilityZoneCount 2 -NatGateway None
    $script:Kubeconfig = New-TestKubeconfig -ClusterName st -Emulator $Emulator
    $script:Issuer = (AwsJson eks describe-cluster --name st).cluster.identity.oidc.issuer
    $script:IssuerHostPath = $Issuer -replace '^https://', ''
}

AfterAll {
    Remove-Module EksModule -ErrorAction SilentlyContinue
    $Emulator | Stop-TestServer
    if ($Kubeconfig) { Remove-Item $Kubeconfig -ErrorAction SilentlyContinue }
}

Describe 'storageclasses in the emulated kube-apiserver' {
    It 'a new cluster has gp2 on the in-tree provisioner, not marked default (EKS 1.30 and later)' {
        $table = (Kubectl get sc).Output
        $table | Should -Match '(?m)^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE'
        $table | Should -Match '(?m)^gp2\s+kubernetes\.io/aws-ebs\s+Delete\s+WaitForFirstConsumer\s+false\s+'
        $table | Should -Not -Match '\(default\)'
        $gp2 = Get-Classes | Where-Object { $_.metadata.name -eq 'gp2' }
        $gp2.parameters.type | Should -Be 'gp2'
        $gp2.parameters.fsType | Should -Be 'ext4'
    }

    It 'kubectl apply creates a class with defaults filled in, the table marks the default, delete removes it' {
        $manifest = Join-Path ([IO.Path]::GetTempPath()) "sc-$([guid]::NewGuid().ToString('n')).yaml"
        Set-Content $manifest "apiVersion: storage.k8s.io/v1`nkind: StorageClass`nmetadata:`n  name: applied`n  annotations:`n    storageclass.kubernetes.io/is-default-class: 'true'`nprovisioner: example.com/disk`nparameters:`n  speed: fast`nallowVolumeExpansion: true`n"
        try {
            $apply = Kubectl apply -f $manifest
            $apply.ExitCode | Should -Be 0 -Because $apply.Error
            (Kubectl get sc).Output | Should -Match '(?m)^applied \(default\)\s+example\.com/disk\s+Delete\s+Immediate\s+true\s+'
            (Kubectl apply -f $manifest).Output | Should -BeLike '*unchanged*'
        } finally { Remove-Item $manifest }
        (Kubectl delete sc applied).ExitCode | Should -Be 0
        (Kubectl get sc applied).Error | Should -BeLike '*NotFound*'
    }

    It 'refuses changes to provisioner, parameters, reclaimPolicy and volumeBindingMode (422) but patches allowVolumeExpansion' {
        $manifest = Join-Path ([IO.Path]::GetTempPath()) "sc-$([guid]::NewGuid().ToString('n')).yaml"
        Set-Content $manifest "apiVersion: storage.k8s.io/v1`nkind: StorageClass`nmetadata:`n  name: frozen`nprovisioner: example.com/disk`nparameters:`n  speed: fast`n"
        try {
            (Kubectl apply -f $manifest).ExitCode | Should -Be 0
            (Get-Content -Raw $manifest).Replace('fast', 'slow') | Set-Content $manifest
            $changed = Kubectl apply -f $manifest
            $changed.ExitCode | Should -Not -Be 0
            $changed.Error | Should -Match 'The StorageClass "frozen" is invalid: parameters: Forbidden: updates to parameters are forbidden\.'
        } finally { Remove-Item $manifest }
        $both = Kubectl patch sc frozen --type=merge -p '{"reclaimPolicy":"Retain","volumeBindingMode":"WaitForFirstConsumer"}'
        $both.Error | Should -Match 'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden\.'
        $both.Error | Should -Match 'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable'
        (Kubectl patch sc frozen --type=merge -p '{"allowVolumeExpansion":true}').ExitCode | Should -Be 0
        $frozen = Get-Classes | Where-Object { $_.metadata.name -eq 'frozen' }
        $frozen.parameters.speed | Should -Be 'fast'
        $frozen.reclaimPolicy | Should -Be 'Delete'
        $frozen.allowVolumeExpansion | Should -BeTrue
        (Kubectl delete sc frozen).ExitCode | Should -Be 0
    }

    It 'validates a new class as the apiserver does: provisioner required, only known reclaim policies' {
        $manifest = Join-Path ([IO.Path]::GetTempPath()) "sc-$([guid]::NewGuid().ToString('n')).yaml"
        Set-Content $manifest "apiVersion: storage.k8s.io/v1`nkind: StorageClass`nmetadata:`n  name: broken`nreclaimPolicy: Recycle`n"
        try {
            $result = Kubectl apply -f $manifest
            $result.ExitCode | Should -Not -Be 0
            $result.Error | Should -Match 'provisioner: Required value'
            $result.Error | Should -Match 'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'
        } finally { Remove-Item $manifest }
    }
}

Describe 'New-EksStorageClass' {
    BeforeAll {
        # A cluster from before 1.30 has gp2 marked default; make this one look like that.
        $annotate = Kubectl annotate sc gp2 storageclass.kubernetes.io/is-default-class=true --overwrite
        if ($annotate.ExitCode -ne 0) { throw "kubectl annotate failed: $($annotate.Error)" }
    }

    It '-WhatIf lists the class to create and the default marker to move, and changes nothing' {
        $before = Get-Classes | ForEach-Object { "$($_.metadata.name)=$($_.metadata.resourceVersion)" }
        $text = Get-WhatIfText { New-EksStorageClass -ClusterName st -Name gp3 -MakeDefault -WhatIf }
        $text | Should -Match "Create StorageClass 'gp3' in cluster 'st': ebs\.csi\.aws\.com, csi\.storage\.k8s\.io/fstype=ext4, encrypted=true, type=gp3, reclaimPolicy Delete, volumeBindingMode WaitForFirstConsumer, allowVolumeExpansion true, marked as the cluster's default"
        $text | Should -Match "Unmark StorageClass 'gp2' in cluster 'st' as default \(storageclass\.kubernetes\.io/is-default-class=false\)"
        (Get-Classes | ForEach-Object { "$($_.metadata.name)=$($_.metadata.resourceVersion)" }) | Should -Be $before
        Get-DefaultClassName | Should -Be 'gp2'
    }

    It '-MakeDefault leaves exactly one default class, and warns that the EBS CSI driver is missing' {
        $class = New-EksStorageClass -ClusterName st -Name gp3 -MakeDefault -WarningVariable warnings -WarningAction SilentlyContinue
        $class | Should -BeOfType 'EksModule.Types.EksStorageClass'
        $class.IsDefault | Should -BeTrue
        $class.VolumeType | Should -Be 'gp3'
        $class.Encrypted | Should -BeTrue
        $class.Region | Should -Be 'us-east-1'
        Get-DefaultClassName | Should -Be 'gp3'
        (Get-Classes | Where-Object { $_.metadata.name -eq 'gp2' }).metadata.annotations.'storageclass.kubernetes.io/is-default-class' | Should -Be 'false'
        (Kubectl get sc).Output | Should -Match '(?m)^gp3 \(default\)\s+ebs\.csi\.aws\.com\s+Delete\s+WaitForFirstConsumer\s+true\s+'
        "$warnings" | Should -Match 'aws-ebs-csi-driver add-on is not installed on cluster ''st'''
        "$warnings" | Should -Match 'Add-EksAddon -ClusterName st -Name aws-ebs-csi-driver -CreateServiceAccountRole'
    }

    It 'writes the parameters with the keys the EBS CSI driver reads' {
        $gp3 = Get-Classes | Where-Object { $_.metadata.name -eq 'gp3' }
        $gp3.provisioner | Should -Be 'ebs.csi.aws.com'
        @($gp3.parameters.PSObject.Properties.Name | Sort-Object) | Should -Be @('csi.storage.k8s.io/fstype', 'encrypted', 'type')
        $gp3.parameters.type | Should -Be 'gp3'
        $gp3.parameters.encrypted | Should -Be 'true'
        $gp3.parameters.'csi.storage.k8s.io/fstype' | Should -Be 'ext4'
        $gp3.reclaimPolicy | Should -Be 'Delete'
        $gp3.volumeBindingMode | Should -Be 'WaitForFirstConsumer'
        $gp3.allowVolumeExpansion | Should -BeTrue

        $key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
        $fast = New-EksStorageClass -ClusterName st -Name fast -VolumeType io2 -IopsPerGB 100 -KmsKeyId $key -FileSystemType xfs -ReclaimPolicy Retain -VolumeBindingMode Immediate -AllowVolumeExpansion $false -WarningAction SilentlyContinue
        $fast.IopsPerGB | Should -Be 100
        $fast.KmsKeyId | Should -Be $key
        $fast.IsDefault | Should -BeFalse
        $io2 = Get-Classes | Where-Object { $_.metadata.name -eq 'fast' }
        $io2.parameters.type | Should -Be 'io2'
        $io2.parameters.iopsPerGB | Should -Be '100'
        $io2.parameters.kmsKeyId | Should -Be $key
        $io2.parameters.'csi.storage.k8s.io/fstype' | Should -Be 'xfs'
        $io2.reclaimPolicy | Should -Be 'Retain'
        $io2.volumeBindingMode | Should -Be 'Immediate'
        $io2.allowVolumeExpansion | Should -BeFalse
        Get-DefaultClassName | Should -Be 'gp3'

        $throughput = New-EksStorageClass -ClusterName st -Name gp3-fast -Iops 6000 -Throughput 1000 -WarningAction SilentlyContinue
        $throughput.Iops | Should -Be 6000
        (Get-Classes | Where-Object { $_.metadata.name -eq 'gp3-fast' }).parameters.throughput | Should -Be '1000'
    }

    It 'a rerun with the same shape sends nothing and returns the class' {
        $before = Get-Classes | ForEach-Object { "$($_.metadata.name)=$($_.metadata.resourceVersion)" }
        $again = New-EksStorageClass -ClusterName st -Name gp3 -MakeDefault -WarningAction SilentlyContinue
        $again.Name | Should -Be 'gp3'
        $again.IsDefault | Should -BeTrue
        (Get-Classes | ForEach-Object { "$($_.metadata.name)=$($_.metadata.resourceVersion)" }) | Should -Be $before
    }

    It 'patches allowVolumeExpansion in place, the one setting Kubernetes lets change' {
        $uid = (Get-Classes | Where-Object { $_.metadata.name -eq 'gp3' }).metadata.uid
        $changed = New-EksStorageClass -ClusterName st -Name gp3 -AllowVolumeExpansion $false -WarningAction SilentlyContinue
        $changed.AllowVolumeExpansion | Should -BeFalse
        $gp3 = Get-Classes | Where-Object { $_.metadata.name -eq 'gp3' }
        $gp3.metadata.uid | Should -Be $uid
        $gp3.allowVolumeExpansion | Should -BeFalse
        Get-DefaultClassName | Should -Be 'gp3'
        $null = New-EksStorageClass -ClusterName st -Name gp3 -WarningAction SilentlyContinue
    }

    It 'refuses another shape of an existing class, naming each differing field, and changes nothing' {
        $before = Get-Classes | ForEach-Object { "$($_.metadata.name)=$($_.metadata.resourceVersion)" }
        $err = { New-EksStorageClass -ClusterName st -Name gp3 -VolumeType gp2 -ReclaimPolicy Retain -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'StorageClassShapeConflict*' -PassThru
        $err.ToString() | Should -Match 'parameters\.type gp3 \(wanted gp2\)'
        $err.ToString() | Should -Match 'reclaimPolicy Delete \(wanted Retain\)'
        $err.ToString() | Should -Not -Match 'volumeBindingMode \S+ \(wanted'
        $err.ToString() | Should -Not -Match 'parameters\.encrypted'
        $err.ToString() | Should -Match 'Remove-EksStorageClass -ClusterName st -Name gp3'
        (Get-Classes | ForEach-Object { "$($_.metadata.name)=$($_.metadata.resourceVersion)" }) | Should -Be $before
    }

    It 'moves the default marker to another class' {
        $null = New-EksStorageClass -ClusterName st -Name fast -VolumeType io2 -IopsPerGB 100 -KmsKeyId 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' `
            -FileSystemType xfs -ReclaimPolicy Retain -VolumeBindingMode Immediate -AllowVolumeExpansion $false -MakeDefault -WarningAction SilentlyContinue
        Get-DefaultClassName | Should -Be 'fast'
        $null = New-EksStorageClass -ClusterName st -Name gp3 -MakeDefault -WarningAction SilentlyContinue
        Get-DefaultClassName | Should -Be 'gp3'
    }

    It 'refuses <Case> before any request is sent' -TestCases @(
        @{ Case = 'gp3 IOPS below 3000'; Arguments = @{ Iops = 100 }; ErrorId = 'InvalidIops'; Message = '-Iops 100 is outside what EBS allows for gp3 volumes: 3000 to 80000' }
        @{ Case = 'IOPS on gp2'; Arguments = @{ VolumeType = 'gp2'; Iops = 3000 }; ErrorId = 'IopsNotSupported'; Message = 'gp2 volumes do not take provisioned IOPS' }
        @{ Case = 'io1 without IOPS'; Arguments = @{ VolumeType = 'io1' }; ErrorId = 'IopsRequired'; Message = 'give -Iops or -IopsPerGB' }
        @{ Case = 'io1 above 50 IOPS per GiB'; Arguments = @{ VolumeType = 'io1'; IopsPerGB = 51 }; ErrorId = 'InvalidIopsPerGB'; Message = '1 to 50 IOPS per GiB' }
        @{ Case = 'both -Iops and -IopsPerGB'; Arguments = @{ Iops = 4000; IopsPerGB = 10 }; ErrorId = 'IopsConflict'; Message = 'not both' }
        @{ Case = 'throughput beyond the baseline IOPS'; Arguments = @{ Throughput = 1000 }; ErrorId = 'ThroughputExceedsIops'; Message = 'needs at least 4000 IOPS' }
        @{ Case = 'throughput on io2'; Arguments = @{ VolumeType = 'io2'; Iops = 1000; Throughput = 200 }; ErrorId = 'ThroughputNotSupported'; Message = 'gp3 volumes only' }
        @{ Case = 'a key on an unencrypted class'; Arguments = @{ Encrypted = $false; KmsKeyId = 'arn:aws:kms:us-east-1:123456789012:key/k' }; ErrorId = 'KmsKeyWithoutEncryption'; Message = 'cannot be combined with -Encrypted' }
        @{ Case = 'a name Kubernetes refuses'; Arguments = @{ Name = 'Fast_SSD' }; ErrorId = 'InvalidStorageClassName'; Message = 'not a valid StorageClass name' }
    ) {
        param($Case, $Arguments, $ErrorId, $Message)
        Clear-EmulatorRequest -Emulator $Emulator
        $call = @{ ClusterName = 'st'; Name = 'refused' }
        foreach ($key in $Arguments.Keys) { $call[$key] = $Arguments[$key] }
        $err = { New-EksStorageClass @call } | Should -Throw -ErrorId "$ErrorId*" -PassThru
        $err.ToString() | Should -BeLike "*$Message*"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        @(Get-EmulatorRequest -Emulator $Emulator) | Should -BeNullOrEmpty
    }
}

Describe 'Get-EksStorageClass and Remove-EksStorageClass' {
    It 'lists every class with the default marked and the EBS parameters read out' {
        $all = Get-EksStorageClass -ClusterName st
        @($all.Name) | Should -Be @('fast', 'gp2', 'gp3', 'gp3-fast')
        @($all | Where-Object IsDefault).Name | Should -Be 'gp3'
        ($all | Where-Object Name -EQ 'gp2').FileSystemType | Should -Be 'ext4'
        ($all | Where-Object Name -EQ 'gp2').Provisioner | Should -Be 'kubernetes.io/aws-ebs'
        ($all | Where-Object Name -EQ 'gp3-fast').Throughput | Should -Be 1000
        ($all | Format-Table | Out-String) | Should -Match 'gp3\s+yes\s+ebs\.csi\.aws\.com'
        @(Get-EksStorageClass -ClusterName st -Name 'gp3*').Name | Should -Be @('gp3', 'gp3-fast')
    }

    It 'reports a name that matches nothing and goes on' {
        $found = Get-EksStorageClass -ClusterName st -Name gp2, nothing -ErrorVariable missing -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'gp2'
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'StorageClassNotFound*'
    }

    It 'Remove -WhatIf keeps the class; from the pipeline with -Force it goes' {
        $text = Get-WhatIfText { Get-EksStorageClass -ClusterName st -Name gp3-fast | Remove-EksStorageClass -WhatIf }
        $text | Should -Match "Delete StorageClass 'gp3-fast' \(ebs\.csi\.aws\.com\) from cluster 'st'"
        @(Get-Classes).metadata.name | Should -Contain 'gp3-fast'
        Get-EksStorageClass -ClusterName st -Name gp3-fast | Remove-EksStorageClass -Force
        @(Get-Classes).metadata.name | Should -Not -Contain 'gp3-fast'
        { Remove-EksStorageClass -ClusterName st -Name gp3-fast -Force -ErrorAction Stop } | Should -Not -Throw
    }
}

Describe 'Add-EksAddon -CreateServiceAccountRole' {
    It 'refuses -ServiceAccountRoleArn with it, and add-ons it has no role recipe for, before any request' {
        Clear-EmulatorRequest -Emulator $Emulator
        { Add-EksAddon -ClusterName st -Name aws-ebs-csi-driver -CreateServiceAccountRole -ServiceAccountRoleArn arn:aws:iam::123456789012:role/mine } |
            Should -Throw -ErrorId 'ServiceAccountRoleConflict*'
        $err = { Add-EksAddon -ClusterName st -Name coredns -CreateServiceAccountRole } | Should -Throw -ErrorId 'ServiceAccountRoleUnknownAddon*' -PassThru
        $err.ToString() | Should -Match 'aws-ebs-csi-driver, vpc-cni'
        @(Get-EmulatorRequest -Emulator $Emulator) | Should -BeNullOrEmpty
    }

    It '-WhatIf names the OIDC provider, the role and the add-on, and sends no mutating request' {
        Clear-EmulatorRequest -Emulator $Emulator
        $text = Get-WhatIfText { Add-EksAddon -ClusterName st -Name aws-ebs-csi-driver -CreateServiceAccountRole -WhatIf }
        $providerArn = "arn:aws:iam::123456789012:oidc-provider/$IssuerHostPath"
        $text | Should -Match ([regex]::Escape("Register the OIDC issuer $Issuer of cluster 'st' as IAM OIDC provider $providerArn"))
        $text | Should -Match ([regex]::Escape("Create IAM role eks-st-aws-ebs-csi-driver (sts:AssumeRoleWithWebIdentity from $providerArn for system:serviceaccount:kube-system:ebs-csi-controller-sa) with arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"))
        $text | Should -Match ([regex]::Escape('running as IAM role arn:aws:iam::123456789012:role/eks-st-aws-ebs-csi-driver'))
        @(Get-EmulatorRequest -Emulator $Emulator -Mutating) | Should -BeNullOrEmpty
        Get-Providers | Should -BeNullOrEmpty
        Get-EksAddon -ClusterName st -Name aws-ebs-csi-driver -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'creates the OIDC provider, the role and the add-on once across two runs' {
        # Cluster st has no nodes: the driver's controller Deployment cannot run, so EKS reports DEGRADED and the cmdlet says why.
        $addon = Add-EksAddon -ClusterName st -Name aws-ebs-csi-driver -CreateServiceAccountRole -WarningVariable addonWarnings -WarningAction SilentlyContinue
        $addon.Status | Should -Be 'DEGRADED'
        "$addonWarnings" | Should -Match 'until nodes join'
        $addon.ServiceAccountRoleArn | Should -Be 'arn:aws:iam::123456789012:role/eks-st-aws-ebs-csi-driver'

        Clear-EmulatorRequest -Emulator $Emulator
        $again = Add-EksAddon -ClusterName st -Name aws-ebs-csi-driver -CreateServiceAccountRole
        $again.AddonArn | Should -Be $addon.AddonArn
        @(Get-EmulatorRequest -Emulator $Emulator -Mutating) | Should -BeNullOrEmpty

        $providers = Get-Providers
        @($providers).Count | Should -Be 1
        $providers | Should -Be "arn:aws:iam::123456789012:oidc-provider/$IssuerHostPath"
        $provider = AwsJson iam get-open-id-connect-provider --open-id-connect-provider-arn $providers
        $provider.ClientIDList | Should -Be @('sts.amazonaws.com')
        ($provider.Tags | Where-Object Key -EQ 'eksmodule:cluster-name').Value | Should -Be 'st'

        $role = (AwsJson iam get-role --role-name eks-st-aws-ebs-csi-driver).Role
        $statement = @($role.AssumeRolePolicyDocument.Statement)
        $statement.Count | Should -Be 1
        $statement[0].Effect | Should -Be 'Allow'
        $statement[0].Action | Should -Be 'sts:AssumeRoleWithWebIdentity'
        $statement[0].Principal.Federated | Should -Be $providers
        $statement[0].Condition.StringEquals."$($IssuerHostPath):sub" | Should -Be 'system:serviceaccount:kube-system:ebs-csi-controller-sa'
        $statement[0].Condition.StringEquals."$($IssuerHostPath):aud" | Should -Be 'sts.amazonaws.com'
        @((AwsJson iam list-attached-role-policies --role-name eks-st-aws-ebs-csi-driver).AttachedPolicies.PolicyArn) |
            Should -Be @('arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy')
        (AwsJson eks describe-addon --cluster-name st --addon-name aws-ebs-csi-driver).addon.serviceAccountRoleArn | Should -Be $role.Arn
    }

    It 'puts back a role trust policy that drifted' {
        $drifted = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
        aws iam update-assume-role-policy --role-name eks-st-aws-ebs-csi-driver --policy-document $drifted
        $LASTEXITCODE | Should -Be 0
        @((AwsJson iam get-role --role-name eks-st-aws-ebs-csi-driver).Role.AssumeRolePolicyDocument.Statement)[0].Action | Should -Be 'sts:AssumeRole'
        $null = Add-EksAddon -ClusterName st -Name aws-ebs-csi-driver -CreateServiceAccountRole
        $statement = @((AwsJson iam get-role --role-name eks-st-aws-ebs-csi-driver).Role.AssumeRolePolicyDocument.Statement)[0]
        $statement.Action | Should -Be 'sts:AssumeRoleWithWebIdentity'
        $statement.Principal.Federated | Should -Be "arn:aws:iam::123456789012:oidc-provider/$IssuerHostPath"
    }

    It 'New-EksStorageClass no longer warns once the driver is installed' {
        $null = New-EksStorageClass -ClusterName st -Name gp3 -MakeDefault -WarningVariable warnings
        $warnings | Should -BeNullOrEmpty
    }

    It 'gives an installed vpc-cni without a role its own from the same table: aws-node with AmazonEKS_CNI_Policy' {
        $installed = Add-EksAddon -ClusterName st -Name vpc-cni
        $installed.ServiceAccountRoleArn | Should -BeNullOrEmpty
        $cni = Add-EksAddon -ClusterName st -Name vpc-cni -CreateServiceAccountRole
        $cni.ServiceAccountRoleArn | Should -Be 'arn:aws:iam::123456789012:role/eks-st-vpc-cni'
        (AwsJson eks describe-addon --cluster-name st --addon-name vpc-cni).addon.serviceAccountRoleArn | Should -Be $cni.ServiceAccountRoleArn
        $role = (AwsJson iam get-role --role-name eks-st-vpc-cni).Role
        @($role.AssumeRolePolicyDocument.Statement)[0].Condition.StringEquals."$($IssuerHostPath):sub" | Should -Be 'system:serviceaccount:kube-system:aws-node'
        @((AwsJson iam list-attached-role-policies --role-name eks-st-vpc-cni).AttachedPolicies.PolicyArn) | Should -Be @('arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy')
        @(Get-Providers).Count | Should -Be 1
    }

    It 'Register-EksOidcProvider returns the provider already registered and changes nothing' {
        Clear-EmulatorRequest -Emulator $Emulator
        $provider = Get-EksCluster -Name st | Register-EksOidcProvider
        $provider | Should -BeOfType 'EksModule.Types.EksOidcProvider'
        $provider.Arn | Should -Be "arn:aws:iam::123456789012:oidc-provider/$IssuerHostPath"
        $provider.Issuer | Should -Be $Issuer
        $provider.ClientIds | Should -Be @('sts.amazonaws.com')
        $provider.CreatedByModule | Should -BeTrue
        @(Get-EmulatorRequest -Emulator $Emulator -Mutating) | Should -BeNullOrEmpty
    }
}

Describe 'Remove-EksCluster -IncludeNetwork' {
    It 'deletes the add-on roles and the OIDC provider the module made, and leaves a provider it did not make' {
        $foreign = (AwsJson iam create-open-id-connect-provider --url 'https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' --client-id-list sts.amazonaws.com).OpenIDConnectProviderArn
        Remove-EksCluster -Name st -Force -IncludeNetwork
        Get-Providers | Should -Be @($foreign)
        foreach ($roleName in 'eks-st-aws-ebs-csi-driver', 'eks-st-vpc-cni', 'eks-st-cluster') {
            $null = aws iam get-role --role-name $roleName 2>&1
            $LASTEXITCODE | Should -Not -Be 0 -Because "$roleName should be gone"
        }
    }
}
