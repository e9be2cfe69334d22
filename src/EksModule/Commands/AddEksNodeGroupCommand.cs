using System.Collections;
using System.Management.Automation;
using EksModule.Engine.Clusters;
using EksModule.Engine.Errors;
using EksModule.Engine.NodeGroups;
using EksModule.Internal;
using EksModule.Types;

namespace EksModule.Commands;

/// <summary>
/// Adds an EKS managed node group to a cluster and waits until it is ACTIVE. Subnets default to the
/// cluster's private subnets and the node role is created (idempotently) unless one is given. A rerun
/// with the same shape converges on the existing node group; another shape is an error naming the differences.
/// </summary>
[Cmdlet(VerbsCommon.Add, "EksNodeGroup", SupportsShouldProcess = true)]
[OutputType(typeof(EksNodeGroup))]
public sealed class AddEksNodeGroupCommand : AwsCmdletBase
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ClusterNameCompleter))]
    public string ClusterName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [Alias("NodegroupName")]
    public string Name { get; set; } = string.Empty;

    [Parameter]
    [Alias("InstanceTypes")]
    public string[]? InstanceType { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(AmiTypeCompleter))]
    public string? AmiType { get; set; }

    [Parameter]
    [ValidateSet("OnDemand", "Spot", IgnoreCase = true)]
    public string? CapacityType { get; set; }

    /// <summary>Root volume size in GiB (default 20; not with -LaunchTemplate).</summary>
    [Parameter]
    public int DiskSize { get; set; }

    [Parameter]
    public int MinSize { get; set; }

    [Parameter]
    public int DesiredSize { get; set; }

    [Parameter]
    public int MaxSize { get; set; }

    [Parameter]
    [Alias("SubnetIds", "Subnets")]
    public string[]? SubnetId { get; set; }

    [Parameter]
    [Alias("Labels")]
    public Hashtable? Label { get; set; }

    /// <summary>key=value:Effect, Effect NoSchedule, PreferNoSchedule or NoExecute.</summary>
    [Parameter]
    [Alias("Taints")]
    public string[]? Taint { get; set; }

    /// <summary>A launch template name, or its id (lt-...).</summary>
    [Parameter]
    public string? LaunchTemplate { get; set; }

    /// <summary>The launch template version: a number, $Latest or $Default (EKS's default is the template's default version).</summary>
    [Parameter]
    public string? LaunchTemplateVersion { get; set; }

    [Parameter]
    public int MaxUnavailable { get; set; }

    [Parameter]
    [Alias("Tags")]
    public Hashtable? Tag { get; set; }

    [Parameter]
    public string? NodeRoleArn { get; set; }

    [Parameter]
    public SwitchParameter EnableClusterAutoscaler { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>After ACTIVE, wait through the Kubernetes API until the desired number of the node group's nodes are Ready.</summary>
    [Parameter]
    public SwitchParameter WaitForNodes { get; set; }

    /// <summary>Seconds to wait for ACTIVE (default 1800).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int Timeout { get; set; } = 1800;

    private bool Given(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    protected override void ProcessRecord()
    {
        var spec = BuildSpec();
        var session = Session;
        var service = new NodeGroupService(session);
        var target = $"{ClusterName}/{Name}";
        try
        {
            var existing = Run(ct => service.NodeGroups.TryDescribeNodegroupAsync(ClusterName, Name, ct));
            if (existing is not null)
            {
                Converge(service, existing, spec);
                return;
            }

            var cluster = Run(ct => service.GetClusterAsync(ClusterName, ct));
            if (cluster.Status == "CREATING" && !IsWhatIf)
            {
                WriteVerbose($"Cluster '{ClusterName}' is still CREATING; waiting for it before adding the node group.");
                cluster = Run(ct => new ClusterService(session).WaitForActiveAsync(ClusterName, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
            }
            var subnets = spec.SubnetIds ?? Run(ct => service.DefaultSubnetsAsync(cluster, ct));
            if (spec.SubnetIds is null) WriteVerbose($"Node group subnets (the cluster's {(subnets.Count < cluster.ResourcesVpcConfig?.SubnetIds.Count ? "private " : string.Empty)}subnets): {string.Join(", ", subnets)}");
            if (subnets.Count == 0)
                throw new ModuleOperationException("NoSubnets", "InvalidArgument", $"Cluster '{ClusterName}' has no subnets to put nodes in; pass -SubnetId.");

            var (roleArn, roleCreated) = PrepareRole(service, spec);
            if (roleArn is null && !IsWhatIf) return;

            var request = NodeGroupService.BuildCreateRequest(spec, subnets, roleArn ?? RolePreview());
            var scaling = request.ScalingConfig!;
            var description = $"Create managed node group '{Name}' in EKS cluster '{ClusterName}' ({session.Region}): " +
                $"{string.Join(", ", request.InstanceTypes ?? new List<string> { $"launch template {request.LaunchTemplate}" })} {request.CapacityType}, {request.AmiType}, " +
                $"min {scaling.MinSize} / desired {scaling.DesiredSize} / max {scaling.MaxSize}, subnets {string.Join(", ", subnets)}";
            if (!ShouldProcess(description, description + "?", "Add-EksNodeGroup") || roleArn is null) return;

            var created = Run(ct => service.CreateAsync(ClusterName, request, roleCreated, VerboseSink, ct));
            WriteObject(new EksNodeGroup(NoWait ? created : WaitUntilReady(service, created), session.Region));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ReportError(e, target);
        }
    }

    /// <summary>The waits after create (or on a rerun): ACTIVE in EKS, then (-WaitForNodes) the nodes Ready in Kubernetes.</summary>
    private Engine.NodeGroups.Nodegroup WaitUntilReady(NodeGroupService service, Engine.NodeGroups.Nodegroup nodegroup)
    {
        var started = DateTime.UtcNow;
        if (nodegroup.Status != "ACTIVE")
            nodegroup = Run(ct => service.WaitForActiveAsync(ClusterName, Name, TimeSpan.FromSeconds(Timeout), WaitProgressSink, ct));
        if (WaitForNodes)
        {
            var left = TimeSpan.FromSeconds(Timeout) - (DateTime.UtcNow - started);
            var desired = nodegroup.ScalingConfig?.DesiredSize ?? 0;
            var nodes = Run(ct => new NodeReadiness(Session).WaitAsync(ClusterName, Name, desired, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), WaitProgressSink, ct));
            WriteVerbose($"Node group {ClusterName}/{Name}: {nodes}.");
        }
        return nodegroup;
    }

    private string RolePreview() => $"(the role {Engine.Iam.RoleManager.RoleNameFor(ClusterName, Engine.Iam.RoleSpec.NodeRole)})";

    private NodeGroupSpec BuildSpec()
    {
        try
        {
            var labels = NodeGroupCmdletHelpers.ToDictionary(Label);
            var spec = new NodeGroupSpec
            {
                ClusterName = ClusterName,
                NodegroupName = Name,
                InstanceTypes = InstanceType?.Distinct(StringComparer.Ordinal).ToList(),
                AmiType = AmiType,
                CapacityType = CapacityType,
                DiskSize = Given(nameof(DiskSize)) ? DiskSize : null,
                MinSize = Given(nameof(MinSize)) ? MinSize : null,
                DesiredSize = Given(nameof(DesiredSize)) ? DesiredSize : null,
                MaxSize = Given(nameof(MaxSize)) ? MaxSize : null,
                SubnetIds = SubnetId?.Distinct(StringComparer.Ordinal).ToList(),
                Labels = labels,
                Taints = Taint is null ? null : NodeGroupValidation.ParseTaints(Taint),
                LaunchTemplate = LaunchTemplate is null ? null : NodeGroupValidation.ParseLaunchTemplate(LaunchTemplate, LaunchTemplateVersion),
                MaxUnavailable = Given(nameof(MaxUnavailable)) ? MaxUnavailable : null,
                Tags = NodeGroupCmdletHelpers.ToDictionary(Tag),
                NodeRoleArn = NodeRoleArn,
                EnableClusterAutoscaler = EnableClusterAutoscaler,
            };
            if (LaunchTemplateVersion is not null && LaunchTemplate is null)
                throw new InvalidClusterInputException("InvalidLaunchTemplate", "-LaunchTemplateVersion goes with -LaunchTemplate.", nameof(LaunchTemplateVersion));
            return NodeGroupValidation.Validate(spec);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, $"{ClusterName}/{Name}"));
            throw; // unreachable
        }
    }

    private (string? RoleArn, bool Created) PrepareRole(NodeGroupService service, NodeGroupSpec spec)
    {
        if (spec.NodeRoleArn is not null) return (spec.NodeRoleArn, false);
        var plan = Run(ct => service.PlanNodeRoleAsync(ClusterName, ct));
        if (plan.HasWork)
        {
            var action = plan.Exists
                ? $"Attach {string.Join(", ", plan.PolicyArnsToAttach)} to IAM role '{plan.RoleName}'"
                : $"Create IAM node role '{plan.RoleName}' trusted by ec2.amazonaws.com with {string.Join(", ", plan.PolicyArnsToAttach)}";
            if (!ShouldProcess(action, action + "?", "Add-EksNodeGroup")) return (null, false);
        }
        var role = Run(ct => service.EnsureNodeRoleAsync(ClusterName, spec.Tags ?? new Dictionary<string, string>(), ct));
        WriteVerbose($"Node role: {role.Arn}");
        return (role.Arn, !plan.Exists);
    }

    private void Converge(NodeGroupService service, Engine.NodeGroups.Nodegroup existing, NodeGroupSpec spec)
    {
        WriteVerbose($"Node group '{Name}' already exists in cluster '{ClusterName}' ({existing.Status}); Add-EksNodeGroup converges on it instead of creating it again.");
        if (existing.Status == "DELETING")
            throw new ModuleOperationException("NodeGroupDeleting", "ResourceBusy",
                $"Node group '{Name}' in cluster '{ClusterName}' is being deleted. Wait for it to be gone (Remove-EksNodeGroup waits), then run Add-EksNodeGroup again.");
        var differences = NodeGroupService.Compare(existing, spec, spec.SubnetIds);
        if (differences.Count > 0) throw NodeGroupService.ShapeMismatch(existing, differences);

        var result = existing;
        if (spec.EnableClusterAutoscaler && !NodeGroupService.HasAutoscalerTags(existing))
        {
            var what = $"Tag node group '{ClusterName}/{Name}' and its Auto Scaling groups for cluster-autoscaler discovery";
            if (ShouldProcess(what, what + "?", "Add-EksNodeGroup"))
            {
                Run(ct => service.EnableAutoscalerTagsAsync(existing, ct));
                result = Run(ct => service.NodeGroups.DescribeNodegroupAsync(ClusterName, Name, ct));
            }
        }
        if (!NoWait && !IsWhatIf) result = WaitUntilReady(service, result);
        WriteObject(new EksNodeGroup(result, service.Region));
    }
}
