# Shared by every Pester file: start the emulators on free loopback ports, stop them by process id.
Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-TestModulePath {
    if ($env:EKSMODULE_TEST_MODULE_PATH) { return $env:EKSMODULE_TEST_MODULE_PATH }
    Join-Path $script:RepoRoot 'out/EksModule'
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Wait-HttpReady {
    param([string] $Url, [System.Diagnostics.Process] $Process, [int] $TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $client = [System.Net.Http.HttpClient]::new()
    $client.Timeout = [TimeSpan]::FromSeconds(2)
    try {
        while ([DateTime]::UtcNow -lt $deadline) {
            if ($Process.HasExited) { throw "Process $($Process.Id) exited with code $($Process.ExitCode) before $Url answered." }
            try { $null = $client.GetAsync($Url).GetAwaiter().GetResult(); return } catch { Start-Sleep -Milliseconds 150 }
        }
        throw "$Url did not answer within $TimeoutSeconds s."
    } finally { $client.Dispose() }
}

function Start-TestMoto {
    <# Starts moto_server on a free loopback port; returns an object with Url, Process and LogPath. #>
    $port = Get-FreeTcpPort
    $log = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-moto-$port.log"
    # Output goes to a file: a server writing into a pipe nobody drains would stall.
    $psi = [System.Diagnostics.ProcessStartInfo]::new('bash')
    $psi.ArgumentList.Add('-c')
    $psi.ArgumentList.Add("exec moto_server -H 127.0.0.1 -p $port >'$log' 2>&1")
    $psi.Environment['MOTO_IAM_LOAD_MANAGED_POLICIES'] = 'true'
    $psi.Environment['MOTO_EC2_LOAD_DEFAULT_AMIS'] = 'false'
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $url = "http://127.0.0.1:$port"
    Wait-HttpReady -Url "$url/moto-api/" -Process $process
    [pscustomobject]@{ Url = $url; Process = $process; LogPath = $log }
}

function Stop-TestServer {
    <# Stops a server started by Start-TestMoto or Start-TestEmulator (and the emulator's moto) by process id. #>
    param([Parameter(ValueFromPipeline)] $Server)
    process {
        if ($null -eq $Server) { return }
        if ($null -ne $Server.Process -and -not $Server.Process.HasExited) {
            $Server.Process.Kill($true)
            $null = $Server.Process.WaitForExit(5000)
        }
        if ($Server.PSObject.Properties['Moto']) { Stop-TestServer -Server $Server.Moto }
    }
}

function Get-EmulatorDllPath {
    Join-Path $script:RepoRoot 'tests/Emulator/bin/Release/net10.0/Emulator.dll'
}

function Start-TestEmulator {
    <#
    Starts moto and the EKS emulator in front of it, both on free loopback ports.
    Returns an object with Url (the one endpoint for every AWS service), Process and Moto.
    #>
    param([double] $CreateSeconds = 2, [double] $DeleteSeconds = 1, [double] $UpdateSeconds = 2, [int] $TimeoutSeconds = 60)
    $dll = Get-EmulatorDllPath
    if (-not (Test-Path $dll)) {
        & dotnet build (Join-Path $script:RepoRoot 'tests/Emulator/Emulator.csproj') -c Release -nologo -v q | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "Building the emulator failed (exit code $LASTEXITCODE)." }
    }

    $moto = Start-TestMoto
    try {
        $inv = [Globalization.CultureInfo]::InvariantCulture
        $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet', [string[]]@(
            $dll, '--port', '0', '--moto-url', $moto.Url,
            '--create-seconds', $CreateSeconds.ToString($inv), '--delete-seconds', $DeleteSeconds.ToString($inv),
            '--update-seconds', $UpdateSeconds.ToString($inv)))
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($psi)
        $null = $process.StandardError.ReadToEndAsync()

        # The emulator prints exactly one line once it listens: EMULATOR_URL=http://127.0.0.1:<port>
        $lineTask = $process.StandardOutput.ReadLineAsync()
        if (-not $lineTask.Wait([TimeSpan]::FromSeconds($TimeoutSeconds)) -or $lineTask.Result -notmatch '^EMULATOR_URL=(?<url>\S+)$') {
            if (-not $process.HasExited) { $process.Kill($true) }
            throw "The emulator did not report its URL within $TimeoutSeconds s."
        }
        $null = $process.StandardOutput.ReadToEndAsync()
        [pscustomobject]@{ Url = $Matches.url; Process = $process; Moto = $moto }
    } catch {
        Stop-TestServer -Server $moto
        throw
    }
}

function Get-EmulatorUrl {
    param($Emulator)
    if ($Emulator) { return $Emulator.Url }
    if ($env:AWS_ENDPOINT_URL) { return $env:AWS_ENDPOINT_URL }
    throw 'Pass -Emulator or call Set-TestAwsEnvironment first.'
}

function Invoke-EmulatorControl {
    param([string] $Method, [string] $Path, $Body, $Emulator)
    $uri = (Get-EmulatorUrl $Emulator) + '/_emulator/' + $Path
    $arguments = @{ Method = $Method; Uri = $uri }
    if ($null -ne $Body) { $arguments.Body = ($Body | ConvertTo-Json -Compress); $arguments.ContentType = 'application/json' }
    Invoke-RestMethod @arguments
}

function Get-EmulatorRequest {
    <# The AWS requests the emulator saw since the last clear, oldest first; -Mutating keeps only the changing ones. #>
    param([switch] $Mutating, $Emulator)
    # Invoke-RestMethod hands back a JSON array as one object; unroll it into the pipeline.
    $requests = @(Invoke-EmulatorControl -Method Get -Path 'requests' -Emulator $Emulator | ForEach-Object { $_ })
    if ($Mutating) { $requests = @($requests | Where-Object mutating) }
    $requests
}

function Clear-EmulatorRequest {
    param($Emulator)
    $null = Invoke-EmulatorControl -Method Delete -Path 'requests' -Emulator $Emulator
}

function Add-EmulatorFault {
    <# Makes the next -Count requests to -Service (and -Operation, if given) fail by throttling, HTTP 500 or a dropped connection. #>
    param(
        [Parameter(Mandatory)] [string] $Service,
        [string] $Operation,
        [Parameter(Mandatory)] [ValidateSet('throttle', 'http500', 'drop')] [string] $Kind,
        [ValidateRange(1, [int]::MaxValue)] [int] $Count = 1,
        $Emulator)
    $body = @{ service = $Service; kind = $Kind; count = $Count }
    if ($Operation) { $body.operation = $Operation }
    $null = Invoke-EmulatorControl -Method Post -Path 'faults' -Body $body -Emulator $Emulator
}

function Clear-EmulatorFault {
    param($Emulator)
    $null = Invoke-EmulatorControl -Method Delete -Path 'faults' -Emulator $Emulator
}

function Reset-Emulator {
    <# Forgets all EKS state, the request log and faults, and resets moto. #>
    param($Emulator)
    $null = Invoke-EmulatorControl -Method Post -Path 'reset' -Emulator $Emulator
}

function Set-EmulatorTiming {
    <# Changes how long CREATING, DELETING and updates take from now on. #>
    param([double] $CreateSeconds, [double] $DeleteSeconds, [double] $UpdateSeconds, $Emulator)
    $body = @{}
    if ($PSBoundParameters.ContainsKey('CreateSeconds')) { $body.createSeconds = $CreateSeconds }
    if ($PSBoundParameters.ContainsKey('DeleteSeconds')) { $body.deleteSeconds = $DeleteSeconds }
    if ($PSBoundParameters.ContainsKey('UpdateSeconds')) { $body.updateSeconds = $UpdateSeconds }
    Invoke-EmulatorControl -Method Post -Path 'config' -Body $body -Emulator $Emulator
}

function Set-TestAwsEnvironment {
    <# Points the AWS SDK (ours and awscli) at an endpoint with moto's fixed test credentials, in a clean profile space. #>
    param([Parameter(Mandatory)] [string] $EndpointUrl, [string] $Region = 'us-east-1')
    $dir = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-aws-$PID"
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    $env:AWS_CONFIG_FILE = Join-Path $dir 'config'
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $dir 'credentials'
    Set-Content $env:AWS_CONFIG_FILE "[default]`nregion = $Region`n"
    Set-Content $env:AWS_SHARED_CREDENTIALS_FILE "[default]`naws_access_key_id = AKIAIOSFODNN7EXAMPLE`naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`n"
    $env:AWS_ENDPOINT_URL = $EndpointUrl
    $env:AWS_REGION = $Region
    $env:AWS_DEFAULT_REGION = $Region
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    Remove-Item Env:AWS_PROFILE, Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue
}

function Invoke-ChildPwsh {
    <# Runs a script in a fresh pwsh (the same build as this one) and returns its output lines; throws on a non-zero exit. #>
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $psi = [System.Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
    if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Script) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.WorkingDirectory = $script:RepoRoot
    $p = [System.Diagnostics.Process]::Start($psi)
    $stderr = $p.StandardError.ReadToEndAsync()
    $stdout = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    if ($p.ExitCode -ne 0) { throw "Child pwsh exited with $($p.ExitCode): $stdout $($stderr.Result)" }
    $stdout -split "`r?`n" | Where-Object { $_ -ne '' }
}

function Get-TestFixturePath {
    param([Parameter(Mandatory)] [ValidateSet('AWSSDK.Core', 'YamlDotNet')] [string] $Name)
    Join-Path $script:RepoRoot "tools/fixtures/$Name/$Name.dll"
}


function Start-TestToolProcess {
    <# Runs a tool to completion with a private environment; returns ExitCode, Output and Error (text). #>
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @(), [hashtable] $Environment = @{}, [string[]] $RemoveEnvironment = @())
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    foreach ($name in $RemoveEnvironment) { $null = $psi.Environment.Remove($name) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    $stderr = $p.StandardError.ReadToEndAsync()
    $stdout = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $stdout; Error = $stderr.Result }
}

# awscli, the independent peer, runs in one long-lived process per test file (AwsCliDriver.py): the same awscli
# code per command, without paying its start-up (about 1.2 s, several seconds under load) every time.
$script:AwsDriver = $null

function Invoke-TestAwsCli {
    <#
    Runs one awscli command (arguments as for `aws`) with this process's AWS_* environment, changed by -Environment
    and -RemoveEnvironment; returns ExitCode, Output and Error (text) and sets $LASTEXITCODE.
    #>
    param([Parameter(Mandatory)] [string[]] $ArgumentList, [hashtable] $Environment = @{}, [string[]] $RemoveEnvironment = @())
    if ($null -eq $script:AwsDriver -or $script:AwsDriver.HasExited) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new('python3')
        $psi.ArgumentList.Add((Join-Path $PSScriptRoot 'AwsCliDriver.py'))
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.UseShellExecute = $false
        $psi.StandardInputEncoding = [Text.UTF8Encoding]::new($false)
        $psi.StandardOutputEncoding = [Text.UTF8Encoding]::new($false)
        $script:AwsDriver = [System.Diagnostics.Process]::Start($psi)
    }
    $env = @{}
    foreach ($item in Get-ChildItem Env:AWS_*) { $env[$item.Name] = $item.Value }
    foreach ($name in $RemoveEnvironment) { $env.Remove($name) }
    foreach ($k in $Environment.Keys) { $env[$k] = [string]$Environment[$k] }
    $script:AwsDriver.StandardInput.WriteLine((@{ args = @($ArgumentList); env = $env } | ConvertTo-Json -Compress -Depth 3))
    $script:AwsDriver.StandardInput.Flush()
    $line = $script:AwsDriver.StandardOutput.ReadLine()
    if ($null -eq $line) { throw "The awscli driver (process $($script:AwsDriver.Id)) ended; aws $ArgumentList was not run." }
    $answer = $line | ConvertFrom-Json
    $global:LASTEXITCODE = [int]$answer.rc
    [pscustomobject]@{ ExitCode = [int]$answer.rc; Output = [string]$answer.out; Error = [string]$answer.err }
}

function Invoke-Aws {
    <# awscli with --output json: the parsed answer (nothing for an empty one); throws with awscli's message when it fails. #>
    $result = Invoke-TestAwsCli -ArgumentList (@($args) + @('--output', 'json'))
    if ($result.ExitCode -ne 0) { throw "aws $args failed ($($result.ExitCode)): $($result.Error.Trim())" }
    $text = $result.Output.Trim()
    if ($text) { $text | ConvertFrom-Json }
}

function AwsJson {
    <# awscli with --output json, parsed; a failure writes awscli's message to the error stream and returns nothing, as `aws ... | ConvertFrom-Json` does. #>
    $result = Invoke-TestAwsCli -ArgumentList (@($args) + @('--output', 'json'))
    if ($result.ExitCode -ne 0) { Write-Error -Message "aws $args failed ($($result.ExitCode)): $($result.Error.Trim())" -ErrorAction Continue; return }
    $text = $result.Output.Trim()
    if ($text) { $text | ConvertFrom-Json }
}

function Stop-TestAwsCli {
    if ($null -ne $script:AwsDriver -and -not $script:AwsDriver.HasExited) {
        $script:AwsDriver.StandardInput.Close()
        if (-not $script:AwsDriver.WaitForExit(5000)) { $script:AwsDriver.Kill() }
    }
    $script:AwsDriver = $null
}
# Import-Module -Force (each test file) and Remove-Module end the driver this copy of the module started.
$ExecutionContext.SessionState.Module.OnRemove = { Stop-TestAwsCli }

# The EKS token is a presigned URL for the real STS host; a token helper that sees AWS_ENDPOINT_URL would presign
# for the emulator's http URL instead, which no EKS cluster accepts. Token minting therefore runs without it.
$script:TokenEnvironmentToHide = @('AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS')

function Get-TestTokenHelperPath {
    <# The module's own eks-token-helper for this platform (bin/<rid>/ in the built module). #>
    $rid = if ($IsWindows) { 'win-x64' } else { 'linux-x64' }
    Join-Path (Get-TestModulePath) "bin/$rid/eks-token-helper$(if ($IsWindows) { '.exe' })"
}

function New-TestKubeconfig {
    <#
    Writes a kubeconfig for an emulated cluster with `aws eks update-kubeconfig`; returns its path. Its exec entry
    then runs the module's eks-token-helper (about 50 ms a token), set with `kubectl config set-credentials`;
    with -AwsCli it keeps awscli's own `aws eks get-token` (about 1.2 s a token), for the interop check.
    #>
    param([Parameter(Mandatory)] [string] $ClusterName, [string] $Path, [string] $Region = 'us-east-1', $Emulator, [switch] $AwsCli)
    if (-not $Path) { $Path = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-kubeconfig-$([guid]::NewGuid().ToString('n')).yaml" }
    $result = Invoke-TestAwsCli -ArgumentList @('eks', 'update-kubeconfig', '--kubeconfig', $Path, '--name', $ClusterName,
        '--region', $Region, '--endpoint-url', (Get-EmulatorUrl $Emulator))
    if ($result.ExitCode -ne 0) { throw "aws eks update-kubeconfig failed: $($result.Error)" }
    if (-not $AwsCli) {
        $user = (Start-TestToolProcess -FilePath 'kubectl' -ArgumentList @('config', 'view', '--kubeconfig', $Path, '-o', 'jsonpath={.contexts[0].context.user}')).Output
        $arguments = @('config', 'set-credentials', $user, '--kubeconfig', $Path, '--exec-command', (Get-TestTokenHelperPath),
            '--exec-api-version', 'client.authentication.k8s.io/v1beta1') +
            @('token', '--cluster-name', $ClusterName, '--region', $Region | ForEach-Object { "--exec-arg=$_" })
        $set = Start-TestToolProcess -FilePath 'kubectl' -ArgumentList $arguments
        if (-not $user -or $set.ExitCode -ne 0) { throw "kubectl config set-credentials failed for '$user': $($set.Error)" }
    }
    $Path
}

function Invoke-TestKubectl {
    <# Runs kubectl against a kubeconfig; -Environment sets e.g. other AWS keys for the token helper. Returns ExitCode, Output, Error. #>
    param([Parameter(Mandatory)] [string] $Kubeconfig, [Parameter(Mandatory)] [string[]] $ArgumentList, [hashtable] $Environment = @{})
    Start-TestToolProcess -FilePath 'kubectl' -ArgumentList (@('--kubeconfig', $Kubeconfig) + $ArgumentList) -Environment $Environment -RemoveEnvironment $script:TokenEnvironmentToHide
}

function Get-TestEksToken {
    <#
    Mints a token for -ClusterName with the module's eks-token-helper, or with -AwsCli by `aws eks get-token` (real
    awscli signing, the interop check). Keys default to the current environment/profile.
    #>
    param([Parameter(Mandatory)] [string] $ClusterName, [string] $AccessKey, [string] $SecretKey, [string] $SessionToken, [string] $Region = 'us-east-1', [switch] $AwsCli)
    $environment = @{}
    if ($AccessKey) {
        $environment.AWS_ACCESS_KEY_ID = $AccessKey
        $environment.AWS_SECRET_ACCESS_KEY = $SecretKey
        if ($SessionToken) { $environment.AWS_SESSION_TOKEN = $SessionToken }
    }
    $remove = $script:TokenEnvironmentToHide + @(if ($AccessKey -and -not $SessionToken) { 'AWS_SESSION_TOKEN' })
    if ($AwsCli) {
        $result = Invoke-TestAwsCli -ArgumentList @('eks', 'get-token', '--cluster-name', $ClusterName, '--region', $Region,
            '--query', 'status.token', '--output', 'text') -Environment $environment -RemoveEnvironment $remove
        if ($result.ExitCode -ne 0) { throw "aws eks get-token failed: $($result.Error)" }
        return $result.Output.Trim()
    }
    $result = Start-TestToolProcess -FilePath (Get-TestTokenHelperPath) -ArgumentList @('token', '--cluster-name', $ClusterName, '--region', $Region) `
        -Environment $environment -RemoveEnvironment $remove
    if ($result.ExitCode -ne 0) { throw "eks-token-helper failed: $($result.Error)" }
    ($result.Output | ConvertFrom-Json).status.token
}

function Get-TestKubeApiAccess {
    <# The cluster's kube-apiserver as DescribeCluster publishes it: Endpoint and the path of its CA as a PEM file. #>
    param([Parameter(Mandatory)] [string] $ClusterName, [string] $Region = 'us-east-1', $Emulator)
    $result = Invoke-TestAwsCli -ArgumentList @('eks', 'describe-cluster', '--name', $ClusterName, '--region', $Region,
        '--endpoint-url', (Get-EmulatorUrl $Emulator), '--query', 'cluster.[endpoint,certificateAuthority.data]', '--output', 'json')
    if ($result.ExitCode -ne 0) { throw "aws eks describe-cluster failed: $($result.Error)" }
    $endpoint, $caData = $result.Output | ConvertFrom-Json
    $caPath = Join-Path ([IO.Path]::GetTempPath()) "eksmodule-ca-$([guid]::NewGuid().ToString('n')).pem"
    [IO.File]::WriteAllBytes($caPath, [Convert]::FromBase64String($caData))
    [pscustomobject]@{ Endpoint = $endpoint; CaPath = $caPath }
}

function Invoke-TestKubeApi {
    <# One HTTPS request to a kube-apiserver, TLS verified against -CaPath only (curl --cacert). Returns StatusCode and Body (parsed JSON when it is JSON). #>
    param([Parameter(Mandatory)] $Access, [Parameter(Mandatory)] [string] $Path, [string] $Token, [string] $Method = 'GET', $Body)
    $bodyFile = [IO.Path]::GetTempFileName()
    try {
        $arguments = @('-sS', '-o', $bodyFile, '-w', '%{http_code}', '--cacert', $Access.CaPath, '-X', $Method)
        if ($Token) { $arguments += @('-H', "Authorization: Bearer $Token") }
        if ($null -ne $Body) { $arguments += @('-H', 'Content-Type: application/json', '--data-binary', ($Body | ConvertTo-Json -Depth 10 -Compress)) }
        $result = Start-TestToolProcess -FilePath 'curl' -ArgumentList ($arguments + @($Access.Endpoint + $Path))
        if ($result.ExitCode -ne 0) { throw "curl failed ($($result.ExitCode)): $($result.Error)" }
        $text = Get-Content -Raw $bodyFile
        $parsed = try { $text | ConvertFrom-Json } catch { $text }
        [pscustomobject]@{ StatusCode = [int]$result.Output; Body = $parsed }
    } finally { Remove-Item $bodyFile -ErrorAction SilentlyContinue }
}

Export-ModuleMember -Function Invoke-TestAwsCli, Invoke-Aws, AwsJson, Stop-TestAwsCli, Get-TestTokenHelperPath, New-TestKubeconfig, Invoke-TestKubectl, Get-TestEksToken, Get-TestKubeApiAccess, Invoke-TestKubeApi, Start-TestToolProcess, Invoke-ChildPwsh, Get-TestFixturePath, Get-TestModulePath, Get-FreeTcpPort, Wait-HttpReady, Start-TestMoto, Stop-TestServer, Set-TestAwsEnvironment,
    Start-TestEmulator, Get-EmulatorRequest, Clear-EmulatorRequest, Add-EmulatorFault, Clear-EmulatorFault, Reset-Emulator, Set-EmulatorTiming
