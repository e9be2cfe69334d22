using System.Runtime.CompilerServices;

namespace EksModule.Tests.Infrastructure;

/// <summary>
/// The shared config and credentials files every test sees. AWSSDK.Core reads AWS_CONFIG_FILE and
/// AWS_SHARED_CREDENTIALS_FILE once per process (a static initialiser), so they are pointed at
/// per-run files before any SDK type loads; tests change the files' contents, never the variables.
/// This also keeps the machine's own ~/.aws out of every test.
/// </summary>
public static class AwsConfigFiles
{
    public static string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("eksmodule-aws-").FullName;
    public static string ConfigFile => Path.Combine(Directory, "config");
    public static string CredentialsFile => Path.Combine(Directory, "credentials");

    [ModuleInitializer]
    internal static void PointTheSdkAtTestFiles()
    {
        Clear();
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", ConfigFile);
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", CredentialsFile);
    }

    public static void Write(string config, string credentials)
    {
        File.WriteAllText(ConfigFile, config);
        File.WriteAllText(CredentialsFile, credentials);
    }

    public static void Clear() => Write("", "");
}

/// <summary>
/// Clears every AWS_* variable the SDK or the engine reads and empties the shared config files,
/// applies the test's own, and puts the originals back on dispose. Instance metadata is off unless the test says otherwise, so nothing
/// waits on 169.254.169.254.
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    private static readonly string[] Cleared =
    {
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_REGION", "AWS_DEFAULT_REGION",
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
        AwsConfigFiles.Clear();
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
        AwsConfigFiles.Clear();
    }
}
