using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.RuntimeDependencies;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Amazon.SSO;
using Amazon.SSOOIDC;
using EksModule.Engine.Auth;

namespace EksModule.TokenHelper;

/// <summary>
/// eks-token-helper token --cluster-name NAME | --cluster-id ID --region REGION [--role-arn ARN] [--profile NAME]
/// Prints the ExecCredential kubectl expects. Credentials come from AWSSDK's default chain: environment
/// keys, AWS_PROFILE (static keys, assume-role, SSO, credential_process), web identity, container and
/// instance roles. Exit codes: 0 ok, 1 credentials/STS failure, 2 usage.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: eks-token-helper token (--cluster-name NAME | --cluster-id ID) --region REGION [--role-arn ARN] [--profile NAME]";

    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not "token")
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        string? clusterName = null, clusterId = null, region = null, roleArn = null, profile = null;
        for (var i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--cluster-name": clusterName = Next(); break;
                    case "--cluster-id": clusterId = Next(); break;
                    case "--region": region = Next(); break;
                    case "--role-arn": roleArn = Next(); break;
                    case "--profile": profile = Next(); break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"eks-token-helper: {e.Message}\n{Usage}");
                return 2;
            }
        }
        region ??= Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } r ? r : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        if ((clusterName is null) == (clusterId is null) || string.IsNullOrEmpty(region))
        {
            Console.Error.WriteLine($"eks-token-helper: give exactly one of --cluster-name and --cluster-id, and --region.\n{Usage}");
            return 2;
        }
        if (!string.IsNullOrEmpty(profile)) Environment.SetEnvironmentVariable("AWS_PROFILE", profile);

        try
        {
            RegisterServiceClients();
            var keys = await ResolveKeysAsync(region, roleArn).ConfigureAwait(false);
            var minted = EksTokenMinter.Mint(keys, region, clusterId ?? clusterName!, DateTime.UtcNow);
            var apiVersion = ExecCredential.DiscoverApiVersion(Environment.GetEnvironmentVariable("KUBERNETES_EXEC_INFO"), out var warning);
            if (warning is not null) Console.Error.WriteLine($"eks-token-helper: {warning}");
            Console.Out.WriteLine(ExecCredential.ToJson(apiVersion, minted.Token, minted.ExpirationUtc));
            return 0;
        }
        catch (Exception e)
        {
            var reasons = new List<string>();
            for (var inner = e; inner is not null; inner = inner.InnerException) reasons.Add(inner.Message);
            if (Environment.GetEnvironmentVariable("EKS_TOKEN_HELPER_TRACE") is { Length: > 0 }) Console.Error.WriteLine(e.ToString());
            // An SSO profile without a cached sign-in is the usual cause, and kubectl only shows this line: say the fix.
            var signIn = reasons.Any(r => r.Contains("SSO Token", StringComparison.OrdinalIgnoreCase))
                ? $" Run 'aws sso login --profile {ActiveProfileName}', then try again."
                : string.Empty;
            Console.Error.WriteLine($"eks-token-helper: could not get credentials to sign the EKS token: {string.Join(" <- ", reasons.Distinct())}{signIn}");
            return 1;
        }
    }

    /// <summary>
    /// Under NativeAOT the SDK cannot find STS/SSO by reflection; registering them keeps assume-role
    /// and SSO profiles working.
    /// </summary>
    private static void RegisterServiceClients()
    {
        // The SDK hands the source credentials to the client's assume-role/SSO calls itself; the client only needs the region.
        var registry = GlobalRuntimeDependencyRegistry.Instance;
        registry.RegisterSecurityTokenServiceClient(new RuntimeDependencyFactory(context =>
            new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), RegionFrom(context.SecurityTokenServiceClientContextData?.Region))));
        registry.RegisterSSOClient(new RuntimeDependencyFactory(context =>
            new AmazonSSOClient(new AnonymousAWSCredentials(), RegionFrom(context.SSOClientContextData?.Region))));
        registry.RegisterSSOOIDCClient(new RuntimeDependencyFactory(context =>
            new AmazonSSOOIDCClient(new AnonymousAWSCredentials(), RegionFrom(context.SSOOIDCClientContextData?.Region))));
    }

    private static RegionEndpoint RegionFrom(RegionEndpoint? region) => region ?? RegionEndpoint.USEast1;

    private static async Task<SigningKeys> ResolveKeysAsync(string region, string? roleArn)
    {
        AWSCredentials? credentials = null;
        if (ActiveProfile() is { } active)
            credentials = await AssumeRoleProfileAsync(active, region).ConfigureAwait(false) ?? SsoProfile(active);
        credentials ??= DefaultAWSCredentialsIdentityResolver.GetCredentials();
        if (!string.IsNullOrEmpty(roleArn)) return await AssumeRoleAsync(credentials, region, roleArn, TokenRoleSessionName, null).ConfigureAwait(false);
        var immutable = await credentials.GetCredentialsAsync().ConfigureAwait(false);
        return new SigningKeys(immutable.AccessKey, immutable.SecretKey, string.IsNullOrEmpty(immutable.Token) ? null : immutable.Token);
    }

    private const string TokenRoleSessionName = "EKSGetTokenAuth";

    private static string ActiveProfileName => Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } p ? p : "default";

    private sealed record ActiveProfileEntry(string Name, CredentialProfileStoreChain Chain, CredentialProfile Profile);

    /// <summary>
    /// The profile the SDK's chain would use, read once per mint; null when environment keys come first, as
    /// they do in the SDK's chain, or when there is no such profile.
    /// </summary>
    private static ActiveProfileEntry? ActiveProfile()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"))) return null;
        var chain = new CredentialProfileStoreChain();
        return chain.TryGetProfile(ActiveProfileName, out var profile) ? new ActiveProfileEntry(ActiveProfileName, chain, profile) : null;
    }

    /// <summary>
    /// A profile with role_arn + source_profile is assumed here rather than by the SDK: the SDK's own
    /// path needs its STS client built with the source credentials, which its AOT registration cannot pass.
    /// </summary>
    private static async Task<AWSCredentials?> AssumeRoleProfileAsync(ActiveProfileEntry active, string region)
    {
        var (name, chain, profile) = active;
        if (string.IsNullOrEmpty(profile.Options.RoleArn) || string.IsNullOrEmpty(profile.Options.SourceProfile))
            return null;
        if (!chain.TryGetAWSCredentials(profile.Options.SourceProfile, out var source))
            throw new InvalidOperationException($"profile '{name}' names source_profile '{profile.Options.SourceProfile}', which gives no credentials");
        if (!string.IsNullOrEmpty(profile.Options.MfaSerial))
            throw new InvalidOperationException($"profile '{name}' needs an MFA code (mfa_serial), which an exec plugin cannot prompt for; use cached credentials or SSO");
        var sessionName = string.IsNullOrEmpty(profile.Options.RoleSessionName) ? $"eks-token-helper-{DateTime.UtcNow.Ticks}" : profile.Options.RoleSessionName;
        var keys = await AssumeRoleAsync(source, profile.Region?.SystemName ?? region, profile.Options.RoleArn, sessionName, profile.Options.ExternalID).ConfigureAwait(false);
        return new SessionAWSCredentials(keys.AccessKey, keys.SecretKey, keys.SessionToken);
    }

    /// <summary>
    /// An SSO (IAM Identity Center) profile, resolved as the module resolves it: the SDK's default chain refuses
    /// SSO profiles ("not allowed here"), while the profile store gives credentials from the token that
    /// 'aws sso login' cached.
    /// </summary>
    private static AWSCredentials? SsoProfile(ActiveProfileEntry active)
    {
        var (name, chain, profile) = active;
        if (string.IsNullOrEmpty(profile.Options.SsoStartUrl) && string.IsNullOrEmpty(profile.Options.SsoSession))
            return null;
        return chain.TryGetAWSCredentials(name, out var credentials) ? credentials : null;
    }

    private static async Task<SigningKeys> AssumeRoleAsync(AWSCredentials source, string region, string roleArn, string sessionName, string? externalId)
    {
        var config = new AmazonSecurityTokenServiceConfig();
        config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        using var sts = new AmazonSecurityTokenServiceClient(source, config);
        var request = new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = sessionName };
        if (!string.IsNullOrEmpty(externalId)) request.ExternalId = externalId;
        var assumed = await sts.AssumeRoleAsync(request).ConfigureAwait(false);
        return new SigningKeys(assumed.Credentials.AccessKeyId, assumed.Credentials.SecretAccessKey, assumed.Credentials.SessionToken);
    }
}
