using System.Globalization;
using EksEmulator.Moto;

namespace EksEmulator.Eks;

// Managed node groups: validation as EKS documents it, the lifecycle (CREATING → ACTIVE, UPDATING while a
// config update is InProgress, DELETING → gone) and the Auto Scaling group in moto that runs the nodes.
public sealed partial class EksService
{
    private static readonly string[] TaintEffects = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"];
    private static readonly string[] CapacityTypes = ["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"];
    private const string AutoscalerTagPrefix = "k8s.io/cluster-autoscaler/";

    public Task<NodegroupResponse> CreateNodegroupAsync(string region, string clusterName, CreateNodegroupRequest request, CancellationToken cancel) =>
        store.RunAsync(async view =>
        {
            var cluster = view.Get(region, clusterName);
            var name = ValidateName(request.NodegroupName, "nodegroup", 63, clusterName);
            if (cluster.Nodegroups.TryGetValue(name, out var existing))
            {
                if (request.ClientRequestToken is not null && request.ClientRequestToken == existing.ClientRequestToken)
                    return existing.ToResponse(view.Now);
                throw EksException.ResourceInUse($"NodeGroup already exists with name {name} and cluster name {clusterName}", clusterName, name);
            }

            var status = cluster.StatusAt(view.Now);
            if (status != ClusterStatus.Active && status != ClusterStatus.Updating)
                throw EksException.InvalidRequest($"Cluster '{clusterName}' is not in ACTIVE status", clusterName, name);
            if (request.Version is not null && request.Version != cluster.Version)
                throw EksException.InvalidParameter($"Requested Nodegroup version {request.Version} is not the cluster version {cluster.Version}.", clusterName, name);

            var scaling = ValidateScaling(new ScalingConfig(request.ScalingConfig?.MinSize ?? 1, request.ScalingConfig?.MaxSize ?? 2, request.ScalingConfig?.DesiredSize ?? 2), clusterName, name);
            if (request.LaunchTemplate is not null && request.DiskSize is not null)
                throw EksException.InvalidParameter("Disk size must be specified within the launch template.", clusterName, name);
            if (request.LaunchTemplate is { } lt && (lt.Id is null) == (lt.Name is null))
                throw EksException.InvalidParameter("Either launch template ID or launch template name must be specified, not both.", clusterName, name);
            if (request.DiskSize is < 1)
                throw EksException.InvalidParameter("diskSize must be a positive number of GiB.", clusterName, name);
            var capacityType = request.CapacityType ?? "ON_DEMAND";
            if (!CapacityTypes.Contains(capacityType))
                throw EksException.InvalidParameter($"Invalid capacityType: {capacityType}", clusterName, name);
            foreach (var taint in request.Taints ?? [])
                if (string.IsNullOrEmpty(taint.Key) || !TaintEffects.Contains(taint.Effect))
                    throw EksException.InvalidParameter($"Taint {taint.Key}={taint.Value}:{taint.Effect} is invalid: a key and an effect of {string.Join(", ", TaintEffects)} are required.", clusterName, name);
            ValidateUpdateConfig(request.UpdateConfig, clusterName, name);
            ValidateTags(request.Tags, msg => EksException.InvalidParameter(msg, clusterName, name));

            if (request.Subnets is not { Count: > 0 })
                throw EksException.InvalidParameter("Subnets are required.", clusterName, name);
            var subnets = await ResolveSubnetsAsync(region, request.Subnets, clusterName, cancel, name);
            if (subnets.Any(s => s.VpcId != cluster.VpcId))
                throw EksException.InvalidParameter($"Subnets are not in the cluster VPC {cluster.VpcId}.", clusterName, name);
            if (string.IsNullOrEmpty(request.NodeRole) || !await moto.RoleExistsAsync(request.NodeRole, cancel))
                throw EksException.InvalidParameter($"Role with arn: {request.NodeRole}, could not be found.", clusterName, name);

            var id = Guid.NewGuid().ToString();
            var instanceTypes = request.InstanceTypes ?? ["t3.medium"];
            var tags = request.Tags is null ? new Dictionary<string, string>() : new(request.Tags);
            // EKS names the group eks-<nodegroup>-<uuid> and tags it for the cluster and node group; discovery tags ride along.
            var groupName = $"eks-{name}-{id}";
            var groupTags = new Dictionary<string, string>
            {
                ["eks:cluster-name"] = clusterName,
                ["eks:nodegroup-name"] = name,
                [$"kubernetes.io/cluster/{clusterName}"] = "owned",
            };
            foreach (var (key, value) in tags.Where(t => t.Key.StartsWith(AutoscalerTagPrefix, StringComparison.Ordinal)))
                groupTags[key] = value;
            var launchTemplateId = await moto.CreateLaunchTemplateAsync(region, $"eks-{id}", instanceTypes[0], groupTags, cancel);
            await moto.CreateAutoScalingGroupAsync(region, groupName, launchTemplateId, request.Subnets,
                scaling.MinSize!.Value, scaling.MaxSize!.Value, scaling.DesiredSize!.Value, groupTags, cancel);

            var nodegroup = new NodegroupState
            {
                Name = name,
                Arn = $"arn:aws:eks:{region}:{AccountId}:nodegroup/{clusterName}/{name}/{id}",
                ClusterName = clusterName,
                Version = cluster.Version,
                ReleaseVersion = request.ReleaseVersion ?? $"{cluster.Version}.0-20250101",
                CreatedAt = view.Now,
                ModifiedAt = view.Now,
                ActiveAt = view.Now + timings.Create,
                CapacityType = capacityType,
                ScalingConfig = scaling,
                InstanceTypes = instanceTypes,
                Subnets = [.. request.Subnets],
                RemoteAccess = request.RemoteAccess,
                AmiType = request.AmiType ?? "AL2023_x86_64_STANDARD",
                NodeRole = request.NodeRole,
                Labels = request.Labels is null ? [] : new(request.Labels),
                Taints = request.Taints,
                DiskSize = request.LaunchTemplate is null ? request.DiskSize ?? 20 : null,
                ClientRequestToken = request.ClientRequestToken,
                Tags = tags,
                LaunchTemplate = request.LaunchTemplate,
                UpdateConfig = request.UpdateConfig ?? new NodegroupUpdateConfig(1, null),
                AutoScalingGroupName = groupName,
                LaunchTemplateId = launchTemplateId,
            };
            cluster.Nodegroups.Add(name, nodegroup);
            return nodegroup.ToResponse(view.Now);
        }, cancel);

    public Task<NodegroupResponse> DescribeNodegroupAsync(string region, string clusterName, string nodegroupName, CancellationToken cancel) =>
        store.RunAsync(view => Task.FromResult(GetNodegroup(view.Get(region, clusterName), nodegroupName).ToResponse(view.Now)), cancel);

    public Task<(List<string> Names, string? NextToken)> ListNodegroupsAsync(string region, string clusterName, int? maxResults, string? nextToken, CancellationToken cancel) =>
        store.RunAsync(view => Task.FromResult(Page(view.Get(region, clusterName).Nodegroups.Keys.ToList(), maxResults, nextToken)), cancel);

    /// <summary>
    /// UpdateNodegroupConfig for scaling and update config. The Auto Scaling group follows at once (as EKS
    /// changes it while the update runs); the node group reports the new sizes when the update is Successful.
    /// </summary>
    public Task<UpdateResponse> UpdateNodegroupConfigAsync(string region, string clusterName, string nodegroupName, UpdateNodegroupConfigRequest request, CancellationToken cancel) =>
        store.RunAsync(async view =>
        {
            var cluster = view.Get(region, clusterName);
            var nodegroup = GetNodegroup(cluster, nodegroupName);
            if (request.ClientRequestToken is not null
                && nodegroup.Updates.FirstOrDefault(u => u.ClientRequestToken == request.ClientRequestToken) is { } repeated)
                return repeated.ToResponse();
            if (request.Labels is not null || request.Taints is not null)
                throw EksException.InvalidParameter("Label and taint updates are not supported by this emulator; send scalingConfig or updateConfig.", clusterName, nodegroupName);

            var status = nodegroup.StatusAt(view.Now);
            if (status != "ACTIVE")
                throw EksException.ResourceInUse($"Nodegroup {nodegroupName} is in {status} status; it must be ACTIVE to be updated.", clusterName, nodegroupName);

            var current = nodegroup.ScalingConfig;
            var scaling = request.ScalingConfig is null ? null : ValidateScaling(new ScalingConfig(
                request.ScalingConfig.MinSize ?? current.MinSize, request.ScalingConfig.MaxSize ?? current.MaxSize, request.ScalingConfig.DesiredSize ?? current.DesiredSize),
                clusterName, nodegroupName);
            ValidateUpdateConfig(request.UpdateConfig, clusterName, nodegroupName);
            var parameters = new List<UpdateParam>();
            if (scaling is not null && scaling != current)
            {
                if (scaling.MinSize != current.MinSize) parameters.Add(new("MinSize", Text(scaling.MinSize)));
                if (scaling.MaxSize != current.MaxSize) parameters.Add(new("MaxSize", Text(scaling.MaxSize)));
                if (scaling.DesiredSize != current.DesiredSize) parameters.Add(new("DesiredSize", Text(scaling.DesiredSize)));
            }
            if (request.UpdateConfig is { } updateConfig && updateConfig != nodegroup.UpdateConfig)
            {
                if (updateConfig.MaxUnavailable is { } n) parameters.Add(new("MaxUnavailable", Text(n)));
                if (updateConfig.MaxUnavailablePercentage is { } p) parameters.Add(new("MaxUnavailablePercentage", Text(p)));
            }
            if (parameters.Count == 0)
                throw EksException.InvalidParameter("No changes needed for the nodegroup config provided", clusterName, nodegroupName);

            if (scaling is not null && scaling != current)
                await moto.ScaleAutoScalingGroupAsync(region, nodegroup.AutoScalingGroupName, nodegroup.LaunchTemplateId, nodegroup.Subnets,
                    scaling.MinSize!.Value, scaling.MaxSize!.Value, scaling.DesiredSize!.Value, AutoScalingTags(nodegroup), cancel);

            var update = new ClusterUpdate
            {
                Id = Guid.NewGuid().ToString(),
                Type = "ConfigUpdate",
                Params = parameters,
                CreatedAt = view.Now,
                CompletesAt = view.Now + timings.Update,
                ClientRequestToken = request.ClientRequestToken,
                Apply = _ =>
                {
                    if (scaling is not null) nodegroup.ScalingConfig = scaling;
                    if (request.UpdateConfig is not null) nodegroup.UpdateConfig = request.UpdateConfig;
                    nodegroup.ModifiedAt = view.Now + timings.Update;
                },
            };
            nodegroup.Updates.Add(update);
            nodegroup.ModifiedAt = view.Now;
            return update.ToResponse();
        }, cancel);

    public Task<NodegroupResponse> DeleteNodegroupAsync(string region, string clusterName, string nodegroupName, CancellationToken cancel) =>
        store.RunAsync(async view =>
        {
            var nodegroup = GetNodegroup(view.Get(region, clusterName), nodegroupName);
            if (nodegroup.GoneAt is not null) return nodegroup.ToResponse(view.Now);
            nodegroup.GoneAt = view.Now + timings.Delete;
            nodegroup.ModifiedAt = view.Now;
            // EKS removes the Auto Scaling group (terminating its instances) and the launch template it made.
            try
            {
                await moto.DeleteAutoScalingGroupAsync(region, nodegroup.AutoScalingGroupName, cancel);
                await moto.DeleteLaunchTemplateAsync(region, nodegroup.LaunchTemplateId, cancel);
            }
            catch (MotoException)
            {
                // Already removed behind EKS's back; the node group still goes.
            }

            return nodegroup.ToResponse(view.Now);
        }, cancel);

    private static ScalingConfig ValidateScaling(ScalingConfig scaling, string clusterName, string nodegroupName)
    {
        if (scaling.MaxSize < 1)
            throw EksException.InvalidParameter("Maximum capacity must be at least 1.", clusterName, nodegroupName);
        if (scaling.MinSize < 0 || scaling.MinSize > scaling.MaxSize)
            throw EksException.InvalidParameter($"Minimum capacity {scaling.MinSize} can't be greater than max capacity {scaling.MaxSize}.", clusterName, nodegroupName);
        if (scaling.DesiredSize < scaling.MinSize || scaling.DesiredSize > scaling.MaxSize)
            throw EksException.InvalidParameter($"Desired capacity {scaling.DesiredSize} must be between min capacity {scaling.MinSize} and max capacity {scaling.MaxSize}.", clusterName, nodegroupName);
        return scaling;
    }

    private static void ValidateUpdateConfig(NodegroupUpdateConfig? config, string clusterName, string nodegroupName)
    {
        if (config is null) return;
        if ((config.MaxUnavailable is null) == (config.MaxUnavailablePercentage is null))
            throw EksException.InvalidParameter("Exactly one of maxUnavailable and maxUnavailablePercentage must be given.", clusterName, nodegroupName);
        if (config.MaxUnavailable is < 1 or > 100 || config.MaxUnavailablePercentage is < 1 or > 100)
            throw EksException.InvalidParameter("maxUnavailable must be 1-100 and maxUnavailablePercentage 1-100.", clusterName, nodegroupName);
    }

    private static Dictionary<string, string> AutoScalingTags(NodegroupState nodegroup)
    {
        var tags = new Dictionary<string, string>
        {
            ["eks:cluster-name"] = nodegroup.ClusterName,
            ["eks:nodegroup-name"] = nodegroup.Name,
            [$"kubernetes.io/cluster/{nodegroup.ClusterName}"] = "owned",
        };
        foreach (var (key, value) in nodegroup.Tags.Where(t => t.Key.StartsWith(AutoscalerTagPrefix, StringComparison.Ordinal)))
            tags[key] = value;
        return tags;
    }

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
}
