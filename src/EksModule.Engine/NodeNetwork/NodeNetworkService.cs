using Amazon.EC2;
using Amazon.EC2.Model;
using EksModule.Engine.Aws;
using EksModule.Engine.Aws.Protocol;
using EksModule.Engine.Clusters;
using EksModule.Engine.Errors;
using EksModule.Engine.Kubernetes;
using EksModule.Engine.NodeGroups;
using EksModule.Engine.Upgrades;
using k8s;

namespace EksModule.Engine.NodeNetwork;

/// <summary>Which nodes to show: node groups by name pattern, then nodes by name pattern or instance id (all when empty).</summary>
public sealed record NodeNetworkQuery(string ClusterName, IReadOnlyList<string>? NodegroupNames, IReadOnlyList<string>? NodeNames, IReadOnlyList<string>? InstanceIds)
{
    public bool Selects(NodeGroupInstance instance) =>
        (NodeNames is not { Count: > 0 } || NodeNames.Any(p => instance.PrivateDnsName is { } name && ClusterService.WildcardMatch(p, name)))
        && (InstanceIds is not { Count: > 0 } || InstanceIds.Any(id => string.Equals(id, instance.InstanceId, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>
/// The per-node view of the VPC CNI: nodes from the managed node groups' Auto Scaling groups, their ENIs from
/// DescribeNetworkInterfaces, limits from DescribeInstanceTypes (each type asked once), the vpc-cni add-on's
/// configuration from DescribeAddon, and pods per node from the cluster's Kubernetes API. Kubernetes is optional:
/// when it cannot be read, the EC2 side is still returned, with usage unknown and a warning that says why.
/// </summary>
public sealed class NodeNetworkService
{
    /// <summary>DescribeInstanceTypes takes at most 100 types a call; an EC2 filter at most 200 values.</summary>
    private const int InstanceTypesPerCall = 100, FilterValuesPerCall = 200;

    private readonly AwsSession _session;
    private readonly NodeGroupService _nodeGroups;
    private readonly Dictionary<string, InstanceTypeNetworkLimits?> _limits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>?> _podCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (bool? PrefixDelegation, CniCapacitySettings Settings)> _cniSettings = new(StringComparer.Ordinal);

    public NodeNetworkService(AwsSession session)
    {
        _session = session;
        _nodeGroups = new NodeGroupService(session);
    }

    /// <summary>How long the Kubernetes part may take before the EC2 side is returned without it (a private endpoint out of reach hangs).</summary>
    public TimeSpan KubernetesTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<NodeNetworkInfo>> GetAsync(
        NodeNetworkQuery query, Action<string> reportMissingNodegroup, IProgress<string>? warnings, IProgress<string>? verbose, CancellationToken ct)
    {
        var nodegroups = await _nodeGroups.GetAsync(query.ClusterName, query.NodegroupNames, reportMissingNodegroup, ct).ConfigureAwait(false);
        var instances = new List<NodeGroupInstance>();
        foreach (var nodegroup in nodegroups)
        {
            if (nodegroup.Resources?.AutoScalingGroups is not { Count: > 0 })
                verbose?.Report($"Node group {query.ClusterName}/{nodegroup.NodegroupName} ({nodegroup.Status}) has no Auto Scaling group yet.");
            instances.AddRange((await _nodeGroups.GetInstancesAsync(nodegroup, ct).ConfigureAwait(false)).Where(query.Selects));
        }
        if (instances.Count == 0) return Array.Empty<NodeNetworkInfo>();

        var enis = await DescribeNetworkInterfacesAsync(instances.Select(i => i.InstanceId).ToList(), ct).ConfigureAwait(false);
        await LoadLimitsAsync(instances.Select(i => i.InstanceType).OfType<string>(), warnings, ct).ConfigureAwait(false);
        var (configured, settings) = await GetCniSettingsAsync(query.ClusterName, verbose, ct).ConfigureAwait(false);
        var pods = await CountPodsAsync(query.ClusterName, warnings, ct).ConfigureAwait(false);

        return instances.Select(i => new NodeNetworkInfo(
                i.ClusterName, i.NodegroupName, i.InstanceId, i.PrivateDnsName, i.InstanceType, i.AvailabilityZone,
                i.InstanceType is null ? null : _limits.GetValueOrDefault(i.InstanceType),
                enis.GetValueOrDefault(i.InstanceId) ?? (IReadOnlyList<NodeNetworkInterface>)Array.Empty<NodeNetworkInterface>(),
                settings, configured,
                pods is null ? null : i.PrivateDnsName is null ? 0 : pods.GetValueOrDefault(i.PrivateDnsName)))
            .ToList();
    }

    /// <summary>Attached ENIs per instance, in device order.</summary>
    private async Task<Dictionary<string, IReadOnlyList<NodeNetworkInterface>>> DescribeNetworkInterfacesAsync(IReadOnlyList<string> instanceIds, CancellationToken ct)
    {
        var found = new Dictionary<string, List<NodeNetworkInterface>>(StringComparer.Ordinal);
        foreach (var chunk in instanceIds.Chunk(FilterValuesPerCall))
        {
            var request = new DescribeNetworkInterfacesRequest { Filters = [new Filter("attachment.instance-id", [.. chunk])] };
            await foreach (var eni in _session.Ec2.Paginators.DescribeNetworkInterfaces(request).NetworkInterfaces.WithCancellation(ct))
            {
                if (eni.Attachment?.InstanceId is not { } owner) continue;
                if (!found.TryGetValue(owner, out var list)) found[owner] = list = new List<NodeNetworkInterface>();
                list.Add(NodeNetworkInterface.From(eni));
            }
        }
        return found.ToDictionary(p => p.Key, p => (IReadOnlyList<NodeNetworkInterface>)p.Value.OrderBy(e => e.NetworkCardIndex).ThenBy(e => e.DeviceIndex).ToList(), StringComparer.Ordinal);
    }

    /// <summary>Limits of the types not asked for yet, in as few DescribeInstanceTypes calls as the API allows.</summary>
    private async Task LoadLimitsAsync(IEnumerable<string> types, IProgress<string>? warnings, CancellationToken ct)
    {
        var wanted = types.Distinct(StringComparer.Ordinal).Where(t => !_limits.ContainsKey(t)).ToList();
        foreach (var chunk in wanted.Chunk(InstanceTypesPerCall))
        {
            try
            {
                foreach (var info in await DescribeInstanceTypesAsync(chunk, ct).ConfigureAwait(false))
                    _limits[info.InstanceType] = info;
            }
            catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidInstanceType" && chunk.Length > 1)
            {
                // One unknown type fails the whole call: ask for each alone, so the others still get their limits.
                foreach (var type in chunk)
                {
                    try
                    {
                        foreach (var info in await DescribeInstanceTypesAsync([type], ct).ConfigureAwait(false)) _limits[info.InstanceType] = info;
                    }
                    catch (AmazonEC2Exception) { }
                }
            }
            foreach (var type in chunk.Where(t => !_limits.ContainsKey(t)))
            {
                _limits[type] = null;
                warnings?.Report($"EC2 DescribeInstanceTypes does not know instance type '{type}' in {_session.Region}, so its ENI limits and max pods are left empty.");
            }
        }
    }

    private async Task<IEnumerable<InstanceTypeNetworkLimits>> DescribeInstanceTypesAsync(IReadOnlyCollection<string> types, CancellationToken ct)
    {
        var result = new List<InstanceTypeNetworkLimits>();
        var request = new DescribeInstanceTypesRequest { InstanceTypes = [.. types] };
        await foreach (var info in _session.Ec2.Paginators.DescribeInstanceTypes(request).InstanceTypes.WithCancellation(ct))
            result.Add(InstanceTypeNetworkLimits.From(info));
        return result;
    }

    /// <summary>
    /// The vpc-cni EKS add-on's settings. A self-managed VPC CNI (no add-on) keeps its defaults; an add-on that
    /// cannot be read is said in verbose output and the defaults are used, as the ENIs decide the mode anyway.
    /// </summary>
    private async Task<(bool? PrefixDelegation, CniCapacitySettings Settings)> GetCniSettingsAsync(string clusterName, IProgress<string>? verbose, CancellationToken ct)
    {
        if (_cniSettings.TryGetValue(clusterName, out var cached)) return cached;
        (bool?, CniCapacitySettings) result = (null, CniCapacitySettings.Default);
        try
        {
            var addon = await new UpgradeApi(_nodeGroups.Eks).TryDescribeAddonAsync(clusterName, VpcCniConfiguration.AddonName, ct).ConfigureAwait(false);
            if (addon is null)
                verbose?.Report($"Cluster '{clusterName}' has no vpc-cni EKS add-on; the VPC CNI's defaults are assumed (no prefix delegation).");
            else
            {
                var env = VpcCniConfiguration.Environment(addon.ConfigurationValues);
                result = (VpcCniConfiguration.PrefixDelegation(env), VpcCniConfiguration.CapacitySettings(env));
            }
        }
        catch (AwsServiceError e)
        {
            verbose?.Report($"Could not read the vpc-cni add-on of cluster '{clusterName}' ({e.ErrorCode}: {e.Message}); the VPC CNI's defaults are assumed.");
        }
        _cniSettings[clusterName] = result;
        return result;
    }

    /// <summary>Pods using VPC addresses per node name, or null (with a warning) when the cluster's Kubernetes API cannot be read.</summary>
    private async Task<Dictionary<string, int>?> CountPodsAsync(string clusterName, IProgress<string>? warnings, CancellationToken ct)
    {
        if (_podCounts.TryGetValue(clusterName, out var cached)) return cached;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(KubernetesTimeout);
        Dictionary<string, int>? counts = null;
        try
        {
            using var client = await new KubernetesAccess(_session).ConnectAsync(clusterName, null, timeout.Token).ConfigureAwait(false);
            var pods = new List<k8s.Models.V1Pod>();
            string? next = null;
            do
            {
                var page = await client.CoreV1.ListPodForAllNamespacesAsync(continueParameter: next, limit: 500, cancellationToken: timeout.Token).ConfigureAwait(false);
                pods.AddRange(page.Items);
                next = page.Metadata?.ContinueProperty;
            } while (!string.IsNullOrEmpty(next));
            counts = NodeIpAccounting.CountPodsUsingIps(pods);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            warnings?.Report(UsageUnknown(clusterName, $"its Kubernetes API did not answer within {KubernetesTimeout.TotalSeconds:0} s (is the endpoint private, and you outside the VPC?)"));
        }
        catch (HttpRequestException e)
        {
            var cause = e.InnerException?.Message ?? e.Message;
            warnings?.Report(UsageUnknown(clusterName, $"its Kubernetes API endpoint could not be reached ({cause}). An endpoint with private access only " +
                "answers inside the cluster's VPC (or a network connected to it); Get-EksCluster shows ResourcesVpcConfig.EndpointPublicAccess."));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            warnings?.Report(UsageUnknown(clusterName, ErrorClassifier.Classify(e).Message));
        }
        _podCounts[clusterName] = counts;
        return counts;
    }

    private static string UsageUnknown(string clusterName, string reason) =>
        $"Pods on the nodes of cluster '{clusterName}' could not be counted, so PodsUsingIps and FreePodIps are empty; the ENIs, assigned addresses and max pods come from EC2 and are shown. Reason: {reason}";
}
