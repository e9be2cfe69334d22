using System.Management.Automation;
using System.Reflection;
using EksModule.Engine.Aws;
using EksModule.Engine.Errors;
using EksModule.Engine.Waiting;

namespace EksModule.Internal;

/// <summary>
/// The AWS Tools for PowerShell credential and region parameters, with AWS.Tools' names and aliases,
/// resolved in AWS.Tools' order by the engine (one place: <c>AwsSession.Resolve</c>).
/// </summary>
public abstract class AwsCmdletBase : EksCmdletBase
{
    private object? _session;
    private object? _sessionOptions;

    /// <summary>The AWS region, e.g. us-east-1.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RegionToCall")]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    [Parameter]
    [Alias("StoredCredentials", "AWSProfileName")]
    [ArgumentCompleter(typeof(ProfileCompleter))]
    public string? ProfileName { get; set; }

    [Parameter]
    [Alias("AWSProfilesLocation", "ProfilesLocation")]
    public string? ProfileLocation { get; set; }

    [Parameter]
    [Alias("AK")]
    public string? AccessKey { get; set; }

    [Parameter]
    [Alias("SK", "SecretAccessKey")]
    public string? SecretKey { get; set; }

    [Parameter]
    [Alias("ST")]
    public string? SessionToken { get; set; }

    /// <summary>An AWSCredentials object from AWS.Tools (New-AWSCredential) or a PSCredential of access key and secret key.</summary>
    [Parameter]
    public PSObject? Credential { get; set; }

    [Parameter]
    public string? EndpointUrl { get; set; }

    /// <summary>The resolved session, made once per invocation. Terminates the command when region or credentials are missing.</summary>
    private protected AwsSession Session
    {
        get
        {
            try
            {
                // Pipeline input may bind another -Region per object: resolve again when the options change.
                var options = BuildOptions();
                if (_session is AwsSession existing && Equals(_sessionOptions, options)) return existing;
                (_session as IDisposable)?.Dispose();
                var session = AwsSession.Resolve(options);
                _sessionOptions = options;
                WriteVerbose($"AWS region {session.Region} (from {session.RegionSource}); credentials from {session.CredentialSource}.");
                _session = session;
                return session;
            }
            catch (AwsConfigurationException e)
            {
                ThrowTerminatingError(ToErrorRecord(e, null));
                throw; // unreachable
            }
        }
    }

    protected override void EndProcessing()
    {
        (_session as IDisposable)?.Dispose();
        _session = null;
        base.EndProcessing();
    }

    private AwsConnectionOptions BuildOptions()
    {
        var stored = SessionState.PSVariable.GetValue("StoredAWSCredentials");
        var storedRegion = SessionState.PSVariable.GetValue("StoredAWSRegion");
        return new AwsConnectionOptions
        {
            Region = Region,
            ProfileName = ProfileName,
            ProfileLocation = ProfileLocation,
            AccessKey = AccessKey,
            SecretKey = SecretKey,
            SessionToken = SessionToken,
            Credential = Credential is null ? null : ReadKeys(Credential.BaseObject) ?? throw new AwsConfigurationException("InvalidCredentialObject",
                "-Credential takes an AWSCredentials object (New-AWSCredential) or a PSCredential whose user name is the access key and password the secret key."),
            StoredCredential = stored is null or string ? null : ReadKeys(PSObject.AsPSObject(stored).BaseObject),
            StoredProfileName = (stored as PSObject)?.BaseObject as string ?? stored as string,
            StoredRegion = (storedRegion as PSObject)?.BaseObject?.ToString() ?? storedRegion?.ToString(),
            EndpointUrl = EndpointUrl,
        };
    }

    /// <summary>
    /// Reads access keys from a PSCredential or from an AWS.Tools credentials object. AWS.Tools' types
    /// live in another load context (with their own AWSSDK.Core), so they are read by reflection.
    /// </summary>
    internal static AwsKeys? ReadKeys(object? source)
    {
        if (source is null) return null;
        if (source is PSCredential ps)
            return new AwsKeys(ps.UserName, ps.GetNetworkCredential().Password, null);
        var type = source.GetType();
        // AWSPSCredentials wraps AWSCredentials in .Credentials.
        if (type.GetProperty("Credentials")?.GetValue(source) is { } inner && !ReferenceEquals(inner, source)) return ReadKeys(inner);
        var getCredentials = type.GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        var immutable = getCredentials?.Invoke(source, null) ?? source;
        var immutableType = immutable.GetType();
        var accessKey = immutableType.GetProperty("AccessKey")?.GetValue(immutable) as string;
        var secretKey = immutableType.GetProperty("SecretKey")?.GetValue(immutable) as string;
        var token = (immutableType.GetProperty("Token") ?? immutableType.GetProperty("SessionToken"))?.GetValue(immutable) as string;
        return accessKey is null || secretKey is null ? null : new AwsKeys(accessKey, secretKey, string.IsNullOrEmpty(token) ? null : token);
    }

    internal ErrorRecord ToErrorRecord(Exception error, object? target)
    {
        var classified = ErrorClassifier.Classify(error);
        var category = Enum.TryParse<ErrorCategory>(classified.Category, out var parsed) ? parsed : ErrorCategory.NotSpecified;
        var record = new ErrorRecord(error, classified.ErrorId, category, target)
        {
            ErrorDetails = new ErrorDetails(classified.Message),
        };
        return record;
    }

    /// <summary>A named cluster that is not there: one ErrorId and one message that says how to list what is.</summary>
    internal void WriteClusterNotFound(string name, string region)
    {
        var message = $"No cluster named '{name}' in {region}. Run Get-EksCluster -Region {region} to list the clusters there.";
        WriteError(new ErrorRecord(new ItemNotFoundException(message), "ResourceNotFoundException", ErrorCategory.ObjectNotFound, name)
        {
            ErrorDetails = new ErrorDetails(message),
        });
    }

    /// <summary>A named node group that is not there: the same ErrorId and advice from every node group cmdlet.</summary>
    internal void WriteNodegroupNotFound(string clusterName, string name, string region)
    {
        var message = $"No node group named '{name}' in cluster '{clusterName}' ({region}). Run Get-EksNodeGroup -ClusterName {clusterName} to list its node groups.";
        WriteError(new ErrorRecord(new ItemNotFoundException(message), "ResourceNotFoundException", ErrorCategory.ObjectNotFound, $"{clusterName}/{name}")
        {
            ErrorDetails = new ErrorDetails(message),
        });
    }

    /// <summary>Per-item failure: written, and the pipeline goes on. Invocation errors (no region, bad input) terminate.</summary>
    internal void ReportError(Exception error, object? target)
    {
        if (error is PipelineStoppedException) throw error;
        var record = ToErrorRecord(error, target);
        if (ErrorClassifier.Classify(error).IsInvocationError) ThrowTerminatingError(record);
        WriteError(record);
    }

    internal IProgress<WaitProgress> WaitProgressSink => CreateSink<WaitProgress>(p =>
    {
        var remaining = p.Timeout - p.Elapsed;
        WriteProgressRecord(p.Activity, $"{p.Target}: {p.Status} (elapsed {Waiter.FormatDuration(p.Elapsed)})",
            p.Completed ? null : $"Gives up in {Waiter.FormatDuration(remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining)} (-Timeout); Ctrl+C stops waiting.",
            p.Completed);
    });
}
