using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using EksModule.Engine.Aws;

namespace EksModule.Engine.Auth;

/// <summary>Mints EKS tokens with a session's credentials, assuming a role first when asked.</summary>
public sealed class TokenService
{
    /// <summary>The session name awscli uses for --role-arn, so CloudTrail shows the same thing either way.</summary>
    public const string RoleSessionName = "EKSGetTokenAuth";

    private readonly AwsSession _session;
    private readonly Func<DateTime> _clock;

    public TokenService(AwsSession session, Func<DateTime>? clock = null)
    {
        _session = session;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    public string Region => _session.Region;

    public async Task<MintedToken> MintAsync(string clusterId, string? roleArn, CancellationToken cancellationToken)
    {
        var keys = await SigningKeysAsync(roleArn, cancellationToken).ConfigureAwait(false);
        return EksTokenMinter.Mint(keys, _session.Region, clusterId, _clock());
    }

    internal async Task<SigningKeys> SigningKeysAsync(string? roleArn, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(roleArn))
        {
            var response = await _session.Sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = RoleSessionName }, cancellationToken)
                .ConfigureAwait(false);
            var c = response.Credentials;
            return new SigningKeys(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
        }
        ImmutableCredentials credentials = await _session.Credentials.GetCredentialsAsync().ConfigureAwait(false);
        return new SigningKeys(credentials.AccessKey, credentials.SecretKey, string.IsNullOrEmpty(credentials.Token) ? null : credentials.Token);
    }
}
