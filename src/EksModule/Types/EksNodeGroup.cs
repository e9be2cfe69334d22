using EksModule.Engine.NodeGroups;

namespace EksModule.Types;

/// <summary>
/// An EKS managed node group. Property names follow the EKS API (as AWS.Tools.EKS's
/// Amazon.EKS.Model.Nodegroup does); Name and Region are the module's own, so the object binds to
/// -Name and -Region of the next node group cmdlet in a pipeline.
/// </summary>
public sealed class EksNodeGroup
{
    internal EksNodeGroup(Nodegroup nodegroup, string region)
    {
        NodegroupName = nodegroup.NodegroupName;
        NodegroupArn = nodegroup.NodegroupArn;
        ClusterName = nodegroup.ClusterName;
        Version = nodegroup.Version;
        ReleaseVersion = nodegroup.ReleaseVersion;
        CreatedAt = nodegroup.CreatedAt?.ToLocalTime();
        ModifiedAt = nodegroup.ModifiedAt?.ToLocalTime();
        Status = nodegroup.Status;
        CapacityType = nodegroup.CapacityType;
        ScalingConfig = nodegroup.ScalingConfig;
        InstanceTypes = nodegroup.InstanceTypes;
        Subnets = nodegroup.Subnets;
        AmiType = nodegroup.AmiType;
        NodeRole = nodegroup.NodeRole;
        Labels = new Dictionary<string, string>(nodegroup.Labels);
        Taints = nodegroup.Taints;
        Resources = nodegroup.Resources;
        DiskSize = nodegroup.DiskSize;
        Health = nodegroup.Health;
        UpdateConfig = nodegroup.UpdateConfig;
        LaunchTemplate = nodegroup.LaunchTemplate;
        Tags = new Dictionary<string, string>(nodegroup.Tags);
        Region = region;
    }

    public string NodegroupName { get; }
    public string? NodegroupArn { get; }
    public string ClusterName { get; }
    public string? Version { get; }
    public string? ReleaseVersion { get; }
    public DateTime? CreatedAt { get; }
    public DateTime? ModifiedAt { get; }
    public string? Status { get; }
    public string? CapacityType { get; }
    public NodegroupScalingConfig? ScalingConfig { get; }
    public List<string> InstanceTypes { get; }
    public List<string> Subnets { get; }
    public string? AmiType { get; }
    public string? NodeRole { get; }
    public Dictionary<string, string> Labels { get; }
    public List<Taint> Taints { get; }
    public NodegroupResources? Resources { get; }
    public int? DiskSize { get; }
    public NodegroupHealth? Health { get; }
    public NodegroupUpdateConfig? UpdateConfig { get; }
    public LaunchTemplateSpecification? LaunchTemplate { get; }
    public Dictionary<string, string> Tags { get; }

    /// <summary>The region the node group is in; binds to -Region of the next cmdlet in a pipeline.</summary>
    public string Region { get; }

    /// <summary>The node group's name again, so it binds to -Name of Set-EksNodeGroupScaling and Remove-EksNodeGroup.</summary>
    public string Name => NodegroupName;

    public int? MinSize => ScalingConfig?.MinSize;
    public int? DesiredSize => ScalingConfig?.DesiredSize;
    public int? MaxSize => ScalingConfig?.MaxSize;
    public IReadOnlyList<string> AutoScalingGroupNames => Resources?.AutoScalingGroups.Select(g => g.Name).OfType<string>().ToList() ?? new List<string>();

    public override string ToString() => NodegroupName;
}

/// <summary>An EC2 instance of a node group's Auto Scaling group: where it runs and what Auto Scaling thinks of it.</summary>
public sealed class EksNodeGroupInstance
{
    internal EksNodeGroupInstance(NodeGroupInstance instance, string region)
    {
        ClusterName = instance.ClusterName;
        NodegroupName = instance.NodegroupName;
        AutoScalingGroupName = instance.AutoScalingGroupName;
        InstanceId = instance.InstanceId;
        AvailabilityZone = instance.AvailabilityZone;
        LifecycleState = instance.LifecycleState;
        HealthStatus = instance.HealthStatus;
        InstanceType = instance.InstanceType;
        LaunchTime = instance.LaunchTime?.ToLocalTime();
        PrivateIpAddress = instance.PrivateIpAddress;
        SubnetId = instance.SubnetId;
        ProtectedFromScaleIn = instance.ProtectedFromScaleIn;
        Region = region;
    }

    public string ClusterName { get; }
    public string NodegroupName { get; }
    public string AutoScalingGroupName { get; }
    public string InstanceId { get; }
    public string? AvailabilityZone { get; }
    /// <summary>Auto Scaling's lifecycle state: Pending, InService, Terminating, Standby, ...</summary>
    public string? LifecycleState { get; }
    /// <summary>Healthy or Unhealthy, as Auto Scaling judges it.</summary>
    public string? HealthStatus { get; }
    public string? InstanceType { get; }
    public DateTime? LaunchTime { get; }
    public string? PrivateIpAddress { get; }
    public string? SubnetId { get; }
    public bool ProtectedFromScaleIn { get; }
    public string Region { get; }

    public override string ToString() => InstanceId;
}
