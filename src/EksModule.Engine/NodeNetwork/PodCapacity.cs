using Amazon.EC2.Model;

namespace EksModule.Engine.NodeNetwork;

/// <summary>
/// What EC2 lets an instance type carry, from DescribeInstanceTypes: ENIs on the default network card (the only
/// card the VPC CNI uses), IPv4 addresses per ENI, vCPUs, and whether it can take /28 prefixes.
/// </summary>
public sealed record InstanceTypeNetworkLimits(
    string InstanceType, int MaxNetworkInterfaces, int Ipv4AddressesPerInterface, int DefaultVCpus, string? Hypervisor, bool BareMetal)
{
    /// <summary>ipamd assigns prefixes only on Nitro and bare-metal instances; elsewhere it falls back to secondary IPs.</summary>
    public bool SupportsPrefixDelegation => string.Equals(Hypervisor, "nitro", StringComparison.OrdinalIgnoreCase) || BareMetal;

    public static InstanceTypeNetworkLimits From(InstanceTypeInfo info)
    {
        var network = info.NetworkInfo;
        // Multi-card types (p5.48xlarge) list ENIs per card; pods only get ENIs of the default card.
        var defaultCard = network?.DefaultNetworkCardIndex ?? 0;
        var cardEnis = network?.NetworkCards?.FirstOrDefault(c => (c.NetworkCardIndex ?? 0) == defaultCard)?.MaximumNetworkInterfaces;
        return new InstanceTypeNetworkLimits(
            info.InstanceType?.Value ?? string.Empty,
            cardEnis ?? network?.MaximumNetworkInterfaces ?? 0,
            network?.Ipv4AddressesPerInterface ?? 0,
            info.VCpuInfo?.DefaultVCpus ?? 0,
            info.Hypervisor?.Value,
            info.BareMetal ?? false);
    }
}

/// <summary>
/// The VPC CNI settings that change a node's pod capacity, as the aws-node env variables name them
/// (ENABLE_PREFIX_DELEGATION, AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG, MAX_ENI).
/// </summary>
public sealed record CniCapacitySettings(bool PrefixDelegation = false, bool CustomNetworking = false, int? MaxEni = null)
{
    public static readonly CniCapacitySettings Default = new();
}

/// <summary>
/// Max pods the way EKS computes it (max-pods-calculator.sh, eni-max-pods.txt): every ENI's first address is the
/// ENI's own, each other address (or /28 prefix of 16) is one pod IP, and two host-network pods (aws-node and
/// kube-proxy) need none. EKS then recommends, and managed node groups enforce, a ceiling of 110 pods, or 250 on
/// instance types with more than 30 vCPUs.
/// </summary>
public static class PodCapacity
{
    public const int AddressesPerPrefix = 16;
    public const int HostNetworkPods = 2;
    public const int CeilingUpTo30VCpus = 110;
    public const int CeilingAbove30VCpus = 250;

    /// <summary>ENIs that can carry pod IPs: all of the default card's, at most MAX_ENI, minus the primary ENI under custom networking.</summary>
    public static int EnisForPods(InstanceTypeNetworkLimits limits, CniCapacitySettings settings)
    {
        var enis = settings.MaxEni is int max && max > 0 ? Math.Min(max, limits.MaxNetworkInterfaces) : limits.MaxNetworkInterfaces;
        if (settings.CustomNetworking) enis--;
        return Math.Max(enis, 0);
    }

    /// <summary>Whether prefixes are what the node gets: asked for, and the instance type can take them.</summary>
    public static bool UsesPrefixes(InstanceTypeNetworkLimits limits, bool prefixDelegation) => prefixDelegation && limits.SupportsPrefixDelegation;

    /// <summary>The most pod IP addresses the node's ENIs can hold: ENIs × (addresses per ENI − 1), × 16 with prefixes.</summary>
    public static int MaxPodIps(InstanceTypeNetworkLimits limits, CniCapacitySettings settings, bool prefixDelegation)
    {
        var slots = EnisForPods(limits, settings) * Math.Max(limits.Ipv4AddressesPerInterface - 1, 0);
        return UsesPrefixes(limits, prefixDelegation) ? slots * AddressesPerPrefix : slots;
    }

    /// <summary>The ENI limit alone (what eni-max-pods.txt lists for secondary IPs): pod IPs + 2.</summary>
    public static int EniLimit(InstanceTypeNetworkLimits limits, CniCapacitySettings settings, bool prefixDelegation)
        => MaxPodIps(limits, settings, prefixDelegation) + HostNetworkPods;

    /// <summary>110, or 250 above 30 vCPUs.</summary>
    public static int Ceiling(int vCpus) => vCpus > 30 ? CeilingAbove30VCpus : CeilingUpTo30VCpus;

    /// <summary>
    /// The EKS-recommended max pods (max-pods-calculator.sh's answer): the ENI limit, capped by the ceiling. Null with
    /// prefix delegation on an instance type that cannot take prefixes.
    /// </summary>
    public static int? RecommendedMaxPods(InstanceTypeNetworkLimits limits, CniCapacitySettings settings, bool prefixDelegation)
    {
        if (prefixDelegation && !limits.SupportsPrefixDelegation) return null;
        return Math.Min(Ceiling(limits.DefaultVCpus), EniLimit(limits, settings, prefixDelegation));
    }
}
