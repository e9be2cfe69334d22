using Amazon.EC2.Model;
using Amazon.Runtime;
using EksModule.Engine.Aws;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.Iam;
using EksModule.Tests.Infrastructure;

namespace EksModule.Tests.Aws;

/// <summary>
/// Credential and region resolution, step by step in AWS.Tools' order, against temporary
/// AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE files and environment variables; and endpoint
/// routing from AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EKS and a profile's services section.
/// </summary>
[Collection("environment")]
public sealed class ResolutionMatrixTests : IDisposable
{
    private const string DefaultSecret = "defaultSECRETvalue0000000000000000000001";
    private const string DevSecret = "devSECRETvalue00000000000000000000000002";
    private const string StoredSecret = "storedSECRETvalue00000000000000000000003";
    private const string EnvSecret = "envSECRETvalue00000000000000000000000004";
    private const string ParamSecret = "paramSECRETvalue000000000000000000000005";
    private const string CredentialSecret = "credSECRETvalue0000000000000000000000006";
    private const string LocalSecret = "localSECRETvalue000000000000000000000007";
    private const string EnvToken = "envSESSIONtoken000000000000000000000008";
    private static readonly string[] Secrets = { DefaultSecret, DevSecret, StoredSecret, EnvSecret, ParamSecret, CredentialSecret, LocalSecret, EnvToken };

    private readonly RequestRecorder _recorder = new();
    private readonly RequestRecorder _otherRecorder = new();
    private readonly EnvironmentScope _environment;
    private readonly List<AwsSession> _sessions = new();

    public ResolutionMatrixTests()
    {
        _environment = new EnvironmentScope();
        var credentials = $"""
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = {DefaultSecret}

            [dev]
            aws_access_key_id = AKIDDEV
            aws_secret_access_key = {DevSecret}

            [stored]
            aws_access_key_id = AKIDSTORED
            aws_secret_access_key = {StoredSecret}

            [noregion]
            aws_access_key_id = AKIDNOREGION
            aws_secret_access_key = {DevSecret}
            """;
        var config = $"""
            [default]
            region = us-west-2

            [profile dev]
            region = eu-central-1

            [profile stored]
            region = ap-northeast-1

            [profile assumer]
            role_arn = arn:aws:iam::123456789012:role/admin
            source_profile = dev
            role_session_name = matrix
            region = eu-west-3

            [profile sso]
            sso_start_url = https://example.awsapps.com/start
            sso_account_id = 123456789012
            sso_role_name = Admin
            sso_region = us-east-1
            region = us-east-2

            [profile local]
            aws_access_key_id = AKIDLOCAL
            aws_secret_access_key = {LocalSecret}
            region = eu-north-1
            services = local-endpoints

            [services local-endpoints]
            eks =
              endpoint_url = {_recorder.Url}
            """;
        AwsConfigFiles.Write(config, credentials);
    }

    private AwsSession Resolve(AwsConnectionOptions options)
    {
        var session = AwsSession.Resolve(options);
        _sessions.Add(session);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, session.CredentialSource);
            Assert.DoesNotContain(secret, session.RegionSource);
        }
        return session;
    }

    private static AwsConfigurationException Fails(AwsConnectionOptions options)
    {
        var error = Assert.Throws<AwsConfigurationException>(() => AwsSession.Resolve(options));
        foreach (var secret in Secrets) Assert.DoesNotContain(secret, error.ToString());
        return error;
    }

    private static string AccessKeyOf(AwsSession session) => session.Credentials.GetCredentials().AccessKey;

    private void SetEnvironmentKeys(bool withToken = false)
    {
        _environment.Set("AWS_ACCESS_KEY_ID", "AKIDENV");
        _environment.Set("AWS_SECRET_ACCESS_KEY", EnvSecret);
        if (withToken) _environment.Set("AWS_SESSION_TOKEN", EnvToken);
    }

    // ---- credentials, in order ----

    [Fact]
    public void ExplicitKeysBeatEverything()
    {
        SetEnvironmentKeys();
        _environment.Set("AWS_PROFILE", "dev");
        var session = Resolve(new AwsConnectionOptions
        {
            AccessKey = "AKIDPARAM", SecretKey = ParamSecret, ProfileName = "dev",
            Credential = new AwsKeys("AKIDCRED", CredentialSecret, null),
            StoredCredential = new AwsKeys("AKIDSTOREDKEYS", StoredSecret, null), StoredProfileName = "stored",
        });
        Assert.Equal("the -AccessKey/-SecretKey parameters", session.CredentialSource);
        Assert.Equal("AKIDPARAM", AccessKeyOf(session));
        Assert.IsType<BasicAWSCredentials>(session.Credentials);
        // The region still comes from the profile that was named.
        Assert.Equal("eu-central-1", session.Region);
    }

    [Fact]
    public void ExplicitKeysWithATokenAreSessionCredentials()
    {
        var session = Resolve(new AwsConnectionOptions { AccessKey = "AKIDPARAM", SecretKey = ParamSecret, SessionToken = "tok", Region = "us-east-1" });
        Assert.IsType<SessionAWSCredentials>(session.Credentials);
        Assert.Equal("tok", session.Credentials.GetCredentials().Token);
    }

    [Fact]
    public void HalfAKeyPairIsAnErrorThatDoesNotEchoTheSecret()
    {
        var error = Fails(new AwsConnectionOptions { SecretKey = ParamSecret, Region = "us-east-1" });
        Assert.Equal("IncompleteAccessKeys", error.ErrorId);
    }

    [Fact]
    public void ProfileNameBeatsEnvironmentKeysAndItsRegionBeatsAwsRegion()
    {
        SetEnvironmentKeys();
        _environment.Set("AWS_REGION", "sa-east-1");
        var session = Resolve(new AwsConnectionOptions { ProfileName = "dev" });
        Assert.Equal("profile 'dev'", session.CredentialSource);
        Assert.Equal("AKIDDEV", AccessKeyOf(session));
        Assert.Equal("eu-central-1", session.Region);
        Assert.Equal("profile 'dev'", session.RegionSource);
    }

    [Fact]
    public void ProfileWithoutRegionFallsBackToAwsRegion()
    {
        _environment.Set("AWS_REGION", "sa-east-1");
        var session = Resolve(new AwsConnectionOptions { ProfileName = "noregion" });
        Assert.Equal("AKIDNOREGION", AccessKeyOf(session));
        Assert.Equal("sa-east-1", session.Region);
        Assert.Equal("environment variable AWS_REGION", session.RegionSource);
    }

    [Fact]
    public void CredentialParameterBeatsStoredCredentialsAndEnvironment()
    {
        SetEnvironmentKeys();
        var session = Resolve(new AwsConnectionOptions
        {
            Credential = new AwsKeys("AKIDCRED", CredentialSecret, "credtoken"),
            StoredCredential = new AwsKeys("AKIDSTOREDKEYS", StoredSecret, null),
            Region = "us-east-1",
        });
        Assert.Equal("the -Credential parameter", session.CredentialSource);
        Assert.Equal("AKIDCRED", AccessKeyOf(session));
        Assert.Equal("credtoken", session.Credentials.GetCredentials().Token);
    }

    [Fact]
    public void StoredCredentialKeysBeatEnvironmentKeys()
    {
        SetEnvironmentKeys();
        var session = Resolve(new AwsConnectionOptions { StoredCredential = new AwsKeys("AKIDSTOREDKEYS", StoredSecret, null), Region = "us-east-1" });
        Assert.Equal("$StoredAWSCredentials", session.CredentialSource);
        Assert.Equal("AKIDSTOREDKEYS", AccessKeyOf(session));
    }

    [Fact]
    public void StoredProfileNameBeatsEnvironmentAndItsRegionBeatsAwsRegion()
    {
        SetEnvironmentKeys();
        _environment.Set("AWS_REGION", "sa-east-1");
        var session = Resolve(new AwsConnectionOptions { StoredProfileName = "stored" });
        Assert.Equal("profile 'stored' ($StoredAWSCredentials)", session.CredentialSource);
        Assert.Equal("AKIDSTORED", AccessKeyOf(session));
        Assert.Equal("ap-northeast-1", session.Region);
    }

    [Fact]
    public void EnvironmentKeysBeatTheDefaultProfileAndAwsRegionBeatsItsRegion()
    {
        SetEnvironmentKeys(withToken: true);
        _environment.Set("AWS_REGION", "sa-east-1");
        var session = Resolve(new AwsConnectionOptions());
        Assert.Equal("environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", session.CredentialSource);
        var keys = session.Credentials.GetCredentials();
        Assert.Equal(("AKIDENV", EnvToken), (keys.AccessKey, keys.Token));
        Assert.Equal("sa-east-1", session.Region);
        Assert.Equal("environment variable AWS_REGION", session.RegionSource);
    }

    [Fact]
    public void AwsRegionBeatsAwsDefaultRegionWhichBeatsTheDefaultProfile()
    {
        _environment.Set("AWS_DEFAULT_REGION", "ca-central-1");
        var session = Resolve(new AwsConnectionOptions());
        Assert.Equal(("ca-central-1", "environment variable AWS_DEFAULT_REGION"), (session.Region, session.RegionSource));

        _environment.Set("AWS_REGION", "sa-east-1");
        session = Resolve(new AwsConnectionOptions());
        Assert.Equal(("sa-east-1", "environment variable AWS_REGION"), (session.Region, session.RegionSource));
    }

    [Fact]
    public void TheDefaultProfileComesLast()
    {
        var session = Resolve(new AwsConnectionOptions());
        Assert.Equal("profile 'default'", session.CredentialSource);
        Assert.Equal("AKIDDEFAULT", AccessKeyOf(session));
        Assert.Equal(("us-west-2", "profile 'default'"), (session.Region, session.RegionSource));
    }

    [Fact]
    public void AwsProfileChoosesTheDefaultProfileButNotAboveAwsRegion()
    {
        _environment.Set("AWS_PROFILE", "dev");
        var session = Resolve(new AwsConnectionOptions());
        Assert.Equal("profile 'dev'", session.CredentialSource);
        Assert.Equal("AKIDDEV", AccessKeyOf(session));
        Assert.Equal("eu-central-1", session.Region);

        _environment.Set("AWS_REGION", "sa-east-1");
        Assert.Equal("sa-east-1", Resolve(new AwsConnectionOptions()).Region);
    }

    [Fact]
    public void AwsProfileLosesToEnvironmentKeys()
    {
        SetEnvironmentKeys();
        _environment.Set("AWS_PROFILE", "dev");
        Assert.Equal("AKIDENV", AccessKeyOf(Resolve(new AwsConnectionOptions())));
    }

    // ---- region, in order ----

    [Fact]
    public void RegionParameterBeatsStoredRegionWhichBeatsTheProfile()
    {
        _environment.Set("AWS_REGION", "sa-east-1");
        var session = Resolve(new AwsConnectionOptions { ProfileName = "dev", Region = "ap-south-1", StoredRegion = "ap-east-1" });
        Assert.Equal(("ap-south-1", "the -Region parameter"), (session.Region, session.RegionSource));

        session = Resolve(new AwsConnectionOptions { ProfileName = "dev", StoredRegion = "ap-east-1" });
        Assert.Equal(("ap-east-1", "$StoredAWSRegion"), (session.Region, session.RegionSource));
    }

    [Fact]
    public void NoRegionAnywhereSaysHowToSetOne()
    {
        AwsConfigFiles.Write(config: "", credentials: "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = x\n");
        var error = Fails(new AwsConnectionOptions { AccessKey = "AKIDPARAM", SecretKey = ParamSecret });
        Assert.Equal("NoRegion", error.ErrorId);
        Assert.Contains("-Region", error.Message);
        Assert.Contains("AWS_REGION", error.Message);
    }

    // ---- failures ----

    [Fact]
    public void NoCredentialsAnywhereIsNoCredentials()
    {
        AwsConfigFiles.Write(config: "[default]\nregion = us-east-1\n", credentials: "");
        var error = Fails(new AwsConnectionOptions());
        Assert.Equal("NoCredentials", error.ErrorId);
        Assert.Contains("-ProfileName", error.Message);
    }

    [Fact]
    public void ARegionOnlyDefaultProfileFallsThroughToTheContainerRole()
    {
        AwsConfigFiles.Write(config: "[default]\nregion = us-east-1\n", credentials: "");
        _environment.Set("AWS_CONTAINER_CREDENTIALS_FULL_URI", _recorder.Url + "/credentials");
        var session = Resolve(new AwsConnectionOptions());
        Assert.Equal("the container credentials endpoint", session.CredentialSource);
        Assert.Equal(("us-east-1", "profile 'default'"), (session.Region, session.RegionSource));
    }

    [Fact]
    public void AnUnknownProfileIsProfileNotFound()
    {
        var error = Fails(new AwsConnectionOptions { ProfileName = "nope", Region = "us-east-1" });
        Assert.Equal("ProfileNotFound", error.ErrorId);
        Assert.Contains("'nope'", error.Message);

        _environment.Set("AWS_PROFILE", "also-nope");
        Assert.Equal("NoCredentials", Fails(new AwsConnectionOptions { Region = "us-east-1" }).ErrorId);
    }

    // ---- assume-role and SSO profiles ----

    [Fact]
    public async Task AnAssumeRoleProfileAssumesTheRoleWithItsSourceProfile()
    {
        // STS goes to the recorder too, so the whole chain runs on loopback.
        _environment.Set("AWS_ENDPOINT_URL", _recorder.Url);
        var session = Resolve(new AwsConnectionOptions { ProfileName = "assumer" });
        Assert.Equal("profile 'assumer'", session.CredentialSource);
        Assert.Equal("eu-west-3", session.Region);
        Assert.IsType<AssumeRoleAWSCredentials>(session.Credentials);

        await new EksApi(session).DescribeClusterAsync("prod-1", default);

        var assume = Assert.Single(_recorder.Requests, r => r.BodyText.Contains("Action=AssumeRole", StringComparison.Ordinal));
        Assert.Contains("Credential=AKIDDEV/", assume.Header("Authorization"));
        Assert.Contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fadmin", assume.BodyText);
        var describe = Assert.Single(_recorder.Requests, r => r.Path == "/clusters/prod-1");
        Assert.Contains("Credential=ASIAASSUMEDEXAMPLE/", describe.Header("Authorization"));
        Assert.Equal("assumedTokenExample", describe.Header("X-Amz-Security-Token"));
        Assert.Contains("/eu-west-3/eks/aws4_request", describe.Header("Authorization"));
    }

    [Fact]
    public async Task AnSsoProfileResolvesWithoutTouchingTheNetwork()
    {
        _environment.Set("AWS_ENDPOINT_URL", _recorder.Url);
        var session = Resolve(new AwsConnectionOptions { ProfileName = "sso" });
        Assert.Equal("profile 'sso'", session.CredentialSource);
        Assert.Equal(("us-east-2", "profile 'sso'"), (session.Region, session.RegionSource));
        var sso = Assert.IsType<SsoProfileCredentials>(session.Credentials).Inner;
        Assert.Equal("https://example.awsapps.com/start", sso.StartUrl);

        // Without a cached SSO token the first call fails before anything is sent (no device-code flow, no network),
        // and the error names the profile and the command that signs it in.
        var error = await Assert.ThrowsAsync<AwsConfigurationException>(() => new EksApi(session).DescribeClusterAsync("prod-1", default));
        Assert.Equal("SsoLoginRequired", error.ErrorId);
        Assert.Contains("Run 'aws sso login --profile sso'", error.Message);
        Assert.Contains("No valid SSO Token could be found", error.Message);
        var classified = ErrorClassifier.Classify(error);
        Assert.Equal(("SsoLoginRequired", "AuthenticationError", true), (classified.ErrorId, classified.Category, classified.IsInvocationError));
        Assert.Empty(_recorder.Requests);
    }

    [Fact]
    public async Task AnSsoProfileNamedByAwsProfileSaysWhichProfileToSignIn()
    {
        _environment.Set("AWS_ENDPOINT_URL", _recorder.Url);
        _environment.Set("AWS_PROFILE", "sso");
        var session = Resolve(new AwsConnectionOptions());
        Assert.Equal("profile 'sso'", session.CredentialSource);

        // Every path that signs goes through the same credentials: the generic client, AWSSDK.EC2 and the token minter.
        var eks = await Assert.ThrowsAsync<AwsConfigurationException>(() => new EksApi(session).ListClustersAsync(default));
        var ec2 = await Assert.ThrowsAsync<AwsConfigurationException>(() => session.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest()));
        var token = Assert.Throws<AwsConfigurationException>(() => session.Credentials.GetCredentials());
        foreach (var error in new[] { eks, ec2, token })
        {
            Assert.Equal("SsoLoginRequired", error.ErrorId);
            Assert.Contains("'aws sso login --profile sso'", error.Message);
        }
        Assert.Empty(_recorder.Requests);
    }

    // ---- endpoints ----

    [Fact]
    public async Task AwsEndpointUrlEksRoutesOnlyEks()
    {
        _environment.Set("AWS_ENDPOINT_URL_EKS", _recorder.Url);
        _environment.Set("AWS_ENDPOINT_URL", _otherRecorder.Url);
        var session = Resolve(new AwsConnectionOptions { ProfileName = "dev" });

        await new EksApi(session).DescribeClusterAsync("prod-1", default);
        await new IamApi(session).TryGetRoleAsync("eks-role", default);
        await session.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest());

        var eks = Assert.Single(_recorder.Requests);
        Assert.Equal("/clusters/prod-1", eks.Path);
        Assert.Contains("/eu-central-1/eks/aws4_request", eks.Header("Authorization"));
        Assert.Equal(2, _otherRecorder.Requests.Count);
        Assert.DoesNotContain(_otherRecorder.Requests, r => r.Path.StartsWith("/clusters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AwsEndpointUrlRoutesEveryService()
    {
        _environment.Set("AWS_ENDPOINT_URL", _recorder.Url);
        var session = Resolve(new AwsConnectionOptions { ProfileName = "dev" });

        await new EksApi(session).DescribeClusterAsync("prod-1", default);
        await new IamApi(session).TryGetRoleAsync("eks-role", default);
        await session.Ec2.DescribeVpcsAsync(new DescribeVpcsRequest());

        var requests = _recorder.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Contains("/eu-central-1/", r.Header("Authorization")));
    }

    [Fact]
    public async Task AProfileServicesSectionRoutesEks()
    {
        var session = Resolve(new AwsConnectionOptions { ProfileName = "local" });
        Assert.Equal("eu-north-1", session.Region);

        var cluster = await new EksApi(session).DescribeClusterAsync("prod-1", default);

        Assert.Equal("prod-1", cluster.Name);
        var request = Assert.Single(_recorder.Requests);
        Assert.Contains("Credential=AKIDLOCAL/", request.Header("Authorization"));
        Assert.Contains("/eu-north-1/eks/aws4_request", request.Header("Authorization"));
    }

    [Fact]
    public async Task AwsProfileBringsItsServicesSectionToo()
    {
        _environment.Set("AWS_PROFILE", "local");
        var session = Resolve(new AwsConnectionOptions());
        await new EksApi(session).DescribeClusterAsync("prod-1", default);
        Assert.Single(_recorder.Requests);
    }

    public void Dispose()
    {
        foreach (var session in _sessions) session.Dispose();
        _environment.Dispose();
        _recorder.Dispose();
        _otherRecorder.Dispose();
    }
}
