using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.SecurityToken;
using EksModule.Engine.Aws.Protocol;

namespace EksModule.Engine.Aws;

/// <summary>
/// Resolved credentials and region, and the one place clients are made from them. Resolution
/// follows AWS Tools for PowerShell: credentials from keys, -ProfileName, -Credential,
/// $StoredAWSCredentials, the environment, the default profile (AWS_PROFILE honoured), then the
/// container or instance role; region from -Region, $StoredAWSRegion, the profile in use,
/// AWS_REGION / AWS_DEFAULT_REGION, the default profile, then instance metadata.
/// </summary>
public sealed class AwsSession : IDisposable
{
    private readonly AWSCredentials _credentials;
    private readonly string? _endpointUrl;
    private readonly Profile? _profile;
    private readonly Dictionary<ServiceDefinition, GenericServiceClient> _clients = new();
    private AmazonEC2Client? _ec2;
    private AmazonSecurityTokenServiceClient? _sts;

    private AwsSession(AWSCredentials credentials, string region, string credentialSource, string regionSource, string? endpointUrl, Profile? profile)
    {
        _credentials = credentials;
        Region = region;
        CredentialSource = credentialSource;
        RegionSource = regionSource;
        _endpointUrl = endpointUrl;
        _profile = profile;
    }

    public string Region { get; }
    /// <summary>Where the credentials came from, for verbose output (never the secret itself).</summary>
    public string CredentialSource { get; }
    public string RegionSource { get; }

    /// <summary>Test hook: every client this session makes sends through this handler factory.</summary>
    public static Amazon.Runtime.HttpClientFactory? HttpClientFactoryOverride { get; set; }

    public static AwsSession Resolve(AwsConnectionOptions options)
    {
        var chain = new CredentialProfileStoreChain(options.ProfileLocation);
        var (credentials, credentialSource, profileName) = ResolveCredentials(options, chain);
        // Only a profile the caller chose (-ProfileName, $StoredAWSCredentials) outranks AWS_REGION; the default profile comes after it.
        var chosenProfile = options.ProfileName is { Length: > 0 } ? options.ProfileName
            : options.AccessKey is null && options.Credential is null && options.StoredCredential is null ? options.StoredProfileName : null;
        var (region, regionSource) = ResolveRegion(options, chain, chosenProfile);
        var profile = profileName is null ? null : new Profile(profileName, options.ProfileLocation);
        return new AwsSession(credentials, region, credentialSource, regionSource, options.EndpointUrl, profile);
    }

    public static string DefaultProfileName =>
        Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } p ? p : "default";

    private static (AWSCredentials, string, string?) ResolveCredentials(AwsConnectionOptions o, CredentialProfileStoreChain chain)
    {
        if (!string.IsNullOrEmpty(o.AccessKey) || !string.IsNullOrEmpty(o.SecretKey))
        {
            if (string.IsNullOrEmpty(o.AccessKey) || string.IsNullOrEmpty(o.SecretKey))
                throw new AwsConfigurationException("IncompleteAccessKeys",
                    "-AccessKey and -SecretKey go together: pass both (and -SessionToken for temporary credentials), or use -ProfileName.");
            return (Keys(o.AccessKey!, o.SecretKey!, o.SessionToken), "the -AccessKey/-SecretKey parameters", null);
        }
        if (!string.IsNullOrEmpty(o.ProfileName))
            return (FromProfile(chain, o.ProfileName!, o.ProfileLocation), $"profile '{o.ProfileName}'", o.ProfileName);
        if (o.Credential is { } c)
            return (Keys(c.AccessKey, c.SecretKey, c.SessionToken), "the -Credential parameter", null);
        if (o.StoredCredential is { } s)
            return (Keys(s.AccessKey, s.SecretKey, s.SessionToken), "$StoredAWSCredentials", null);
        if (!string.IsNullOrEmpty(o.StoredProfileName))
            return (FromProfile(chain, o.StoredProfileName!, o.ProfileLocation), $"profile '{o.StoredProfileName}' ($StoredAWSCredentials)", o.StoredProfileName);

        var envKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        var envSecret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        if (!string.IsNullOrEmpty(envKey) && !string.IsNullOrEmpty(envSecret))
            return (Keys(envKey, envSecret, Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN")), "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", null);
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_WEB_IDENTITY_TOKEN_FILE"))
            && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ROLE_ARN")))
            return (AssumeRoleWithWebIdentityCredentials.FromEnvironmentVariables(), "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)", null);

        // A default profile that only sets a region (usual on EC2 and in containers) must not stop the
        // chain before the container or instance role.
        var defaultProfile = DefaultProfileName;
        if (chain.TryGetProfile(defaultProfile, out _) && chain.TryGetAWSCredentials(defaultProfile, out var profileCredentials))
            return (WithSignInHint(profileCredentials, defaultProfile), $"profile '{defaultProfile}'", defaultProfile);

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_FULL_URI")))
            return (new GenericContainerCredentials(), "the container credentials endpoint", null);
        if (!InstanceMetadataDisabled && TryInstanceCredentials() is { } instance)
            return (instance, "the EC2 instance role", null);

        throw new AwsConfigurationException("NoCredentials",
            "No AWS credentials were found. Pass -ProfileName (a profile in ~/.aws/credentials or ~/.aws/config), " +
            "-AccessKey and -SecretKey, or -Credential; or run Set-AWSCredential, or set AWS_ACCESS_KEY_ID and " +
            "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.");
    }

    private static (string, string) ResolveRegion(AwsConnectionOptions o, CredentialProfileStoreChain chain, string? profileName)
    {
        if (!string.IsNullOrEmpty(o.Region)) return (o.Region!, "the -Region parameter");
        if (!string.IsNullOrEmpty(o.StoredRegion)) return (o.StoredRegion!, "$StoredAWSRegion");
        if (profileName is not null && chain.TryGetProfile(profileName, out var profile) && profile.Region is not null)
            return (profile.Region.SystemName, $"profile '{profileName}'");
        foreach (var name in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value) return (value, $"environment variable {name}");
        var defaultProfile = DefaultProfileName;
        if (chain.TryGetProfile(defaultProfile, out var dp) && dp.Region is not null)
            return (dp.Region.SystemName, $"profile '{defaultProfile}'");
        if (!InstanceMetadataDisabled)
        {
            try
            {
                if (Amazon.Util.EC2InstanceMetadata.Region is { } r) return (r.SystemName, "EC2 instance metadata");
            }
            catch (Exception) { /* not on EC2 */ }
        }
        throw new AwsConfigurationException("NoRegion",
            "No AWS region was found. Pass -Region (for example -Region us-east-1), run Set-DefaultAWSRegion, " +
            "set AWS_REGION, or add 'region = ...' to your profile in ~/.aws/config.");
    }

    private static bool InstanceMetadataDisabled =>
        string.Equals(Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase);

    private static AWSCredentials? TryInstanceCredentials()
    {
        try
        {
            var credentials = new InstanceProfileAWSCredentials();
            credentials.GetCredentials();
            return credentials;
        }
        catch (Exception) { return null; }
    }

    private static AWSCredentials Keys(string accessKey, string secretKey, string? sessionToken)
        => string.IsNullOrEmpty(sessionToken)
            ? new BasicAWSCredentials(accessKey, secretKey)
            : new SessionAWSCredentials(accessKey, secretKey, sessionToken);

    private static AWSCredentials FromProfile(CredentialProfileStoreChain chain, string name, string? location)
    {
        if (!chain.TryGetProfile(name, out _))
            throw new AwsConfigurationException("ProfileNotFound",
                $"The AWS profile '{name}' was not found in {(location ?? "~/.aws/credentials or ~/.aws/config")}. " +
                "Check the name, or create it with Set-AWSCredential or 'aws configure --profile'.");
        if (!chain.TryGetAWSCredentials(name, out var credentials))
            throw new AwsConfigurationException("ProfileHasNoCredentials",
                $"The AWS profile '{name}' exists but gives no credentials (for an SSO profile, sign in first with 'aws sso login --profile {name}').");
        return WithSignInHint(credentials, name);
    }

    /// <summary>An SSO profile fails only on first use; make that failure name the profile and the sign-in command.</summary>
    private static AWSCredentials WithSignInHint(AWSCredentials credentials, string profileName)
        => credentials is SSOAWSCredentials sso ? new SsoProfileCredentials(sso, profileName) : credentials;

    /// <summary>Applies region, endpoint and profile to a fresh client configuration, in the order the SDK needs.</summary>
    internal void Configure(ClientConfig config, bool signWithSessionRegion)
    {
        config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        if (_profile is not null) config.Profile = _profile;
        if (!string.IsNullOrEmpty(_endpointUrl))
        {
            config.ServiceURL = _endpointUrl;
            config.AuthenticationRegion = Region;
        }
        else if (signWithSessionRegion)
        {
            config.AuthenticationRegion = Region;
        }
        if (HttpClientFactoryOverride is not null) config.HttpClientFactory = HttpClientFactoryOverride;
    }

    internal GenericServiceClient Client(ServiceDefinition service)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(service, out var client))
            {
                var config = new GenericServiceConfig(service);
                // Global services (IAM, Route 53) sign for their partition's home region, which the endpoint
                // provider says; through a custom endpoint every service signs for the session's region.
                Configure(config, signWithSessionRegion: false);
                client = new GenericServiceClient(_credentials, config);
                _clients[service] = client;
            }
            return client;
        }
    }

    internal AmazonEC2Client Ec2
    {
        get
        {
            if (_ec2 is null)
            {
                var config = new AmazonEC2Config();
                Configure(config, signWithSessionRegion: true);
                _ec2 = new AmazonEC2Client(_credentials, config);
            }
            return _ec2;
        }
    }

    internal AmazonSecurityTokenServiceClient Sts
    {
        get
        {
            if (_sts is null)
            {
                var config = new AmazonSecurityTokenServiceConfig();
                Configure(config, signWithSessionRegion: true);
                _sts = new AmazonSecurityTokenServiceClient(_credentials, config);
            }
            return _sts;
        }
    }

    internal AWSCredentials Credentials => _credentials;

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _ec2?.Dispose();
        _sts?.Dispose();
    }
}
