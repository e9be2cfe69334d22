namespace EksModule.Types;

/// <summary>The control plane log group of a cluster and how long CloudWatch Logs keeps its events.</summary>
public sealed class EksLogGroup
{
    internal EksLogGroup(Engine.Monitoring.ClusterLogGroup group, string region)
    {
        ClusterName = group.ClusterName;
        LogGroupName = group.LogGroupName;
        RetentionInDays = group.RetentionInDays;
        Region = region;
    }

    public string ClusterName { get; }

    /// <summary>/aws/eks/&lt;cluster&gt;/cluster, where EKS writes the api, audit, authenticator, controllerManager and scheduler logs.</summary>
    public string LogGroupName { get; }

    /// <summary>Days events are kept; null when they never expire.</summary>
    public int? RetentionInDays { get; }

    public string Region { get; }
}
