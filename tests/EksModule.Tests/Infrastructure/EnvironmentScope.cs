namespace EksModule.Tests.Infrastructure;

/// <summary>
/// Clears every AWS_* variable the SDK or the engine reads, applies the test's own, and puts the
/// originals back on dispose. Instance metadata is off unless the test says otherwise, so nothing
/// waits on 169.254.169.254.
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    private static readonly string[] Cleared =
    {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EKS", "AWS_ENDPOINT_URL_IAM",
        "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    };

    private readonly Dictionary<string, string?> _saved = new();

    public EnvironmentScope(params (string Name, string? Value)[] variables)
    {
        foreach (var name in Cleared) Set(name, null);
        Set("AWS_EC2_METADATA_DISABLED", "true");
        // Point the SDK at files that do not exist, so the machine's ~/.aws never leaks into a test.
        var nowhere = Path.Combine(Path.GetTempPath(), "eksmodule-no-aws-" + Guid.NewGuid().ToString("N"));
        Set("AWS_CONFIG_FILE", Path.Combine(nowhere, "config"));
        Set("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(nowhere, "credentials"));
        foreach (var (name, value) in variables) Set(name, value);
    }

    public void Set(string name, string? value)
    {
        if (!_saved.ContainsKey(name)) _saved[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
    }
}
