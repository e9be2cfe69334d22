using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace EksModule.Internal;

internal static class CompletionHelper
{
    internal static IEnumerable<CompletionResult> Complete(IEnumerable<string> values, string wordToComplete, Func<string, string>? tooltip = null)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        foreach (var value in values)
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(value, value, CompletionResultType.ParameterValue, tooltip?.Invoke(value) ?? value);
    }
}

/// <summary>Completes -Region from the regions the AWS SDK knows (no AWS call).</summary>
public sealed class RegionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(Engine.Aws.RegionCatalog.Names(), wordToComplete, Engine.Aws.RegionCatalog.DisplayName);
}

/// <summary>Completes -ProfileName from ~/.aws/credentials and ~/.aws/config.</summary>
public sealed class ProfileCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(Engine.Aws.RegionCatalog.ProfileNames(fakeBoundParameters["ProfileLocation"] as string), wordToComplete);
}

/// <summary>Completes -KubernetesVersion from the versions EKS supports today, newest first.</summary>
public sealed class KubernetesVersionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(Engine.Clusters.KubernetesVersions.Creatable(DateOnly.FromDateTime(DateTime.UtcNow)).Reverse(), wordToComplete,
            v => Engine.Clusters.KubernetesVersions.Find(v) is { } info ? $"Kubernetes {v}: standard support until {info.EndOfStandardSupport:yyyy-MM-dd}" : v);
}

/// <summary>Completes cluster names by listing the clusters in the region the command line names (or the default one).</summary>
public sealed class ClusterNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => AwsListCompletion.Complete(fakeBoundParameters, wordToComplete, (session, ct) => new Engine.Eks.EksApi(session).ListClustersAsync(ct));
}

/// <summary>Completes node group names of the cluster -ClusterName already names.</summary>
public sealed class NodegroupNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => fakeBoundParameters["ClusterName"] is string { Length: > 0 } cluster
            ? AwsListCompletion.Complete(fakeBoundParameters, wordToComplete, (session, ct) => new Engine.Eks.EksApi(session).ListNodegroupsAsync(cluster, ct))
            : Array.Empty<CompletionResult>();
}

/// <summary>Names listed from AWS with the credentials and region the command line gives, within 5 seconds; never an error.</summary>
internal static class AwsListCompletion
{
    internal static IEnumerable<CompletionResult> Complete(IDictionary fakeBoundParameters, string wordToComplete,
        Func<Engine.Aws.AwsSession, CancellationToken, Task<IReadOnlyList<string>>> list)
    {
        try
        {
            var options = new Engine.Aws.AwsConnectionOptions
            {
                Region = fakeBoundParameters["Region"] as string,
                ProfileName = fakeBoundParameters["ProfileName"] as string,
                ProfileLocation = fakeBoundParameters["ProfileLocation"] as string,
                EndpointUrl = fakeBoundParameters["EndpointUrl"] as string,
            };
            using var session = Engine.Aws.AwsSession.Resolve(options);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var names = list(session, timeout.Token).GetAwaiter().GetResult();
            return CompletionHelper.Complete(names, wordToComplete).ToList();
        }
        catch (Exception)
        {
            return Array.Empty<CompletionResult>(); // completion never throws at the user
        }
    }
}

/// <summary>Completes -AmiType from the AMI types the EKS API knows (no AWS call).</summary>
public sealed class AmiTypeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(Engine.NodeGroups.NodeGroupValidation.AmiTypes, wordToComplete);
}

/// <summary>Completes -Type with the record types Route 53 supports.</summary>
public sealed class DnsRecordTypeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(Engine.Dns.RecordValidation.Types, wordToComplete);
}
