# The module as a whole: manifest, lazy import, and isolation of its dependencies from other modules'.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-TestModulePath
    $script:Moto = Start-TestMoto
    $script:Env = @{
        AWS_ENDPOINT_URL = $Moto.Url; AWS_REGION = 'us-east-1'; AWS_DEFAULT_REGION = 'us-east-1'; AWS_EC2_METADATA_DISABLED = 'true'
        AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'; AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
        AWS_CONFIG_FILE = '/nonexistent/config'; AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials'
    }
    # A cluster made by the independent client, so our Get-EksCluster has something to read.
    $env:AWS_ENDPOINT_URL = $Moto.Url
    foreach ($k in $Env.Keys) { Set-Item "env:$k" $Env[$k] }
    $vpc = (Invoke-Aws ec2 create-vpc --cidr-block 10.0.0.0/16).Vpc.VpcId
    $s1 = (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.0.1.0/24 --availability-zone us-east-1a).Subnet.SubnetId
    $s2 = (Invoke-Aws ec2 create-subnet --vpc-id $vpc --cidr-block 10.0.2.0/24 --availability-zone us-east-1b).Subnet.SubnetId
    $null = Invoke-Aws eks create-cluster --name isolation --role-arn arn:aws:iam::123456789012:role/r --resources-vpc-config "subnetIds=$s1,$s2"
}

AfterAll {
    $Moto | Stop-TestServer
}

Describe 'Manifest' {
    It 'exports exactly the cmdlets it lists, for PowerShell 7.4+ Core' {
        $manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'EksModule.psd1')
        $manifest.PowerShellVersion | Should -Be '7.4'
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.ModuleVersion | Should -Not -Be '0.0.0'
        $manifest.FunctionsToExport.Count | Should -Be 0
        $exported = Invoke-ChildPwsh "Import-Module '$ModulePath/EksModule.psd1'; (Get-Command -Module EksModule).Name"
        ($exported | Sort-Object) | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }
}

Describe 'Import-Module is lazy' {
    It 'loads no AWS, Kubernetes or YAML assembly until a cmdlet needs one' {
        $loaded = Invoke-ChildPwsh @"
Import-Module '$ModulePath/EksModule.psd1'
`$null = Get-Command -Module EksModule -Syntax
[AppDomain]::CurrentDomain.GetAssemblies().GetName().Name | Where-Object { `$_ -match 'AWSSDK|KubernetesClient|YamlDotNet|EksModule.Engine' }
'done'
"@ -Environment $Env
        $loaded | Should -Be @('done')
    }
}

Describe 'Dependencies live in the module''s own load context' {
    It 'works when another module loaded an older AWSSDK.Core and YamlDotNet first, and that module keeps working' {
        $out = Invoke-ChildPwsh @"
Add-Type -Path '$(Get-TestFixturePath AWSSDK.Core)'
Add-Type -Path '$(Get-TestFixturePath YamlDotNet)'
`$other = [Amazon.Runtime.BasicAWSCredentials]::new('AKIDOTHER', 'secret').GetCredentials().AccessKey
Import-Module '$ModulePath/EksModule.psd1'
`$cluster = Get-EksCluster -Name isolation -ErrorAction Stop
`$yaml = [YamlDotNet.Serialization.SerializerBuilder]::new().Build().Serialize(@{ a = 1 }).Trim()
`$versions = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object { `$_.GetName().Version.Major }
@{ Cluster = `$cluster.Name; Other = `$other; Yaml = `$yaml; Versions = @(`$versions | Sort-Object) } | ConvertTo-Json -Compress
"@ -Environment $Env
        $result = $out | Select-Object -Last 1 | ConvertFrom-Json
        $result.Cluster | Should -Be 'isolation'
        $result.Other | Should -Be 'AKIDOTHER'
        $result.Yaml | Should -Be 'a: 1'
        $result.Versions | Should -Be @(3, 4)
    }

    It 'leaves another module free to load its own versions after ours' {
        $out = Invoke-ChildPwsh @"
Import-Module '$ModulePath/EksModule.psd1'
`$cluster = Get-EksCluster -Name isolation -ErrorAction Stop
Add-Type -Path '$(Get-TestFixturePath AWSSDK.Core)'
Add-Type -Path '$(Get-TestFixturePath YamlDotNet)'
`$other = [Amazon.Runtime.BasicAWSCredentials]::new('AKIDOTHER', 'secret').GetCredentials().AccessKey
`$yaml = [YamlDotNet.Serialization.SerializerBuilder]::new().Build().Serialize(@{ b = 2 }).Trim()
`$again = Get-EksCluster -Name isolation -ErrorAction Stop
@{ Cluster = `$cluster.Name; Again = `$again.Name; Other = `$other; Yaml = `$yaml } | ConvertTo-Json -Compress
"@ -Environment $Env
        $result = $out | Select-Object -Last 1 | ConvertFrom-Json
        $result.Cluster | Should -Be 'isolation'
        $result.Again | Should -Be 'isolation'
        $result.Other | Should -Be 'AKIDOTHER'
        $result.Yaml | Should -Be 'b: 2'
    }
}

Describe 'Format files' {
    It 'ships every format file the manifest lists, and only those' {
        $manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'EksModule.psd1')
        $shipped = (Get-ChildItem $ModulePath -Filter '*.format.ps1xml').Name
        ($shipped | Sort-Object) | Should -Be ($manifest.FormatsToProcess | Sort-Object)
    }

    It 'loads every view of the per-area source files (src/EksModule/Formats), combined into one at build time' {
        $sourceViews = foreach ($file in Get-ChildItem (Join-Path $PSScriptRoot '../../src/EksModule/Formats') -Filter '*.format.ps1xml') {
            ([xml](Get-Content -Raw $file.FullName)).SelectNodes('/Configuration/ViewDefinitions/View') |
                ForEach-Object { '{0} {1}' -f $_.ViewSelectedBy.TypeName, $_.Name }
        }
        $sourceViews.Count | Should -BeGreaterThan 10
        Import-Module (Join-Path $ModulePath 'EksModule.psd1') -Force
        try {
            $loaded = foreach ($type in Get-FormatData -TypeName 'EksModule.Types.*') {
                $type.FormatViewDefinition | ForEach-Object { '{0} {1}' -f $type.TypeNames[0], $_.Name }
            }
        } finally { Remove-Module EksModule }
        ($loaded | Sort-Object) | Should -Be ($sourceViews | Sort-Object)
    }
}
