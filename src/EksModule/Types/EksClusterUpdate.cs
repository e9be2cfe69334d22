using EksModule.Engine.NodeGroups;

namespace EksModule.Types;

/// <summary>
/// One asynchronous EKS change that Update-EksControlPlane or Update-EksAddon carried out or found done:
/// the update's id, type, status, parameters and errors as DescribeUpdate gives them, and what it changed.
/// </summary>
public sealed class EksClusterUpdate
{
    internal EksClusterUpdate(string clusterName, string region, string step, string resource, string? fromVersion, string? toVersion,
        string description, EksUpdate? update, string status)
    {
        ClusterName = clusterName;
        Region = region;
        Step = step;
        Resource = resource;
        FromVersion = fromVersion;
        ToVersion = toVersion;
        Description = description;
        Id = update?.Id;
        Type = update?.Type;
        Status = status;
        CreatedAt = update?.CreatedAt?.ToLocalTime();
        Params = update?.Params.ToDictionary(p => p.Type ?? string.Empty, p => p.Value ?? string.Empty) ?? new Dictionary<string, string>();
        Errors = update?.Errors.Select(e => $"{e.ErrorCode}: {e.ErrorMessage}").ToArray() ?? Array.Empty<string>();
    }

    public string ClusterName { get; }
    public string Region { get; }
    /// <summary>ControlPlane, Addon, NodeGroup or ClusterConfig.</summary>
    public string Step { get; }
    /// <summary>The cluster, add-on or node group the step changed.</summary>
    public string Resource { get; }
    public string? FromVersion { get; }
    public string? ToVersion { get; }
    public string Description { get; }
    /// <summary>The EKS update id (empty when the step was already done, or the endpoint applied the change at once).</summary>
    public string? Id { get; }
    /// <summary>VersionUpdate, AddonUpdate, LoggingUpdate, EndpointAccessUpdate, ...</summary>
    public string? Type { get; }
    /// <summary>Successful, Failed, Cancelled, InProgress; AlreadyDone when nothing had to be sent; Applied when the endpoint answered without an update.</summary>
    public string Status { get; }
    public DateTime? CreatedAt { get; }
    public Dictionary<string, string> Params { get; }
    public string[] Errors { get; }

    public override string ToString() => $"{Step} {Resource}: {Status}";
}
