using System.Text.Json.Serialization;
using EksModule.Engine.Eks;

namespace EksModule.Engine.NodeGroups;

// Wire shapes of EKS managed node groups (restJson1, botocore eks 2017-11-01), named as the API names
// them so the module's EksNodeGroup carries AWS.Tools.EKS's property names.

public sealed class NodegroupScalingConfig
{
    public int? MinSize { get; set; }
    public int? MaxSize { get; set; }
    public int? DesiredSize { get; set; }

    public override string ToString() => $"{MinSize}/{DesiredSize}/{MaxSize}";
}

public sealed class Taint
{
    public string? Key { get; set; }
    public string? Value { get; set; }
    /// <summary>NO_SCHEDULE, PREFER_NO_SCHEDULE or NO_EXECUTE.</summary>
    public string? Effect { get; set; }

    public override string ToString() => $"{Key}={Value}:{Effect}";
}

public sealed class AutoScalingGroupRef
{
    public string? Name { get; set; }
    public override string ToString() => Name ?? string.Empty;
}

public sealed class NodegroupResources
{
    public List<AutoScalingGroupRef> AutoScalingGroups { get; set; } = new();
    public string? RemoteAccessSecurityGroup { get; set; }
}

public sealed class NodegroupIssue
{
    public string? Code { get; set; }
    public string? Message { get; set; }
    public List<string> ResourceIds { get; set; } = new();
}

public sealed class NodegroupHealth
{
    public List<NodegroupIssue> Issues { get; set; } = new();
}

public sealed class NodegroupUpdateConfig
{
    public int? MaxUnavailable { get; set; }
    public int? MaxUnavailablePercentage { get; set; }
}

public sealed class LaunchTemplateSpecification
{
    public string? Name { get; set; }
    public string? Version { get; set; }
    public string? Id { get; set; }

    public override string ToString() => $"{Id ?? Name}{(Version is null ? string.Empty : ":" + Version)}";
}

public sealed class Nodegroup
{
    public string NodegroupName { get; set; } = string.Empty;
    public string? NodegroupArn { get; set; }
    public string ClusterName { get; set; } = string.Empty;
    public string? Version { get; set; }
    public string? ReleaseVersion { get; set; }
    [JsonConverter(typeof(EpochDateTimeConverter))]
    public DateTime? CreatedAt { get; set; }
    [JsonConverter(typeof(EpochDateTimeConverter))]
    public DateTime? ModifiedAt { get; set; }
    public string? Status { get; set; }
    public string? CapacityType { get; set; }
    public NodegroupScalingConfig? ScalingConfig { get; set; }
    public List<string> InstanceTypes { get; set; } = new();
    public List<string> Subnets { get; set; } = new();
    public string? AmiType { get; set; }
    public string? NodeRole { get; set; }
    public Dictionary<string, string> Labels { get; set; } = new();
    public List<Taint> Taints { get; set; } = new();
    public NodegroupResources? Resources { get; set; }
    public int? DiskSize { get; set; }
    public NodegroupHealth? Health { get; set; }
    public NodegroupUpdateConfig? UpdateConfig { get; set; }
    public LaunchTemplateSpecification? LaunchTemplate { get; set; }
    public Dictionary<string, string> Tags { get; set; } = new();
}

public sealed class CreateNodegroupRequest
{
    public string NodegroupName { get; set; } = string.Empty;
    public NodegroupScalingConfig? ScalingConfig { get; set; }
    public int? DiskSize { get; set; }
    public List<string> Subnets { get; set; } = new();
    public List<string>? InstanceTypes { get; set; }
    public string? AmiType { get; set; }
    public string NodeRole { get; set; } = string.Empty;
    public Dictionary<string, string>? Labels { get; set; }
    public List<Taint>? Taints { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
    public string? ClientRequestToken { get; set; }
    public LaunchTemplateSpecification? LaunchTemplate { get; set; }
    public NodegroupUpdateConfig? UpdateConfig { get; set; }
    public string? CapacityType { get; set; }
}

public sealed class UpdateNodegroupConfigRequest
{
    public NodegroupScalingConfig? ScalingConfig { get; set; }
    public NodegroupUpdateConfig? UpdateConfig { get; set; }
    public string? ClientRequestToken { get; set; }
}

public sealed class UpdateParam
{
    public string? Type { get; set; }
    public string? Value { get; set; }
}

public sealed class UpdateError
{
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public List<string> ResourceIds { get; set; } = new();
}

/// <summary>An asynchronous EKS change (DescribeUpdate): InProgress, then Successful, Failed or Cancelled.</summary>
public sealed class EksUpdate
{
    public string Id { get; set; } = string.Empty;
    public string? Status { get; set; }
    public string? Type { get; set; }
    public List<UpdateParam> Params { get; set; } = new();
    [JsonConverter(typeof(EpochDateTimeConverter))]
    public DateTime? CreatedAt { get; set; }
    public List<UpdateError> Errors { get; set; } = new();
}
