namespace EksModule.Types;

/// <summary>A CloudTrail record of one EKS API call about a cluster: who did what, from where, and when.</summary>
public sealed class EksApiEvent
{
    internal EksApiEvent(Engine.Monitoring.ClusterApiEvent apiEvent, string region)
    {
        EventTime = apiEvent.EventTime;
        EventName = apiEvent.EventName;
        Username = apiEvent.Username;
        SourceIpAddress = apiEvent.SourceIpAddress;
        ReadOnly = apiEvent.ReadOnly;
        ClusterName = apiEvent.ClusterName;
        EventId = apiEvent.EventId;
        CloudTrailEvent = apiEvent.CloudTrailEvent;
        Region = region;
    }

    /// <summary>UTC.</summary>
    public DateTime EventTime { get; }

    /// <summary>The EKS operation, such as CreateNodegroup or UpdateClusterConfig.</summary>
    public string EventName { get; }

    public string? Username { get; }

    public string? SourceIpAddress { get; }

    /// <summary>True for reads (Describe*, List*).</summary>
    public bool ReadOnly { get; }

    public string ClusterName { get; }

    public string EventId { get; }

    /// <summary>The whole CloudTrail record as JSON; ConvertFrom-Json reads requestParameters, userIdentity and errorCode from it.</summary>
    public string CloudTrailEvent { get; }

    public string Region { get; }
}
