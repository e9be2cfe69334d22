using Amazon.Runtime;

namespace EksModule.Engine.Aws;

/// <summary>
/// An SSO (IAM Identity Center) profile's credentials, which say how to sign in when there is no usable
/// cached sign-in. The SDK only reports "No valid SSO Token could be found." on the first call and does
/// not know the profile's name; the fix is always to run <c>aws sso login</c> for that profile.
/// </summary>
internal sealed class SsoProfileCredentials : AWSCredentials
{
    internal const string ErrorId = "SsoLoginRequired";

    private readonly SSOAWSCredentials _inner;

    internal SsoProfileCredentials(SSOAWSCredentials inner, string profileName)
    {
        _inner = inner;
        ProfileName = profileName;
    }

    internal string ProfileName { get; }

    internal SSOAWSCredentials Inner => _inner;

    public override ImmutableCredentials GetCredentials()
    {
        try { return _inner.GetCredentials(); }
        catch (AmazonClientException e) when (IsMissingSignIn(e)) { throw SignInRequired(e); }
    }

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        try { return await _inner.GetCredentialsAsync().ConfigureAwait(false); }
        catch (AmazonClientException e) when (IsMissingSignIn(e)) { throw SignInRequired(e); }
    }

    // The SDK's own words for "no cached token" and "cached token expired and not refreshable"; a failure
    // of the SSO service itself is an AmazonServiceException (not a client exception) and keeps its error code.
    private static bool IsMissingSignIn(AmazonClientException e)
        => e.Message.Contains("SSO Token", StringComparison.OrdinalIgnoreCase);

    private AwsConfigurationException SignInRequired(AmazonClientException e)
        => new(ErrorId,
            $"The AWS profile '{ProfileName}' signs in through IAM Identity Center (SSO) and has no valid sign-in cached " +
            $"({e.Message.TrimEnd('.')}). Run 'aws sso login --profile {ProfileName}', then run the command again.", e);
}
