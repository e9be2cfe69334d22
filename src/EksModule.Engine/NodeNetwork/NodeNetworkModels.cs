using Amazon.EC2.Model;
using k8s.Models;

namespace EksModule.Engine.NodeNetwork;

/// <summary>One ENI attached to a node, with the addresses and /28 prefixes EC2 has assigned to it.</summary>
public sealed record NodeNetworkInterface(
    string NetworkInterfaceId, int DeviceIndex, int NetworkCardIndex, string? SubnetId, string? PrimaryIpAddress,
    IReadOnlyList<string> SecondaryIpAddresses, IReadOnlyList<string> Ipv4Prefixes, string? InterfaceType, string? Description, bool ManagedByCni)
{
    /// <summary>ENIs tagged so are left alone by ipamd (the VPC CNI's documented opt-out).</summary>
    public const string NoManageTag = "node.k8s.amazonaws.com/no_manage";

    /// <summary>Pod addresses this ENI holds: its secondary IPs plus 16 per prefix; none when the CNI does not manage it.</summary>
    public int PodIpCount => ManagedByCni ? SecondaryIpAddresses.Count + Ipv4Prefixes.Count * PodCapacity.AddressesPerPrefix : 0;

    public static NodeNetworkInterface From(NetworkInterface eni)
    {
        var addresses = eni.PrivateIpAddresses ?? new List<NetworkInterfacePrivateIpAddress>();
        var primary = addresses.FirstOrDefault(a => a.Primary == true)?.PrivateIpAddress ?? eni.PrivateIpAddress;
        var secondary = addresses.Where(a => a.Primary != true && a.PrivateIpAddress is not null && a.PrivateIpAddress != primary)
            .Select(a => a.PrivateIpAddress).ToList();
        var prefixes = (eni.Ipv4Prefixes ?? new List<Ipv4PrefixSpecification>()).Select(p => p.Ipv4Prefix).OfType<string>().ToList();
        var type = eni.InterfaceType?.Value;
        var optedOut = eni.TagSet?.Any(t => t.Key == NoManageTag && string.Equals(t.Value, "true", StringComparison.OrdinalIgnoreCase)) == true;
        // Trunk ENIs (security groups for pods) and EFA-only ENIs carry no pod addresses of ipamd's.
        var managed = !optedOut && (type is null || type == "interface" || type == "efa");
        return new NodeNetworkInterface(eni.NetworkInterfaceId, eni.Attachment?.DeviceIndex ?? 0, eni.Attachment?.NetworkCardIndex ?? 0,
            eni.SubnetId, primary, secondary, prefixes, type, eni.Description, managed);
    }
}

/// <summary>A node's ENIs, pod addresses and pod capacity: what EC2 assigned, what pods use, what the instance type allows.</summary>
public sealed record NodeNetworkInfo(
    string ClusterName, string NodegroupName, string InstanceId, string? NodeName, string? InstanceType, string? AvailabilityZone,
    InstanceTypeNetworkLimits? Limits, IReadOnlyList<NodeNetworkInterface> NetworkInterfaces, CniCapacitySettings Settings,
    bool? PrefixDelegationConfigured, int? PodsUsingIps)
{
    /// <summary>Whether the node runs in prefix mode; see <see cref="NodeIpAccounting.IsPrefixMode"/>.</summary>
    public bool PrefixDelegation => NodeIpAccounting.IsPrefixMode(NetworkInterfaces, PrefixDelegationConfigured, Limits);

    public int AssignedPodIps => NodeIpAccounting.AssignedPodIps(NetworkInterfaces);

    public int? FreePodIps => NodeIpAccounting.FreePodIps(AssignedPodIps, PodsUsingIps);

    public int? MaxPodIps => Limits is null ? null : PodCapacity.MaxPodIps(Limits, Settings, PrefixDelegation);

    public int? MaxPodsWithoutPrefixDelegation => Limits is null ? null : PodCapacity.RecommendedMaxPods(Limits, Settings, prefixDelegation: false);

    public int? MaxPodsWithPrefixDelegation => Limits is null ? null : PodCapacity.RecommendedMaxPods(Limits, Settings, prefixDelegation: true);

    /// <summary>The recommended max pods for the mode the node is in.</summary>
    public int? MaxPods => PrefixDelegation && Limits?.SupportsPrefixDelegation == true ? MaxPodsWithPrefixDelegation : MaxPodsWithoutPrefixDelegation;
}

/// <summary>The address arithmetic of a node, kept apart from the AWS and Kubernetes calls so it can be checked alone.</summary>
public static class NodeIpAccounting
{
    public static int AssignedPodIps(IEnumerable<NodeNetworkInterface> enis) => enis.Sum(e => e.PodIpCount);

    /// <summary>Assigned minus used, never below zero (pods still waiting for an address use none yet); null when usage is unknown.</summary>
    public static int? FreePodIps(int assigned, int? used) => used is null ? null : Math.Max(assigned - used.Value, 0);

    /// <summary>
    /// A node is in prefix mode when its ENIs hold prefixes; in secondary-IP mode when they hold secondary IPs only; with
    /// neither yet, the vpc-cni configuration decides, on instance types that can take prefixes.
    /// </summary>
    public static bool IsPrefixMode(IReadOnlyList<NodeNetworkInterface> enis, bool? configured, InstanceTypeNetworkLimits? limits)
    {
        var managed = enis.Where(e => e.ManagedByCni).ToList();
        if (managed.Any(e => e.Ipv4Prefixes.Count > 0)) return true;
        if (managed.Any(e => e.SecondaryIpAddresses.Count > 0)) return false;
        return configured == true && limits?.SupportsPrefixDelegation == true;
    }

    /// <summary>
    /// Pods that hold (or are about to get) a VPC address on their node, by node name: scheduled there, not on the
    /// host network, and not finished (Succeeded and Failed pods have given their address back).
    /// </summary>
    public static Dictionary<string, int> CountPodsUsingIps(IEnumerable<V1Pod> pods)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var node = pod.Spec?.NodeName;
            if (string.IsNullOrEmpty(node) || pod.Spec!.HostNetwork == true) continue;
            if (pod.Status?.Phase is "Succeeded" or "Failed") continue;
            counts[node] = counts.GetValueOrDefault(node) + 1;
        }
        return counts;
    }
}
