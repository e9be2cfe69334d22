namespace EksModule.Engine.Aws;

/// <summary>A bad invocation: no region, no credentials, an unknown profile. The cmdlet makes it terminating.</summary>
public sealed class AwsConfigurationException : Exception
{
    public AwsConfigurationException(string errorId, string message, Exception? inner = null) : base(message, inner) => ErrorId = errorId;

    public string ErrorId { get; }
}
