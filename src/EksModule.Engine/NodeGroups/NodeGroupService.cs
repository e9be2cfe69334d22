using Amazon.EC2.Model;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Clusters;
using EksModule.Engine.Eks;
using EksModule.Engine.Errors;
using EksModule.Engine.Iam;
using EksModule.Engine.Network;
using EksModule.Engine.Waiting;

namespace EksModule.Engine.NodeGroups;

/// <summary>One EC2 instance of a node group's Auto Scaling group, as Auto Scaling and EC2 see it.</summary>
public sealed record NodeGroupInstance(
    string ClusterName, string NodegroupName, string AutoScalingGroupName, string InstanceId, string? AvailabilityZone,
    string? LifecycleState, string? HealthStatus, string? InstanceType, DateTime? LaunchTime, string? PrivateIpAddress, string? SubnetId,
    bool ProtectedFromScaleIn, string? PrivateDnsName = null);

/// <summary>
/// Managed node groups as steps a cmdlet can put ShouldProcess around: read-only planning (defaults,
/// role plan, convergence check) first, then each mutation on its own, then the waits.
/// </summary>
public sealed class NodeGroupService
{
    private readonly AwsSession _session;
    private readonly Waiter _waiter;
    private AutoScalingApi? _autoScaling;

    public NodeGroupService(AwsSession session, Waiter? waiter = null)
    {
        _session = session;
        _waiter = waiter ?? new Waiter();
        Eks = new EksApi(session);
        NodeGroups = new NodeGroupApi(Eks);
        Roles = new RoleManager(new IamApi(session), session.Region);
    }

    public EksApi Eks { get; }
    public NodeGroupApi NodeGroups { get; }
    public RoleManager Roles { get; }
    public string Region => _session.Region;
    private AutoScalingApi AutoScaling => _autoScaling ??= new AutoScalingApi(_session);

    /// <summary>The cluster, which must exist and not be on its way out.</summary>
    public async Task<Cluster> GetClusterAsync(string clusterName, CancellationToken ct)
    {
        var cluster = await Eks.TryDescribeClusterAsync(clusterName, ct).ConfigureAwait(false)
            ?? throw new ModuleOperationException("ResourceNotFoundException", "ObjectNotFound",
                $"No cluster named '{clusterName}' in {Region}. Run Get-EksCluster -Region {Region} to list the clusters there.");
        if (cluster.Status == "DELETING")
            throw new ModuleOperationException("ClusterDeleting", "ResourceBusy", $"Cluster '{clusterName}' is being deleted; node groups cannot be added to it.");
        return cluster;
    }

    /// <summary>Node groups of a cluster whose names match any pattern (all when none); unmatched literal names are reported.</summary>
    public async Task<IReadOnlyList<Nodegroup>> GetAsync(string clusterName, IReadOnlyList<string>? names, Action<string> reportMissing, CancellationToken ct)
    {
        var wanted = new List<string>();
        if (names is null || names.Count == 0 || names.Any(ClusterService.HasWildcard))
        {
            var all = await NodeGroups.ListNodegroupsAsync(clusterName, ct).ConfigureAwait(false);
            wanted.AddRange(names is null || names.Count == 0 ? all : all.Where(n => names.Any(p => ClusterService.WildcardMatch(p, n))));
        }
        if (names is not null)
            foreach (var literal in names.Where(n => !ClusterService.HasWildcard(n)))
                if (!wanted.Contains(literal, StringComparer.Ordinal)) wanted.Add(literal);

        var result = new List<Nodegroup>();
        foreach (var name in wanted.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.OrdinalIgnoreCase))
        {
            var nodegroup = await NodeGroups.TryDescribeNodegroupAsync(clusterName, name, ct).ConfigureAwait(false);
            if (nodegroup is null) reportMissing(name);
            else result.Add(nodegroup);
        }
        return result;
    }

    /// <summary>
    /// Where nodes go when -SubnetId is not given: the cluster's private subnets (tagged for internal
    /// load balancers, as New-EksCluster's VPC and eksctl's are), else all of the cluster's subnets.
    /// </summary>
    public async Task<IReadOnlyList<string>> DefaultSubnetsAsync(Cluster cluster, CancellationToken ct)
    {
        var clusterSubnets = cluster.ResourcesVpcConfig?.SubnetIds ?? new List<string>();
        if (clusterSubnets.Count == 0) return clusterSubnets;
        var subnets = await _session.Ec2.DescribeSubnetsAsync(ct, new Filter("subnet-id", clusterSubnets)).ConfigureAwait(false);
        var privateSubnets = subnets.Where(s => s.Tags.HasTag(NetworkTags.InternalElbRole, "1")).Select(s => s.SubnetId).ToList();
        return privateSubnets.Count > 0 ? clusterSubnets.Where(privateSubnets.Contains).ToList() : clusterSubnets;
    }

    public Task<RolePlan> PlanNodeRoleAsync(string clusterName, CancellationToken ct) => Roles.PlanAsync(clusterName, RoleSpec.NodeRole, ct);

    public Task<IamRole> EnsureNodeRoleAsync(string clusterName, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
        => Roles.EnsureAsync(clusterName, RoleSpec.NodeRole, tags, ct);

    /// <summary>The CreateNodegroup body for a validated spec, with defaults for what was not given.</summary>
    public static CreateNodegroupRequest BuildCreateRequest(NodeGroupSpec spec, IReadOnlyList<string> subnetIds, string nodeRoleArn)
    {
        var tags = new Dictionary<string, string>(spec.Tags ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (spec.EnableClusterAutoscaler)
            foreach (var (key, value) in NodeGroupValidation.AutoscalerTags(spec.ClusterName)) tags[key] = value;
        return new CreateNodegroupRequest
        {
            NodegroupName = spec.NodegroupName,
            ScalingConfig = NodeGroupValidation.ResolveScaling(spec.MinSize, spec.DesiredSize, spec.MaxSize),
            DiskSize = spec.LaunchTemplate is null ? spec.DiskSize ?? 20 : null,
            Subnets = subnetIds.ToList(),
            InstanceTypes = spec.InstanceTypes?.ToList() ?? (spec.LaunchTemplate is null ? new List<string> { DefaultInstanceType(spec.AmiType) } : null),
            AmiType = spec.AmiType ?? NodeGroupValidation.DefaultAmiType,
            NodeRole = nodeRoleArn,
            Labels = spec.Labels is { Count: > 0 } ? new Dictionary<string, string>(spec.Labels) : null,
            Taints = spec.Taints is { Count: > 0 } ? spec.Taints.ToList() : null,
            Tags = tags.Count > 0 ? tags : null,
            ClientRequestToken = Guid.NewGuid().ToString(),
            LaunchTemplate = spec.LaunchTemplate,
            UpdateConfig = spec.MaxUnavailable is null ? null : new NodegroupUpdateConfig { MaxUnavailable = spec.MaxUnavailable },
            CapacityType = spec.CapacityType ?? "ON_DEMAND",
        };
    }

    /// <summary>EKS's default is t3.medium; ARM AMIs need a Graviton type.</summary>
    public static string DefaultInstanceType(string? amiType) =>
        amiType is not null && amiType.Contains("ARM", StringComparison.Ordinal) ? "t4g.medium" : "t3.medium";

    /// <summary>
    /// How an existing node group differs from what was asked, one line per difference; only what the
    /// caller gave is compared (a rerun with fewer parameters still converges).
    /// </summary>
    public static IReadOnlyList<string> Compare(Nodegroup existing, NodeGroupSpec spec, IReadOnlyList<string>? subnetIds)
    {
        var differences = new List<string>();
        void Check(bool differs, string what) { if (differs) differences.Add(what); }
        static string List(IEnumerable<string> items) => string.Join(", ", items.OrderBy(i => i, StringComparer.Ordinal));
        static bool SameSet(IEnumerable<string> a, IEnumerable<string> b) => new HashSet<string>(a, StringComparer.Ordinal).SetEquals(b);

        if (spec.InstanceTypes is not null)
            Check(!SameSet(existing.InstanceTypes, spec.InstanceTypes), $"InstanceTypes: {List(existing.InstanceTypes)} (wanted {List(spec.InstanceTypes)})");
        if (spec.AmiType is not null)
            Check(existing.AmiType != spec.AmiType, $"AmiType: {existing.AmiType} (wanted {spec.AmiType})");
        if (spec.CapacityType is not null)
            Check(existing.CapacityType != spec.CapacityType, $"CapacityType: {existing.CapacityType} (wanted {spec.CapacityType})");
        if (spec.DiskSize is not null)
            Check(existing.DiskSize != spec.DiskSize, $"DiskSize: {existing.DiskSize} GiB (wanted {spec.DiskSize} GiB)");
        if (subnetIds is not null)
            Check(!SameSet(existing.Subnets, subnetIds), $"Subnets: {List(existing.Subnets)} (wanted {List(subnetIds)})");
        if (spec.Labels is not null)
        {
            var same = existing.Labels.Count == spec.Labels.Count && spec.Labels.All(l => existing.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
            Check(!same, $"Labels: {Pairs(existing.Labels)} (wanted {Pairs(spec.Labels)})");
        }
        if (spec.Taints is not null)
            Check(!SameSet(existing.Taints.Select(t => t.ToString()), spec.Taints.Select(t => t.ToString())),
                $"Taints: {List(existing.Taints.Select(t => t.ToString()))} (wanted {List(spec.Taints.Select(t => t.ToString()))})");
        if (spec.NodeRoleArn is not null)
            Check(existing.NodeRole != spec.NodeRoleArn, $"NodeRole: {existing.NodeRole} (wanted {spec.NodeRoleArn})");
        if (spec.LaunchTemplate is { } lt)
        {
            var have = existing.LaunchTemplate;
            var same = have is not null && (lt.Id is null || lt.Id == have.Id) && (lt.Name is null || lt.Name == have.Name) && (lt.Version is null || lt.Version == have.Version);
            Check(!same, $"LaunchTemplate: {(have is null ? "none" : have.ToString())} (wanted {lt})");
        }
        var scaling = existing.ScalingConfig ?? new NodegroupScalingConfig();
        var sizes = new List<string>();
        if (spec.MinSize is not null && spec.MinSize != scaling.MinSize) sizes.Add($"MinSize {scaling.MinSize} (wanted {spec.MinSize})");
        if (spec.DesiredSize is not null && spec.DesiredSize != scaling.DesiredSize) sizes.Add($"DesiredSize {scaling.DesiredSize} (wanted {spec.DesiredSize})");
        if (spec.MaxSize is not null && spec.MaxSize != scaling.MaxSize) sizes.Add($"MaxSize {scaling.MaxSize} (wanted {spec.MaxSize})");
        if (sizes.Count > 0) differences.Add("Scaling: " + string.Join(", ", sizes) + " — change it with Set-EksNodeGroupScaling");
        if (spec.MaxUnavailable is not null)
            Check(existing.UpdateConfig?.MaxUnavailable != spec.MaxUnavailable, $"MaxUnavailable: {existing.UpdateConfig?.MaxUnavailable} (wanted {spec.MaxUnavailable})");
        return differences;
    }

    private static string Pairs(IEnumerable<KeyValuePair<string, string>> pairs)
        => "{" + string.Join(", ", pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")) + "}";

    public static ModuleOperationException ShapeMismatch(Nodegroup existing, IReadOnlyList<string> differences)
        => new("NodeGroupShapeMismatch", "ResourceExists",
            $"Node group '{existing.NodegroupName}' already exists in cluster '{existing.ClusterName}' with another shape:{Environment.NewLine}  " +
            string.Join(Environment.NewLine + "  ", differences) + Environment.NewLine +
            "Add-EksNodeGroup does not change an existing node group. Managed node groups change through Set-EksNodeGroupScaling (sizes) and the " +
            "Set-/Update- cmdlets; instance types, AMI type, capacity type, disk size, subnets and role are fixed at creation, so for those " +
            "create a node group with another -Name and remove this one.");

    /// <summary>CreateNodegroup; a node role made moments ago may not be usable yet (IAM is eventually consistent), so that one error is retried briefly.</summary>
    public async Task<Nodegroup> CreateAsync(string clusterName, CreateNodegroupRequest request, bool roleJustCreated, IProgress<string>? log, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(roleJustCreated ? 90 : 0);
        while (true)
        {
            try
            {
                return await NodeGroups.CreateNodegroupAsync(clusterName, request, ct).ConfigureAwait(false);
            }
            catch (AwsServiceError e) when (e.ErrorCode == "InvalidParameterException" && roleJustCreated
                && e.Message.Contains("role", StringComparison.OrdinalIgnoreCase) && DateTime.UtcNow < deadline)
            {
                log?.Report($"EKS cannot use the new node role yet ({e.Message}); retrying while IAM propagates.");
                await Task.Delay(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
            }
        }
    }

    public async Task<Nodegroup> WaitForActiveAsync(string clusterName, string name, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        Nodegroup? last = null;
        await _waiter.WaitAsync("Waiting for EKS node group to become ACTIVE", $"Node group {clusterName}/{name}", async token =>
        {
            last = await NodeGroups.DescribeNodegroupAsync(clusterName, name, token).ConfigureAwait(false);
            return last.Status switch
            {
                "ACTIVE" => PollResult.Finished("ACTIVE"),
                "CREATE_FAILED" or "DEGRADED" => PollResult.Failed(last.Status, $"Node group {clusterName}/{name} is {last.Status}: " + DescribeHealth(last)),
                "DELETING" => PollResult.Failed("DELETING", $"Node group {clusterName}/{name} is being deleted, so it will not become ACTIVE."),
                var s => PollResult.Pending(s ?? "UNKNOWN"),
            };
        }, WaitOptions.ForEks(timeout), progress, ct).ConfigureAwait(false);
        return last!;
    }

    /// <summary>Waits until every named node group is gone; a DELETE_FAILED one ends the wait with its health issues.</summary>
    public Task WaitForDeletedAsync(string clusterName, IReadOnlyList<string> names, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        var left = names.ToList();
        return _waiter.WaitAsync(names.Count == 1 ? "Waiting for EKS node group to be deleted" : "Waiting for EKS node groups to be deleted",
            names.Count == 1 ? $"Node group {clusterName}/{names[0]}" : $"Cluster {clusterName}", async token =>
            {
                foreach (var name in left.ToList())
                {
                    var nodegroup = await NodeGroups.TryDescribeNodegroupAsync(clusterName, name, token).ConfigureAwait(false);
                    if (nodegroup is null) left.Remove(name);
                    else if (nodegroup.Status == "DELETE_FAILED")
                        return PollResult.Failed("DELETE_FAILED", $"Deleting node group {clusterName}/{name} failed: " + DescribeHealth(nodegroup));
                }
                return left.Count == 0 ? PollResult.Finished("DELETED")
                    : PollResult.Pending(names.Count == 1 ? "DELETING" : $"{left.Count} node group(s) DELETING: {string.Join(", ", left)}");
            }, WaitOptions.ForEks(timeout), progress, ct);
    }

    /// <summary>Deletes each node group not already being deleted; returns the names now on their way out.</summary>
    public async Task<IReadOnlyList<string>> DeleteAllAsync(string clusterName, IReadOnlyList<string> names, IProgress<string>? log, CancellationToken ct)
    {
        foreach (var name in names)
        {
            var nodegroup = await NodeGroups.TryDescribeNodegroupAsync(clusterName, name, ct).ConfigureAwait(false);
            if (nodegroup is null || nodegroup.Status == "DELETING") continue;
            log?.Report($"Deleting node group {clusterName}/{name}.");
            await NodeGroups.DeleteNodegroupAsync(clusterName, name, ct).ConfigureAwait(false);
        }
        return names;
    }

    public Task<EksUpdate> UpdateScalingAsync(string clusterName, string name, NodegroupScalingConfig scaling, CancellationToken ct)
        => NodeGroups.UpdateNodegroupConfigAsync(clusterName, name, new UpdateNodegroupConfigRequest
        {
            ScalingConfig = scaling,
            ClientRequestToken = Guid.NewGuid().ToString(),
        }, ct);

    public async Task<EksUpdate> WaitForUpdateAsync(string clusterName, string name, string updateId, TimeSpan timeout, IProgress<WaitProgress>? progress, CancellationToken ct)
    {
        EksUpdate? last = null;
        await _waiter.WaitAsync("Waiting for EKS node group update", $"Node group {clusterName}/{name}", async token =>
        {
            last = await NodeGroups.DescribeUpdateAsync(clusterName, updateId, name, token).ConfigureAwait(false);
            return last.Status switch
            {
                "Successful" => PollResult.Finished("Successful"),
                "Failed" or "Cancelled" => PollResult.Failed(last.Status, $"Update {updateId} of node group {clusterName}/{name} is {last.Status}: " +
                    (last.Errors.Count > 0 ? string.Join("; ", last.Errors.Select(e => $"{e.ErrorCode}: {e.ErrorMessage}")) : "EKS gave no reason.")),
                var s => PollResult.Pending(s ?? "UNKNOWN"),
            };
        }, WaitOptions.ForEks(timeout), progress, ct).ConfigureAwait(false);
        return last!;
    }

    public static bool HasAutoscalerTags(Nodegroup nodegroup)
        => NodeGroupValidation.AutoscalerTags(nodegroup.ClusterName).All(t => nodegroup.Tags.TryGetValue(t.Key, out var v) && v == t.Value);

    /// <summary>
    /// Puts cluster-autoscaler's discovery tags on the node group and on its Auto Scaling groups, where
    /// cluster-autoscaler's auto-discovery reads them.
    /// </summary>
    public async Task EnableAutoscalerTagsAsync(Nodegroup nodegroup, CancellationToken ct)
    {
        var tags = NodeGroupValidation.AutoscalerTags(nodegroup.ClusterName);
        if (nodegroup.NodegroupArn is not null) await NodeGroups.TagResourceAsync(nodegroup.NodegroupArn, tags, ct).ConfigureAwait(false);
        foreach (var group in nodegroup.Resources?.AutoScalingGroups ?? new List<AutoScalingGroupRef>())
            if (group.Name is not null) await AutoScaling.CreateOrUpdateTagsAsync(group.Name, tags, ct).ConfigureAwait(false);
    }

    /// <summary>The instances of the node group's Auto Scaling groups, with launch time, address and subnet from EC2.</summary>
    public async Task<IReadOnlyList<NodeGroupInstance>> GetInstancesAsync(Nodegroup nodegroup, CancellationToken ct)
    {
        var names = (nodegroup.Resources?.AutoScalingGroups ?? new List<AutoScalingGroupRef>()).Select(g => g.Name).OfType<string>().ToList();
        var groups = await AutoScaling.DescribeAutoScalingGroupsAsync(names, ct).ConfigureAwait(false);
        var ids = groups.SelectMany(g => g.Instances).Select(i => i.InstanceId).ToList();
        var details = new Dictionary<string, Instance>(StringComparer.Ordinal);
        if (ids.Count > 0)
        {
            await foreach (var reservation in _session.Ec2.Paginators.DescribeInstances(new DescribeInstancesRequest { InstanceIds = ids }).Reservations.WithCancellation(ct))
                foreach (var instance in reservation.Instances ?? new List<Instance>())
                    details[instance.InstanceId] = instance;
        }
        return groups.SelectMany(g => g.Instances.Select(i =>
        {
            details.TryGetValue(i.InstanceId, out var ec2);
            return new NodeGroupInstance(nodegroup.ClusterName, nodegroup.NodegroupName, g.AutoScalingGroupName, i.InstanceId,
                i.AvailabilityZone ?? ec2?.Placement?.AvailabilityZone, i.LifecycleState, i.HealthStatus, i.InstanceType ?? ec2?.InstanceType?.Value,
                ec2?.LaunchTime?.ToUniversalTime(), ec2?.PrivateIpAddress, ec2?.SubnetId, i.ProtectedFromScaleIn,
                string.IsNullOrEmpty(ec2?.PrivateDnsName) ? null : ec2.PrivateDnsName);
        }))
        .OrderBy(i => i.AvailabilityZone, StringComparer.Ordinal).ThenBy(i => i.InstanceId, StringComparer.Ordinal).ToList();
    }

    private static string DescribeHealth(Nodegroup nodegroup) =>
        nodegroup.Health?.Issues is { Count: > 0 } issues
            ? string.Join("; ", issues.Select(i => $"{i.Code}: {i.Message}" + (i.ResourceIds.Count > 0 ? $" ({string.Join(", ", i.ResourceIds)})" : string.Empty)))
            : "EKS gave no reason; see the node group's health with Get-EksNodeGroup.";
}
