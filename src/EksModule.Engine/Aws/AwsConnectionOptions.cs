namespace EksModule.Engine.Aws;

/// <summary>Plain access keys taken from -Credential or $StoredAWSCredentials (whatever object carried them).</summary>
public sealed record AwsKeys(string AccessKey, string SecretKey, string? SessionToken);

/// <summary>
/// Everything a cmdlet knows about where and as whom to call AWS, in plain types (no SDK type
/// crosses into the cmdlet layer). <see cref="AwsSession.Resolve"/> turns it into credentials and a region.
/// </summary>
public sealed record AwsConnectionOptions
{
    public string? Region { get; init; }
    public string? ProfileName { get; init; }
    public string? ProfileLocation { get; init; }
    public string? AccessKey { get; init; }
    public string? SecretKey { get; init; }
    public string? SessionToken { get; init; }
    /// <summary>From -Credential.</summary>
    public AwsKeys? Credential { get; init; }
    /// <summary>From $StoredAWSCredentials when it holds keys.</summary>
    public AwsKeys? StoredCredential { get; init; }
    /// <summary>From $StoredAWSCredentials when it holds a profile name.</summary>
    public string? StoredProfileName { get; init; }
    /// <summary>From $StoredAWSRegion.</summary>
    public string? StoredRegion { get; init; }
    /// <summary>From -EndpointUrl: used for every service the cmdlet calls.</summary>
    public string? EndpointUrl { get; init; }
}
