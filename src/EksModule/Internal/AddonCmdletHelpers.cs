using System.Collections;
using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Upgrades;

namespace EksModule.Internal;

/// <summary>Completes the add-on names EKS offers for the common cases.</summary>
public sealed class AddonNameCompleter : IArgumentCompleter
{
    internal static readonly string[] Known = { "vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "eks-pod-identity-agent", "snapshot-controller" };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Known.Where(n => n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
}

internal static class AddonCmdletHelpers
{
    /// <summary>-ConfigurationValues as the add-on's JSON; PowerShell's wrappers are taken off first.</summary>
    public static string? ConfigurationJson(string addonName, Hashtable? values) =>
        values is null ? null : AddonConfiguration.ToJson(addonName, (IDictionary)Unwrap(values)!);

    private static object? Unwrap(object? value)
    {
        value = value is PSObject ps ? ps.BaseObject : value;
        return value switch
        {
            IDictionary d => d.Cast<DictionaryEntry>().ToDictionary(e => Unwrap(e.Key)!, e => Unwrap(e.Value)),
            string s => s,
            IEnumerable list => list.Cast<object?>().Select(Unwrap).ToList(),
            _ => value,
        };
    }

    public static void ValidateAddonName(string name, string parameterName = "Name")
    {
        if (string.IsNullOrEmpty(name) || name.Length > 100 || !System.Text.RegularExpressions.Regex.IsMatch(name, "^[0-9a-z][a-z0-9-]*$"))
            throw new InvalidClusterInputException("InvalidAddonName",
                $"'{name}' is not an EKS add-on name: use lower-case letters, digits and hyphens, e.g. {string.Join(", ", AddonNameCompleter.Known.Take(5))}.", parameterName);
    }

    /// <summary>For an add-on EKS installed whose pods have no node yet (UpgradeService.IsWaitingForNodes): what it means and what to do.</summary>
    public static string WaitingForNodesWarning(string clusterName, string addonName) =>
        $"Add-on {addonName} of cluster '{clusterName}' is installed but DEGRADED (InsufficientNumberOfReplicas) until nodes join: its pods have no node to run on. " +
        $"Add a node group (Add-EksNodeGroup -ClusterName {clusterName} ...) and EKS reports it ACTIVE.";

    public static void ValidateRoleArn(string? arn)
    {
        if (arn is { Length: > 0 } && !System.Text.RegularExpressions.Regex.IsMatch(arn, @"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"))
            throw new InvalidClusterInputException("InvalidServiceAccountRoleArn",
                $"-ServiceAccountRoleArn '{arn}' is not an IAM role ARN such as arn:aws:iam::123456789012:role/ebs-csi.", "ServiceAccountRoleArn");
    }
}
